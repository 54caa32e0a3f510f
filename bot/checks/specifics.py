"""Specifics: a question that insists on them ("What is the exact deadline?") needs a quote
that gives one: a number, a date, or a name the question does not already say
(``english.ASKS_FOR_SPECIFICS``)."""

from __future__ import annotations

from bot.checks.base import FactView, mentions_vaguely
from bot.language import english
from bot.question import Question
from bot.text import clean


class SpecificsCheck:
    """The fact's quote nearest the question has a number, a date or a new name."""

    name = "specifics"

    def applies(self, question: Question) -> bool:
        return question.specifics

    def passes(self, question: Question, fact: FactView) -> bool:
        asked = question.terms
        nearest = fact.nearest_quote(asked)
        if any(pattern.search(clean(nearest)) for pattern in english.SPECIFICS):
            return True
        if mentions_vaguely(fact, nearest, asked):
            return False
        # Who said it is no specific of what was said ("Rubio described the reception of the
        # U.S. peace plan" says nothing exact about the plan).
        names = fact.specific_names - fact.speakers
        return bool((fact.quote_terms(nearest) & names) - set(asked))
