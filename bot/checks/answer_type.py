"""Answer type: a question asking for a number, a date, a time or a duration needs a quote that
has one the question does not already say (``english.ANSWER_TYPES``)."""

from __future__ import annotations

import re

from bot.checks.base import FactView
from bot.language import english
from bot.question import Question


def gives_new(needs: re.Pattern[str], quote: str, question_words: frozenset[str]) -> bool:
    """Whether cleaned ``quote`` has what ``needs`` matches in a word the question does not
    say (and, for counts, that is no year)."""
    for match in needs.finditer(quote):
        start = quote.rfind(" ", 0, match.start()) + 1
        end = quote.find(" ", match.end())
        word = quote[start : end if end >= 0 else len(quote)]
        if word in question_words:
            continue
        if needs.pattern == english.COUNT.pattern and english.YEAR.fullmatch(word):
            continue
        return True
    return False


class AnswerTypeCheck:
    """The quotes hold the kind of answer asked for, beyond what the question says."""

    name = "answer_type"

    def applies(self, question: Question) -> bool:
        return bool(question.required)

    def passes(self, question: Question, fact: FactView) -> bool:
        return all(gives_new(p, fact.cleaned_quotes, question.words) for p in question.required)
