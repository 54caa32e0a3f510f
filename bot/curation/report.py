"""``citebot report`` and ``/stats``: what people asked, what went unanswered, what helped.

Unanswered questions are grouped by similarity so that twenty phrasings of one missing fact show
up as one line with a count. Each question is normalised once by the engine's own analyser
(typos corrected towards the knowledge base, aliases, stems, no stopwords), then one RapidFuzz
``process.cdist`` call scores every pair with ``token_set_ratio``; groups form greedily around
the most-asked phrasing (a leader takes every ungrouped phrasing at least ``similarity`` alike),
which, unlike single-link clustering, cannot chain unrelated questions into one group.
"""

from __future__ import annotations

import re
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from bot.answers import AnswerEngine
from bot.recording import Channel, Recorder
from bot.store import StoredRecord
from bot.text import clean

DEFAULT_SIMILARITY = 80.0
MAX_GROUPED = 3000
"""At most this many distinct phrasings are grouped (the most asked); cdist is quadratic."""

LOW_CONFIDENCE_MARGIN = 10.0
"""Answers less than this far above the answer threshold are listed as low-confidence."""
DAY = 86_400.0

UNANSWERED = frozenset({"declined", "unsure"})
TYPING_WINDOW = 60.0
"""An inline query followed within this many seconds by a longer one it leads to is partial."""
Normaliser = Callable[[str], str]

_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([hdw])\s*$", re.IGNORECASE)
_UNITS = {"h": 3600.0, "d": 86_400.0, "w": 7 * 86_400.0}


class SinceError(ValueError):
    """``--since`` is neither a duration (7d, 12h, 2w) nor a date (2025-06-01)."""


def parse_since(text: str, now: float) -> float:
    """The start of the window: ``now`` minus a duration, or midnight UTC of a date."""
    match = _DURATION.match(text)
    if match:
        # Any window reaching before 1970 means "everything": no record is older.
        return max(0.0, now - float(match[1]) * _UNITS[match[2].lower()])
    try:
        day = datetime.strptime(text.strip(), "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError:
        raise SinceError(
            f"--since {text!r}: use a duration such as 7d, 12h or 2w, or a date such as 2025-06-01"
        ) from None
    return day.timestamp()


def engine_normaliser(engine: AnswerEngine) -> Normaliser:
    """Normalise as the engine reads questions; fall back to cleaned text if nothing is left."""

    def normalise(question: str) -> str:
        terms = engine.retriever.analyse(question).terms
        return " ".join(sorted(set(terms))) if terms else clean(question)

    return normalise


@dataclass(frozen=True, slots=True)
class Tally:
    asked: int = 0
    answered: int = 0

    @property
    def rate(self) -> float:
        return self.answered / self.asked if self.asked else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {"asked": self.asked, "answered": self.answered, "answer_rate": round(self.rate, 3)}


@dataclass(frozen=True, slots=True)
class QuestionGroup:
    """Near-duplicate questions: the most asked phrasing first, with how often each was asked."""

    phrasings: tuple[tuple[str, int], ...]
    last_asked: float

    @property
    def example(self) -> str:
        return self.phrasings[0][0]

    @property
    def count(self) -> int:
        return sum(n for _, n in self.phrasings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "example": self.example,
            "count": self.count,
            "phrasings": [{"question": q, "count": n} for q, n in self.phrasings],
            "last_asked": _iso(self.last_asked),
        }


@dataclass(frozen=True, slots=True)
class AnswerLine:
    """One question and the fact that answered it, with its confidence and votes."""

    question: str
    fact_id: str
    count: int
    confidence: float
    helpful: int = 0
    not_helpful: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question, "fact_id": self.fact_id, "count": self.count,
            "confidence": self.confidence, "helpful": self.helpful,
            "not_helpful": self.not_helpful,
        }


