"""Small statistics helpers shared by the benchmark reports."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True, slots=True)
class Latency:
    """Per-call latency summary in milliseconds."""

    count: int
    median_ms: float
    p99_ms: float
    max_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Latency:
        """Summarise per-call durations given in seconds (p99 by linear interpolation)."""
        if not seconds:
            return cls(0, 0.0, 0.0, 0.0)
        ms = np.asarray(seconds, dtype=np.float64) * 1000.0
        return cls(
            count=len(seconds),
            median_ms=float(np.percentile(ms, 50)),
            p99_ms=float(np.percentile(ms, 99)),
            max_ms=float(ms.max()),
        )

    def to_dict(self) -> dict[str, float | int]:
        return {
            "count": self.count,
            "median_ms": self.median_ms,
            "p99_ms": self.p99_ms,
            "max_ms": self.max_ms,
        }


def fmt_ms(value: float) -> str:
    """Milliseconds with a precision that suits the magnitude (µs-fast baselines included)."""
    if value < 0.1:
        return f"{value:.3f}"
    if value < 10:
        return f"{value:.2f}"
    return f"{value:.1f}"
