"""Evaluating the engine on a question bank (the curator's "test all").

A bank is a JSON list of ``{"id", "question", "kind", "evidence"}``. A question with evidence is
right when the FIRST citation contains one of its evidence strings; a question whose evidence is
null is out of scope and right when the engine does not answer it.
"""

from __future__ import annotations

import itertools
import json
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, ValidationError

from bot.answers import Answer

Evidence = Annotated[str, StringConstraints(min_length=1)]


class BankQuestion(BaseModel):
    """One question of a bank, in the schema of the project's ``questions/*.json``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    question: str
    kind: Annotated[str, StringConstraints(min_length=1, max_length=50)]
    evidence: Annotated[list[Evidence], Field(min_length=1)] | None

    @property
    def in_scope(self) -> bool:
        return self.evidence is not None


_BANK = TypeAdapter(list[BankQuestion])


class BankError(Exception):
    """The question bank file cannot be used."""


def load_bank(path: Path) -> list[BankQuestion]:
    """Read and validate a question bank, with one clear error if it is unusable."""
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BankError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise BankError(f"{path}: cannot read: {exc}") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise BankError(f"{path}: invalid JSON at line {exc.lineno}, column {exc.colno}") from None
    try:
        bank = _BANK.validate_python(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        count = exc.error_count()
        raise BankError(f"{path}: {where}: {first['msg']} ({count} problem(s))") from None
    ids = [q.id for q in bank]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise BankError(f"{path}: duplicate ids: {', '.join(duplicates)}")
    return bank


def is_correct(question: BankQuestion, answer: Answer) -> bool:
    """The judging rule described in the module docstring."""
    if question.evidence is None:
        return not answer.answered
    if not answer.answered or not answer.citations:
        return False
    first = answer.citations[0].quote
    return any(evidence in first for evidence in question.evidence)


@dataclass(frozen=True, slots=True)
class Outcome:
    question: BankQuestion
    answer: Answer
    correct: bool
    seconds: float


@dataclass
class EvalReport:
    """Accuracy per kind, out-of-scope answered rate, misses and a calibration table."""

    outcomes: list[Outcome] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return sum(o.correct for o in self.outcomes) / len(self.outcomes) if self.outcomes else 0.0

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """kind -> (correct, total), in first-seen order."""
        table: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for o in self.outcomes:
            table[o.question.kind][0] += o.correct
            table[o.question.kind][1] += 1
        return {k: (v[0], v[1]) for k, v in table.items()}

    @property
    def out_of_scope_answered_rate(self) -> float:
        oos = [o for o in self.outcomes if not o.question.in_scope]
        return sum(o.answer.answered for o in oos) / len(oos) if oos else 0.0

    @property
    def misses(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.correct]

    def calibration(self, edges: Sequence[int] = (0, 20, 40, 50, 60, 70, 80, 90, 101)
                    ) -> list[tuple[str, int, float]]:
        """(confidence band, questions in band, share of them where answering would be right).

        "Right to answer" means the question is in scope and the best citation holds the evidence.
        """
        rows = []
        for low, high in itertools.pairwise(edges):
            band = [o for o in self.outcomes if low <= o.answer.confidence < high]
            if not band:
                continue
            good = sum(o.correct if o.answer.answered else o.question.in_scope for o in band)
            rows.append((f"{low}-{min(high, 100)}", len(band), good / len(band)))
        return rows

    def latencies_ms(self) -> list[float]:
        return sorted(o.seconds * 1000 for o in self.outcomes)


def evaluate(bank: Sequence[BankQuestion], answer: Callable[[str], Answer]) -> EvalReport:
    """Run every question of ``bank`` through ``answer``."""
    report = EvalReport()
    for question in bank:
        started = time.perf_counter()
        result = answer(question.question)
        elapsed = time.perf_counter() - started
        report.outcomes.append(Outcome(question, result, is_correct(question, result), elapsed))
    return report


def format_report(report: EvalReport, *, show_misses: bool = True) -> str:
    """Human-readable evaluation summary."""
    lines = [f"{'kind':<20} {'right':>5} {'total':>5} {'accuracy':>8}"]
    for kind, (right, total) in report.by_kind().items():
        lines.append(f"{kind:<20} {right:>5} {total:>5} {right / total:>8.2f}")
    total = len(report.outcomes)
    right = sum(o.correct for o in report.outcomes)
    lines.append(f"{'overall':<20} {right:>5} {total:>5} {report.accuracy:>8.2f}")
    lines.append(f"out-of-scope answered: {report.out_of_scope_answered_rate:.1%}")
    lines.append("")
    lines.append("calibration (confidence band: questions, share right to answer)")
    for band, count, share in report.calibration():
        lines.append(f"  {band:>7}: {count:>4}  {share:.2f}")
    if show_misses and report.misses:
        lines.append("")
        lines.append(f"misses ({len(report.misses)}):")
        for o in report.misses:
            got = (
                f"answered from {', '.join(o.answer.fact_ids)}: «{o.answer.citations[0].quote}»"
                if o.answer.answered and o.answer.citations
                else o.answer.status.value
            )
            expected = "decline" if o.question.evidence is None else " | ".join(o.question.evidence)
            lines.append(f"- [{o.question.id} {o.question.kind}] {o.question.question}")
            lines.append(f"    expected: {expected}")
            lines.append(f"    got:      {got} (confidence {o.answer.confidence:.0f})")
    return "\n".join(lines)
