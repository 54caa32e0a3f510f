"""Markdown rendering of benchmark results (printed to stdout, ready to paste into a README)."""

from __future__ import annotations

from collections.abc import Sequence

from benchmarks.evaluate import MethodRun
from benchmarks.scaling import ScalingResult
from benchmarks.stats import fmt_ms


def _row(cells: Sequence[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _ordered_kinds(runs: Sequence[MethodRun]) -> list[str]:
    """In-scope kinds first, then out-of-scope kinds, each in first-seen order."""
    in_scope: dict[str, None] = {}
    out_of_scope: dict[str, None] = {}
    for run in runs[:1]:
        for result in run.results:
            target = in_scope if result.question.in_scope else out_of_scope
            target.setdefault(result.question.kind, None)
    return [*in_scope, *(k for k in out_of_scope if k not in in_scope)]


def _share(right: int, total: int) -> str:
    return f"{100 * right / total:.1f}%" if total else "n/a"


def bank_table(runs: Sequence[MethodRun]) -> str:
    """Accuracy per kind, overall, out-of-scope answered rate and latency, one row per method."""
    kinds = _ordered_kinds(runs)
    counts = runs[0].by_kind() if runs else {}
    header = [
        "method",
        *(f"{k.replace('_', ' ')} (n={counts[k][1]})" for k in kinds),
        f"overall (n={len(runs[0].results) if runs else 0})",
        "OOS answered ↓",
        "median ms",
        "p99 ms",
    ]
    lines = [_row(header), _row(["---", *("---:" for _ in header[1:])])]
    for run in runs:
        by_kind = run.by_kind()
        answered, total = run.out_of_scope
        latency = run.latency
        right = sum(r.correct for r in run.results)
        lines.append(
            _row(
                [
                    run.method,
                    *(_share(*by_kind.get(k, (0, 0))) for k in kinds),
                    f"**{_share(right, len(run.results))}**",
                    f"{_share(answered, total)} ({answered}/{total})",
                    fmt_ms(latency.median_ms),
                    fmt_ms(latency.p99_ms),
                ]
            )
        )
    return "\n".join(lines)


def scaling_table(results: Sequence[ScalingResult]) -> str:
    header = [
        "facts",
        "sources",
        "files MB",
        "load s",
        "index s",
        "queries",
        "median ms",
        "p99 ms",
        "in-scope median / p99 ms",
        "OOS median / p99 ms",
        "in-scope right",
        "OOS answered",
    ]
    lines = [_row(header), _row(["---:" for _ in header])]
    for r in results:
        lines.append(
            _row(
                [
                    f"{r.facts:,}",
                    str(r.sources),
                    f"{r.megabytes:.1f}",
                    f"{r.load_seconds:.2f}",
                    f"{r.index_seconds:.2f}",
                    str(r.latency.count),
                    fmt_ms(r.latency.median_ms),
                    fmt_ms(r.latency.p99_ms),
                    f"{fmt_ms(r.in_scope_latency.median_ms)} / "
                    f"{fmt_ms(r.in_scope_latency.p99_ms)}",
                    f"{fmt_ms(r.out_of_scope_latency.median_ms)} / "
                    f"{fmt_ms(r.out_of_scope_latency.p99_ms)}",
                    _share(*r.in_scope_right),
                    _share(*r.out_of_scope_answered),
                ]
            )
        )
    return "\n".join(lines)
