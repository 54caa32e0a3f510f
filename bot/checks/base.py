"""What an answer check may read about one fact (``FactView``), and what several checks share.

The retriever implements ``FactView`` over its index (quotes analysed once at load time); a
check reads a fact only through it, so a check never depends on how the index is built.
"""

from __future__ import annotations

from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from typing import Protocol


class FactView(Protocol):
    """One fact, read-only, as the answer checks see it."""

    @property
    def quotes(self) -> Sequence[str]:
        """The fact's quotes, verbatim, in curator order."""
        ...

    @property
    def cleaned_quotes(self) -> str:
        """All its quotes cleaned (``bot.text.clean``) and joined by spaces."""
        ...

    @property
    def is_heading(self) -> bool:
        """Every quote is a section heading."""
        ...

    @property
    def speakers(self) -> frozenset[str]:
        """Who speaks in the fact's sentences."""
        ...

    @property
    def people(self) -> frozenset[str]:
        """Who its sentences (and the sentence before each) name or quote."""
        ...

    @property
    def specific_names(self) -> frozenset[str]:
        """Its article's names that are not what the whole article is about."""
        ...

    @property
    def known_names(self) -> AbstractSet[str]:
        """Terms of every capitalised word in the knowledge: the people and places."""
        ...

    @property
    def known_people(self) -> AbstractSet[str]:
        """Terms of every person's name in the knowledge."""
        ...

    @property
    def titles(self) -> frozenset[str]:
        """Terms of the titles ("president", "mayor")."""
        ...

    @property
    def stopwords(self) -> frozenset[str]:
        """The analyzer's stopwords (English and the knowledge's own)."""
        ...

    def nearest_quote(self, terms: Sequence[str]) -> str:
        """The quote that covers most of ``terms`` (the first, on a tie)."""
        ...

    def quote_terms(self, quote: str) -> frozenset[str]:
        """The content terms of one of the fact's quotes."""
        ...

    def vague_terms(self, quote: str) -> frozenset[str]:
        """Terms of what ``quote`` names only vaguely (``english.VAGUE_MENTION``)."""
        ...

    def cause_clauses(self, quote: str) -> tuple[frozenset[str], frozenset[str]]:
        """A quote's terms before and after its first causal word ("after", "because"…)."""
        ...

    def coverage_of(self, terms: Sequence[str], text: str) -> float:
        """IDF-weighted share of ``terms`` that ``text`` contains (0-1)."""
        ...


def mentions_vaguely(fact: FactView, quote: str, asked: Sequence[str]) -> bool:
    """Whether ``quote`` names something the question asks about only vaguely ("either
    side", "some compromises")."""
    return bool(fact.vague_terms(quote) & set(asked) - fact.known_names)
