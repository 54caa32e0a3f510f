"""Bad days: Telegram's 429 and 502, errors in handlers, floods, strangers, and secrets in logs."""

from __future__ import annotations

import io
import logging

import pytest

from bot import messages
from bot.answers import Answer, AnswerEngine
from bot.telegram.logging import setup_logging
from tests.telegram import updates
from tests.telegram.conftest import TOKEN, BotHarness, start_harness
from tests.telegram.fake_bot_api import FakeBotApi, parse_telegram_html
from tests.telegram.test_private_chat import PARIS_QUOTE


async def test_a_429_is_waited_out_and_the_answer_arrives_once(harness: BotHarness) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=1)

    calls = await harness.feed(updates.message_update("Who attended the Paris talks?"))

    attempts = [c.status for c in calls if c.method == "sendMessage"]
    assert attempts == [429, 200]
    [delivered] = harness.api.delivered()
    assert PARIS_QUOTE in parse_telegram_html(delivered["text"])


async def test_a_502_is_retried_and_the_answer_arrives_once(harness: BotHarness) -> None:
    # Telegram answering 502 says the send failed: sending again cannot make a second copy.
    harness.api.fail_next("sendMessage", 502)

    calls = await harness.feed(updates.message_update("Who attended the Paris talks?"))

    assert [c.status for c in calls if c.method == "sendMessage"] == [502, 200]
    [delivered] = harness.api.delivered()
    assert PARIS_QUOTE in parse_telegram_html(delivered["text"])


async def test_an_answer_held_up_shows_typing_and_a_failing_indicator_does_not_stop_it(
    harness: BotHarness,
) -> None:
    harness.api.fail_next("sendMessage", 429, retry_after=1)  # the answer waits a second
    harness.api.fail_next("sendChatAction", 403)

    calls = await harness.feed(updates.message_update("Who attended the Paris talks?"))

    assert [(c.method, c.status) for c in calls] == [
        ("sendMessage", 429), ("sendChatAction", 403), ("sendMessage", 200)
    ]
    assert PARIS_QUOTE in parse_telegram_html(calls[-1].params["text"])


async def test_an_error_in_a_handler_is_reported_briefly_and_the_bot_carries_on(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    engine = harness.app.bot_data.engine
    real_answer = engine.answer

    def broken(question: str) -> Answer:
        raise RuntimeError("engine exploded")

    monkeypatch.setattr(engine, "answer", broken)
    [notice] = await harness.replies(updates.message_update("Who attended the Paris talks?"))
    assert parse_telegram_html(notice["text"]) == messages.BOT_ERROR
    assert any(r.exc_info and "engine exploded" in str(r.exc_info[1]) for r in caplog.records)

    monkeypatch.setattr(engine, "answer", real_answer)
    [reply] = await harness.replies(updates.message_update("Who attended the Paris talks?"))
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])


async def test_a_flood_gets_one_polite_notice_then_silence(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    bot = await start_harness(api, bot_engine, rate_limit_per_minute=2)
    try:
        texts = []
        for _ in range(5):
            replies = await bot.replies(updates.message_update("Who attended the Paris talks?"))
            texts.append([parse_telegram_html(r["text"]) for r in replies])
        other_user = await bot.replies(
            updates.message_update("Who attended the Paris talks?", from_id=updates.OTHER_USER_ID)
        )
    finally:
        await bot.close()

    assert PARIS_QUOTE in texts[0][0]
    assert PARIS_QUOTE in texts[1][0]
    assert texts[2] == [messages.BOT_RATE_LIMITED]
    assert texts[3:] == [[], []]
    assert len(other_user) == 1  # the limit is per user


async def test_chats_outside_the_allow_list_get_a_refusal_in_private_and_nothing_in_groups(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    allowed_group = -100_999
    bot = await start_harness(api, bot_engine, allowed_chats=[allowed_group])
    try:
        [refusal] = await bot.replies(updates.message_update("Who attended the Paris talks?"))
        group_calls = await bot.feed(
            updates.message_update("/ask Who attended the Paris talks?", chat_id=-100_123)
        )
        [allowed] = await bot.replies(
            updates.message_update("/ask Who attended the Paris talks?", chat_id=allowed_group)
        )
    finally:
        await bot.close()

    assert parse_telegram_html(refusal["text"]) == messages.BOT_NOT_ALLOWED
    assert group_calls == []
    assert PARIS_QUOTE in parse_telegram_html(allowed["text"])


async def test_the_token_never_appears_in_the_logs(
    harness: BotHarness, monkeypatch: pytest.MonkeyPatch
) -> None:
    stream = io.StringIO()
    setup_logging("DEBUG", [TOKEN], stream=stream)
    # Make the libraries that do log request URLs (and so the token) as chatty as they get.
    logging.getLogger("httpx").setLevel(logging.DEBUG)
    logging.getLogger("httpcore").setLevel(logging.DEBUG)

    await harness.replies(updates.message_update("Who attended the Paris talks?"))
    harness.api.fail_next("sendMessage", 502)
    await harness.replies(updates.message_update("What does the photo show?"))

    def leaky(question: str) -> Answer:
        raise RuntimeError(f"POST {harness.api.base_url}{TOKEN}/sendMessage failed")

    monkeypatch.setattr(harness.app.bot_data.engine, "answer", leaky)
    await harness.replies(updates.message_update("Who attended the Paris talks?"))
    logging.getLogger("test").warning("bare token %s and again 555555:%s", TOKEN, "A" * 35)

    output = stream.getvalue()
    assert TOKEN not in output
    assert TOKEN.split(":")[1] not in output
    assert "A" * 35 not in output
    assert "Traceback" in output  # the error was logged in full ...
    assert "bot<redacted>/sendMessage failed" in output  # ... with the token cut out
    assert "HTTP Request: POST" in output  # httpx's URL lines went through the filter too
