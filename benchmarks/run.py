"""citebot benchmark: ``python -m benchmarks.run [--quick] [--json PATH]`` from the repo root.

In one process:

1. Answers the project's question banks (``questions/tune.json`` and ``questions/check.json``)
   with citebot's engine and two sentence-retrieval baselines whose answer thresholds are tuned
   on the tune bank: RapidFuzz ``token_set_ratio`` and BM25 (``bm25s``, optional extra
   ``bench``). The check bank is never used for tuning.
2. Prints, per bank and pooled, accuracy per question kind, overall accuracy, the out-of-scope
   answered rate and per-question latency (median, p99) as Markdown tables.
3. Scaling: generates synthetic knowledge bases of 1,000 and 10,000 facts as real knowledge
   files, loads them through ``bot.knowledge.load_knowledge`` and times ~300 queries
   (``--quick`` skips 10,000).

Progress goes to stderr; the report (Markdown) goes to stdout.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import sys
import time
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path
from typing import Any

from benchmarks.evaluate import MethodRun, run_bank, warm_up
from benchmarks.methods import (
    Bm25SentenceBaseline,
    EngineMethod,
    FuzzSentenceBaseline,
    Method,
    SentenceBaseline,
    bm25_available,
)
from benchmarks.report import bank_table, scaling_table
from benchmarks.scaling import QUERIES, ScalingResult, run_scaling
from benchmarks.typos import SLIPPED_KINDS, with_typing_slips
from benchmarks.uncurated import run_isolation, run_uncurated, start_up_seconds, uncurated_table
from bot.answers import AnswerEngine, Scoring
from bot.evaluation import BankError, BankQuestion, load_bank
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge
from bot.semantic import EmbeddingCache

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SEED = 20240601
SCALES_FULL = (1_000, 10_000)
SCALES_QUICK = (1_000,)


def _progress(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


def _environment() -> dict[str, Any]:
    return {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "rapidfuzz": _version("rapidfuzz"),
        "bm25s": _version("bm25s"),
        "numpy": _version("numpy"),
        "citebot": _version("citebot"),
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.run",
        description="citebot vs. tuned sentence baselines on the question bank, plus scaling.",
    )
    parser.add_argument("--quick", action="store_true", help="skip the 10,000-fact scaling run")
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write raw numbers here")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="synthetic data seed")
    parser.add_argument("--knowledge", type=Path, default=REPO / "knowledge")
    parser.add_argument("--tune", type=Path, default=REPO / "questions" / "tune.json")
    parser.add_argument("--check", type=Path, default=REPO / "questions" / "check.json")
    parser.add_argument(
        "--articles",
        type=Path,
        default=REPO.parent / "shared" / "articles",
        help="folders of uncurated articles (article.txt, questions.json); skipped if missing",
    )
    parser.add_argument("--article-banks", type=Path, default=REPO / "questions" / "articles")
    parser.add_argument(
        "--cache", type=Path, default=REPO / "data" / "cache", help="sentence-vector cache"
    )
    return parser.parse_args(argv)


def _issue_10_sections(
    args: argparse.Namespace, knowledge: KnowledgeBase, check_bank: list[BankQuestion]
) -> list[str]:
    cold, warm = start_up_seconds(args.knowledge)
    out = [
        "",
        "### Start-up",
        "",
        f"Loading and indexing the shipped knowledge: {cold:.1f} s with an empty vector cache "
        f"(every curated text is encoded once), {warm:.2f} s with a warm one.",
    ]
    article_dirs = sorted(p for p in args.articles.glob("*/") if (p / "article.txt").is_file())
    if not article_dirs:
        return [*out, "", f"_Articles nobody curated: skipped ({args.articles} not found)._"]
    _progress(f"isolation: check bank with {article_dirs[0].name} and {article_dirs[1].name}")
    isolation = run_isolation(knowledge, check_bank, article_dirs[:2])
    out += [
        "",
        "### Isolation",
        "",
        f"`questions/check.json` with the peace-talks article alone: "
        f"{isolation.alone[0]:.3f} right, {isolation.alone[1]:.1%} of out-of-scope answered; "
        f"with {' and '.join(isolation.others)} drafted beside it: "
        f"{isolation.together[0]:.3f} right, {isolation.together[1]:.1%} answered.",
    ]
    _progress("articles nobody curated (leave-one-article-out calibration)")
    figures = run_uncurated(
        args.knowledge, args.tune, article_dirs, [args.article_banks], args.cache, _progress
    )
    out += [
        "",
        "### Articles nobody curated",
        "",
        "Each article drafted one fact per sentence; citebot's decision model is fitted without "
        "that article (leave-one-article-out). \"Answerable right\" = the first citation holds "
        "SQuAD's answer and the question was answered; \"natural OOS\" are questions a curious "
        "reader asks that the article does not answer (written for the project, "
        "`questions/articles`); SQuAD's unanswerable questions are adversarial word swaps. "
        "AUROC: the confidence of right answers against that kind of out-of-scope question.",
        "",
        uncurated_table(figures),
    ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        tune_bank = load_bank(args.tune)
        check_bank = load_bank(args.check)
    except BankError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2

    _progress(f"loading {args.knowledge}")
    try:
        started = time.perf_counter()
        knowledge = load_knowledge(args.knowledge)
        load_seconds = time.perf_counter() - started
    except KnowledgeError as exc:
        print(f"error: knowledge base does not load:\n{exc}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    engine = AnswerEngine(knowledge, cache=EmbeddingCache(args.cache))
    index_seconds = time.perf_counter() - started

    methods: list[Method[Any]] = [
        EngineMethod(engine),
        EngineMethod(
            AnswerEngine(knowledge, scoring=Scoring.HAND_WEIGHTED), "citebot hand-weighted (before)"
        ),
    ]
    baselines: list[SentenceBaseline] = [FuzzSentenceBaseline(knowledge)]
    bm25_skip = bm25_available()
    if bm25_skip is None:
        baselines.append(Bm25SentenceBaseline(knowledge))
    for baseline in baselines:
        _progress(f"tuning the threshold of {baseline.name} on the tune bank")
        baseline.tune(tune_bank)
    methods.extend(baselines)
    thresholds = {
        b.name: {
            "threshold": b.threshold,
            "tune_accuracy": b.tuning.tune_accuracy if b.tuning else None,
            "score": b.score_label,
        }
        for b in baselines
    }

    slipped = with_typing_slips([*tune_bank, *check_bank], args.seed)
    runs: dict[str, list[MethodRun]] = {"tune": [], "check": [], "combined": [], "slips": []}
    for method in methods:
        _progress(f"answering {len(tune_bank) + len(check_bank)} questions with {method.name}")
        warm_up(method)
        tune_run = run_bank(method, tune_bank)
        check_run = run_bank(method, check_bank)
        runs["tune"].append(tune_run)
        runs["check"].append(check_run)
        runs["combined"].append(tune_run.pooled(check_run))
        _progress(f"answering {len(slipped)} questions with typing slips with {method.name}")
        runs["slips"].append(run_bank(method, slipped))

    sentences = sum(len(s.article.sentences) for s in knowledge.sources.values())
    env = _environment()
    out: list[str] = [
        "## citebot benchmark",
        "",
        f"Python {env['python']} on {env['platform']} ({env['cpus']} CPUs); "
        f"rapidfuzz {env['rapidfuzz']}, bm25s {env['bm25s']}, numpy {env['numpy']}.",
        f"Knowledge: {len(knowledge.sources)} source(s), {len(knowledge.facts)} facts, "
        f"{sentences} article sentences; loaded in {load_seconds:.3f} s, "
        f"engine index built in {index_seconds:.3f} s.",
        f"Banks: tune {len(tune_bank)} questions (baseline thresholds are tuned here), "
        f"check {len(check_bank)} questions (held out).",
        "",
        "Methods:",
        "",
    ]
    for method in methods:
        out.append(f"- **{method.name}**: {method.describe()}")
    if bm25_skip is not None:
        out.append(f"- **BM25 (bm25s) / sentences**: SKIPPED: {bm25_skip}")
    out += [
        "",
        "Right = the first citation contains an evidence string (for the baselines the citation "
        "is the chosen sentence); for out-of-scope questions right = declined. "
        "\"OOS answered\" = share of out-of-scope questions answered (lower is better). "
        "Latency = `time.perf_counter()` around each answer call after a warm-up; p99 by "
        "linear interpolation (with ~100 questions it is close to the slowest one).",
    ]
    titles = {
        "tune": f"tune bank ({len(tune_bank)} questions; baseline thresholds tuned here)",
        "check": f"check bank ({len(check_bank)} questions; held out)",
        "combined": f"tune + check ({len(tune_bank) + len(check_bank)} questions)",
    }
    for key, title in titles.items():
        out += ["", f"### {title}", "", bank_table(runs[key])]
    out += [
        "",
        f"### Typing slips (tune + check, {len(slipped)} questions)",
        "",
        f"Every answerable {', '.join(SLIPPED_KINDS)} question of both banks, lowercased without "
        "punctuation, as written (0 slips), with one slip and with two (a letter left out, "
        f"swapped, changed or added, in different words of 4+ letters; seed {args.seed}). "
        "Latency and out-of-scope columns do not apply to this table's questions.",
        "",
        bank_table(runs["slips"]),
    ]
    print("\n".join(out), flush=True)
    print("\n".join(_issue_10_sections(args, knowledge, check_bank)), flush=True)

    scales = SCALES_QUICK if args.quick else SCALES_FULL
    aliases = args.knowledge / "aliases.yaml"
    scaling: list[ScalingResult] = []
    del engine, methods, baselines
    for count in scales:
        gc.collect()
        _progress(f"scaling: generating and loading {count:,} synthetic facts")
        scaling.append(run_scaling(count, args.seed, aliases))
    lines = [
        "",
        "### Scaling (synthetic knowledge bases, citebot engine)",
        "",
        f"Generated with seed {args.seed} as real knowledge files (one fact per article "
        "sentence, ≤1,000 facts per source because the loader caps files at 5 MB; "
        f"aliases.yaml copied from the project), loaded with `load_knowledge` (\"load s\": "
        "read, parse, validate, locate quotes) and indexed by `AnswerEngine` (\"index s\"). "
        f"{QUERIES} queries: 2/3 derived from random facts with typos, dropped words and chat "
        "filler, 1/3 out of scope. \"in-scope right\" = first citation is the query's source "
        "sentence (a sanity check; generated questions are often ambiguous by design).",
        "",
        scaling_table(scaling),
    ]
    if args.quick:
        lines += ["", "_--quick: the 10,000-fact run was skipped._"]
    print("\n".join(lines), flush=True)

    if args.json:
        raw: dict[str, Any] = {
            "environment": env,
            "seed": args.seed,
            "knowledge": {
                "sources": len(knowledge.sources),
                "facts": len(knowledge.facts),
                "sentences": sentences,
                "load_seconds": load_seconds,
                "index_seconds": index_seconds,
            },
            "banks": {"tune": len(tune_bank), "check": len(check_bank)},
            "thresholds": thresholds,
            "bm25_skipped": bm25_skip,
            "results": {key: [r.to_dict() for r in value] for key, value in runs.items()},
            "scaling": [r.to_dict() for r in scaling],
        }
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(raw, indent=2, ensure_ascii=False) + "\n", "utf-8")
        _progress(f"raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
