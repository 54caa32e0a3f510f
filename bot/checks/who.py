"""Who: "Who…?" (not about someone's words, ``english.ASKS_WHO``) needs a quote with a name the
question does not say."""

from __future__ import annotations

import re

from bot.checks.base import FactView
from bot.language import english
from bot.question import Question
from bot.text import clean, is_common_english_word

_CAPITALISED = re.compile(r"[\w’']+")


class WhoCheck:
    """One of the fact's quotes has a capitalised name the question does not say."""

    name = "who"

    def applies(self, question: Question) -> bool:
        return question.asks_who

    def passes(self, question: Question, fact: FactView) -> bool:
        # A sentence's first word counts only when it is no common English word.
        for quote in fact.quotes:
            for position, word in enumerate(_CAPITALISED.findall(quote)):
                lowered = clean(word)
                if not word[:1].isupper() or not lowered or lowered in question.words:
                    continue
                if position == 0 and is_common_english_word(lowered):
                    continue
                if lowered in fact.stopwords or lowered in english.TITLES:
                    continue
                return True
        return False
