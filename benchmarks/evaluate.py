"""Running a method over a question bank, with per-question latency."""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from benchmarks.methods import Method
from benchmarks.stats import Latency
from bot.answers import Answer
from bot.evaluation import BankQuestion, is_correct

WARMUP_QUESTIONS = (
    "What is this about?",
    "hello there, anything new about the weather today?",
    "Who said what, and when?",
    "summary pls",
    "How many people were there?",
)
"""Asked before timing starts (and not scored); deliberately not taken from any bank."""


@dataclass(frozen=True, slots=True)
class QuestionResult:
    question: BankQuestion
    answer: Answer
    correct: bool
    seconds: float


@dataclass
class MethodRun:
    """One method's results on one bank (or on several banks pooled)."""

    method: str
    results: list[QuestionResult] = field(default_factory=list)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (right, total)."""
        table: dict[str, tuple[int, int]] = {}
        for r in self.results:
            right, total = table.get(r.question.kind, (0, 0))
            table[r.question.kind] = (right + r.correct, total + 1)
        return table

    @property
    def accuracy(self) -> float:
        return sum(r.correct for r in self.results) / len(self.results) if self.results else 0.0

    @property
    def out_of_scope(self) -> tuple[int, int]:
        """(answered, total) over out-of-scope questions."""
        oos = [r for r in self.results if not r.question.in_scope]
        return sum(r.answer.answered for r in oos), len(oos)

    @property
    def latency(self) -> Latency:
        return Latency.of([r.seconds for r in self.results])

    def pooled(self, other: MethodRun) -> MethodRun:
        return MethodRun(self.method, [*self.results, *other.results])

    def to_dict(self) -> dict[str, Any]:
        answered, oos_total = self.out_of_scope
        return {
            "method": self.method,
            "questions": len(self.results),
            "accuracy": self.accuracy,
            "by_kind": {k: {"right": r, "total": t} for k, (r, t) in self.by_kind().items()},
            "out_of_scope_answered": answered,
            "out_of_scope_total": oos_total,
            "out_of_scope_answered_rate": answered / oos_total if oos_total else 0.0,
            "latency": self.latency.to_dict(),
            "misses": [r.question.id for r in self.results if not r.correct],
        }


def warm_up(method: Method[Any], questions: Iterable[str] = WARMUP_QUESTIONS) -> None:
    for question in questions:
        method.respond(question)


def run_bank(method: Method[Any], bank: Sequence[BankQuestion]) -> MethodRun:
    """Answer every bank question once, timing only ``method.respond``."""
    run = MethodRun(method.name)
    for question in bank:
        started = time.perf_counter()
        raw = method.respond(question.question)
        elapsed = time.perf_counter() - started
        answer = method.to_answer(question.question, raw)
        run.results.append(QuestionResult(question, answer, is_correct(question, answer), elapsed))
    return run
