"""Groups: the bot answers /ask, mentions and replies to itself, in a thread; it ignores chatter."""

from __future__ import annotations

from typing import Any

import pytest

from bot.telegram.handlers import without_mention
from tests.telegram import updates
from tests.telegram.conftest import BotHarness
from tests.telegram.fake_bot_api import parse_telegram_html
from tests.telegram.test_private_chat import PARIS_QUOTE

GROUP = updates.GROUP_CHAT_ID
USERNAME = "citebot_test_bot"


def group_update(text: str | None, **kwargs: Any) -> dict[str, Any]:
    return updates.message_update(text, chat_id=GROUP, **kwargs)


def replied_to(reply: dict[str, Any]) -> int:
    parameters = reply["reply_parameters"]
    assert isinstance(parameters, dict)
    return int(parameters["message_id"])


@pytest.mark.parametrize(
    "text",
    [
        f"/ask@{USERNAME} Who attended the Paris talks?",
        "/ask Who attended the Paris talks?",
        f"@{USERNAME} who attended the Paris talks?",
        f"Who attended the Paris talks, @{USERNAME}?",
        f"🙂🇺🇦 @{USERNAME} who attended the Paris talks?",  # mention after UTF-16 pairs
        # chatter before the mention: the part after it is tried on its own
        f"my landlord raised the rent again, unbelievable @{USERNAME} who took part in the "
        "Paris talks",
    ],
)
async def test_addressed_questions_are_answered_as_a_reply_to_the_asker(
    harness: BotHarness, text: str
) -> None:
    update = group_update(text)
    [reply] = await harness.replies(update)

    assert reply["chat_id"] == GROUP
    assert replied_to(reply) == update["message"]["message_id"]
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])


async def test_a_reply_to_the_bots_answer_is_a_new_question(harness: BotHarness) -> None:
    await harness.replies(group_update(f"/ask@{USERNAME} What does the photo show?"))
    bot_answer = harness.api.sent[-1]

    follow_up = group_update("Who attended the Paris talks?", reply_to=bot_answer)
    [reply] = await harness.replies(follow_up)

    assert replied_to(reply) == follow_up["message"]["message_id"]
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])


@pytest.mark.parametrize(
    "text",
    [
        "Who attended the Paris talks?",  # chatter, not addressed to the bot
        "@someone_else who attended the Paris talks?",
        "/ask@other_helper_bot Who attended the Paris talks?",
        "/start@other_helper_bot",
        "/weather",  # other bots' commands are not ours to answer
        None,  # a sticker
    ],
)
async def test_other_chatter_is_ignored_completely(harness: BotHarness, text: str | None) -> None:
    calls = await harness.feed(group_update(text))
    assert calls == []


async def test_a_reply_to_someone_else_is_ignored(harness: BotHarness) -> None:
    other = updates.message("I think so", chat_id=GROUP, from_id=updates.OTHER_USER_ID)
    calls = await harness.feed(group_update("Who attended the Paris talks?", reply_to=other))
    assert calls == []


async def test_bare_ask_explains_itself_and_ask_as_a_reply_asks_that_message(
    harness: BotHarness,
) -> None:
    [usage] = await harness.replies(group_update(f"/ask@{USERNAME}"))
    assert parse_telegram_html(usage["text"]).startswith("Put your question after the command")

    question = updates.message(
        "Who attended the Paris talks?", chat_id=GROUP, from_id=updates.OTHER_USER_ID
    )
    [reply] = await harness.replies(group_update("/ask", reply_to=question))
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])


async def test_an_edited_mention_edits_the_answer_in_the_group(harness: BotHarness) -> None:
    first = group_update(f"@{USERNAME} what is a good chocolate cake recipe?")
    await harness.replies(first)
    answer_id = harness.api.sent[-1]["message_id"]

    calls = await harness.feed(
        updates.edited_update(first["message"], f"@{USERNAME} who attended the Paris talks?")
    )

    [edit] = [c.params for c in calls if c.method == "editMessageText"]
    assert (edit["chat_id"], edit["message_id"]) == (GROUP, answer_id)
    assert PARIS_QUOTE in parse_telegram_html(edit["text"])
    assert [c for c in calls if c.method == "sendMessage"] == []


def test_an_email_address_is_no_mention_of_the_bot() -> None:
    assert without_mention(f"write to a@{USERNAME}.com", USERNAME) == f"write to a@{USERNAME}.com"
    assert without_mention(f"hi @{USERNAME} who was there", USERNAME) == "hi — who was there"


@pytest.mark.parametrize("text", ["why?", "who said that?", "whose?"])
async def test_a_reply_that_names_nothing_is_asked_what_it_means(
    harness: BotHarness, text: str
) -> None:
    await harness.replies(group_update(f"/ask@{USERNAME} What does the photo show?"))
    bot_answer = harness.api.sent[-1]

    [reply] = await harness.replies(group_update(text, reply_to=bot_answer))

    shown = parse_telegram_html(reply["text"])
    assert "What do you mean?" in shown
    assert "“" not in shown.split("\n")[0]  # no quote asserted


async def test_a_greeting_gets_a_friendly_line_not_a_decline(harness: BotHarness) -> None:
    [reply] = await harness.replies(group_update(f"@{USERNAME} hi, how are you?"))

    shown = parse_telegram_html(reply["text"])
    assert "doesn't say" not in shown
    assert "I answer questions about the article" in shown
