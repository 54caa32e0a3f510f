"""Updates handled concurrently across chats, one at a time and in order within a chat.

With python-telegram-bot's default (one update at a time) a single slow Bot API call stalls
every chat. Handling all updates concurrently instead would let a question and its edit race
(the edit would find no answer to edit yet and send a second one) and could reorder answers in
a chat. So: up to ``max_concurrent_updates`` at once, but updates of the same chat (inline
queries and other chat-less updates: of the same user) wait for each other, first come first
served (``asyncio.Lock`` wakes waiters in order, and updates start in the order they arrive).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

DEFAULT_CONCURRENT_UPDATES = 64


def _key(update: object) -> tuple[str, int] | None:
    if not isinstance(update, Update):
        return None
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    return None


class PerChatUpdateProcessor(BaseUpdateProcessor):
    """Concurrent across chats, sequential within one. Holds a lock only while it is in use."""

    def __init__(self, max_concurrent_updates: int = DEFAULT_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        # key -> (lock, updates holding or waiting for it); dropped when that falls to zero,
        # so the map never holds more than ``max_concurrent_updates`` entries.
        self._locks: dict[tuple[str, int], tuple[asyncio.Lock, int]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        key = _key(update)
        if key is None:
            await coroutine
            return
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                await coroutine
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""

    def __len__(self) -> int:
        return len(self._locks)
