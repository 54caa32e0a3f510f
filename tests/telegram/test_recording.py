"""Recording through the real Application: what is stored per channel, votes, /stats, failures."""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import messages
from bot.answers import AnswerEngine
from bot.recording import Recorder
from bot.store import StoredRecord
from tests.telegram import updates
from tests.telegram.conftest import BotHarness, start_harness
from tests.telegram.fake_bot_api import FakeBotApi, parse_telegram_html
from tests.telegram.test_private_chat import feedback_buttons, other_buttons

OUT_OF_SCOPE = "What is a good chocolate cake recipe?"
PARIS = "Who attended the Paris talks?"
ADMIN_ID = 777_001


def recorder_of(harness: BotHarness) -> Recorder:
    recorder = harness.app.bot_data.recorder
    assert recorder is not None
    return recorder


def records(harness: BotHarness) -> list[StoredRecord]:
    return recorder_of(harness).read()


@pytest.fixture
async def admin_harness(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> AsyncIterator[BotHarness]:
    bot = await start_harness(api, bot_engine, admin_user_ids=[ADMIN_ID])
    yield bot
    await bot.close()


async def test_private_group_and_inline_questions_are_recorded_with_a_pseudonymous_key(
    harness: BotHarness,
) -> None:
    await harness.replies(updates.message_update(PARIS))
    await harness.replies(
        updates.message_update(f"/ask {OUT_OF_SCOPE}", chat_id=updates.GROUP_CHAT_ID)
    )
    await harness.feed(updates.inline_update(PARIS))
    await harness.feed(updates.inline_update(""))  # example questions: nothing was asked

    [private, group, inline] = [s.record for s in records(harness)]
    assert (private.channel, private.status, private.question) == ("private", "answered", PARIS)
    assert private.fact_ids
    assert private.confidence >= 56
    assert (group.channel, group.status, group.question) == ("group", "declined", OUT_OF_SCOPE)
    assert group.fact_ids == ()
    assert (inline.channel, inline.status) == ("inline", "answered")
    assert private.user_key == group.user_key == inline.user_key
    assert private.user_key is not None
    assert str(updates.USER_ID) not in private.user_key
    assert len({private.id, group.id, inline.id}) == 3


async def test_a_vote_is_recorded_and_a_second_vote_replaces_the_first(
    harness: BotHarness,
) -> None:
    [answer] = await harness.replies(updates.message_update(PARIS))
    bot_message = harness.api.sent[-1]
    [(_, up), (_, down)] = feedback_buttons(answer)

    [call] = await harness.feed(updates.callback_update(up, bot_message))
    assert (call.method, call.params["text"]) == ("answerCallbackQuery",
                                                  messages.BOT_FEEDBACK_THANKS)
    await harness.feed(updates.callback_update(down, bot_message))  # changed their mind
    await harness.feed(updates.callback_update(up, bot_message, from_id=updates.OTHER_USER_ID))

    [stored] = records(harness)
    assert stored.record.id == up.split(":")[1]
    assert (stored.helpful, stored.not_helpful) == (1, 1)


async def test_answers_sent_inline_carry_feedback_buttons_that_work_without_a_chat_message(
    harness: BotHarness,
) -> None:
    [call] = [c for c in await harness.feed(updates.inline_update(PARIS))
              if c.method == "answerInlineQuery"]
    first = call.params["results"][0]
    [up, down] = [b["callback_data"] for b in first["reply_markup"]["inline_keyboard"][0]]
    press: dict[str, Any] = {
        "update_id": 99_001,
        "callback_query": {"id": "cbq-inline", "from": updates.user(), "chat_instance": "ci-2",
                           "inline_message_id": "AAAinline", "data": down},
    }
    [answered] = await harness.feed(press)
    assert answered.params["text"] == messages.BOT_FEEDBACK_THANKS
    [stored] = records(harness)
    assert (stored.record.id, stored.not_helpful) == (up.split(":")[1], 1)


async def test_an_edited_question_is_not_counted_twice(harness: BotHarness) -> None:
    first = updates.message_update(PARIS)
    await harness.replies(first)

    await harness.feed(updates.edited_update(first["message"], PARIS + " again"))

    assert [s.record.question for s in records(harness)] == [PARIS]


async def test_question_text_is_not_stored_when_turned_off(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    bot = await start_harness(api, bot_engine, store_question_text=False)
    try:
        await bot.replies(updates.message_update(PARIS))
        [stored] = records(bot)
    finally:
        await bot.close()
    assert stored.record.question is None
    assert stored.record.status == "answered"


async def test_with_recording_off_nothing_is_written_and_no_feedback_is_offered(
    api: FakeBotApi, bot_engine: AnswerEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CITEBOT_DATA_DIR", str(tmp_path / "data"))
    bot = await start_harness(api, bot_engine, recording=False, admin_user_ids=[ADMIN_ID])
    try:
        [answer] = await bot.replies(updates.message_update(PARIS))
        [stats] = await bot.replies(updates.message_update("/stats", from_id=ADMIN_ID))
    finally:
        await bot.close()
    assert feedback_buttons(answer) == []
    assert other_buttons(answer)
    assert parse_telegram_html(stats["text"]) == messages.BOT_STATS_OFF
    assert not (tmp_path / "data").exists()


async def test_stats_shows_admins_the_week_and_the_top_unanswered_questions(
    admin_harness: BotHarness,
) -> None:
    for question in (OUT_OF_SCOPE, "chocolate cake recipe?", PARIS, "What did Putin say?"):
        await admin_harness.replies(updates.message_update(question))

    [reply] = await admin_harness.replies(updates.message_update("/stats", from_id=ADMIN_ID))

    text = parse_telegram_html(reply["text"])
    assert "Last 7 days" in text
    assert "4 questions, 1 answered (25%)" in text
    assert f"{OUT_OF_SCOPE} (×2)" in text
    assert "What did Putin say? (×1)" in text


async def test_stats_from_anyone_else_gets_the_normal_help(admin_harness: BotHarness) -> None:
    [reply] = await admin_harness.replies(updates.message_update("/stats"))
    [help_reply] = await admin_harness.replies(updates.message_update("/help"))
    assert reply["text"] == help_reply["text"]
    group = updates.message_update("/stats", chat_id=updates.GROUP_CHAT_ID)
    [group_reply] = await admin_harness.replies(group)
    assert group_reply["text"] == help_reply["text"]


async def test_a_locked_database_does_not_stop_the_bot_and_is_logged_once(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = recorder_of(harness)
    await harness.replies(updates.message_update(PARIS))
    assert recorder.writer.flush()
    blocker = sqlite3.connect(recorder.writer.path, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        with caplog.at_level(logging.WARNING):
            for n in range(12):
                question = PARIS if n % 2 else OUT_OF_SCOPE
                [reply] = await harness.replies(updates.message_update(question))
                assert parse_telegram_html(reply["text"])
            assert not recorder.writer.flush()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "database is locked" in warnings[0].getMessage()
    assert len(records(harness)) == 13  # kept in memory and written once the lock went


def test_feedback_callback_data_round_trips_within_64_bytes() -> None:
    from bot.recording import new_record_id
    from bot.telegram import keyboards

    record_id = new_record_id()
    for helpful in (True, False):
        action = keyboards.Feedback(record_id, helpful)
        data = keyboards.encode(action)
        assert data is not None
        assert len(data.encode()) <= keyboards.CALLBACK_DATA_LIMIT
        assert keyboards.decode(data) == action
    assert keyboards.decode(f"f:{record_id}:2") is None
