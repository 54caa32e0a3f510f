"""An article nobody curated yet, as facts: one fact per sentence, the sentence its own quote.

This is what a new article answers from before a curator writes a single alternate question:
each sentence (or section heading) becomes a fact whose answer line and only quote is that
sentence, verbatim, grouped by section (or by paragraph groups when the article has none).
"""

from __future__ import annotations

from pathlib import Path

from bot.article import ArticleText
from bot.knowledge import (
    AliasFile,
    Fact,
    KnowledgeBase,
    LoadedFact,
    Source,
    SourceMeta,
    locate_quotes,
)

MAX_QUOTE_CHARS = 2000
PARAGRAPHS_PER_TOPIC = 5


def draft_facts(article: ArticleText, source_id: str) -> list[Fact]:
    """One fact per sentence of ``article`` (sentences too long for a quote are skipped)."""
    facts: list[Fact] = []
    for number, sentence in enumerate(article.sentences, start=1):
        text = sentence.text.strip()
        if not text or len(text) > MAX_QUOTE_CHARS:
            continue
        section = article.paragraphs[sentence.paragraph - 1].section
        topic = section or f"Paragraphs {_group_label(sentence.paragraph)}"
        facts.append(
            Fact(id=f"{source_id}-s{number}", topic=topic[:300], answer=text, quotes=[text])
        )
    return facts


def _group_label(paragraph: int) -> str:
    first = (paragraph - 1) // PARAGRAPHS_PER_TOPIC * PARAGRAPHS_PER_TOPIC + 1
    return f"{first}-{first + PARAGRAPHS_PER_TOPIC - 1}"


def draft_source(text: str, source_id: str, label: str, directory: Path) -> Source:
    """An uncurated source over the article ``text`` (validated like a curated one)."""
    article = ArticleText.parse(text, frozenset())
    meta = SourceMeta(id=source_id, label=label)
    loaded: list[LoadedFact] = []
    for fact in draft_facts(article, source_id):
        located, problems = locate_quotes(fact, source_id, article, "article.txt")
        if located is not None and not problems:
            loaded.append(located)
    return Source(meta, article, tuple(loaded), directory, AliasFile())


def knowledge_of(sources: list[Source], aliases: AliasFile, directory: Path) -> KnowledgeBase:
    """A knowledge base over sources built in memory (drafted, or loaded elsewhere)."""
    facts = tuple(fact for source in sources for fact in source.facts)
    return KnowledgeBase(
        {source.meta.id: source for source in sources},
        facts,
        aliases,
        directory,
        {fact.id: fact for fact in facts},
    )
