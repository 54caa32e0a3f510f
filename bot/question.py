"""A question as the engine reads it: parsed once, then read by every answer check.

``Retriever.parse`` builds one ``Question`` per asked text; the signals and each check in
``bot.checks`` read that one immutable value, so no check parses the question again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.language import english
from bot.text import clean


@dataclass(frozen=True, slots=True)
class Question:
    """What a question says and what kind of answer it asks for."""

    text: str
    cleaned: str
    """``text`` cleaned (``bot.text.clean``): the form the question patterns read."""
    words: frozenset[str]
    """The question's cleaned words, stopwords included ("2010", "when")."""
    terms: tuple[str, ...]
    """Content terms: canonical, stemmed, deduplicated, typos corrected."""
    raw_terms: tuple[str, ...]
    """Terms before the alias mapping: the words as the asker chose them."""
    required: tuple[re.Pattern[str], ...]
    """Patterns a quote needs: a number, a date or a duration."""
    speakers: frozenset[str]
    """Whose words it asks for ("What did Rubio say?")."""
    named: frozenset[str]
    """People it names otherwise ("When will Trump and Zelenskyy meet?")."""
    identifies: bool
    """It asks to identify someone or something ("Which leaders…?", "What are the…?")."""
    asks_for_person: bool
    """What it asks to identify is a person."""
    asks_who: bool
    """"Who…?" that does not ask whose words: answered by a name the question lacks."""
    asks_for_cause: bool
    specifics: bool
    """It insists on specifics ("the exact deadline") and does not ask for someone's words."""
    about_structure: bool
    """It asks about the article's sections or headings."""


def unanswerable_types(question: str) -> list[re.Pattern[str]]:
    """The evidence patterns a quote needs to answer ``question`` (usually none)."""
    cleaned = clean(question)
    return [needs for asks, needs in english.ANSWER_TYPES if asks.search(cleaned)]
