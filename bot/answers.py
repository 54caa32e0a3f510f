"""The answer engine: from a question to a cited answer, a "did you mean", or a decline.

Policy (confidence is on a fixed 0-100 scale, see ``bot.retrieval``):

* ``confidence >= answer_threshold``: answered. The best fact's answer line and quotes, most
  relevant quote first; a second fact that scores almost as well adds its quotes too.
* ``suggest_threshold <= confidence < answer_threshold``: unsure. Nothing is asserted; the
  reply asks "did you mean ...?" with the closest curated question first among the suggestions.
* below ``suggest_threshold``: declined. "The article doesn't say." plus up to three questions
  the article can answer that are closest to what was asked.

Only ``answered`` counts as an answer (``answered: true`` in JSON); the unsure band never states
anything the user did not confirm, so it cannot answer an out-of-scope question by accident.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from bot.article import Paragraph
from bot.attribution import REPORTING_VERBS
from bot.knowledge import KnowledgeBase, LoadedFact, QuoteSpan, load_knowledge
from bot.retrieval import FactMatch, Retriever, ScoringWeights
from bot.text import question_parts, tokens


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    UNSURE = "unsure"
    DECLINED = "declined"
    INVALID = "invalid"


class InputProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    NO_WORDS = "no_words"


class Citation(BaseModel):
    """A verbatim quote and where in which source it comes from."""

    model_config = ConfigDict(frozen=True)

    quote: str
    source: str
    source_label: str
    paragraph: int
    section: str | None
    is_caption: bool
    fact_id: str
    is_heading: bool = False
    """The quote is a section heading; ``paragraph`` is then the first one of its section."""


class Answer(BaseModel):
    """Everything a renderer needs; ``to_public_dict`` is the JSON contract."""

    model_config = ConfigDict(frozen=True)

    question: str
    status: AnswerStatus
    confidence: float
    answer: str | None
    citations: tuple[Citation, ...] = ()
    suggestions: tuple[str, ...] = ()
    did_you_mean: str | None = None
    input_problem: InputProblem | None = None

    @property
    def answered(self) -> bool:
        return self.status is AnswerStatus.ANSWERED

    @property
    def fact_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c.fact_id for c in self.citations))

    def to_public_dict(self) -> dict[str, Any]:
        """The documented JSON object of ``citebot ask --json``."""
        return {
            "question": self.question,
            "answered": self.answered,
            "status": self.status.value,
            "confidence": self.confidence,
            "answer": self.answer,
            "citations": [
                {
                    "quote": c.quote,
                    "source": c.source,
                    "paragraph": c.paragraph,
                    "section": c.section,
                    "fact_id": c.fact_id,
                }
                for c in self.citations
            ],
            "suggestions": list(self.suggestions),
        }


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """Thresholds and limits; tuned on the project's question bank (see README)."""

    answer_threshold: float = 56.0
    suggest_threshold: float = 40.0
    max_quotes: int = 3
    max_suggestions: int = 3
    companion_margin: float = 8.0
    max_question_chars: int = 1000


