"""Inline mode (@bot query in any chat) and the buttons under answers."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.answers import AnswerEngine
from tests.telegram import updates
from tests.telegram.conftest import BotHarness
from tests.telegram.fake_bot_api import parse_telegram_html
from tests.telegram.test_private_chat import PARIS_QUOTE, buttons, other_buttons

OUT_OF_SCOPE = "What is a good chocolate cake recipe?"


async def inline_results(harness: BotHarness, query: str) -> list[dict[str, Any]]:
    calls = await harness.feed(updates.inline_update(query))
    [answer] = [c.params for c in calls if c.method == "answerInlineQuery"]
    results: list[dict[str, Any]] = answer["results"]
    return results


def content(result: dict[str, Any]) -> str:
    return parse_telegram_html(result["input_message_content"]["message_text"])


async def test_inline_query_offers_the_cited_answer_first(harness: BotHarness) -> None:
    results = await inline_results(harness, "who attended the paris talks")

    best = results[0]
    assert best["type"] == "article"
    assert best["title"].startswith("The Paris talks were")
    assert PARIS_QUOTE in best["description"]
    text = content(best)
    assert text.startswith("❓ who attended the paris talks")  # others in the chat see the question
    assert PARIS_QUOTE in text
    assert "paragraph 8" in text


async def test_an_empty_inline_query_offers_example_questions(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    results = await inline_results(harness, "")

    titles = [r["title"] for r in results]
    # Examples that the engine cannot answer itself are left out rather than posted as "no".
    answerable = [q for q in bot_engine.featured_questions(6) if bot_engine.answer(q).answered]
    assert titles == answerable
    assert len(titles) >= 3
    for result in results:
        assert "paragraph" in content(result)  # each example, once picked, posts a cited answer


async def test_an_out_of_scope_inline_query_says_so_and_offers_answerable_questions(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    results = await inline_results(harness, OUT_OF_SCOPE)

    assert results[0]["title"] == messages.BOT_INLINE_NO_ANSWER
    assert messages.DECLINE in content(results[0])
    suggested = bot_engine.answer(OUT_OF_SCOPE).suggestions
    assert [r["title"] for r in results[1:]] == list(suggested)


async def test_html_looking_inline_query_is_shown_literally(harness: BotHarness) -> None:
    results = await inline_results(harness, "<b>who</b> attended the paris talks & <i>why")
    assert content(results[0]).startswith("❓ <b>who</b> attended the paris talks & <i>why")


async def test_full_paragraph_button_sends_the_whole_paragraph(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [answer] = await harness.replies(updates.message_update("Who attended the Paris talks?"))
    [(_, data)] = other_buttons(answer)
    bot_message = harness.api.sent[-1]

    calls = await harness.feed(updates.callback_update(data, bot_message))

    assert "answerCallbackQuery" in [c.method for c in calls]
    [paragraph_reply] = [c.params for c in calls if c.method == "sendMessage"]
    paragraph = bot_engine.paragraph("peace-talks", 8)
    assert paragraph is not None
    text = parse_telegram_html(paragraph_reply["text"])
    assert "paragraph 8" in text
    assert paragraph.text in text


async def test_suggestion_button_answers_that_question(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [declined] = await harness.replies(updates.message_update(OUT_OF_SCOPE))
    label, data = buttons(declined)[0]
    bot_message = harness.api.sent[-1]

    calls = await harness.feed(updates.callback_update(data, bot_message))

    [reply] = [c.params for c in calls if c.method == "sendMessage"]
    text = parse_telegram_html(reply["text"])
    assert text.startswith(f"❓ {label}")
    expected = bot_engine.answer(label)
    assert expected.answered
    assert expected.citations[0].quote in text


async def test_buttons_from_before_a_restart_still_work(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    # A message sent by an earlier run of the bot: only its callback data is known.
    old_message = updates.message("old answer", chat_id=updates.PRIVATE_CHAT_ID)
    old_message["from"] = harness.api.bot_user
    calls = await harness.feed(updates.callback_update("p:peace-talks:3", old_message))

    [reply] = [c.params for c in calls if c.method == "sendMessage"]
    paragraph = bot_engine.paragraph("peace-talks", 3)
    assert paragraph is not None
    assert paragraph.text in parse_telegram_html(reply["text"])


async def test_a_stale_or_foreign_button_gets_a_short_notice(harness: BotHarness) -> None:
    old_message = updates.message("old answer")
    for data in ("p:peace-talks:9999", "q:no-such-fact:0", "x:anything"):
        calls = await harness.feed(updates.callback_update(data, old_message))
        assert [c.method for c in calls] == ["answerCallbackQuery"]
        assert calls[0].params["text"] == messages.BOT_BUTTON_EXPIRED
