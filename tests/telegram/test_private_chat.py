"""Private chats: any text is a question; commands explain the bot and the article."""

from __future__ import annotations

from bot import messages
from bot.answers import AnswerEngine
from bot.render import render_telegram_html
from tests.telegram import updates
from tests.telegram.conftest import BotHarness
from tests.telegram.fake_bot_api import parse_telegram_html

PARIS_QUOTE = "It was the first in-person, high-level discussion involving the U.S., Ukraine"


def visible(reply: dict[str, object]) -> str:
    """What the user sees: the message text with Telegram's HTML applied."""
    return parse_telegram_html(str(reply["text"]))


def buttons(reply: dict[str, object]) -> list[tuple[str, str]]:
    markup = reply.get("reply_markup") or {}
    assert isinstance(markup, dict)
    return [(b["text"], b["callback_data"]) for row in markup["inline_keyboard"] for b in row]


def feedback_buttons(reply: dict[str, object]) -> list[tuple[str, str]]:
    """The helpful / not helpful buttons under an answer."""
    return [(label, data) for label, data in buttons(reply) if data.startswith("f:")]


def other_buttons(reply: dict[str, object]) -> list[tuple[str, str]]:
    """Every button but the feedback ones."""
    return [(label, data) for label, data in buttons(reply) if not data.startswith("f:")]


async def test_a_question_gets_a_cited_answer_with_a_full_paragraph_button(
    harness: BotHarness,
) -> None:
    calls = await harness.feed(updates.message_update("Who attended the Paris talks?"))

    # The answer is out at once, so no "typing…" indicator is needed (see test_resilience).
    assert [c.method for c in calls] == ["sendMessage"]
    reply = calls[0].params
    assert reply["parse_mode"] == "HTML"
    text = visible(reply)
    assert PARIS_QUOTE in text
    assert "paragraph 8" in text
    assert other_buttons(reply) == [(messages.BOT_BUTTON_PARAGRAPH, "p:peace-talks:8")]
    [(helpful, up), (not_helpful, down)] = feedback_buttons(reply)
    assert (helpful, not_helpful) == (messages.BOT_BUTTON_HELPFUL, messages.BOT_BUTTON_NOT_HELPFUL)
    assert (up[-2:], down[-2:]) == (":1", ":0")
    assert up[:-1] == down[:-1]


