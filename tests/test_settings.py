"""Configuration from CITEBOT_* variables and .env: clear errors, and the token never leaks."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from bot.answers import AnswerPolicy
from bot.settings import (
    RunMode,
    Settings,
    TokenError,
    describe_settings_error,
    unknown_settings,
)

VALID_TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw7"


pytestmark = pytest.mark.usefixtures("clean_environment")


def settings_error(monkeypatch: pytest.MonkeyPatch, **env: str) -> str:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as info:
        Settings()
    return describe_settings_error(info.value)


def test_defaults_match_the_engine_policy() -> None:
    settings = Settings()

    assert settings.knowledge_dir == Path("knowledge")
    assert settings.mode is RunMode.POLLING
    assert settings.telegram_bot_token is None
    assert settings.allowed_chats == []
    policy = settings.answer_policy()
    default = AnswerPolicy()
    assert (policy.answer_threshold, policy.suggest_threshold, policy.max_question_chars) == (
        default.answer_threshold,
        default.suggest_threshold,
        default.max_question_chars,
    )


def test_environment_variables_are_parsed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_KNOWLEDGE_DIR", "/srv/knowledge")
    monkeypatch.setenv("CITEBOT_ANSWER_THRESHOLD", "62.5")
    monkeypatch.setenv("CITEBOT_SUGGEST_THRESHOLD", "40")
    monkeypatch.setenv("CITEBOT_MAX_QUESTION_CHARS", "300")
    monkeypatch.setenv("CITEBOT_LOG_LEVEL", "debug")
    monkeypatch.setenv("CITEBOT_ALLOWED_CHATS", "-1001234567890, 42  7")
    monkeypatch.setenv("CITEBOT_ADMIN_USER_IDS", "99")
    monkeypatch.setenv("CITEBOT_RATE_LIMIT_PER_MINUTE", "5")

    settings = Settings()

    assert settings.knowledge_dir == Path("/srv/knowledge")
    assert settings.log_level == "DEBUG"
    assert settings.allowed_chats == [-1001234567890, 42, 7]
    assert settings.admin_user_ids == [99]
    assert settings.rate_limit_per_minute == 5
    policy = settings.answer_policy()
    assert (policy.answer_threshold, policy.suggest_threshold, policy.max_question_chars) == (
        62.5,
        40.0,
        300,
    )


def test_dotenv_file_in_the_working_directory_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text(
        f"TELEGRAM_BOT_TOKEN={VALID_TOKEN}\nCITEBOT_ANSWER_THRESHOLD=70\n", encoding="utf-8"
    )

    settings = Settings()

    assert settings.answer_threshold == 70
    assert settings.require_token().get_secret_value() == VALID_TOKEN


def test_webhook_mode_with_url(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_MODE", "webhook")
    monkeypatch.setenv("CITEBOT_WEBHOOK_URL", "https://bot.example.org/hook")
    monkeypatch.setenv("CITEBOT_WEBHOOK_PORT", "8080")

    settings = Settings()

    assert (settings.mode, settings.webhook_port) == (RunMode.WEBHOOK, 8080)


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("CITEBOT_ANSWER_THRESHOLD", "high"),
        ("CITEBOT_ANSWER_THRESHOLD", "101"),
        ("CITEBOT_SUGGEST_THRESHOLD", "-1"),
        ("CITEBOT_MAX_QUESTION_CHARS", "5"),
        ("CITEBOT_MAX_QUESTION_CHARS", "5000"),
        ("CITEBOT_LOG_LEVEL", "verbose"),
        ("CITEBOT_MODE", "carrier-pigeon"),
        ("CITEBOT_WEBHOOK_PORT", "70000"),
        ("CITEBOT_RATE_LIMIT_PER_MINUTE", "0"),
        ("CITEBOT_ALLOWED_CHATS", "12, my-group"),
        ("CITEBOT_ADMIN_USER_IDS", "@admin"),
    ],
)
def test_bad_value_is_reported_under_its_variable_name(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    message = settings_error(monkeypatch, **{variable: value})

    assert message.startswith(f"{variable}: ")


def test_settings_error_says_what_is_wrong_without_repeating_the_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = settings_error(monkeypatch, CITEBOT_ADMIN_USER_IDS="12, hunter2-private-value")

    assert message.startswith("CITEBOT_ADMIN_USER_IDS: Input should be a valid integer")
    assert "hunter2" not in message


def test_every_bad_variable_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    message = settings_error(
        monkeypatch, CITEBOT_ANSWER_THRESHOLD="x", CITEBOT_WEBHOOK_PORT="0"
    )

    assert [part.split(":")[0] for part in message.split("; ")] == [
        "CITEBOT_ANSWER_THRESHOLD",
        "CITEBOT_WEBHOOK_PORT",
    ]


def test_suggest_threshold_above_answer_threshold_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    message = settings_error(
        monkeypatch, CITEBOT_ANSWER_THRESHOLD="40", CITEBOT_SUGGEST_THRESHOLD="60"
    )

    assert "CITEBOT_SUGGEST_THRESHOLD must not be above CITEBOT_ANSWER_THRESHOLD" in message


def test_equal_thresholds_are_allowed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_ANSWER_THRESHOLD", "45")
    monkeypatch.setenv("CITEBOT_SUGGEST_THRESHOLD", "45")

    assert Settings().answer_policy().suggest_threshold == 45


def test_webhook_mode_without_url_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    message = settings_error(monkeypatch, CITEBOT_MODE="webhook")

    assert "CITEBOT_WEBHOOK_URL is required when CITEBOT_MODE=webhook" in message


def test_valid_token_is_accepted_and_trimmed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", f"  {VALID_TOKEN}\n")

    settings = Settings()

    assert settings.require_token().get_secret_value() == VALID_TOKEN
    assert VALID_TOKEN not in repr(settings)
    assert VALID_TOKEN not in str(settings.model_dump())


@pytest.mark.parametrize(
    ("token", "complaint"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("   ", "is not set"),
        ("changeme", "is not set"),
        ("123456:replace-me", "is not set"),
        ("987654321:REPLACE_WITH_YOUR_TOKEN_FROM_BOTFATHER", "is not set"),
        ("AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw7", "does not look like a bot token"),
        ("123456789:tooshort", "does not look like a bot token"),
        ("123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDs w7", "does not look like a bot token"),
        ("bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw7", "does not look like a bot token"),
    ],
)
def test_unusable_token_is_refused_without_echoing_it(
    monkeypatch: pytest.MonkeyPatch, token: str | None, complaint: str
) -> None:
    if token is not None:
        monkeypatch.setenv("TELEGRAM_BOT_TOKEN", token)

    with pytest.raises(TokenError) as info:
        Settings().require_token()

    message = str(info.value)
    assert message.startswith("TELEGRAM_BOT_TOKEN ")
    assert complaint in message
    if token and token.strip():
        assert token.strip() not in message
        assert token.split(":")[-1].strip() not in message


@pytest.mark.parametrize(
    ("variable", "value", "problem"),
    [
        ("TELEGRAM_BASE_URL", "api.telegram.org/bot", "http:// or https:// URL"),
        ("TELEGRAM_BASE_URL", "ftp://api.telegram.org/bot", "http:// or https:// URL"),
        ("CITEBOT_WEBHOOK_URL", "http://bot.example.org/hook", "https:// URL"),
        ("CITEBOT_WEBHOOK_URL", "https:///hook", "https:// URL"),
        ("CITEBOT_WEBHOOK_SECRET_TOKEN", "has spaces and $ymbols", "letter, digit, _ or -"),
        ("CITEBOT_WEBHOOK_SECRET_TOKEN", "x" * 257, "1 to 256 characters"),
    ],
)
def test_bad_urls_and_webhook_secrets_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, problem: str
) -> None:
    message = settings_error(monkeypatch, **{variable: value})

    assert message.startswith(f"{variable}: ")
    assert problem in message
    if "SECRET" in variable:
        assert value not in message


def test_a_webhook_secret_of_telegrams_characters_is_accepted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITEBOT_WEBHOOK_SECRET_TOKEN", "Ab0_-" * 51)
    secret = Settings().webhook_secret_token
    assert secret is not None
    assert len(secret.get_secret_value()) == 255


def test_unknown_citebot_keys_in_the_environment_and_dotenv_are_listed(
    tmp_path: Path,
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("CITEBOT_RATE_LIMT_PER_MINUTE=5\nCITEBOT_LOG_LEVEL=DEBUG\n")
    environ = {"CITEBOT_ANSWER_TRESHOLD": "80", "CITEBOT_MODE": "polling", "PATH": "/bin"}

    assert unknown_settings(environ, env_file) == [
        "CITEBOT_ANSWER_TRESHOLD",
        "CITEBOT_RATE_LIMT_PER_MINUTE",
    ]
