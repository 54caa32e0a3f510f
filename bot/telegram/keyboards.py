"""Inline buttons under answers, and the compact callback data behind them.

Telegram gives a button at most 64 bytes of callback data and the bot keeps no state between
restarts, so the data names what to do with ids from the knowledge base only:

* ``p:<source>:<paragraph>`` shows a whole paragraph;
* ``q:<fact_id>:<n>`` asks curated question ``n`` of a fact (a suggestion);
* ``f:<record_id>:1`` / ``f:<record_id>:0`` votes an answer helpful / not helpful (the record id
  is made when the answer is recorded, so it is known before the message is sent).

User text never goes into callback data: suggestions are always curated questions.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import messages
from bot.answers import Answer, AnswerStatus
from bot.knowledge import KnowledgeBase
from bot.render import truncate

CALLBACK_DATA_LIMIT = 64  # bytes, set by the Bot API
BUTTON_LABEL_LIMIT = 60  # longer labels are cut off by Telegram's apps anyway
MAX_PARAGRAPH_BUTTONS = 3

_DATA = re.compile(r"^(?P<kind>[pqf]):(?P<key>[a-z0-9][a-z0-9_-]{0,63}):(?P<number>\d{1,6})$")


@dataclass(frozen=True, slots=True)
class ShowParagraph:
    """Button action: send paragraph ``number`` of ``source`` in full."""

    source: str
    number: int


@dataclass(frozen=True, slots=True)
class AskQuestion:
    """Button action: answer curated question ``index`` of fact ``fact_id``."""

    fact_id: str
    index: int


@dataclass(frozen=True, slots=True)
class Feedback:
    """Button action: a helpful / not helpful vote on the answer recorded as ``record_id``."""

    record_id: str
    helpful: bool


CallbackAction = ShowParagraph | AskQuestion | Feedback


def encode(action: CallbackAction) -> str | None:
    """The callback data for ``action``, or ``None`` if it would not fit in 64 bytes."""
    if isinstance(action, ShowParagraph):
        data = f"p:{action.source}:{action.number}"
    elif isinstance(action, AskQuestion):
        data = f"q:{action.fact_id}:{action.index}"
    else:
        data = f"f:{action.record_id}:{int(action.helpful)}"
    return data if len(data.encode()) <= CALLBACK_DATA_LIMIT else None


def decode(data: str | None) -> CallbackAction | None:
    """The action in callback data, or ``None`` for anything this bot did not make."""
    match = _DATA.fullmatch(data or "")
    if match is None:
        return None
    number = int(match["number"])
    if match["kind"] == "p":
        return ShowParagraph(match["key"], number)
    if match["kind"] == "f":
        return Feedback(match["key"], number == 1) if number in (0, 1) else None
    return AskQuestion(match["key"], number)


class QuestionIndex:
    """Curated questions by text and by (fact id, index), to put suggestions on buttons."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self._knowledge = knowledge
        self._by_text: dict[str, AskQuestion] = {}
        for loaded in knowledge.facts:
            for index, question in enumerate(loaded.fact.questions):
                self._by_text.setdefault(question, AskQuestion(loaded.id, index))

    def action_for(self, question: str) -> AskQuestion | None:
        """The button action that asks ``question``, if it is a curated question."""
        return self._by_text.get(question)

    def question(self, action: AskQuestion) -> str | None:
        """The curated question a button asks, if that fact and question still exist."""
        loaded = self._knowledge.fact(action.fact_id)
        if loaded is None or not 0 <= action.index < len(loaded.fact.questions):
            return None
        return loaded.fact.questions[action.index]


def _button(label: str, action: CallbackAction) -> InlineKeyboardButton | None:
    data = encode(action)
    if data is None:
        return None
    return InlineKeyboardButton(truncate(label, BUTTON_LABEL_LIMIT), callback_data=data)


def question_keyboard(
    questions: Iterable[str], index: QuestionIndex
) -> InlineKeyboardMarkup | None:
    """One button per curated question (one a row, they are long), or ``None``."""
    rows = []
    for question in questions:
        action = index.action_for(question)
        button = _button(question, action) if action else None
        if button is not None:
            rows.append([button])
    return InlineKeyboardMarkup(rows) if rows else None


def paragraph_keyboard(answer: Answer) -> InlineKeyboardMarkup | None:
    """"Full paragraph" buttons for the paragraphs an answer quotes, or ``None``."""
    places = list(dict.fromkeys((c.source, c.paragraph) for c in answer.citations))
    places = places[:MAX_PARAGRAPH_BUTTONS]
    buttons = []
    for source, number in places:
        label = (
            messages.BOT_BUTTON_PARAGRAPH
            if len(places) == 1
            else messages.BOT_BUTTON_PARAGRAPH_N.format(number=number)
        )
        button = _button(label, ShowParagraph(source, number))
        if button is not None:
            buttons.append(button)
    return InlineKeyboardMarkup([buttons]) if buttons else None


def feedback_row(record_id: str) -> list[InlineKeyboardButton]:
    """Helpful / not helpful buttons for the answer recorded as ``record_id``."""
    buttons = [
        _button(messages.BOT_BUTTON_HELPFUL, Feedback(record_id, True)),
        _button(messages.BOT_BUTTON_NOT_HELPFUL, Feedback(record_id, False)),
    ]
    return [b for b in buttons if b is not None]


def answer_keyboard(
    answer: Answer, index: QuestionIndex, record_id: str | None = None
) -> InlineKeyboardMarkup | None:
    """The buttons under an answer: its paragraphs and feedback, or the suggestions.

    Feedback buttons come only with a recorded answer (``record_id``) that asserts something;
    a decline already says the article does not answer, and offers questions instead.
    """
    if answer.status is AnswerStatus.ANSWERED:
        paragraphs = paragraph_keyboard(answer)
        rows = [list(row) for row in paragraphs.inline_keyboard] if paragraphs else []
        if record_id is not None:
            rows.append(feedback_row(record_id))
        return InlineKeyboardMarkup(rows) if rows else None
    suggestions = list(answer.suggestions)
    if answer.did_you_mean and answer.did_you_mean not in suggestions:
        suggestions.insert(0, answer.did_you_mean)
    return question_keyboard(suggestions, index)
