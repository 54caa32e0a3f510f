"""Scaling run: the engine over synthetic knowledge bases loaded through the real loader."""

from __future__ import annotations

import gc
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from benchmarks.stats import Latency
from benchmarks.synthetic import Query, generate_knowledge, make_queries
from bot.answers import AnswerEngine
from bot.knowledge import load_knowledge

QUERIES = 300
WARMUP_QUERIES = 10


@dataclass(frozen=True, slots=True)
class ScalingResult:
    facts: int
    sources: int
    sentences: int
    megabytes: float
    generate_seconds: float
    load_seconds: float
    index_seconds: float
    latency: Latency
    in_scope_latency: Latency
    out_of_scope_latency: Latency
    in_scope_right: tuple[int, int]
    out_of_scope_answered: tuple[int, int]

    def to_dict(self) -> dict[str, Any]:
        return {
            "facts": self.facts,
            "sources": self.sources,
            "sentences": self.sentences,
            "megabytes": self.megabytes,
            "generate_seconds": self.generate_seconds,
            "load_seconds": self.load_seconds,
            "index_seconds": self.index_seconds,
            "latency": self.latency.to_dict(),
            "in_scope_latency": self.in_scope_latency.to_dict(),
            "out_of_scope_latency": self.out_of_scope_latency.to_dict(),
            "in_scope_right": {"right": self.in_scope_right[0], "total": self.in_scope_right[1]},
            "out_of_scope_answered": {
                "answered": self.out_of_scope_answered[0],
                "total": self.out_of_scope_answered[1],
            },
        }


def run_scaling(fact_count: int, seed: int, aliases: Path | None) -> ScalingResult:
    """Generate ``fact_count`` facts, load them, and time ``QUERIES`` answers."""
    with tempfile.TemporaryDirectory(prefix="citebot-bench-") as tmp:
        root = Path(tmp) / "knowledge"
        started = time.perf_counter()
        synthetic = generate_knowledge(root, fact_count, seed, aliases)
        generated = time.perf_counter() - started

        gc.collect()
        started = time.perf_counter()
        knowledge = load_knowledge(root)
        loaded = time.perf_counter() - started
        started = time.perf_counter()
        engine = AnswerEngine(knowledge)
        indexed = time.perf_counter() - started
        sentences = sum(len(s.article.sentences) for s in knowledge.sources.values())

    # Different seeds: the warm-up queries are not the measured ones.
    for query in make_queries(synthetic, WARMUP_QUERIES, seed + 1):
        engine.answer(query.text)
    queries = make_queries(synthetic, QUERIES, seed + 2)
    timings: list[tuple[Query, float, bool, bool]] = []
    for query in queries:
        started = time.perf_counter()
        answer = engine.answer(query.text)
        elapsed = time.perf_counter() - started
        right = (
            answer.answered
            and bool(answer.citations)
            and answer.citations[0].quote == query.expected_quote
        )
        timings.append((query, elapsed, answer.answered, right))

    in_scope = [t for t in timings if t[0].expected_quote is not None]
    out_of_scope = [t for t in timings if t[0].expected_quote is None]
    return ScalingResult(
        facts=len(knowledge.facts),
        sources=len(knowledge.sources),
        sentences=sentences,
        megabytes=synthetic.bytes_written / 1e6,
        generate_seconds=generated,
        load_seconds=loaded,
        index_seconds=indexed,
        latency=Latency.of([t[1] for t in timings]),
        in_scope_latency=Latency.of([t[1] for t in in_scope]),
        out_of_scope_latency=Latency.of([t[1] for t in out_of_scope]),
        in_scope_right=(sum(t[3] for t in in_scope), len(in_scope)),
        out_of_scope_answered=(sum(t[2] for t in out_of_scope), len(out_of_scope)),
    )
