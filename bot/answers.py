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

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ConfigDict

from bot.article import Paragraph
from bot.attribution import REPORTING_VERB_STEMS
from bot.calibration import Calibration, features, load_calibration
from bot.checks import CHECK_NAMES
from bot.knowledge import KnowledgeBase, LoadedFact, QuoteSpan, load_knowledge
from bot.language import english
from bot.retrieval import (
    Candidate,
    Retriever,
    ScoringWeights,
)
from bot.semantic import EmbeddingCache, Encoder, Vectors, default_encoder
from bot.text import clean, question_parts, tokens


class AnswerStatus(StrEnum):
    ANSWERED = "answered"
    UNSURE = "unsure"
    DECLINED = "declined"
    INVALID = "invalid"
    SMALL_TALK = "small_talk"
    """Greetings, thanks, "how are you": a friendly line about what the bot is for."""
    UNCLEAR = "unclear"
    """A question that names nothing ("why?", "who said that?"): asked what it means."""


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


class TracedFact(BaseModel):
    """One fact the engine judged for a question, and why it got its confidence."""

    model_config = ConfigDict(frozen=True)

    fact_id: str
    source: str
    part: str
    """The part of the message it was judged against (the whole message, or one question)."""
    confidence: float
    signals: dict[str, float]
    checks: dict[str, str]
    """Each answer check that applies to the question: "passes" or "fails"."""
    contributions: dict[str, float]
    """Each feature's push on the calibrated model's logit (positive: towards answering)."""


class Trace(BaseModel):
    """Why a question was answered or declined (``citebot ask --explain``)."""

    model_config = ConfigDict(frozen=True)

    question_parts: tuple[str, ...]
    facts: tuple[TracedFact, ...] = ()
    decision: str = ""


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
    trace: Trace | None = None

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
        } | ({"trace": self.trace.model_dump(mode="json")} if self.trace is not None else {})


@dataclass(frozen=True, slots=True)
class AnswerPolicy:
    """Thresholds (on the calibrated 0-100 confidence) and limits; see README."""

    answer_threshold: float = 60.0
    suggest_threshold: float = 40.0
    max_quotes: int = 3
    max_suggestions: int = 3
    companion_margin: float = 8.0
    max_question_chars: int = 1000


HAND_WEIGHTED_POLICY = AnswerPolicy(answer_threshold=56.0, suggest_threshold=40.0)
"""The thresholds the hand-weighted engine was tuned with (the benchmark's baseline)."""


class Scoring(StrEnum):
    CALIBRATED = "calibrated"
    """Facts ranked and judged by the fitted model over all signals (the default)."""
    HAND_WEIGHTED = "hand-weighted"
    """The engine before calibration: a hand-set blend of word signals and fixed penalties."""


TRACE_CANDIDATES = 5
"""How many judged facts an answer's trace lists."""


@dataclass(frozen=True, slots=True)
class _Scored:
    """One judged fact of one source for one part of the question, with its confidence."""

    candidate: Candidate
    source_id: str
    part: str
    confidence: float
    row: tuple[float, ...]

    @property
    def fact(self) -> LoadedFact:
        return self.candidate.fact

    def closest_question(self) -> str:
        return self.candidate.closest_question()


