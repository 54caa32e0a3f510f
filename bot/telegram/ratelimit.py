"""A per-user flood guard: at most N questions in any sliding window, notice given once.

Telegram's own limits (messages per second per chat) are python-telegram-bot's
``AIORateLimiter``'s job; this one protects the bot from one person sending hundreds of
questions. Memory is bounded: at most ``limit`` timestamps per user and ``max_users`` users,
least recently seen first out.
"""

from __future__ import annotations

import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum


class Verdict(Enum):
    ALLOW = "allow"
    NOTIFY = "notify"  # refused; tell the user (first refusal in this window)
    SILENT = "silent"  # refused; already told


@dataclass(slots=True)
class _UserWindow:
    times: deque[float]
    notified: bool = False


@dataclass
class UserRateLimiter:
    """``check(user_id)`` before answering; ``limit`` questions per ``window`` seconds."""

    limit: int
    window: float = 60.0
    max_users: int = 10_000
    clock: Callable[[], float] = time.monotonic
    _users: OrderedDict[int, _UserWindow] = field(default_factory=OrderedDict, repr=False)

    def check(self, user_id: int) -> Verdict:
        """Count one request by ``user_id`` if it is within the limit."""
        now = self.clock()
        state = self._users.get(user_id)
        if state is None:
            state = _UserWindow(deque(maxlen=self.limit))
            self._users[user_id] = state
            while len(self._users) > self.max_users:
                self._users.popitem(last=False)
        else:
            self._users.move_to_end(user_id)
        while state.times and now - state.times[0] >= self.window:
            state.times.popleft()
        if len(state.times) < self.limit:
            state.times.append(now)
            state.notified = False
            return Verdict.ALLOW
        if state.notified:
            return Verdict.SILENT
        state.notified = True
        return Verdict.NOTIFY

    def __len__(self) -> int:
        return len(self._users)
