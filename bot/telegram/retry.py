"""Retries around every Bot API call, so an answer is delivered at most once, and almost always.

``AIORateLimiter`` already keeps within Telegram's flood limits and retries a 429 after its
``retry_after`` (Telegram refused the request: repeating it is safe). This subclass adds a few
backed-off retries for network failures, but only where repeating cannot answer twice:

- methods that are safe to repeat (set-up calls, editing) are retried after any network error;
- every other method (``sendMessage`` above all) only when Telegram did not take the request:
  the connection could not be made (``httpx.ConnectError``/``ConnectTimeout``), no pooled
  connection was free (``PoolTimeout``), or Telegram answered with a 5xx status (it says the
  request failed). After a timeout, a read error or a dropped connection the message may already
  have been delivered, and a second copy is worse than the rare lost one (the user can ask
  again).

``sendChatAction`` ("typing…") is cosmetic: it is neither paced nor retried, so it can never hold
up an answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, TelegramError, TimedOut
from telegram.ext import AIORateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
IDEMPOTENT_METHODS = frozenset(
    {
        "getMe",
        "getUpdates",  # the offset makes a repeated long poll return the same updates
        "getMyCommands",
        "setMyCommands",
        "deleteMyCommands",
        "deleteWebhook",
        "setWebhook",
        "editMessageText",
        "editMessageReplyMarkup",
    }
)
COSMETIC_METHODS = frozenset({"sendChatAction"})
# httpx errors raised before a request was sent: repeating it cannot deliver anything twice.
NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def never_reached_telegram(error: NetworkError) -> bool:
    """True if the failed request provably was not sent (so it is safe to send again)."""
    return isinstance(error.__cause__, NOT_SENT)


def refused_by_telegram(error: NetworkError) -> bool:
    """True for an HTTP error status (5xx) from the Bot API: it answered that it failed.

    python-telegram-bot raises those as a plain ``NetworkError`` with no transport exception
    behind it; timeouts and broken connections carry the ``httpx`` error as their cause.
    """
    return not isinstance(error, TimedOut) and (
        error.__cause__ is None or isinstance(error.__cause__, TelegramError)
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
        if endpoint in COSMETIC_METHODS:
            return await callback(*args, **kwargs)
        for attempt in range(self.network_retries + 1):
            try:
                return await super().process_request(
                    callback, args, kwargs, endpoint, data, rate_limit_args
                )
            except BadRequest:  # a NetworkError subclass, but repeating it cannot help
                raise
            except NetworkError as exc:  # TimedOut included
                safe = (
                    endpoint in IDEMPOTENT_METHODS
                    or never_reached_telegram(exc)
                    or refused_by_telegram(exc)
                )
                if not safe or attempt == self.network_retries:
                    raise
                self._log_retry(endpoint, str(exc) or type(exc).__name__, attempt)
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