class AnswerEngine:
    """Answers questions from a knowledge base; knows nothing about Telegram.

    Each source (article) has its own index with its own vocabulary (its aliases, its word
    rarities), so a question about one article is judged the same whatever else is loaded;
    the calibrated confidence makes the sources' answers comparable.
    """

    def __init__(
        self,
        knowledge: KnowledgeBase,
        policy: AnswerPolicy | None = None,
        weights: ScoringWeights | None = None,
        *,
        scoring: Scoring = Scoring.CALIBRATED,
        calibration: Calibration | None = None,
        encoder: Encoder | None = None,
        use_meaning: bool = True,
        cache: EmbeddingCache | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> None:
        self.knowledge = knowledge
        self.scoring = scoring
        if policy is None:
            policy = HAND_WEIGHTED_POLICY if scoring is Scoring.HAND_WEIGHTED else AnswerPolicy()
        self.policy = policy
        self.calibration = calibration or (
            load_calibration() if scoring is Scoring.CALIBRATED else None
        )
        self.retrievers: dict[str, Retriever] = {
            source_id: Retriever(knowledge.for_source(source_id), weights)
            for source_id in knowledge.sources
        }
        self.encoder: Encoder | None = None
        if use_meaning and scoring is Scoring.CALIBRATED:
            self.encoder = encoder or default_encoder()
            store = cache or EmbeddingCache(None)
            for retriever in self.retrievers.values():
                retriever.set_meaning_vectors(
                    store.vectors(self.encoder, retriever.meaning_texts(), progress=progress)
                )
        grouped: dict[str, list[str]] = {}
        for loaded in knowledge.facts:
            first = loaded.fact.questions[0] if loaded.fact.questions else None
            if first is not None:
                grouped.setdefault(loaded.fact.topic, []).append(first)
        self._topics = grouped
        curated = [q for source in knowledge.sources.values() for q in source.meta.examples]
        self._featured = curated or [questions[0] for questions in grouped.values()]

    @property
    def retriever(self) -> Retriever:
        """The first source's index (the only one in a single-article knowledge base)."""
        return next(iter(self.retrievers.values()))

    @classmethod
    def from_directory(
        cls, directory: Path, policy: AnswerPolicy | None = None
    ) -> AnswerEngine:
        """Load and validate ``directory`` and build an engine over it."""
        return cls(load_knowledge(directory), policy)

    def answer(self, question: str, *, explain: bool = False) -> Answer:
        """Answer one question. Never raises for any string input.

        With ``explain`` the answer carries its trace: the facts judged, their signals, each
        check's verdict and the confidence (``citebot ask --explain``).
        """
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
        conversational = self.conversational(question)
        if conversational is not None:
            return Answer(
                question=question,
                status=conversational,
                confidence=0.0,
                answer=None,
                suggestions=tuple(self.featured_questions()),
                trace=Trace(question_parts=(question,), decision=conversational.value)
                if explain
                else None,
            )
        parts = self.parts(question)
        ranked = self.rank(parts)
        best = ranked[0] if ranked else None
        confidence = best.confidence if best else 0.0
        answered = best is not None and confidence >= self.policy.answer_threshold
        unsure = not answered and best is not None and confidence >= self.policy.suggest_threshold
        trace = (
            self._trace(parts, ranked, self._decision(confidence, answered, unsure))
            if explain
            else None
        )
        if best is not None and answered:
            return Answer(
                question=question,
                status=AnswerStatus.ANSWERED,
                confidence=confidence,
                answer=best.fact.fact.answer,
                citations=tuple(self._citations(ranked)),
                trace=trace,
            )
        return Answer(
            question=question,
            status=AnswerStatus.UNSURE if unsure else AnswerStatus.DECLINED,
            confidence=confidence,
            answer=None,
            suggestions=tuple(self._suggestions(ranked)),
            did_you_mean=best.closest_question() if unsure and best else None,
            trace=trace,
        )

    def conversational(self, question: str) -> AnswerStatus | None:
        """Small talk ("hi bot, how are you?") or a question that names nothing ("why?")."""
        cleaned = clean(question)
        if english.SMALL_TALK.fullmatch(cleaned):
            return AnswerStatus.SMALL_TALK
        words = tokens(question)
        if words and all(
            w in english.CONTENT_FREE_WORDS or w in english.STOPWORDS for w in words
        ):
            return AnswerStatus.UNCLEAR
        return None

    def parts(self, question: str) -> list[str]:
        """The whole message, then the question parts of a chat message of several parts.

        In a chat message the question is one of its parts, usually the last; the chatter
        around it can drown it ("brb dinner... @bot who was at the Paris meeting?"). A part of
        one content word ("is it gonna work") is too thin alone.
        """
        parts = [question]
        for part in question_parts(question, is_filler=self._is_filler):
            if len(self.retriever.analyse(part).terms) >= 2 and part not in parts:
                parts.append(part)
        return parts

    def rank(self, parts: list[str], vectors: Vectors | None = None) -> list[_Scored]:
        """Every judged fact of every source for every part, most confident first."""
        if vectors is None and self.encoder is not None:
            vectors = self.encoder.queries(parts)
        scored: list[_Scored] = []
        for part_index, part in enumerate(parts):
            vector = vectors[part_index] if vectors is not None else None
            for source_id, retriever in self.retrievers.items():
                found = retriever.candidates(part, vector)
                if not found:
                    continue
                rows = [tuple(features(c)) for c in found]
                if self.calibration is not None:
                    confidences = np.round(100.0 * self.calibration.confidence(rows), 1)
                else:
                    confidences = np.asarray([c.hand_weighted for c in found])
                scored.extend(
                    _Scored(c, source_id, part, float(conf), row)
                    for c, conf, row in zip(found, confidences, rows, strict=True)
                )
        # Highest confidence first; ties go to the better-covered fact, then to file order.
        scored.sort(
            key=lambda s: (-s.confidence, -s.candidate.signals["coverage"], s.candidate.index)
        )
        return scored

    def _contributions(self, row: tuple[float, ...]) -> dict[str, float]:
        if self.calibration is None:
            return {}
        model = self.calibration.decider_for(row)
        return {k: round(v, 3) for k, v in model.contributions(row).items()}

    def _decision(self, confidence: float, answered: bool, unsure: bool) -> str:
        policy = self.policy
        if answered:
            return f"answered: confidence {confidence:.1f} >= {policy.answer_threshold:g}"
        if unsure:
            return (
                f"unsure: {policy.suggest_threshold:g} <= confidence {confidence:.1f} "
                f"< {policy.answer_threshold:g}"
            )
        return f"declined: confidence {confidence:.1f} < {policy.suggest_threshold:g}"

    def _trace(self, parts: list[str], ranked: list[_Scored], decision: str) -> Trace:
        judged: list[TracedFact] = []
        seen: set[str] = set()
        for scored in ranked:
            if scored.fact.id in seen:
                continue
            seen.add(scored.fact.id)
            candidate = scored.candidate
            judged.append(
                TracedFact(
                    fact_id=scored.fact.id,
                    source=scored.source_id,
                    part=scored.part,
                    confidence=scored.confidence,
                    signals={k: round(v, 3) for k, v in candidate.signals.items()},
                    checks={
                        name: ("fails" if name in candidate.failed else "passes")
                        for name in CHECK_NAMES
                        if name in candidate.applied
                    },
                    contributions=self._contributions(scored.row),
                )
            )
            if len(judged) == TRACE_CANDIDATES:
                break
        return Trace(question_parts=tuple(parts), facts=tuple(judged), decision=decision)

    def _input_problem(self, question: str) -> InputProblem | None:
        if not question.strip():
            return InputProblem.EMPTY
        if len(question) > self.policy.max_question_chars:
            return InputProblem.TOO_LONG
        if not tokens(question):
            return InputProblem.NO_WORDS
        return None

    def _citations(self, ranked: list[_Scored]) -> list[Citation]:
        best = ranked[0]
        chosen = [best] + [
            m
            for m in ranked[1:]
            if m.part == best.part
            and m.confidence >= self.policy.answer_threshold
            and m.confidence >= best.confidence - self.policy.companion_margin
        ]
        citations: list[Citation] = []
        seen: set[tuple[str, int, int]] = set()
        for rank, match in enumerate(chosen):
            spans = list(match.fact.spans)
            if rank == 0 and len(spans) > 1:
                spans = self._most_relevant_first(match, spans)
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

    def _most_relevant_first(self, match: _Scored, spans: list[QuoteSpan]) -> list[QuoteSpan]:
        """Order a fact's quotes by how much of the question each covers (ties: curator order).

        A fact often pairs a speaker's introduction ("Rubio summed up the current stance.") with
        the words themselves; the quote that holds what was asked about should come first.
        """
        # Names and reporting verbs say who is involved, not which sentence holds the answer:
        # "Rubio summed up the current stance." names Rubio but says nothing about "will this
        # be quick?", and "suggesting peace could come by May" is not "has it proven simple?".
        retriever = self.retrievers[match.source_id]
        names = retriever.attribution.names
        terms = [
            t
            for t in retriever.analyse(match.part).terms
            if t not in names and t not in REPORTING_VERB_STEMS
        ]
        relevance = [retriever.coverage_of(terms, span.text) for span in spans]
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

    def _suggestions(self, matches: list[_Scored]) -> list[str]:
        suggestions: list[str] = []
        for match in matches:
            if not match.fact.fact.questions:
                continue  # an uncurated fact has no question to offer
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