@dataclass(frozen=True, slots=True)
class FactLine:
    fact_id: str
    count: int
    helpful: int
    not_helpful: int

    def to_dict(self) -> dict[str, Any]:
        return {"fact_id": self.fact_id, "count": self.count, "helpful": self.helpful,
                "not_helpful": self.not_helpful}


@dataclass(frozen=True)
class Report:
    since: float | None
    until: float
    total: Tally
    by_channel: dict[str, Tally]
    by_day: dict[str, Tally]
    helpful: int
    not_helpful: int
    unanswered: list[QuestionGroup]
    unanswered_without_text: int
    low_confidence: list[AnswerLine]
    low_confidence_below: float
    not_helpful_answers: list[AnswerLine]
    top_facts: list[FactLine]
    not_grouped: int = 0
    notes: list[str] = field(default_factory=list)
    partial_inline: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "since": _iso(self.since) if self.since is not None else None,
            "until": _iso(self.until),
            "total": self.total.to_dict(),
            "by_channel": {k: v.to_dict() for k, v in self.by_channel.items()},
            "by_day": {k: v.to_dict() for k, v in self.by_day.items()},
            "votes": {"helpful": self.helpful, "not_helpful": self.not_helpful},
            "unanswered_groups": [g.to_dict() for g in self.unanswered],
            "unanswered_without_text": self.unanswered_without_text,
            "low_confidence_below": self.low_confidence_below,
            "low_confidence_answers": [a.to_dict() for a in self.low_confidence],
            "not_helpful_answers": [a.to_dict() for a in self.not_helpful_answers],
            "most_asked_facts": [f.to_dict() for f in self.top_facts],
            "partial_inline_queries_left_out": self.partial_inline,
        }


def _iso(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).isoformat(timespec="seconds")


def _day(timestamp: float) -> str:
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%d")


def group_questions(
    asked: Iterable[tuple[str, float]],
    normalise: Normaliser,
    similarity: float = DEFAULT_SIMILARITY,
) -> tuple[list[QuestionGroup], int]:
    """Group (question, asked_at) pairs by similarity; also return how many were not grouped.

    Identical phrasings (after trimming and case-folding) count together; the phrasing shown is
    the first one seen.
    """
    shown: dict[str, str] = {}
    counts: Counter[str] = Counter()
    last: dict[str, float] = {}
    for question, asked_at in asked:
        text = " ".join(question.split())
        if not text:
            continue
        key = text.casefold()
        shown.setdefault(key, text)
        counts[key] += 1
        last[key] = max(last.get(key, asked_at), asked_at)
    if not counts:
        return [], 0
    ordered = [key for key, _ in counts.most_common()]
    not_grouped = max(0, len(ordered) - MAX_GROUPED)
    ordered = ordered[:MAX_GROUPED]
    normalised = [normalise(shown[key]) for key in ordered]
    scores = process.cdist(
        normalised, normalised, scorer=fuzz.token_set_ratio, score_cutoff=similarity,
        dtype=np.uint8, workers=-1,
    )
    taken = np.zeros(len(ordered), dtype=bool)
    groups: list[QuestionGroup] = []
    for leader in range(len(ordered)):  # most asked first, so it leads its group
        if taken[leader]:
            continue
        members = np.flatnonzero((scores[leader] >= similarity) & ~taken)
        members = members[members != leader]
        taken[leader] = True
        taken[members] = True
        chosen = [leader, *members.tolist()]
        groups.append(
            QuestionGroup(
                tuple((shown[ordered[i]], counts[ordered[i]]) for i in chosen),
                max(last[ordered[i]] for i in chosen),
            )
        )
    groups.sort(key=lambda g: (-g.count, -g.last_asked))
    return groups, not_grouped


