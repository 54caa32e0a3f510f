"""Identifying: "Which…?" and "What are the…?" need a quote that says more than the question
(``english.ASKS_TO_IDENTIFY``): a person's name when they ask for people, and otherwise any word
beyond the question and who said it."""

from __future__ import annotations

from bot.attribution import REPORTING_VERB_STEMS
from bot.checks.base import FactView, mentions_vaguely
from bot.question import Question


class IdentifiesCheck:
    """The fact's quote nearest the question tells more than the question says."""

    name = "identifies"

    def applies(self, question: Question) -> bool:
        return question.identifies

    def passes(self, question: Question, fact: FactView) -> bool:
        asked = question.terms
        nearest = fact.nearest_quote(asked)
        told = fact.quote_terms(nearest) - set(asked)
        if question.asks_for_person:
            # Someone named in a quote about something else ("Which leaders were in Paris?"
            # is not answered by "President Donald Trump has hinted at pulling back…").
            covered = fact.coverage_of(asked, nearest) > 0
            return covered and bool(told & fact.known_people)
        if mentions_vaguely(fact, nearest, asked):
            return False
        # "He also stressed that larger challenges remain" or "..., the mayor said" tells who
        # spoke, nothing more.
        return bool(told - REPORTING_VERB_STEMS - fact.titles - fact.speakers)
