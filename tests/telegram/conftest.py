"""Fixtures for the bot tests: a fake Bot API server and the real Application pointed at it.

Nothing here can reach the real Telegram: every HTTP request python-telegram-bot makes is
checked to go to the local fake server, and the test fails otherwise.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from telegram import Update
from telegram.request import HTTPXRequest

from bot.answers import AnswerEngine
from bot.settings import Settings
from bot.telegram.app import CitebotApplication, build_application
from bot.telegram.retry import RetryingRateLimiter
from tests.telegram.fake_bot_api import Call, FakeBotApi

TOKEN = "123456789:AAHfakefakefakefakefakefakefakefake12"
KNOWLEDGE_DIR = Path(__file__).resolve().parents[2] / "knowledge"
LOCAL_PREFIX = "http://127.0.0.1:"


@pytest.fixture(autouse=True)
def _only_the_fake_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any request that is not addressed to the local fake Bot API."""
    original = HTTPXRequest.do_request

    async def guarded(self: HTTPXRequest, url: str, *args: Any, **kwargs: Any) -> Any:
        if not url.startswith(LOCAL_PREFIX):
            pytest.fail(f"a test tried to reach {url.split('/bot')[0]}")
        return await original(self, url, *args, **kwargs)

    monkeypatch.setattr(HTTPXRequest, "do_request", guarded)
    # python-telegram-bot warns about int time periods unless this is set; warnings are errors.
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    """Tests that call ``setup_logging`` replace root handlers; put pytest's back afterwards."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    levels = {name: logging.getLogger(name).level for name in ("httpx", "httpcore")}
    yield
    for handler in list(root.handlers):
        if handler not in handlers:
            root.removeHandler(handler)
    for handler in handlers:
        if handler not in root.handlers:
            root.addHandler(handler)
    root.setLevel(level)
    for name, old in levels.items():
        logging.getLogger(name).setLevel(old)


@pytest.fixture(scope="session")
def bot_engine() -> AnswerEngine:
    """One engine over the shipped knowledge for the whole session."""
    return AnswerEngine.from_directory(KNOWLEDGE_DIR)


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    server = FakeBotApi(TOKEN)
    await server.start()
    yield server
    await server.close()


def make_settings(api: FakeBotApi, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "TELEGRAM_BASE_FILE_URL": f"http://127.0.0.1:{api.port}/file/bot",
        "knowledge_dir": KNOWLEDGE_DIR,
        **overrides,
    }
    return Settings(_env_file=None, **values)


class BotHarness:
    """The real Application, initialised against the fake server, fed one update at a time."""

    def __init__(self, app: CitebotApplication, api: FakeBotApi) -> None:
        self.app = app
        self.api = api

    async def feed(self, update: dict[str, Any]) -> list[Call]:
        """Process one update; return the calls the bot made meanwhile."""
        before = len(self.api.calls)
        await self.app.process_update(Update.de_json(update, self.app.bot))
        return self.api.calls[before:]

    async def close(self) -> None:
        """Shut the Application down and flush its records (what ``run_polling`` does)."""
        await self.app.shutdown()
        if self.app.post_shutdown is not None:
            await self.app.post_shutdown(self.app)

    async def replies(self, update: dict[str, Any]) -> list[dict[str, Any]]:
        """Process one update; return the messages the bot sent (accepted by the server)."""
        calls = await self.feed(update)
        return [c.params for c in calls if c.method == "sendMessage" and c.status == 200]


async def start_harness(
    api: FakeBotApi, engine: AnswerEngine, **overrides: Any
) -> BotHarness:
    app = build_application(make_settings(api, **overrides), engine)
    limiter = app.bot.rate_limiter
    assert isinstance(limiter, RetryingRateLimiter)
    limiter.backoff = 0.01  # keep the suite fast; the retry logic is the same
    await app.initialize()
    return BotHarness(app, api)


@pytest.fixture
async def harness(api: FakeBotApi, bot_engine: AnswerEngine) -> AsyncIterator[BotHarness]:
    bot = await start_harness(api, bot_engine)
    yield bot
    await bot.close()
