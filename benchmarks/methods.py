"""The answering methods compared on the question bank.

Every method answers in two steps so that latency measures only the answering itself:

* ``respond(question)`` is the timed call and returns the method's raw decision;
* ``to_answer(question, raw)`` (untimed) turns that decision into a ``bot.answers.Answer`` so
  that all methods are judged by the project's own ``bot.evaluation.is_correct``.

For citebot's engine the raw decision already is the ``Answer``. For the sentence baselines the
"citation" is the chosen article sentence, so "right" means that sentence contains one of the
question's evidence strings (or, for an out-of-scope question, that the baseline declined).
"""

from __future__ import annotations

import math
import re
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import numpy as np
import snowballstemmer
from rapidfuzz import fuzz, process, utils

from bot.answers import Answer, AnswerEngine, AnswerStatus, Citation, Scoring
from bot.article import Sentence
from bot.evaluation import BankQuestion, is_correct
from bot.knowledge import KnowledgeBase

Raw = TypeVar("Raw")


class Method(ABC, Generic[Raw]):
    """One way of answering questions about the knowledge base's articles."""

    name: str

    @abstractmethod
    def respond(self, question: str) -> Raw:
        """Answer ``question`` (the timed call)."""

    @abstractmethod
    def to_answer(self, question: str, raw: Raw) -> Answer:
        """The raw decision as an ``Answer`` for judging (not timed)."""

    def describe(self) -> str:
        """One line on how the method was configured, for the report."""
        return ""


class EngineMethod(Method[Answer]):
    """citebot's answer engine, exactly as the bot uses it."""

    def __init__(self, engine: AnswerEngine, name: str = "citebot engine") -> None:
        self.engine = engine
        self.name = name

    def respond(self, question: str) -> Answer:
        return self.engine.answer(question)

    def to_answer(self, question: str, raw: Answer) -> Answer:
        return raw

    def describe(self) -> str:
        policy = self.engine.policy
        how = (
            "calibrated decision models over word, meaning and check signals"
            if self.engine.scoring is Scoring.CALIBRATED
            else "the engine before this change: hand-set weights and penalties, words only"
        )
        return (
            f"{how}; "
            f"confidence >= {policy.answer_threshold:g} answers "
            f"({policy.suggest_threshold:g}-{policy.answer_threshold:g} is 'unsure', which "
            "counts as not answered); thresholds are the engine's own AnswerPolicy defaults"
        )


@dataclass(frozen=True, slots=True)
class SentencePick:
    """A baseline's decision: the best sentence (if any), its score, and whether it answered."""

    index: int | None
    score: float
    answered: bool


@dataclass(frozen=True, slots=True)
class CandidateSentence:
    """An article sentence with what a ``Citation`` needs to point at it."""

    source_id: str
    source_label: str
    sentence: Sentence
    section: str | None
    is_caption: bool


def article_sentences(knowledge: KnowledgeBase) -> list[CandidateSentence]:
    """Every sentence of every article in the knowledge base, in order."""
    found: list[CandidateSentence] = []
    for source_id, source in knowledge.sources.items():
        for sentence in source.article.sentences:
            paragraph = source.article.paragraphs[sentence.paragraph - 1]
            found.append(
                CandidateSentence(
                    source_id,
                    source.meta.label,
                    sentence,
                    paragraph.section,
                    paragraph.is_caption,
                )
            )
    return found


@dataclass(frozen=True, slots=True)
class ThresholdChoice:
    """The threshold a baseline answers at, and the tune-bank accuracy that chose it."""

    threshold: float
    tune_accuracy: float
    candidates: int


