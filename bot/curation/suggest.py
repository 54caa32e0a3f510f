"""``citebot suggest``: from groups of missed questions to concrete edits of the fact base.

For each group of unanswered questions (and of answers voted not helpful) the engine's own
``Retriever`` finds the nearest fact. The rule, measured on the project's question bank (see
docs/curation.md):

* **add** the phrasings as alternate questions of fact F when F scores at least the suggest
  threshold (the "did you mean" band, 40 by default) *and* leads the next fact by at least
  ``ADD_MIN_MARGIN`` points: the article very likely answers it and the engine only missed the
  wording;
* **review** when F scores that well but another fact is within the margin: two facts compete
  and a person should choose;
* **new fact** otherwise: no fact comes close, so either the article says it and a fact (with its
  quotes) must be written by hand, or the article does not say it and the decline was right.

For a not-helpful answer, the fact that gave it is left out of the search: the question belongs
to another fact (add), or that fact's answer needs a look (review), or a new fact is needed.
Quotes are never suggested or written: only a curator can vouch that the article says a thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from bot.answers import AnswerEngine
from bot.curation.report import (
    DEFAULT_SIMILARITY,
    QuestionGroup,
    group_questions,
    without_partial_inline_queries,
)
from bot.curation.report import engine_normaliser as _normaliser
from bot.retrieval import FactMatch
from bot.store import StoredRecord

ADD_MIN_MARGIN = 5.0
MAX_QUESTION_CHARS = 300  # the knowledge loader's limit for one alternate question


class Decision(StrEnum):
    ADD = "add"
    REVIEW = "review"
    NEW_FACT = "new-fact"


class Origin(StrEnum):
    UNANSWERED = "unanswered"
    NOT_HELPFUL = "not-helpful"


@dataclass(frozen=True, slots=True)
class Suggestion:
    origin: Origin
    group: QuestionGroup
    decision: Decision
    fact_id: str | None
    """The nearest fact (the one to add to, for ADD)."""
    confidence: float
    runner_up: str | None
    runner_up_confidence: float
    questions: tuple[str, ...]
    """For ADD: the phrasings to add (each checked on its own against the same rule)."""
    voted_fact: str | None = None
    """For NOT_HELPFUL: the fact whose answer was voted not helpful."""

    @property
    def reason(self) -> str:
        if self.decision is Decision.ADD:
            return (f"nearest fact scores {self.confidence:.0f}, "
                    f"{self.confidence - self.runner_up_confidence:.0f} ahead of the next")
        if self.decision is Decision.REVIEW:
            return (f"{self.fact_id} ({self.confidence:.0f}) and {self.runner_up} "
                    f"({self.runner_up_confidence:.0f}) are too close to choose")
        return (f"no fact comes close (best {self.confidence:.0f}): add a fact if the article "
                "says it, otherwise the decline is right")

    def to_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin.value,
            "decision": self.decision.value,
            "fact_id": self.fact_id,
            "confidence": self.confidence,
            "runner_up": self.runner_up,
            "runner_up_confidence": self.runner_up_confidence,
            "voted_fact": self.voted_fact,
            "count": self.group.count,
            "example": self.group.example,
            "questions_to_add": list(self.questions),
            "reason": self.reason,
        }


class Suggester:
    """Applies the rule with one engine (its retriever and its suggest threshold)."""

    def __init__(self, engine: AnswerEngine, min_margin: float = ADD_MIN_MARGIN) -> None:
        self.engine = engine
        self.min_confidence = engine.policy.suggest_threshold
        self.min_margin = min_margin

    def _matches(self, question: str, exclude: str | None) -> list[FactMatch]:
        matches = self.engine.retriever.search(question, limit=4)
        return [m for m in matches if m.fact.id != exclude][:2]

    def judge(
        self, question: str, exclude: str | None = None
    ) -> tuple[Decision, FactMatch | None, FactMatch | None]:
        """The rule for one question: (decision, nearest match, runner-up)."""
        matches = self._matches(question, exclude)
        best = matches[0] if matches else None
        second = matches[1] if len(matches) > 1 else None
        if best is None or best.confidence < self.min_confidence:
            return Decision.NEW_FACT, best, second
        margin = best.confidence - (second.confidence if second else 0.0)
        return (Decision.ADD if margin >= self.min_margin else Decision.REVIEW), best, second

    def suggest(
        self, group: QuestionGroup, origin: Origin, voted_fact: str | None = None
    ) -> Suggestion:
        decision, best, second = self.judge(group.example, voted_fact)
        questions: list[str] = []
        if decision is Decision.ADD and best is not None:
            curated = {q.casefold() for q in best.fact.fact.questions}
            for phrasing, _ in group.phrasings:
                text = " ".join(phrasing.split())
                if not text or len(text) > MAX_QUESTION_CHARS or text.casefold() in curated:
                    continue
                own, own_best, _ = self.judge(text, voted_fact)
                same_fact = own_best is not None and own_best.fact.id == best.fact.id
                if own is Decision.ADD and same_fact:
                    questions.append(text)
                    curated.add(text.casefold())
        return Suggestion(
            origin=origin,
            group=group,
            decision=decision if questions or decision is not Decision.ADD else Decision.REVIEW,
            fact_id=best.fact.id if best else None,
            confidence=best.confidence if best else 0.0,
            runner_up=second.fact.id if second else None,
            runner_up_confidence=second.confidence if second else 0.0,
            questions=tuple(questions),
            voted_fact=voted_fact,
        )


def suggestions_from_records(
    records: Sequence[StoredRecord],
    engine: AnswerEngine,
    *,
    similarity: float = DEFAULT_SIMILARITY,
    min_count: int = 1,
    min_margin: float = ADD_MIN_MARGIN,
) -> list[Suggestion]:
    """Suggestions for the unanswered groups, then for the not-helpful ones, most asked first.

    A question that was unanswered then but is answered by the current knowledge base (someone
    already fixed it) is left out, and so is an inline query typed on the way to a longer one.
    """
    records, _ = without_partial_inline_queries(records)
    normalise = _normaliser(engine)
    suggester = Suggester(engine, min_margin)
    unanswered = [
        (s.record.question, s.record.asked_at)
        for s in records
        if s.record.status in ("declined", "unsure") and s.record.question
        and not engine.answer(s.record.question).answered
    ]
    found: list[Suggestion] = []
    groups, _ = group_questions(unanswered, normalise, similarity)
    for group in groups:
        if group.count >= min_count:
            found.append(suggester.suggest(group, Origin.UNANSWERED))

    by_fact: dict[str, list[tuple[str, float]]] = {}
    for stored in records:
        record = stored.record
        if record.question and record.fact_ids and stored.not_helpful > stored.helpful:
            by_fact.setdefault(record.fact_ids[0], []).append((record.question, record.asked_at))
    for fact_id, asked in sorted(by_fact.items()):
        groups, _ = group_questions(asked, normalise, similarity)
        for group in groups:
            if group.count >= min_count:
                found.append(suggester.suggest(group, Origin.NOT_HELPFUL, voted_fact=fact_id))
    return found


def additions(suggestions: Sequence[Suggestion]) -> dict[str, list[str]]:
    """fact id -> questions to add, from the ADD suggestions."""
    added: dict[str, list[str]] = {}
    for suggestion in suggestions:
        if suggestion.decision is Decision.ADD and suggestion.fact_id:
            target = added.setdefault(suggestion.fact_id, [])
            target += [q for q in suggestion.questions if q not in target]
    return added


def format_suggestions(suggestions: Sequence[Suggestion]) -> str:
    """The suggestions as plain text, one block per group."""
    if not suggestions:
        return "No unanswered or not-helpful questions to suggest anything for."
    lines: list[str] = []
    for s in suggestions:
        origin = "not helpful" if s.origin is Origin.NOT_HELPFUL else "unanswered"
        lines.append(f"{s.group.count}× {origin}: {s.group.example}")
        if s.voted_fact:
            lines.append(f"    answered by {s.voted_fact}, voted not helpful")
        if s.decision is Decision.ADD:
            lines.append(f"    ADD to {s.fact_id} ({s.reason}):")
            lines += [f"      - {q}" for q in s.questions]
        elif s.decision is Decision.REVIEW:
            lines.append(f"    REVIEW: {s.reason}")
        else:
            lines.append(f"    NEW FACT? {s.reason}")
    return "\n".join(lines)
