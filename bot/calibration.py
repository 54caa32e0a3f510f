"""Confidence that means the same on every article: a model fitted on labelled questions.

For each fact judged for a question (``bot.retrieval.Candidate``) the model reads the signals
(how much of the question the fact's words cover, how close it is in meaning, how far behind the
best fact it is, ...) and each answer check's verdict, and gives the probability that the fact's
quote answers the question. The engine ranks facts by it and shows it as the 0-100 confidence,
so one threshold serves an article a curator wrote 100 questions for and one nobody curated.

The model is an L2-regularised logistic regression over standardised features: small enough to
read (one weight per feature, printed by ``citebot calibrate``), fitted in a second by Newton's
method with NumPy, and stored as a small JSON file in the package (``bot/data/calibration.json``).
``citebot calibrate`` (see ``bot.calibrate``) refits it; a curator can point the engine at their
own file with ``CITEBOT_CALIBRATION_FILE``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.checks import CHECK_NAMES
from bot.retrieval import Candidate

SIGNAL_FEATURES = (
    "coverage",
    "coverage_gap",
    "question_match",
    "similarity",
    "meaning",
    "meaning_gap",
    "meaning_lift",
    "unknown_share",
    "missing_rare",
    "context_coverage",
    "meaning_rank",
    "coverage_rank",
    "hand_weighted",
    "content_terms",
    "curated",
    "semantic",
)
FEATURES = SIGNAL_FEATURES + tuple(f"fails_{name}" for name in CHECK_NAMES)
"""Every feature the model reads, in the order of its weights."""

FORMAT_VERSION = 2
_CURATED = FEATURES.index("curated")
CONTENT_TERMS_CAP = 8.0
"""Questions of more content words than this are all "long": the count only matters when low."""

Matrix = npt.NDArray[np.float64]


class CalibrationError(Exception):
    """The calibration file cannot be used (missing, unreadable, or for other features)."""


def features(candidate: Candidate) -> list[float]:
    """The model's input for one judged fact, in ``FEATURES`` order."""
    signals = candidate.signals
    values = [signals[name] for name in SIGNAL_FEATURES]
    values[SIGNAL_FEATURES.index("content_terms")] = min(
        signals["content_terms"], CONTENT_TERMS_CAP
    ) / CONTENT_TERMS_CAP
    values += [float(name in candidate.failed) for name in CHECK_NAMES]
    return values


CURATED_DECISION_FEATURES = ("hand_weighted",)
"""What the decision reads of a curated fact: the hand-weighted score alone. In 5-fold
cross-validation on the tune bank no other feature raised the AUROC of answerable vs
out-of-scope (0.984 with it alone): curated questions already carry what meaning adds."""

DECISION_FEATURES = (
    "hand_weighted",
    "fails_speaker",
    "unknown_share",
    "fails_answer_type",
    "missing_rare",
    "meaning",
    "similarity",
)
"""What the decision reads of the best-ranked fact. Chosen by forward selection on the
leave-one-article-out AUROC (answerable vs natural out-of-scope questions of articles the
model never saw): every other feature helps ranking facts against each other but not the
decision whether the best one answers."""


