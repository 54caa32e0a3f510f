"""Retries around every Bot API call, so an answer is delivered once even on a bad day.

``AIORateLimiter`` already keeps within Telegram's flood limits and retries a 429 after its
``retry_after``. This subclass adds a few retries for 5xx answers and connection failures:
in both cases Telegram did not process the request, so repeating it cannot send a message twice.

A *timeout* is different: the request may have reached Telegram and the message been sent, and
sending it again would answer the question twice. So a timed-out call is retried only for
methods that are safe to repeat (editing, chat actions, set-up calls).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram.error import BadRequest, NetworkError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
IDEMPOTENT_METHODS = frozenset(
    {
        "getMe",
        "getMyCommands",
        "setMyCommands",
        "deleteMyCommands",
        "deleteWebhook",
        "setWebhook",
        "sendChatAction",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)


class RetryingRateLimiter(AIORateLimiter):
    """``AIORateLimiter`` plus bounded, backed-off retries of requests Telegram did not take."""

    def __init__(
        self,
        *,
        network_retries: int = 3,
        backoff: float = 0.5,
        max_retries: int = 3,
        **kwargs: Any,
    ) -> None:
        super().__init__(max_retries=max_retries, **kwargs)
        self.network_retries = network_retries
        self.backoff = backoff

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError subclass, but repeating it cannot help
                raise
            except TimedOut:
                if endpoint not in IDEMPOTENT_METHODS or attempt == self.network_retries:
                    raise
                self._log_retry(endpoint, "timed out", attempt)
            except NetworkError as exc:
                if attempt == self.network_retries:
                    raise
                self._log_retry(endpoint, str(exc), attempt)
            await asyncio.sleep(self.backoff * 2**attempt)
        raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises

    def _log_retry(self, endpoint: str, reason: str, attempt: int) -> None:
        logger.warning(
            "%s failed (%s); retrying (%d of %d)",
            endpoint,
            reason,
            attempt + 1,
            self.network_retries,
        )
