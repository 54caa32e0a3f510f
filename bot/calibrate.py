"""Fitting the confidence model (``citebot calibrate``) and measuring it article by article.

Training data are question banks over knowledge bases: the project's curated article with its
tune bank, and articles nobody curated (each drafted one fact per sentence, ``bot.draft``) with
crowd-written questions and natural out-of-scope questions. For every question the engine's
candidates are judged; a candidate is labelled "answers" when the question is in scope and one
of the fact's quotes holds the bank's evidence.

Fitting is grouped by article: ``leave_one_article_out`` refits the model without each article
and measures that article with it, which is how the README's per-article figures are made (the
model cannot have memorised an article it never saw).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.answers import AnswerEngine, AnswerPolicy
from bot.calibration import (
    CURATED_DECISION_FEATURES,
    DECISION_FEATURES,
    FEATURES,
    Calibration,
    LinearModel,
    fit,
)
from bot.draft import draft_source, knowledge_of
from bot.evaluation import BankQuestion, load_bank
from bot.knowledge import AliasFile, KnowledgeBase, load_knowledge, read_alias_file
from bot.semantic import EmbeddingCache, Encoder


def flat_model(names: Sequence[str]) -> LinearModel:
    """A model that says 50 to everything (all weights zero)."""
    zeros = tuple(0.0 for _ in names)
    return LinearModel(tuple(names), zeros, tuple(1.0 for _ in names), zeros, 0.0)


Log = Callable[[str], None]

NEUTRAL = Calibration(flat_model(DECISION_FEATURES), flat_model(DECISION_FEATURES))
"""A model that says 50 to everything: used while collecting features, before any fit."""



@dataclass
class QuestionRows:
    """One bank question: the feature rows of its judged facts and whether each answers it."""

    question: BankQuestion
    rows: list[tuple[float, ...]]
    labels: list[int]
    conversational: bool = False


@dataclass
class Article:
    """One knowledge base with its questions (one group of the grouped fit)."""

    name: str
    questions: list[QuestionRows] = field(default_factory=list)
    curated: bool = False
    """A curated knowledge base: its decision model is fitted on it alone, so it cannot be
    left out (its figures come from its held-out bank instead)."""


def _answers(question: BankQuestion, quotes: Sequence[str]) -> int:
    if question.evidence is None:
        return 0
    return int(any(e in quote for e in question.evidence for quote in quotes))


def collect(
    engine: AnswerEngine,
    bank: Sequence[BankQuestion],
    *,
    cache: EmbeddingCache | None = None,
) -> list[QuestionRows]:
    """The judged facts of every question of ``bank``, with their labels."""
    found: list[QuestionRows] = []
    parts = [engine.parts(q.question) for q in bank]
    if cache is not None and engine.encoder is not None:
        # One batch for the whole bank (and the cache for the next run).
        cache.vectors(engine.encoder, [p for ps in parts for p in ps], queries=True)
    for question, question_parts in zip(bank, parts, strict=True):
        if engine.conversational(question.question) is not None:
            found.append(QuestionRows(question, [], [], conversational=True))
            continue
        vectors = (
            cache.vectors(engine.encoder, question_parts, queries=True)
            if cache is not None and engine.encoder is not None
            else None
        )
        ranked = engine.rank(question_parts, vectors)
        found.append(
            QuestionRows(
                question,
                [s.row for s in ranked],
                [_answers(question, s.fact.fact.quotes) for s in ranked],
            )
        )
    return found


def fit_articles(articles: Sequence[Article], *, l2: float = 1.0) -> Calibration:
    """Fit the decision models on every question of ``articles``, each article weighing the
    same.

    A decision is about the best fact of a question, so the models learn from that fact only.
    Which fact is best is first judged by a helper model fitted on every judged fact (which of
    a question's facts answers it); the decision models then learn from each question's best
    by it, curated and drafted facts apart.
    """
    rows: list[tuple[float, ...]] = []
    labels: list[int] = []
    weights: list[float] = []
    for article in articles:
        usable = [q for q in article.questions if q.rows]
        for q in usable:
            rows += q.rows
            labels += q.labels
            # Each question weighs 1 within its article, each article the same.
            weights += [1.0 / len(q.rows) / len(usable)] * len(q.rows)
    helper = fit(rows, labels, l2=l2, weights=weights)
    tops: dict[bool, tuple[list[tuple[float, ...]], list[int], list[float]]] = {
        True: ([], [], []),
        False: ([], [], []),
    }
    for article in articles:
        usable = [q for q in article.questions if q.rows]
        for q in usable:
            top = int(np.argmax(helper.probability(q.rows)))
            curated = q.rows[top][FEATURES.index("curated")] > 0.5
            top_rows, top_labels, top_weights = tops[curated]
            top_rows.append(q.rows[top])
            top_labels.append(q.labels[top])
            top_weights.append(1.0 / len(usable))

    def decider(curated: bool) -> LinearModel:
        top_rows, top_labels, top_weights = tops[curated]
        if len(set(top_labels)) < 2:
            return flat_model(DECISION_FEATURES)  # nothing of this kind to learn from: always 50
        names = CURATED_DECISION_FEATURES if curated else DECISION_FEATURES
        return fit(top_rows, top_labels, names=names, l2=l2, weights=top_weights)

    return Calibration(decider(True), decider(False), {a.name: len(a.questions) for a in articles})


@dataclass(frozen=True)
class Score:
    """How a model does on one article's questions (the decision: best candidate >= 50)."""

    answerable: int
    answerable_right: int
    out_of_scope: dict[str, tuple[int, int]]
    """kind -> (answered, total) for out-of-scope kinds."""
    auroc: dict[str, float]
    """kind -> AUROC of the best fact's confidence: answerable questions whose best fact
    answers them, against that out-of-scope kind."""

    @property
    def answerable_rate(self) -> float:
        return self.answerable_right / self.answerable if self.answerable else 0.0


def auroc(positives: Sequence[float], negatives: Sequence[float]) -> float:
    """P(a random positive scores above a random negative); NaN without one of each."""
    if not positives or not negatives:
        return float("nan")
    pos = np.asarray(positives)[:, None]
    neg = np.asarray(negatives)[None, :]
    return float(((pos > neg).sum() + 0.5 * (pos == neg).sum()) / (pos.size * neg.size))


def score(
    calibration: Calibration,
    questions: Sequence[QuestionRows],
    threshold: float = AnswerPolicy().answer_threshold,
) -> Score:
    """Measure ``calibration`` on collected questions without re-running the engine."""
    answerable = right = 0
    oos: dict[str, list[int]] = {}
    best_in: list[float] = []
    best_out: dict[str, list[float]] = {}
    for q in questions:
        if q.rows:
            confidences = calibration.confidence(q.rows)
            top = int(np.argmax(confidences))
            best = float(100.0 * confidences[top])
            answers = q.labels[top]
        else:
            best, answers = 0.0, 0
        answered = best >= threshold
        if q.question.in_scope:
            answerable += 1
            right += int(answered and bool(answers))
            if answers:  # the AUROC compares right answers with out-of-scope questions
                best_in.append(best)
        else:
            counts = oos.setdefault(q.question.kind, [0, 0])
            counts[0] += int(answered)
            counts[1] += 1
            best_out.setdefault(q.question.kind, []).append(best)
    return Score(
        answerable,
        right,
        {k: (v[0], v[1]) for k, v in oos.items()},
        {k: auroc(best_in, v) for k, v in best_out.items()},
    )


def leave_one_article_out(
    articles: Sequence[Article], *, l2: float = 1.0
) -> dict[str, Score]:
    """Each uncurated article measured with a model fitted on all the others."""
    return {
        article.name: score(
            fit_articles([a for a in articles if a is not article], l2=l2), article.questions
        )
        for article in articles
        if not article.curated
    }


# --- the articles the project calibrates on ------------------------------------------------


def drafted_knowledge(article_dir: Path, aliases: AliasFile) -> KnowledgeBase:
    """An article folder (``article.txt``) drafted one fact per sentence, uncurated."""
    name = article_dir.name
    text = (article_dir / "article.txt").read_text(encoding="utf-8")
    source = draft_source(text, name, name.replace("-", " "), article_dir)
    return knowledge_of([source], aliases, article_dir)


def shared_aliases(knowledge_dir: Path) -> AliasFile:
    """The language-wide aliases of a knowledge directory (no article's own)."""
    path = knowledge_dir / "aliases.yaml"
    if not path.exists():
        return AliasFile()
    aliases, problems = read_alias_file(path, str(path))
    if problems:
        raise SystemExit("\n".join(str(p) for p in problems))
    return aliases


def article_banks(article_dir: Path, extra_dirs: Sequence[Path]) -> list[BankQuestion]:
    """An article folder's ``questions.json`` plus ``<folder name>*.json`` from ``extra_dirs``
    (the natural out-of-scope questions the project's curators wrote for it)."""
    bank = load_bank(article_dir / "questions.json")
    for directory in extra_dirs:
        for path in sorted(directory.glob(f"{article_dir.name}*.json")):
            bank += load_bank(path)
    return bank


def build_articles(
    knowledge_dir: Path,
    banks: Sequence[Path],
    article_dirs: Sequence[Path],
    extra_bank_dirs: Sequence[Path],
    *,
    encoder: Encoder | None,
    cache: EmbeddingCache,
    log: Log = lambda _: None,
) -> list[Article]:
    """Every article of the calibration with its collected questions."""
    articles: list[Article] = []
    if banks:
        engine = AnswerEngine(
            load_knowledge(knowledge_dir), calibration=NEUTRAL, encoder=encoder, cache=cache
        )
        bank = [q for path in banks for q in load_bank(path)]
        log(f"{knowledge_dir}: {len(bank)} questions")
        articles.append(
            Article(knowledge_dir.name, collect(engine, bank, cache=cache), curated=True)
        )
    aliases = shared_aliases(knowledge_dir)
    for article_dir in article_dirs:
        engine = AnswerEngine(
            drafted_knowledge(article_dir, aliases),
            calibration=NEUTRAL,
            encoder=encoder,
            cache=cache,
        )
        bank = article_banks(article_dir, extra_bank_dirs)
        log(f"{article_dir.name}: {len(engine.knowledge.facts)} facts, {len(bank)} questions")
        articles.append(Article(article_dir.name, collect(engine, bank, cache=cache)))
    return articles


def format_scores(scores: dict[str, Score]) -> str:
    """The leave-one-article-out table."""
    lines = [
        f"{'article':<40} {'answerable right':>16} {'oos answered (kind)':>40} {'AUROC':>22}"
    ]
    for name, s in scores.items():
        oos = ", ".join(f"{k} {a}/{t}" for k, (a, t) in s.out_of_scope.items())
        auc = ", ".join(f"{k[15:] or k} {v:.2f}" for k, v in s.auroc.items())
        lines.append(
            f"{name:<40} {s.answerable_rate:>10.2f} ({s.answerable:>4}) {oos:>40} {auc:>22}"
        )
    return "\n".join(lines)


def write_calibration(calibration: Calibration, output: Path) -> None:
    output.write_text(calibration.to_json(), encoding="utf-8")


def describe(calibration: Calibration) -> str:
    """The fitted weights, largest first: what each model learned to trust."""
    lines: list[str] = []
    for title, model in (
        ("decision, curated facts", calibration.decider),
        ("decision, drafted facts", calibration.drafted_decider),
    ):
        lines.append(f"{title} (standardised features; + pushes towards yes):")
        pairs = sorted(zip(model.features, model.weights, strict=True), key=lambda p: -abs(p[1]))
        lines += [f"  {name:<18} {weight:+.2f}" for name, weight in pairs]
        lines.append(f"  {'(bias)':<18} {model.bias:+.2f}")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:  # pragma: no cover - thin wrapper
    from bot.cli import main as cli_main

    return cli_main(["calibrate", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())

