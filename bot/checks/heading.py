"""Headings: a section heading is a title, not a statement. It answers questions about the
article's sections (``english.ASKS_ABOUT_STRUCTURE``) and someone typing the heading to find its
section, not questions about the news."""

from __future__ import annotations

from bot.checks.base import FactView
from bot.question import Question

QUOTED_SHARE = 0.8
"""A question this much made of a quote's words (IDF-weighted) is quoting it."""


class HeadingCheck:
    """A heading answers only a question that quotes it (or one about sections)."""

    name = "heading"

    def applies(self, question: Question) -> bool:
        return not question.about_structure

    def passes(self, question: Question, fact: FactView) -> bool:
        if not fact.is_heading:
            return True
        return any(
            fact.coverage_of(question.terms, quote) >= QUOTED_SHARE for quote in fact.quotes
        )
