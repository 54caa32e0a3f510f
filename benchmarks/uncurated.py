"""Articles nobody curated, isolation and start-up: the parts of the benchmark about issue 10.

* Each article of ``../shared/articles`` is drafted one fact per sentence (``bot.draft``) and
  asked its SQuAD questions plus the natural out-of-scope questions the project's curators
  wrote for it (``questions/articles``). citebot's figures come from a model fitted WITHOUT that
  article (leave-one-article-out, ``bot.calibrate``); the hand-weighted engine (before
  calibration) answers the same questions as a baseline.
* Isolation: ``questions/check.json`` with the peace-talks source alone and with two drafted
  articles loaded beside it.
* Start-up: building the engine over the shipped knowledge with a cold and a warm vector cache.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bot import calibrate
from bot.answers import AnswerEngine, Scoring, Trace
from bot.draft import knowledge_of
from bot.evaluation import BankQuestion, evaluate
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.semantic import EmbeddingCache, default_encoder


@dataclass(frozen=True)
class ArticleFigures:
    """One method on one uncurated article."""

    article: str
    method: str
    facts: int
    answerable: tuple[int, int]
    natural: tuple[int, int]
    """(answered, total) natural out-of-scope questions."""
    adversarial: tuple[int, int]
    """(answered, total) SQuAD's own unanswerable questions."""
    auroc_natural: float
    auroc_adversarial: float


def _kinds(bank: Sequence[BankQuestion], kind: str) -> int:
    return sum(q.kind == kind for q in bank)


def _hand_weighted(
    article: str, knowledge: KnowledgeBase, bank: Sequence[BankQuestion]
) -> ArticleFigures:
    engine = AnswerEngine(knowledge, scoring=Scoring.HAND_WEIGHTED)
    report = evaluate(bank, lambda question: engine.answer(question, explain=True))
    answerable = [o for o in report.outcomes if o.question.in_scope]
    by_kind: dict[str, list[float]] = {}
    answered: dict[str, int] = {}
    for o in report.outcomes:
        if not o.question.in_scope:
            by_kind.setdefault(o.question.kind, []).append(o.answer.confidence)
            answered[o.question.kind] = answered.get(o.question.kind, 0) + o.answer.answered
    # As for citebot: questions whose best fact answers them, whether or not it was enough.
    right = [
        o.answer.confidence
        for o in answerable
        if _best_answers(engine, o.question, o.answer.trace)
    ]
    natural = "out_of_scope_natural"
    adversarial = "out_of_scope_near"
    return ArticleFigures(
        article,
        "hand-weighted engine (before)",
        len(knowledge.facts),
        (sum(o.correct for o in answerable), len(answerable)),
        (answered.get(natural, 0), _kinds(bank, natural)),
        (answered.get(adversarial, 0), _kinds(bank, adversarial)),
        calibrate.auroc(right, by_kind.get(natural, [])),
        calibrate.auroc(right, by_kind.get(adversarial, [])),
    )


def _best_answers(engine: AnswerEngine, question: BankQuestion, trace: Trace | None) -> bool:
    if trace is None or not trace.facts or question.evidence is None:
        return False
    fact = engine.knowledge.fact(trace.facts[0].fact_id)
    quotes = fact.fact.quotes if fact else []
    return any(e in quote for e in question.evidence for quote in quotes)


def run_uncurated(
    knowledge_dir: Path,
    tune_bank: Path,
    article_dirs: Sequence[Path],
    extra_bank_dirs: Sequence[Path],
    cache_dir: Path | None,
    progress: calibrate.Log,
) -> list[ArticleFigures]:
    """Both methods on every article, citebot's with a model fitted without that article."""
    articles = calibrate.build_articles(
        knowledge_dir,
        [tune_bank],
        article_dirs,
        extra_bank_dirs,
        encoder=default_encoder(),
        cache=EmbeddingCache(cache_dir),
        log=progress,
    )
    scores = calibrate.leave_one_article_out(articles)
    aliases = calibrate.shared_aliases(knowledge_dir)
    figures: list[ArticleFigures] = []
    for article_dir in article_dirs:
        name = article_dir.name
        bank = calibrate.article_banks(article_dir, extra_bank_dirs)
        knowledge = calibrate.drafted_knowledge(article_dir, aliases)
        s = scores[name]
        oos = s.out_of_scope
        figures.append(
            ArticleFigures(
                name,
                "citebot (calibrated, fitted without this article)",
                len(knowledge.facts),
                (s.answerable_right, s.answerable),
                oos.get("out_of_scope_natural", (0, 0)),
                oos.get("out_of_scope_near", (0, 0)),
                s.auroc.get("out_of_scope_natural", float("nan")),
                s.auroc.get("out_of_scope_near", float("nan")),
            )
        )
        progress(f"{name}: the hand-weighted engine")
        figures.append(_hand_weighted(name, knowledge, bank))
    return figures


def uncurated_table(figures: Sequence[ArticleFigures]) -> str:
    def share(pair: tuple[int, int]) -> str:
        done, total = pair
        return f"{done / total:.2f} ({done}/{total})" if total else "–"

    def auc(value: float) -> str:
        return "–" if value != value else f"{value:.2f}"  # NaN: no such questions

    lines = [
        "| article | method | facts | answerable right ↑ | natural OOS answered ↓ "
        "| AUROC natural ↑ | SQuAD unanswerable answered | AUROC SQuAD |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for f in figures:
        lines.append(
            f"| {f.article} | {f.method} | {f.facts} | {share(f.answerable)} | "
            f"{share(f.natural)} | {auc(f.auroc_natural)} | {share(f.adversarial)} | "
            f"{auc(f.auroc_adversarial)} |"
        )
    return "\n".join(lines)


@dataclass(frozen=True)
class Isolation:
    alone: tuple[float, float]
    together: tuple[float, float]
    """(overall accuracy, out-of-scope answered rate) on the bank."""
    others: tuple[str, ...]


def run_isolation(
    knowledge: KnowledgeBase, bank: Sequence[BankQuestion], others: Sequence[Path]
) -> Isolation:
    """The bank with its knowledge alone, then with drafted articles loaded beside it."""
    alone = evaluate(bank, AnswerEngine(knowledge).answer)
    drafted = [
        calibrate.drafted_knowledge(path, knowledge.aliases).sources[path.name] for path in others
    ]
    together_kb = knowledge_of(
        [*knowledge.sources.values(), *drafted], knowledge.aliases, knowledge.directory
    )
    together = evaluate(bank, AnswerEngine(together_kb).answer)
    return Isolation(
        (alone.accuracy, alone.out_of_scope_answered_rate),
        (together.accuracy, together.out_of_scope_answered_rate),
        tuple(p.name for p in others),
    )


def start_up_seconds(knowledge_dir: Path) -> tuple[float, float]:
    """Seconds to load and index the knowledge with a cold, then a warm on-disk vector cache
    (the in-process memo is cleared in between, as in a new process)."""
    encoder = default_encoder()
    timings: list[float] = []
    with tempfile.TemporaryDirectory() as directory:
        for _ in range(2):
            EmbeddingCache._memory.pop(encoder.name, None)
            started = time.perf_counter()
            cache = EmbeddingCache(Path(directory))
            AnswerEngine(load_knowledge(knowledge_dir), encoder=encoder, cache=cache)
            timings.append(time.perf_counter() - started)
    return timings[0], timings[1]
