"""Who said it: "What did X say?" needs X's own words, not words about X or someone else's
("What did Lavrov tell reporters?" when the article quotes Rubio)."""

from __future__ import annotations

from bot.checks.base import FactView
from bot.question import Question


class SpeakerCheck:
    """Someone the question asks to hear from speaks in the fact."""

    name = "speaker"

    def applies(self, question: Question) -> bool:
        return bool(question.speakers)

    def passes(self, question: Question, fact: FactView) -> bool:
        return bool(question.speakers & fact.speakers)
