"""What every handler can reach through ``context.bot_data``, typed instead of string keys."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, TypeAlias

from telegram.ext import CallbackContext, ExtBot

from bot.answers import Answer, AnswerEngine
from bot.recording import Channel, Recorder
from bot.settings import Settings
from bot.telegram.keyboards import QuestionIndex
from bot.telegram.ratelimit import UserRateLimiter


class AnswerLog:
    """Which bot message answered which question, so an edited question edits its answer.

    Bounded: only the most recent ``capacity`` questions are remembered; an edit of an older
    one gets a fresh answer instead.
    """

    def __init__(self, capacity: int = 5_000) -> None:
        self.capacity = capacity
        self._answers: OrderedDict[tuple[int, int], int] = OrderedDict()

    def remember(self, chat_id: int, question_id: int, answer_id: int) -> None:
        """Record that message ``answer_id`` answers message ``question_id`` in ``chat_id``."""
        self._answers[(chat_id, question_id)] = answer_id
        self._answers.move_to_end((chat_id, question_id))
        while len(self._answers) > self.capacity:
            self._answers.popitem(last=False)

    def answer_to(self, chat_id: int, question_id: int) -> int | None:
        """The id of the bot's answer to that question, if remembered."""
        return self._answers.get((chat_id, question_id))

    def __len__(self) -> int:
        return len(self._answers)


INLINE_QUERIES_PER_QUESTION = 5
"""Inline queries a user may send per question allowed by CITEBOT_RATE_LIMIT_PER_MINUTE."""


@dataclass
class BotData:
    """Shared state of one running bot.

    python-telegram-bot creates ``bot_data`` itself by calling ``BotData()`` with no arguments
    (see ``ContextTypes``), so ``build_application`` fills it in with ``configure`` right after.
    """

    engine: AnswerEngine = field(init=False)
    questions: QuestionIndex = field(init=False)
    limiter: UserRateLimiter = field(init=False)
    inline_limiter: UserRateLimiter = field(init=False)
    max_question_chars: int = 1000
    allowed_chats: frozenset[int] = frozenset()
    admin_user_ids: frozenset[int] = frozenset()
    answers: AnswerLog = field(default_factory=AnswerLog)
    recorder: Recorder | None = None

    def configure(
        self, settings: Settings, engine: AnswerEngine, recorder: Recorder | None = None
    ) -> None:
        """Fill in everything that depends on settings and the loaded knowledge."""
        self.engine = engine
        self.recorder = recorder
        self.questions = QuestionIndex(engine.knowledge)
        self.limiter = UserRateLimiter(limit=settings.rate_limit_per_minute, window=60.0)
        # Telegram sends an inline query at each pause in typing, so one question is several
        # queries: inline gets its own, looser allowance, refused silently.
        self.inline_limiter = UserRateLimiter(
            limit=settings.rate_limit_per_minute * INLINE_QUERIES_PER_QUESTION, window=60.0
        )
        self.max_question_chars = settings.max_question_chars
        self.allowed_chats = frozenset(settings.allowed_chats)
        self.admin_user_ids = frozenset(settings.admin_user_ids)

    def record(self, answer: Answer, channel: Channel, user_id: int | None) -> str | None:
        """Record a question (never blocks); its record id, or None if not recorded."""
        if self.recorder is None:
            return None
        return self.recorder.record(answer, channel, user_id)

    def is_admin(self, user_id: int | None) -> bool:
        """True for the user ids in CITEBOT_ADMIN_USER_IDS."""
        return user_id is not None and user_id in self.admin_user_ids


# AIORateLimiter is a BaseRateLimiter[int], which makes the bot an ExtBot[int].
Bot: TypeAlias = ExtBot[int]
Context: TypeAlias = CallbackContext[Bot, dict[Any, Any], dict[Any, Any], BotData]