async def test_an_out_of_scope_question_is_declined_with_suggestions_as_buttons(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [reply] = await harness.replies(updates.message_update("What is a good chocolate cake recipe?"))

    text = visible(reply)
    assert text.startswith(messages.DECLINE)
    assert "<blockquote>" not in str(reply["text"])
    labels = [label for label, _ in buttons(reply)]
    suggestions = bot_engine.answer("What is a good chocolate cake recipe?").suggestions
    assert labels == list(suggestions)
    assert all(data.startswith("q:") for _, data in buttons(reply))


def engine_reply(engine: AnswerEngine, question: str) -> str:
    """The engine's own rendering of its answer, which the bot must send unchanged."""
    return render_telegram_html(engine.answer(question), engine.policy.max_question_chars)


async def test_html_looking_input_is_answered_and_stays_valid_html(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    question = "<b>Who attended the Paris talks?</b> <script>alert('x')</script> & <i>more"
    [reply] = await harness.replies(updates.message_update(question))

    # The fake server, like Telegram, refuses malformed HTML: an accepted reply is valid.
    assert reply["text"] == engine_reply(bot_engine, question)
    assert "<script>" not in reply["text"]


async def test_a_4000_character_message_gets_a_short_polite_refusal(harness: BotHarness) -> None:
    question = ("Who attended the Paris talks? " * 140)[:4000]
    [reply] = await harness.replies(updates.message_update(question))

    text = visible(reply)
    assert text.startswith("That message is too long")
    assert len(str(reply["text"])) < 4096


async def test_unicode_questions_are_answered(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    question = "Who attended the Paris talks? 🇫🇷🙏 «Париж» — 巴黎"
    [reply] = await harness.replies(updates.message_update(question))
    assert reply["text"] == engine_reply(bot_engine, question)
    assert visible(reply)


async def test_a_question_in_another_script_gets_a_reply(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    question = "Кто участвовал в переговорах в Париже? 🤔"
    [reply] = await harness.replies(updates.message_update(question))
    assert reply["text"] == engine_reply(bot_engine, question)


async def test_an_edited_question_edits_the_earlier_answer(harness: BotHarness) -> None:
    first = updates.message_update("What is a good chocolate cake recipe?")
    [declined] = await harness.replies(first)
    answer_id = harness.api.sent[-1]["message_id"]

    calls = await harness.feed(
        updates.edited_update(first["message"], "Who attended the Paris talks?")
    )

    assert "sendMessage" not in [c.method for c in calls]
    [edit] = [c.params for c in calls if c.method == "editMessageText"]
    assert edit["message_id"] == answer_id
    assert PARIS_QUOTE in visible(edit)
    assert other_buttons(edit) == [(messages.BOT_BUTTON_PARAGRAPH, "p:peace-talks:8")]
    assert not visible(declined).startswith(PARIS_QUOTE)


async def test_editing_a_question_into_the_same_question_changes_nothing(
    harness: BotHarness,
) -> None:
    first = updates.message_update("Who attended the Paris talks?")
    await harness.replies(first)
    same = updates.edited_update(first["message"], "Who attended the Paris talks?")
    calls = await harness.feed(same)

    # Telegram answers "message is not modified"; the bot neither errors nor re-sends.
    assert [c.method for c in calls if c.method == "sendMessage"] == []


async def test_a_sticker_gets_asked_for_text(harness: BotHarness) -> None:
    [reply] = await harness.replies(updates.message_update(None))
    assert visible(reply) == messages.BOT_SEND_TEXT


async def test_start_names_the_article_and_offers_example_questions(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [reply] = await harness.replies(updates.message_update("/start"))

    text = visible(reply)
    label = next(iter(bot_engine.knowledge.sources.values())).meta.label
    assert label in text
    examples = bot_engine.featured_questions()
    assert len(examples) == 3
    assert all(q in text for q in examples)
    assert [label for label, _ in buttons(reply)] == examples


async def test_help_explains_private_group_and_inline_use(harness: BotHarness) -> None:
    [reply] = await harness.replies(updates.message_update("/help"))
    text = visible(reply)
    assert "/ask <question>" in text
    assert "@citebot_test_bot" in text


async def test_about_describes_the_source_and_its_limits(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [reply] = await harness.replies(updates.message_update("/about"))
    text = visible(reply)
    meta = next(iter(bot_engine.knowledge.sources.values())).meta
    assert meta.label in text
    assert f"{len(bot_engine.knowledge.facts)} curated facts" in text
    assert all(item in text for item in meta.unknown)
    assert messages.BOT_ABOUT_LIMITS in text


async def test_topics_lists_every_topic(harness: BotHarness, bot_engine: AnswerEngine) -> None:
    [reply] = await harness.replies(updates.message_update("/topics"))
    text = visible(reply)
    assert all(topic in text for topic in bot_engine.topics())


async def test_source_shows_a_whole_paragraph_and_explains_bad_numbers(
    harness: BotHarness, bot_engine: AnswerEngine
) -> None:
    [reply] = await harness.replies(updates.message_update("/source 8"))
    paragraph = bot_engine.paragraph("peace-talks", 8)
    assert paragraph is not None
    assert paragraph.text in visible(reply)

    [usage] = await harness.replies(updates.message_update("/source 9999"))
    assert visible(usage).startswith("Send /source with a paragraph number from 1 to")


async def test_ask_command_works_in_private_too(harness: BotHarness) -> None:
    [reply] = await harness.replies(updates.message_update("/ask Who attended the Paris talks?"))
    assert PARIS_QUOTE in visible(reply)


async def test_an_unknown_command_points_to_help(harness: BotHarness) -> None:
    [reply] = await harness.replies(updates.message_update("/weather"))
    assert "/topics" in visible(reply)
