"""Anything a user (or Telegram) may send, through the real Application and the strict fake API.

Every case must leave the bot up, log no error, and send at most one message that Telegram
would accept (the fake refuses bad HTML, over-long text and bad buttons).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import messages
from bot.answers import AnswerEngine
from bot.telegram.concurrency import PerChatUpdateProcessor
from bot.telegram.context import INLINE_QUERIES_PER_QUESTION
from tests.telegram import updates
from tests.telegram.conftest import TOKEN, BotHarness, start_harness
from tests.telegram.fake_bot_api import Call, FakeBotApi, parse_telegram_html
from tests.telegram.test_private_chat import PARIS_QUOTE

USERNAME = "citebot_test_bot"
GROUP = updates.GROUP_CHAT_ID

HOSTILE_TEXTS = {
    "empty": "",
    "whitespace": " \n\t\u3000 ",
    "4096 chars": "Who attended the Paris talks? " + "a" * (4096 - 30),
    "every plane": "".join(chr(c) for c in (0x41, 0x10348, 0x1F600, 0x20BB7, 0x30000, 0xE0041,
                                            0xF0000, 0x10FFFD)),
    "right to left": "من حضر محادثات باريس؟ \u202eWho attended\u202c",
    "zero width": "Who\u200b attended\u200d the\ufeff Paris\u2060 talks?",
    "html look-alike": "<b>Who</b> attended <script>alert(1)</script> &amp; the </i>Paris talks?",
    "markdown look-alike": "**Who** _attended_ `the` [Paris](http://x) ~~talks~~? ||x||",
    "control characters": "Who\x00 attended\x07 the\x1b[31m Paris talks?",
    "combining marks": "Z\u0351\u0364\u0366a\u0352\u0357l\u0315\u0325g\u0360o" * 50,
}


def sent_messages(calls: list[Call]) -> list[Call]:
    return [c for c in calls if c.method == "sendMessage"]


def assert_calm(calls: list[Call], caplog: pytest.LogCaptureFixture) -> None:
    """At most one message, accepted by Telegram, no "something went wrong", no error logged."""
    sent = sent_messages(calls)
    assert len(sent) <= 1
    assert all(c.status == 200 for c in calls), [(c.method, c.status) for c in calls]
    for call in sent:
        assert parse_telegram_html(call.params["text"]) != messages.BOT_ERROR
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
async def test_odd_text_in_private_gets_one_valid_reply(
    harness: BotHarness, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls = await harness.feed(updates.message_update(text))
    assert_calm(calls, caplog)
    if text.strip():
        assert len(sent_messages(calls)) == 1


@pytest.mark.parametrize("text", HOSTILE_TEXTS.values(), ids=HOSTILE_TEXTS.keys())
async def test_odd_text_asked_in_a_group_gets_at_most_one_valid_reply(
    harness: BotHarness, text: str, caplog: pytest.LogCaptureFixture
) -> None:
    calls = await harness.feed(updates.message_update(f"/ask {text}", chat_id=GROUP))
    assert_calm(calls, caplog)


@given(text=st.text(st.characters(exclude_categories=["Cs"]), max_size=300))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_any_text_in_private_gets_exactly_one_reply_telegram_accepts(
    bot_engine: AnswerEngine, text: str
) -> None:
    async def scenario() -> list[Call]:
        api = FakeBotApi(TOKEN)
        await api.start()
        bot = await start_harness(api, bot_engine, recording=False)
        try:
            return await bot.feed(updates.message_update(text))
        finally:
            await bot.close()
            await api.close()

    calls = asyncio.run(scenario())
    sent = sent_messages(calls)
    assert len(sent) == (1 if text.strip() else len(sent))
    assert len(sent) <= 1
    assert all(c.status == 200 for c in calls)


@pytest.mark.parametrize(
    "text",
    [
        "/ask",
        "/ask   ",
        f"/ask@{USERNAME}",
    ],
)
async def test_ask_without_a_question_shows_how_to_ask(harness: BotHarness, text: str) -> None:
    [reply] = await harness.replies(updates.message_update(text, chat_id=GROUP))
    assert "/ask" in parse_telegram_html(reply["text"])


async def test_commands_for_another_bot_are_ignored_in_groups(harness: BotHarness) -> None:
    calls = await harness.feed(
        updates.message_update("/ask@otherbot Who attended the Paris talks?", chat_id=GROUP)
    )
    assert calls == []


@pytest.mark.parametrize(
    "text",
    [
        f"@{USERNAME} Who attended the Paris talks?",  # mention at offset 0
        f"Who attended the Paris talks? @{USERNAME}",  # mention ending the text
        f"👩‍👩‍👧‍👦🇺🇦𝄞@{USERNAME} Who attended the Paris talks?",  # UTF-16 pairs before
        f"Who attended the Paris talks? 👩‍👩‍👧‍👦@{USERNAME}",
    ],
)
async def test_mentions_at_the_edges_are_found_by_their_utf16_offsets(
    harness: BotHarness, text: str
) -> None:
    [reply] = await harness.replies(updates.message_update(text, chat_id=GROUP))
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])


async def test_a_bare_mention_gets_one_valid_reply(
    harness: BotHarness, caplog: pytest.LogCaptureFixture
) -> None:
    calls = await harness.feed(updates.message_update(f"🙂@{USERNAME}", chat_id=GROUP))
    assert_calm(calls, caplog)


# ---------------------------------------------------------------- not text

NON_TEXT: dict[str, dict[str, Any]] = {
    "photo": {"photo": [{"file_id": "p", "file_unique_id": "up", "width": 9, "height": 9}]},
    "voice": {"voice": {"file_id": "v", "file_unique_id": "uv", "duration": 3}},
    "document": {"document": {"file_id": "d", "file_unique_id": "ud"}},
    "poll": {
        "poll": {
            "id": "1", "question": "?",
            "options": [{"text": "a", "voter_count": 0, "persistent_id": "o1"}],
            "total_voter_count": 0, "is_closed": False, "is_anonymous": True,
            "type": "regular", "allows_multiple_answers": False, "allows_revoting": False,
            "members_only": False,
        }
    },
    "location": {"location": {"latitude": 50.45, "longitude": 30.52}},
}


def non_text_update(kind: str, chat_id: int) -> dict[str, Any]:
    update = updates.message_update(None, chat_id=chat_id)
    if kind != "sticker":
        del update["message"]["sticker"]
        update["message"].update(NON_TEXT[kind])
    return update


@pytest.mark.parametrize("kind", ["sticker", *NON_TEXT])
async def test_non_text_gets_a_short_request_for_text_in_private(
    harness: BotHarness, kind: str
) -> None:
    [reply] = await harness.replies(non_text_update(kind, updates.PRIVATE_CHAT_ID))
    assert parse_telegram_html(reply["text"]) == messages.BOT_SEND_TEXT


@pytest.mark.parametrize("kind", ["sticker", *NON_TEXT])
async def test_non_text_is_ignored_in_groups(harness: BotHarness, kind: str) -> None:
    assert await harness.feed(non_text_update(kind, GROUP)) == []


# ---------------------------------------------------------------- buttons and inline


@pytest.mark.parametrize(
    "data",
    ["", "x", "p:peace-talks:9999", "p:../../etc/passwd:1", "p:peace-talks:-1", "a:99999999",
     "a:zz", "f:zzzz:1", "f:0123456789abcdef:7", "\x00" * 64, "ü" * 32],
)
async def test_forged_or_stale_button_data_is_answered_and_changes_nothing(
    harness: BotHarness, data: str, caplog: pytest.LogCaptureFixture
) -> None:
    bot_message = updates.message(
        "old answer", chat_id=updates.PRIVATE_CHAT_ID, from_id=harness.api.bot_id
    )
    calls = await harness.feed(updates.callback_update(data, bot_message))
    assert [c.method for c in calls] == ["answerCallbackQuery"]  # the spinner stops
    assert_calm(calls, caplog)


async def test_a_256_character_inline_query_is_answered(harness: BotHarness) -> None:
    query = ("Who attended the Paris talks? " * 10)[:256]
    calls = await harness.feed(updates.inline_update(query))
    [answered] = [c for c in calls if c.method == "answerInlineQuery"]
    assert answered.status == 200
    assert answered.params["results"]


async def test_button_presses_over_the_flood_limit_are_still_answered(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    bot = await start_harness(api, bot_engine, rate_limit_per_minute=1)
    try:
        await bot.replies(updates.message_update("Who attended the Paris talks?"))
        answer = api.sent[-1]
        presses = [await bot.feed(updates.callback_update("p:peace-talks:8", answer))
                   for _ in range(3)]
    finally:
        await bot.close()

    methods = [[c.method for c in calls] for calls in presses]
    assert methods == [["answerCallbackQuery"]] * 3  # refused (the question used the quota)
    alerts = [calls[0].params.get("text") for calls in presses]
    assert alerts == [messages.BOT_RATE_LIMITED, None, None]  # told once, then just answered


async def test_inline_queries_over_their_allowance_get_no_results(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    # 1 question a minute allows INLINE_QUERIES_PER_QUESTION inline queries (one per pause).
    bot = await start_harness(api, bot_engine, rate_limit_per_minute=1)
    try:
        results = []
        for _ in range(INLINE_QUERIES_PER_QUESTION + 2):
            calls = await bot.feed(updates.inline_update("Who attended the Paris talks?"))
            [answered] = [c for c in calls if c.method == "answerInlineQuery"]
            results.append(len(answered.params["results"]))
        other_user = await bot.feed(updates.inline_update("Who attended?", from_id=4242))
    finally:
        await bot.close()

    allowed = INLINE_QUERIES_PER_QUESTION
    assert all(results[:allowed])
    assert results[allowed:] == [0, 0]
    [answered] = [c for c in other_user if c.method == "answerInlineQuery"]
    assert answered.params["results"]  # the allowance is per user


async def test_inline_answers_behind_an_allow_list_are_personal(
    api: FakeBotApi, bot_engine: AnswerEngine
) -> None:
    bot = await start_harness(api, bot_engine, allowed_chats=[updates.USER_ID])
    try:
        calls = await bot.feed(updates.inline_update("Who attended the Paris talks?"))
    finally:
        await bot.close()
    [answered] = [c for c in calls if c.method == "answerInlineQuery"]
    assert answered.params["is_personal"] is True
    assert answered.params["cache_time"] <= 60


# ---------------------------------------------------------------- updates that are not questions


def _member_update(status: str) -> dict[str, Any]:
    member: dict[str, Any] = {"status": status, "user": {
        "id": 7_000_000_001, "is_bot": True, "first_name": "Citebot", "username": USERNAME}}
    if status == "kicked":
        member["until_date"] = 0
    return {
        "update_id": 9_000_000 + len(status),
        "my_chat_member": {
            "chat": updates.chat(GROUP), "from": updates.user(), "date": 1,
            "old_chat_member": {**member, "status": "left"}, "new_chat_member": member,
        },
    }


@pytest.mark.parametrize(
    "update",
    [
        {"update_id": 9_000_001, "channel_post": {
            "message_id": 1, "date": 1, "chat": {"id": -100_42, "type": "channel", "title": "C"},
            "text": f"@{USERNAME} Who attended the Paris talks?"}},
        _member_update("member"),  # added to a group
        _member_update("kicked"),  # removed
        updates.message_update(None, chat_id=-555, extra={"migrate_to_chat_id": -100_555}),
        updates.message_update(None, chat_id=GROUP, extra={
            "new_chat_members": [{"id": 7_000_000_001, "is_bot": True, "first_name": "C"}]}),
    ],
    ids=["channel post", "added to a group", "removed from a group", "migrated to supergroup",
         "joined a group"],
)
async def test_updates_that_are_not_questions_get_no_reply(
    harness: BotHarness, update: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    if "message" in update:
        update["message"].pop("sticker", None)
    calls = await harness.feed(update)
    assert calls == []
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------- concurrency


async def test_a_question_and_its_quick_edit_give_one_answer_edited_in_place(
    harness: BotHarness,
) -> None:
    """Handled concurrently, the edit still waits for the first answer and then edits it."""
    app = harness.app
    assert isinstance(app.update_processor, PerChatUpdateProcessor)
    original = updates.message_update("What does the photo show?")
    edited = updates.edited_update(original["message"], "Who attended the Paris talks?")
    other_chat = updates.message_update("What is the minerals deal?", chat_id=777, from_id=777)

    def process(data: dict[str, Any]) -> Any:
        from telegram import Update

        update = Update.de_json(data, app.bot)
        return app.update_processor.process_update(update, app.process_update(update))

    await asyncio.gather(process(original), process(edited), process(other_chat))

    sent = harness.api.delivered()
    edits = harness.api.delivered("editMessageText")
    assert sorted(m["chat_id"] for m in sent) == [777, updates.PRIVATE_CHAT_ID]
    [edit] = edits
    assert PARIS_QUOTE in parse_telegram_html(edit["text"])
    assert len(app.update_processor) == 0  # no lock left behind


async def test_strangers_leave_nothing_behind_in_the_application(harness: BotHarness) -> None:
    """python-telegram-bot would remember every chat and user id for a persistence we lack."""
    for i in range(5):
        await harness.feed(updates.message_update("hi", chat_id=600_000 + i, from_id=600_000 + i))

    app = harness.app
    assert not app._chat_ids_to_be_updated_in_persistence
    assert not app._user_ids_to_be_updated_in_persistence
    assert (len(app.user_data), len(app.chat_data)) == (0, 0)
