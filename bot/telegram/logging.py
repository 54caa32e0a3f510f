"""Logging for the bot: one stream handler whose filter keeps bot tokens out of every line.

The Bot API puts the token in every request URL (``https://api.telegram.org/bot<token>/...``),
so any library that logs a URL or an exception mentioning one could leak it. The filter redacts
the configured secrets and anything shaped like a bot token, in the message, its arguments, the
exception text and the traceback.

Two more filters keep a bad network day readable: a network error (Telegram unreachable, a 502,
a timeout) is logged as one line without a traceback, since it is not a bug in the bot; and a
warning repeated within a minute is written once, the next line saying how many were held back.
"""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from collections.abc import Callable, Iterable
from typing import TextIO

from telegram.error import BadRequest, NetworkError

REDACTED = "<redacted>"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

# "bot123456:AAE..." as in request URLs, and a bare "123456:AAE..." anywhere else.
_TOKEN_IN_URL = re.compile(r"bot\d{3,20}:[A-Za-z0-9_-]{20,}")
_BARE_TOKEN = re.compile(r"(?<![A-Za-z0-9_-])\d{5,20}:[A-Za-z0-9_-]{30,}")

# Both libraries log every request URL at DEBUG/INFO, and the URL contains the token.
NOISY_LOGGERS = ("httpx", "httpcore")


def redact(text: str, secrets: Iterable[str] = ()) -> str:
    """``text`` with every given secret and every token-shaped string replaced."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, REDACTED)
    text = _TOKEN_IN_URL.sub("bot" + REDACTED, text)
    return _BARE_TOKEN.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Rewrites each record so that neither its message nor its traceback holds a secret."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = tuple(s for s in secrets if s)

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a bad format string must not hide the record (or leak its args)
            message = f"{record.msg!s} (unformattable arguments)"
        record.msg = redact(message, self.secrets)
        record.args = None
        if record.exc_info:
            # Render the traceback now, redacted, and drop the live exception so that no
            # formatter can print the unredacted text later.
            text = logging.Formatter().formatException(record.exc_info)
            record.exc_text = redact(text, self.secrets)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text, self.secrets)
        if record.stack_info:
            record.stack_info = redact(record.stack_info, self.secrets)
        return True


class NetworkErrorFilter(logging.Filter):
    """Logs a network error as one line: its traceback says nothing about the bot's code.

    That includes python-telegram-bot's error (with a JSON traceback) for a response that is
    not JSON, such as the HTML page of a 502 from the proxy in front of Telegram: a warning.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        network = isinstance(error, NetworkError) and not isinstance(error, BadRequest)
        not_json = isinstance(error, json.JSONDecodeError) and record.name.startswith(
            "telegram.request"
        )
        if network or not_json:
            message = record.getMessage()
            if not_json:
                message = message.split("\n")[0][:200]
                record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.msg = f"{message} ({type(error).__name__}: {error})"
            record.args = None
            record.exc_info = None
            record.exc_text = None
        return True


class RepeatFilter(logging.Filter):
    """Lets the same info or warning line (same logger, template and first argument) through
    once a window.

    The next one let through after a quiet spell says how many were held back. Errors are
    never held back.
    """

    def __init__(self, window: float = 60.0, clock: Callable[[], float] = time.monotonic,
                 max_keys: int = 1_000) -> None:
        super().__init__()
        self.window = window
        self.clock = clock
        self.max_keys = max_keys
        self._seen: dict[tuple[str, str, str], tuple[float, int]] = {}  # key -> (last, held)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno not in (logging.INFO, logging.WARNING):
            return True
        args = record.args if isinstance(record.args, tuple) else ()
        key = (record.name, str(record.msg), str(args[0]) if args else "")
        now = self.clock()
        last, held = self._seen.get(key, (float("-inf"), 0))
        if now - last < self.window:
            self._seen[key] = (last, held + 1)
            return False
        if len(self._seen) >= self.max_keys:
            self._seen.clear()
        self._seen[key] = (now, 0)
        if held:
            record.msg = f"{record.getMessage()} [{held} more like this not logged]"
            record.args = None
        return True


def setup_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) through a redacting handler; return the handler.

    Replaces the root logger's handlers, so calling it twice does not duplicate lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(NetworkErrorFilter())
    handler.addFilter(RepeatFilter())  # sees the template, so it runs before redaction
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