class SentenceBaseline(Method[SentencePick]):
    """Pick the best-scoring article sentence; answer with it if the score clears a threshold."""

    score_label = "score"

    def __init__(self, knowledge: KnowledgeBase) -> None:
        self.candidates = article_sentences(knowledge)
        self.texts = [c.sentence.text for c in self.candidates]
        self.threshold = 0.0
        self.tuning: ThresholdChoice | None = None

    @abstractmethod
    def best(self, question: str) -> tuple[int, float] | None:
        """Index of the best sentence and its score, or None if nothing matches at all."""

    def respond(self, question: str) -> SentencePick:
        found = self.best(question)
        if found is None:
            return SentencePick(None, 0.0, False)
        index, score = found
        return SentencePick(index, score, score >= self.threshold)

    def to_answer(self, question: str, raw: SentencePick) -> Answer:
        if not raw.answered or raw.index is None:
            return Answer(
                question=question,
                status=AnswerStatus.DECLINED,
                confidence=raw.score,
                answer=None,
            )
        candidate = self.candidates[raw.index]
        citation = Citation(
            quote=candidate.sentence.text,
            source=candidate.source_id,
            source_label=candidate.source_label,
            paragraph=candidate.sentence.paragraph,
            section=candidate.section,
            is_caption=candidate.is_caption,
            fact_id=f"sentence-{raw.index + 1}",
        )
        return Answer(
            question=question,
            status=AnswerStatus.ANSWERED,
            confidence=raw.score,
            answer=candidate.sentence.text,
            citations=(citation,),
        )

    def tune(self, bank: Sequence[BankQuestion]) -> ThresholdChoice:
        """Choose the threshold that maximises this baseline's accuracy on ``bank``.

        Every question's best sentence and score are computed once; a question is then right
        "if answered" or "if declined" by the project's ``is_correct``. Only thresholds equal to
        an observed score (or above all of them: never answer) change a decision, so those are
        the candidates. Ties go to the lowest threshold (answer as much as possible), and the
        reported threshold is the midpoint between that score and the next lower observed
        score, which makes exactly the same decisions on the tune bank.
        """
        scored: list[tuple[float, bool, bool]] = []
        for question in bank:
            found = self.best(question.question)
            score = found[1] if found else 0.0
            pick = SentencePick(found[0] if found else None, score, True)
            right_if_declined = not question.in_scope
            # No sentence at all means respond() declines whatever the threshold.
            right_if_answered = (
                is_correct(question, self.to_answer(question.question, pick))
                if found is not None
                else right_if_declined
            )
            scored.append((score, right_if_answered, right_if_declined))
        observed = sorted({s for s, _, _ in scored})
        options = [*observed, math.inf]
        best_index, best_right = 0, -1
        for index, threshold in enumerate(options):
            right = sum(
                (ans if score >= threshold else dec) for score, ans, dec in scored
            )
            if right > best_right:
                best_index, best_right = index, right
        if options[best_index] == math.inf:
            threshold = observed[-1] + 1.0 if observed else 0.0
        elif best_index == 0:
            threshold = observed[0]
        else:
            threshold = (observed[best_index - 1] + observed[best_index]) / 2
        self.threshold = threshold
        self.tuning = ThresholdChoice(threshold, best_right / len(bank), len(options))
        return self.tuning

    def describe(self) -> str:
        if self.tuning is None:
            return f"answers when {self.score_label} >= {self.threshold:g} (untuned)"
        return (
            f"answers when {self.score_label} >= {self.threshold:.4g}; threshold tuned on the "
            f"tune bank ({self.tuning.candidates} candidate thresholds, tune accuracy "
            f"{self.tuning.tune_accuracy:.3f})"
        )


class FuzzSentenceBaseline(SentenceBaseline):
    """RapidFuzz ``token_set_ratio`` of the raw question against every article sentence."""

    score_label = "token_set_ratio (0-100)"

    def __init__(self, knowledge: KnowledgeBase) -> None:
        super().__init__(knowledge)
        self.name = "rapidfuzz token_set_ratio / sentences"

    def best(self, question: str) -> tuple[int, float] | None:
        found = process.extractOne(
            question,
            self.texts,
            scorer=fuzz.token_set_ratio,
            processor=utils.default_process,
        )
        if found is None:
            return None
        return int(found[2]), float(found[1])


_BM25_TOKEN = re.compile(r"(?u)\b\w\w+\b")


class Bm25SentenceBaseline(SentenceBaseline):
    """BM25 (``bm25s``, Lucene variant, k1=1.5, b=0.75) over article sentences.

    Tokens: lowercase ``\\w\\w+`` words minus bm25s's English stopwords, Snowball-stemmed (the
    stemmer citebot itself uses). Raw BM25 scores are not comparable between queries (they grow
    with the query's length and rarity), so the score thresholded is normalised by the query's
    own IDF mass::

        normalised = top BM25 score / sum(idf(t) for each query token t)

    with an unseen query token weighing as much as the rarest possible term
    (``ln(1 + (N + 0.5) / 0.5)``). A sentence that contains every query token once, at average
    length, scores about 1.0; words the article never uses pull the score down.
    """

    score_label = "normalised BM25 (top score / query IDF mass)"

    def __init__(self, knowledge: KnowledgeBase) -> None:
        import bm25s
        from bm25s.stopwords import STOPWORDS_EN

        super().__init__(knowledge)
        self.name = "BM25 (bm25s) / sentences"
        self._stopwords = frozenset(STOPWORDS_EN)
        self._stemmer = snowballstemmer.stemmer("english")
        corpus = [self.tokenise(text) for text in self.texts]
        self._retriever: Any = bm25s.BM25(k1=1.5, b=0.75, method="lucene")
        self._retriever.index(corpus, show_progress=False)
        count = len(corpus)
        document_frequency = Counter(t for doc in corpus for t in set(doc))
        self.idf = {
            t: math.log(1 + (count - df + 0.5) / (df + 0.5))
            for t, df in document_frequency.items()
        }
        self.unseen_idf = math.log(1 + (count + 0.5) / 0.5)

    def tokenise(self, text: str) -> list[str]:
        words = [w for w in _BM25_TOKEN.findall(text.lower()) if w not in self._stopwords]
        return [str(s) for s in self._stemmer.stemWords(words)]

    def best(self, question: str) -> tuple[int, float] | None:
        query = self.tokenise(question)
        known = [t for t in query if t in self.idf]
        if not known:
            return None
        scores = np.asarray(self._retriever.get_scores(known), dtype=np.float64)
        index = int(np.argmax(scores))
        mass = sum(self.idf.get(t, self.unseen_idf) for t in query)
        return index, float(scores[index]) / mass


def bm25_available() -> str | None:
    """None if the BM25 baseline can run, else why not."""
    try:
        import bm25s  # noqa: F401
    except ImportError as exc:
        return f"bm25s is not importable ({exc}); install the extra: pip install -e '.[bench]'"
    return None