def _typed_on_the_way(earlier: str, later: str) -> bool:
    """Whether ``earlier`` is what someone had typed on the way to ``later``.

    Telegram sends an inline query at each pause in typing: "what did rub", then "what did
    rubio say". The last word may still be half typed, even mistyped ("rubip"), but it must be
    the start of the word that later stands there: "who is rubio" is not on the way to "who is
    zelenskyy".
    """
    typed, final = clean(earlier).split(), clean(later).split()
    if not typed or len(" ".join(typed)) >= len(" ".join(final)) or len(final) < len(typed):
        return False
    *head, last = typed
    if final[: len(head)] != head:
        return False
    target = final[len(head)]
    return target.startswith(last) or (
        len(last) >= 3 and Levenshtein.distance(last, target[: len(last)]) <= 1
    )


def without_partial_inline_queries(
    records: Sequence[StoredRecord],
) -> tuple[list[StoredRecord], int]:
    """The records without inline queries typed on the way to a later one by the same user."""
    last_inline: dict[str, StoredRecord] = {}
    partial: set[str] = set()
    for stored in sorted(records, key=lambda s: s.record.asked_at):
        record = stored.record
        if record.channel != Channel.INLINE or not record.user_key or not record.question:
            continue
        previous = last_inline.get(record.user_key)
        if (
            previous is not None
            and previous.record.question
            and record.asked_at - previous.record.asked_at <= TYPING_WINDOW
            and _typed_on_the_way(previous.record.question, record.question)
        ):
            partial.add(previous.record.id)
        last_inline[record.user_key] = stored
    return [s for s in records if s.record.id not in partial], len(partial)


def build_report(
    records: Sequence[StoredRecord],
    normalise: Normaliser,
    *,
    since: float | None,
    until: float | None = None,
    low_confidence_below: float,
    similarity: float = DEFAULT_SIMILARITY,
    limit: int = 20,
) -> Report:
    """Everything ``citebot report`` shows, from the records of one window.

    Inline queries typed on the way to a later one are left out of every figure (and counted).
    """
    until = until if until is not None else time.time()
    records, partial_inline = without_partial_inline_queries(records)
    total = [0, 0]
    by_channel: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    by_day: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    helpful = not_helpful = without_text = 0
    unanswered: list[tuple[str, float]] = []
    low: dict[tuple[str, str], list[float]] = defaultdict(list)
    unhelpful: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0, 0])
    facts: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for stored in records:
        record = stored.record
        answered = record.status == "answered"
        for tally in (total, by_channel[record.channel], by_day[_day(record.asked_at)]):
            tally[0] += 1
            tally[1] += answered
        helpful += stored.helpful
        not_helpful += stored.not_helpful
        if record.status in UNANSWERED:
            if record.question:
                unanswered.append((record.question, record.asked_at))
            else:
                without_text += 1
        if not answered or not record.fact_ids:
            continue
        fact_id = record.fact_ids[0]
        counted = facts[fact_id]
        counted[0] += 1
        counted[1] += stored.helpful
        counted[2] += stored.not_helpful
        question = record.question or "(question text not stored)"
        if record.confidence < low_confidence_below:
            low[(question, fact_id)].append(record.confidence)
        if stored.not_helpful:
            line = unhelpful[(question, fact_id)]
            line[0] += 1
            line[1] += stored.helpful
            line[2] += stored.not_helpful

    groups, not_grouped = group_questions(unanswered, normalise, similarity)
    low_lines = sorted(
        (AnswerLine(q, f, len(c), min(c)) for (q, f), c in low.items()),
        key=lambda a: (a.confidence, -a.count),
    )
    unhelpful_lines = sorted(
        (AnswerLine(q, f, n, 0.0, up, down) for (q, f), (n, up, down) in unhelpful.items()),
        key=lambda a: (-(a.not_helpful - a.helpful), -a.not_helpful),
    )
    fact_lines = sorted(
        (FactLine(f, n, up, down) for f, (n, up, down) in facts.items()),
        key=lambda f: (-f.count, f.fact_id),
    )
    return Report(
        since=since,
        until=until,
        total=Tally(*total),
        by_channel={k: Tally(*v) for k, v in sorted(by_channel.items())},
        by_day={k: Tally(*v) for k, v in sorted(by_day.items())},
        helpful=helpful,
        not_helpful=not_helpful,
        unanswered=groups[:limit],
        unanswered_without_text=without_text,
        low_confidence=low_lines[:limit],
        low_confidence_below=low_confidence_below,
        not_helpful_answers=unhelpful_lines[:limit],
        top_facts=fact_lines[:limit],
        not_grouped=not_grouped,
        partial_inline=partial_inline,
    )


