"""Logging for the bot: one stream handler whose filter keeps bot tokens out of every line.

The Bot API puts the token in every request URL (``https://api.telegram.org/bot<token>/...``),
so any library that logs a URL or an exception mentioning one could leak it. The filter redacts
the configured secrets and anything shaped like a bot token, in the message, its arguments, the
exception text and the traceback.
"""

from __future__ import annotations

import logging
import re
import sys
from collections.abc import Iterable
from typing import TextIO

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


def setup_logging(
    level: str, secrets: Iterable[str] = (), stream: TextIO | None = None
) -> logging.Handler:
    """Send all logging to ``stream`` (stderr) through a redacting handler; return the handler.

    Replaces the root logger's handlers, so calling it twice does not duplicate lines.
    """
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    handler.addFilter(RedactingFilter(secrets))
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name in NOISY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    return handler
