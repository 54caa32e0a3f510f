"""Configuration: one ``Settings`` read from the environment and ``.env``.

Build it in the entry point (``Settings()``), never at import time, so tests can pass values
directly. The bot token is a ``SecretStr`` unwrapped at exactly one call site (the Application
builder); ``require_token`` refuses placeholders and malformed values without echoing them.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Literal
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import (
    AliasChoices,
    Field,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.answers import AnswerEngine, AnswerPolicy
from bot.calibration import load_calibration
from bot.knowledge import KnowledgeBase
from bot.semantic import EmbeddingCache

# BotFather tokens look like "123456789:AAH..." (numeric bot id, colon, 35 url-safe characters).
TOKEN_PATTERN = re.compile(r"^\d{5,20}:[A-Za-z0-9_-]{30,64}$")
_DEFAULT_POLICY = AnswerPolicy()
SQLITE_URL_PREFIX = "sqlite:///"
DATABASE_FILE = "citebot.sqlite3"
PLACEHOLDER_TOKENS = frozenset({"", "changeme", "your-token-here", "123456:replace-me"})
# https://core.telegram.org/bots/api#setwebhook: "1-256 characters. Only characters A-Z, a-z,
# 0-9, _ and - are allowed."
WEBHOOK_SECRET_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,256}")
ENV_PREFIX = "CITEBOT_"


class RunMode(StrEnum):
    POLLING = "polling"
    WEBHOOK = "webhook"


LogLevel = Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"]


class TokenError(ValueError):
    """The bot token is missing or unusable. The message never contains the token."""


def _split_ids(value: object) -> object:
    """Accept "1, 2 3" from the environment as well as a list."""
    if isinstance(value, str):
        return [part for part in re.split(r"[,\s]+", value.strip()) if part]
    return value


class Settings(BaseSettings):
    """Every setting citebot reads; see the configuration table in the README."""

    model_config = SettingsConfigDict(
        env_prefix="CITEBOT_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        # "CITEBOT_X=" in .env means "use the default", as .env.example says.
        env_ignore_empty=True,
        validate_default=True,
    )

    telegram_bot_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BOT_TOKEN")
    )
    telegram_base_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BASE_URL")
    )
    telegram_base_file_url: str | None = Field(
        default=None, validation_alias=AliasChoices("TELEGRAM_BASE_FILE_URL")
    )

    knowledge_dir: Path = Path("knowledge")
    answer_threshold: float = Field(default=_DEFAULT_POLICY.answer_threshold, ge=0, le=100)
    suggest_threshold: float = Field(default=_DEFAULT_POLICY.suggest_threshold, ge=0, le=100)
    max_question_chars: int = Field(default=_DEFAULT_POLICY.max_question_chars, ge=10, le=4096)
    calibration_file: Path | None = None
    """A confidence model fitted with ``citebot calibrate``; empty: the one shipped."""
    log_level: LogLevel = "INFO"

    rate_limit_per_minute: int = Field(default=20, ge=1, le=10_000)
    startup_retries: int = Field(default=5, ge=0, le=20)
    """Attempts after the first to reach Telegram at start (backing off 1 s, 2 s, 4 s…)."""
    allowed_chats: Annotated[list[int], NoDecode] = Field(default_factory=list)
    admin_user_ids: Annotated[list[int], NoDecode] = Field(default_factory=list)

    data_dir: Path = Path("data")
    database_url: str | None = None
    recording: bool = True
    retention_days: int = Field(default=90, ge=1, le=36_500)
    store_question_text: bool = True

    mode: RunMode = RunMode.POLLING
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=1, le=65535)
    webhook_url: str | None = None
    webhook_secret_token: SecretStr | None = None

    @field_validator("allowed_chats", "admin_user_ids", mode="before")
    @classmethod
    def _parse_id_list(cls, value: object) -> object:
        return _split_ids(value)

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is not None and not (
            value.startswith(SQLITE_URL_PREFIX) and len(value) > len(SQLITE_URL_PREFIX)
        ):
            raise ValueError(
                "must look like sqlite:///relative/path.sqlite3 or sqlite:////absolute/path "
                "(only SQLite is supported)"
            )
        return value

    @field_validator("telegram_base_url", "telegram_base_file_url")
    @classmethod
    def _check_api_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(
                    "must be an http:// or https:// URL, like https://api.telegram.org/bot"
                )
        return value

    @field_validator("webhook_url")
    @classmethod
    def _check_webhook_url(cls, value: str | None) -> str | None:
        if value is not None:
            parts = urlsplit(value)
            # Telegram only posts to HTTPS webhooks.
            if parts.scheme != "https" or not parts.hostname:
                raise ValueError("must be an https:// URL that Telegram can reach")
        return value

    @field_validator("webhook_secret_token")
    @classmethod
    def _check_webhook_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not WEBHOOK_SECRET_PATTERN.fullmatch(value.get_secret_value()):
            raise ValueError(
                "must be 1 to 256 characters, each a letter, digit, _ or - (Telegram's rule)"
            )
        return value

    @field_validator("log_level", mode="before")
    @classmethod
    def _upper_log_level(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_thresholds(self) -> Settings:
        if self.suggest_threshold > self.answer_threshold:
            raise ValueError(
                "CITEBOT_SUGGEST_THRESHOLD must not be above CITEBOT_ANSWER_THRESHOLD"
            )
        if self.mode is RunMode.WEBHOOK and not self.webhook_url:
            raise ValueError("CITEBOT_WEBHOOK_URL is required when CITEBOT_MODE=webhook")
        return self

    @property
    def database_path(self) -> Path:
        """The SQLite file: from CITEBOT_DATABASE_URL, else ``<data dir>/citebot.sqlite3``.

        As in SQLAlchemy URLs, ``sqlite:///x`` is the relative path ``x`` and
        ``sqlite:////x`` the absolute path ``/x``.
        """
        if self.database_url is None:
            return self.data_dir / DATABASE_FILE
        return Path(self.database_url.removeprefix(SQLITE_URL_PREFIX))

    @property
    def embedding_cache_dir(self) -> Path:
        """Where knowledge-base sentence vectors are kept between starts."""
        return self.data_dir / "cache"

    def build_engine(
        self, knowledge: KnowledgeBase, progress: Callable[[int, int], None] | None = None
    ) -> AnswerEngine:
        """The answer engine as configured (``CalibrationError`` if the model is unusable)."""
        return AnswerEngine(
            knowledge,
            self.answer_policy(),
            calibration=load_calibration(self.calibration_file),
            cache=EmbeddingCache(self.embedding_cache_dir),
            progress=progress,
        )

    def answer_policy(self) -> AnswerPolicy:
        """The engine's policy as configured."""
        return AnswerPolicy(
            answer_threshold=self.answer_threshold,
            suggest_threshold=self.suggest_threshold,
            max_question_chars=self.max_question_chars,
        )

    def require_token(self) -> SecretStr:
        """The bot token, or ``TokenError`` with a message that does not contain it."""
        token = self.telegram_bot_token
        value = token.get_secret_value().strip() if token else ""
        if not value or value.lower() in PLACEHOLDER_TOKENS or "replace" in value.lower():
            raise TokenError(
                "TELEGRAM_BOT_TOKEN is not set: put the token from @BotFather in .env "
                "(see .env.example)"
            )
        if not TOKEN_PATTERN.fullmatch(value):
            raise TokenError(
                "TELEGRAM_BOT_TOKEN does not look like a bot token from @BotFather "
                "(expected <digits>:<35 letters, digits, - or _>)"
            )
        return SecretStr(value)


