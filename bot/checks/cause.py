"""Causes: "Why…?" is not answered by a quote that gives the asked event as the cause of
something else (``english.CAUSE_CLAUSE``)."""

from __future__ import annotations

from bot.checks.base import FactView
from bot.question import Question


class CauseCheck:
    """The fact's quote nearest the question does not merely give the asked event as the cause
    of something else."""

    name = "cause"

    def applies(self, question: Question) -> bool:
        return question.asks_for_cause

    def passes(self, question: Question, fact: FactView) -> bool:
        asked = question.terms
        main, cause = fact.cause_clauses(fact.nearest_quote(asked))
        # Names are everywhere ("…in February after tensions flared between Trump…").
        things = set(asked) - fact.known_names
        return bool(things & main) or not things & cause