def _percent(tally: Tally) -> str:
    return f"{tally.rate:.0%}" if tally.asked else "–"


def format_report(report: Report) -> str:
    """The report as plain text for the console."""
    window = (
        f"since {_iso(report.since)}" if report.since is not None else "all records"
    )
    lines = [f"citebot report: {window} (times in UTC)"]
    total = report.total
    lines.append(f"Questions: {total.asked}, answered {total.answered} ({_percent(total)})")
    if not total.asked:
        lines.append("Nothing was recorded in this window.")
        return "\n".join(lines)
    lines.append(
        "By channel: "
        + " · ".join(
            f"{name} {t.asked} (answered {_percent(t)})" for name, t in report.by_channel.items()
        )
    )
    lines.append("By day:")
    for day, tally in report.by_day.items():
        lines.append(f"  {day}  {tally.asked:>5} asked  {tally.answered:>5} answered "
                     f"({_percent(tally)})")
    lines.append(f"Feedback: {report.helpful} helpful, {report.not_helpful} not helpful")
    if report.partial_inline:
        lines.append(f"Left out: {report.partial_inline} inline queries typed on the way to a "
                     "longer one")

    count = sum(g.count for g in report.unanswered)
    lines += ["", f"Unanswered questions, grouped ({count} in the top {len(report.unanswered)} "
              "groups):"]
    for group in report.unanswered:
        lines.append(f"  {group.count:>4}×  {group.example}")
        others = [f"“{q}” ({n})" for q, n in group.phrasings[1:6]]
        if others:
            more = len(group.phrasings) - 6
            lines.append("         also: " + ", ".join(others) + (f", +{more} more" if more > 0
                                                                    else ""))
    if report.unanswered_without_text:
        lines.append(f"  {report.unanswered_without_text} unanswered questions were recorded "
                     "without their text (CITEBOT_STORE_QUESTION_TEXT=false)")
    if report.not_grouped:
        lines.append(f"  ({report.not_grouped} rarer phrasings were not grouped)")
    if not report.unanswered and not report.unanswered_without_text:
        lines.append("  none")

    lines += _section(
        f"Low-confidence answers (below {report.low_confidence_below:.0f}):",
        [f"  {line.confidence:5.1f}  {line.question}  → {line.fact_id}"
         + (f"  ({line.count}×)" if line.count > 1 else "") for line in report.low_confidence],
    )
    lines += _section(
        "Answers voted not helpful:",
        [f"  {line.not_helpful} not helpful / {line.helpful} helpful  "
         f"{line.question}  → {line.fact_id}" for line in report.not_helpful_answers],
    )
    lines += _section(
        "Most-asked facts:",
        [f"  {fact.count:>5}  {fact.fact_id}  (helpful {fact.helpful}, "
         f"not helpful {fact.not_helpful})" for fact in report.top_facts],
    )
    return "\n".join(lines)


def _section(title: str, rows: list[str]) -> list[str]:
    """A blank line, the title, then the rows or "none"."""
    return ["", title, *(rows or ["  none"])]


def recent_report(
    recorder: Recorder, engine: AnswerEngine, days: int = 7, limit: int = 5
) -> Report:
    """The report on the last ``days`` days (for /stats). Blocks: run it in a thread."""
    now = time.time()
    since = now - days * DAY
    return build_report(
        recorder.read(since),
        engine_normaliser(engine),
        since=since,
        until=now,
        low_confidence_below=engine.policy.answer_threshold + LOW_CONFIDENCE_MARGIN,
        limit=limit,
    )