@dataclass(frozen=True)
class LinearModel:
    """Logistic regression over standardised features."""

    features: tuple[str, ...]
    mean: tuple[float, ...]
    scale: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    def _standardised(self, rows: Sequence[Sequence[float]]) -> Matrix:
        x = np.asarray(rows, dtype=np.float64)[:, [FEATURES.index(f) for f in self.features]]
        standardised: Matrix = (x - np.asarray(self.mean)) / np.asarray(self.scale)
        return standardised

    def probability(self, rows: Sequence[Sequence[float]]) -> Matrix:
        """P(label) for each full feature row (``FEATURES`` order)."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float64)
        logits: Matrix = self._standardised(rows) @ np.asarray(self.weights) + self.bias
        probabilities: Matrix = 1.0 / (1.0 + np.exp(-np.clip(logits, -40.0, 40.0)))
        return probabilities

    def contributions(self, row: Sequence[float]) -> dict[str, float]:
        """Each feature's push on the logit for one row (positive: towards yes)."""
        x = self._standardised([row])[0]
        return {
            name: float(value)
            for name, value in zip(self.features, x * np.asarray(self.weights), strict=True)
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "features": list(self.features),
            "mean": [round(v, 6) for v in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "weights": [round(v, 6) for v in self.weights],
            "bias": round(self.bias, 6),
        }

    @classmethod
    def from_dict(cls, raw: Any, origin: str) -> LinearModel:
        if not isinstance(raw, dict):
            raise CalibrationError(f"{origin}: malformed (a model must be an object)")
        names = raw.get("features")
        if not isinstance(names, list) or not names or any(n not in FEATURES for n in names):
            raise CalibrationError(
                f"{origin}: fitted for other features than this citebot reads (stale); "
                "refit it with `citebot calibrate`"
            )
        try:
            mean, scale, weights = (
                tuple(float(v) for v in raw[key]) for key in ("mean", "scale", "weights")
            )
            bias = float(raw["bias"])
        except (KeyError, TypeError, ValueError) as exc:
            raise CalibrationError(f"{origin}: malformed ({exc})") from None
        numbers = (*mean, *scale, *weights, bias)
        if (
            not all(len(v) == len(names) for v in (mean, scale, weights))
            or not all(math.isfinite(v) for v in numbers)
            or any(v <= 0 for v in scale)
        ):
            raise CalibrationError(f"{origin}: malformed (wrong lengths or non-finite numbers)")
        return cls(tuple(names), mean, scale, weights, bias)


@dataclass(frozen=True)
class Calibration:
    """The fitted decision models: P(a fact's quote answers the question), by kind of fact.

    The engine ranks a question's facts by it and answers with the best when it is high
    enough; ``confidence`` is what it shows on 0-100.
    """

    decider: LinearModel
    """Decides for facts a curator wrote questions for."""
    drafted_decider: LinearModel
    """Decides for facts drafted from an article nobody curated (no questions of their own):
    their signals mean other things (no curated question to match), so they get their own
    weights, fitted on uncurated articles."""
    fitted_on: dict[str, int] = field(default_factory=dict)
    """Questions per article it was fitted on, for the record."""

    def decider_for(self, row: Sequence[float]) -> LinearModel:
        """The decision model for a fact: curated, or drafted."""
        return self.decider if row[_CURATED] > 0.5 else self.drafted_decider

    def confidence(self, rows: Sequence[Sequence[float]]) -> Matrix:
        """P(the fact's quote answers the question), 0-1, for each row."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float64)
        curated = np.asarray(rows, dtype=np.float64)[:, _CURATED] > 0.5
        return np.where(
            curated, self.decider.probability(rows), self.drafted_decider.probability(rows)
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT_VERSION,
                "decider": self.decider.to_dict(),
                "drafted_decider": self.drafted_decider.to_dict(),
                "fitted_on": self.fitted_on,
            },
            indent=2,
        ) + "\n"

    @classmethod
    def from_json(cls, text: str, origin: str) -> Calibration:
        """Parse and check a calibration file; ``CalibrationError`` says what is wrong."""
        try:
            raw: Any = json.loads(text)
        except json.JSONDecodeError as exc:
            raise CalibrationError(
                f"{origin}: not valid JSON ({exc.msg}, line {exc.lineno})"
            ) from None
        if not isinstance(raw, dict) or raw.get("format") != FORMAT_VERSION:
            raise CalibrationError(
                f"{origin}: not a citebot calibration file of format {FORMAT_VERSION}; "
                "refit it with `citebot calibrate`"
            )
        try:
            fitted_on = {str(k): int(v) for k, v in dict(raw.get("fitted_on", {})).items()}
        except (TypeError, ValueError):
            raise CalibrationError(f"{origin}: malformed fitted_on") from None
        return cls(
            LinearModel.from_dict(raw.get("decider"), origin),
            LinearModel.from_dict(raw.get("drafted_decider"), origin),
            fitted_on,
        )


PACKAGED = "calibration.json"


def load_calibration(path: Path | None = None) -> Calibration:
    """The calibration at ``path``, or the one shipped in the package."""
    if path is None:
        text = resources.files("bot.data").joinpath(PACKAGED).read_text(encoding="utf-8")
        return Calibration.from_json(text, f"bot/data/{PACKAGED}")
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CalibrationError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise CalibrationError(f"{path}: cannot read ({exc})") from None
    return Calibration.from_json(text, str(path))


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    *,
    names: Sequence[str] = FEATURES,
    l2: float = 1.0,
    weights: Sequence[float] | None = None,
) -> LinearModel:
    """Fit a logistic regression on the ``names`` columns by Newton's method (exact, a few
    iterations). ``weights`` lets rows count for less (one article's many questions must not
    outweigh another article)."""
    columns = [FEATURES.index(n) for n in names]
    x = np.asarray(rows, dtype=np.float64)
    if x.ndim != 2 or x.shape[1] != len(FEATURES) or len(labels) != len(x):
        raise ValueError("one row of every feature per label is needed")
    x = x[:, columns]
    y = np.asarray(labels, dtype=np.float64)
    w = np.ones(len(y)) if weights is None else np.asarray(weights, dtype=np.float64)
    w = w * len(w) / w.sum()
    mean = (w @ x) / w.sum()
    scale = np.sqrt((w @ (x - mean) ** 2) / w.sum())
    scale[scale < 1e-9] = 1.0
    z = np.hstack([(x - mean) / scale, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = np.full(z.shape[1], l2)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-np.clip(z @ beta, -40.0, 40.0)))
        gradient = z.T @ (w * (p - y)) + penalty * beta
        hessian = (z.T * (w * p * (1 - p))) @ z + np.diag(penalty)
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return LinearModel(
        tuple(names),
        tuple(float(v) for v in mean),
        tuple(float(v) for v in scale),
        tuple(float(v) for v in beta[:-1]),
        float(beta[-1]),
    )