def unknown_settings(
    environ: Mapping[str, str] | None = None, env_file: Path | None = Path(".env")
) -> list[str]:
    """CITEBOT_* names in the environment or ``env_file`` that no setting reads (likely typos)."""
    known = {ENV_PREFIX + name.upper() for name in Settings.model_fields}
    names = set(os.environ if environ is None else environ)
    if env_file is not None and env_file.is_file():
        # Settings() has already said what is wrong with an unreadable file.
        with contextlib.suppress(OSError, UnicodeDecodeError):
            names |= set(dotenv_values(env_file))
    return sorted(n for n in names if n.upper().startswith(ENV_PREFIX) and n.upper() not in known)


def describe_settings_error(error: ValidationError) -> str:
    """One line per bad setting, naming the environment variable and never echoing secrets."""
    lines = []
    for item in error.errors():
        loc = [str(part) for part in item["loc"]]
        name = loc[0] if loc else ""
        upper = name.upper()
        env_name = upper if upper.startswith("TELEGRAM_") else f"CITEBOT_{upper}"
        if not name:
            env_name = "settings"
        # The input of a failed validation may be a secret: say what is wrong, not what was given.
        message = str(item["msg"]).removeprefix("Value error, ")
        lines.append(f"{env_name}: {message}")
    return "; ".join(lines)