class AnswerEngine:
    """Answers questions from a knowledge base; knows nothing about Telegram."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        policy: AnswerPolicy | None = None,
        weights: ScoringWeights | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.policy = policy or AnswerPolicy()
        self.retriever = Retriever(knowledge, weights)
        grouped: dict[str, list[str]] = {}
        for loaded in knowledge.facts:
            grouped.setdefault(loaded.fact.topic, []).append(loaded.fact.questions[0])
        self._topics = grouped
        curated = [q for source in knowledge.sources.values() for q in source.meta.examples]
        self._featured = curated or [questions[0] for questions in grouped.values()]

    @classmethod
    def from_directory(
        cls, directory: Path, policy: AnswerPolicy | None = None
    ) -> AnswerEngine:
        """Load and validate ``directory`` and build an engine over it."""
        return cls(load_knowledge(directory), policy)

    def answer(self, question: str) -> Answer:
        """Answer one question. Never raises for any string input."""
        # Lone surrogates (undecodable bytes from argv or a socket) cannot be encoded as UTF-8
        # and would break every output channel; make them U+FFFD before anything else.
        question = question.encode("utf-8", "surrogatepass").decode("utf-8", "replace")
        problem = self._input_problem(question)
        if problem is not None:
            shown = question if problem is not InputProblem.TOO_LONG else question[:200]
            return Answer(
                question=shown,
                status=AnswerStatus.INVALID,
                confidence=0.0,
                answer=None,
                suggestions=tuple(self.featured_questions()),
                input_problem=problem,
            )
        question = question.strip()
        matches = self.retriever.search(question, limit=8)
        # In a chat message of several parts the question is one of them, usually the last;
        # the chatter around it can drown it ("brb dinner... @bot who was at the Paris
        # meeting?"). A part of one content word ("is it gonna work") is too thin alone.
        for part in question_parts(question, is_filler=self._is_filler):
            if len(self.retriever.analyse(part).terms) < 2:
                continue
            alone = self.retriever.search(part, limit=8)
            if alone and (not matches or alone[0].confidence > matches[0].confidence):
                matches = alone
        best = matches[0] if matches else None
        confidence = best.confidence if best else 0.0
        if best is not None and confidence >= self.policy.answer_threshold:
            return Answer(
                question=question,
                status=AnswerStatus.ANSWERED,
                confidence=confidence,
                answer=best.fact.fact.answer,
                citations=tuple(self._citations(question, matches)),
            )
        unsure = best is not None and confidence >= self.policy.suggest_threshold
        return Answer(
            question=question,
            status=AnswerStatus.UNSURE if unsure else AnswerStatus.DECLINED,
            confidence=confidence,
            answer=None,
            suggestions=tuple(self._suggestions(matches)),
            did_you_mean=best.closest_question() if unsure and best else None,
        )

    def _input_problem(self, question: str) -> InputProblem | None:
        if not question.strip():
            return InputProblem.EMPTY
        if len(question) > self.policy.max_question_chars:
            return InputProblem.TOO_LONG
        if not tokens(question):
            return InputProblem.NO_WORDS
        return None

    def _citations(self, question: str, matches: list[FactMatch]) -> list[Citation]:
        best = matches[0]
        chosen = [best] + [
            m
            for m in matches[1:]
            if m.confidence >= self.policy.answer_threshold
            and m.confidence >= best.confidence - self.policy.companion_margin
        ]
        citations: list[Citation] = []
        seen: set[tuple[str, int, int]] = set()
        for rank, match in enumerate(chosen):
            spans = list(match.fact.spans)
            if rank == 0 and len(spans) > 1:
                spans = self._most_relevant_first(question, spans)
            for span in spans:
                key = (match.fact.source_id, span.start, span.end)
                if key in seen or len(citations) >= self.policy.max_quotes:
                    continue
                seen.add(key)
                citations.append(self._citation(match.fact, span))
        return citations

    def _is_filler(self, text: str) -> bool:
        """Whether ``text`` has nothing to look up ("Bot", "ok so", "hey there")."""
        return not self.retriever.analyse(text).terms

    def _most_relevant_first(self, question: str, spans: list[QuoteSpan]) -> list[QuoteSpan]:
        """Order a fact's quotes by how much of the question each covers (ties: curator order).

        A fact often pairs a speaker's introduction ("Rubio summed up the current stance.") with
        the words themselves; the quote that holds what was asked about should come first.
        """
        # Names and reporting verbs say who is involved, not which sentence holds the answer:
        # "Rubio summed up the current stance." names Rubio but says nothing about "will this
        # be quick?", and "suggesting peace could come by May" is not "has it proven simple?".
        names = self.retriever.attribution.names
        terms = [
            t
            for t in self.retriever.analyse(question).terms
            if t not in names and t not in REPORTING_VERBS
        ]
        relevance = [self.retriever.coverage_of(terms, span.text) for span in spans]
        order = sorted(range(len(spans)), key=lambda i: (-relevance[i], i))
        return [spans[i] for i in order]

    def _citation(self, fact: LoadedFact, span: QuoteSpan) -> Citation:
        source = self.knowledge.sources[fact.source_id]
        return Citation(
            quote=span.text,
            source=source.meta.id,
            source_label=source.meta.label,
            paragraph=span.paragraph.number,
            section=span.paragraph.section,
            is_caption=span.paragraph.is_caption and not span.is_heading,
            is_heading=span.is_heading,
            fact_id=fact.id,
        )

    def _suggestions(self, matches: list[FactMatch]) -> list[str]:
        suggestions: list[str] = []
        for match in matches:
            question = match.closest_question()
            if question not in suggestions:
                suggestions.append(question)
            if len(suggestions) >= self.policy.max_suggestions:
                return suggestions
        for featured in self.featured_questions():
            if featured not in suggestions:
                suggestions.append(featured)
            if len(suggestions) >= self.policy.max_suggestions:
                break
        return suggestions

    def featured_questions(self, count: int = 3) -> list[str]:
        """One example question from each of the first topics: what the bot is good for."""
        return self._featured[:count]

    def topics(self) -> dict[str, list[str]]:
        """Each topic with the first curated question of each of its facts, in file order."""
        return {topic: list(questions) for topic, questions in self._topics.items()}

    def paragraph(self, source_id: str, number: int) -> Paragraph | None:
        """Paragraph ``number`` (1-based) of a source, if both exist."""
        source = self.knowledge.sources.get(source_id)
        if source is None or not 1 <= number <= len(source.article.paragraphs):
            return None
        return source.article.paragraphs[number - 1]
