"""Fuzzy retrieval over curated facts with a confidence that knows when to refuse.

Each fact is indexed through everything a curator wrote for it: its alternate questions, answer
line, quotes and keywords ("choices"), all analysed once at load time. A question is scored in two
steps that each do their work inside a library call rather than a Python loop over scorers:

1. Term coverage (vectorised with NumPy over an inverted index): how much of the question's
   content, weighted by rarity (IDF), the fact's vocabulary accounts for. A word the knowledge
   base has never seen (after typo correction and aliases) counts against every fact, which is
   what makes "What did Putin say?" or "How many people died in Kharkiv?" decline.
2. String similarity with RapidFuzz ``process.cdist`` between the analysed question and the
   choices of the best-covered facts, which rewards questions phrased like a curated one.

The two blend into one confidence on a fixed 0-100 scale; see ``ScoringWeights``.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from enum import Enum

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.knowledge import KnowledgeBase, LoadedFact
from bot.text import Analyzer, tokens


class ChoiceKind(str, Enum):
    QUESTION = "question"
    ANSWER = "answer"
    QUOTE = "quote"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """How coverage and similarity blend into confidence.

    ``confidence = 100 * coverage**coverage_power * (similarity/100)**similarity_power``, where
    coverage is the IDF-weighted share of the question's terms found in the fact and similarity
    is the best RapidFuzz token score against one of the fact's choices.
    """

    coverage_power: float = 1.0
    similarity_power: float = 0.5
    candidates: int = 24


@dataclass(frozen=True, slots=True)
class FactMatch:
    """A fact ranked for a question, with the evidence for its score."""

    fact: LoadedFact
    confidence: float
    coverage: float
    similarity: float
    closest_question: str


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """What the retriever made of a question."""

    terms: tuple[str, ...]
    unknown_terms: tuple[str, ...]


class Retriever:
    """Ranks a knowledge base's facts against a question."""

    def __init__(self, knowledge: KnowledgeBase, weights: ScoringWeights | None = None) -> None:
        self.knowledge = knowledge
        self.weights = weights or ScoringWeights()
        aliases = knowledge.aliases
        self.analyzer = Analyzer(aliases.groups, aliases.noise, aliases.stopwords_extra)
        self.facts: tuple[LoadedFact, ...] = knowledge.facts

        choice_terms: list[str] = []
        choice_fact: list[int] = []
        self._first_choice: list[int] = []
        self._questions: list[list[tuple[int, str]]] = []
        fact_terms: list[set[str]] = []
        vocabulary: set[str] = set()
        for index, loaded in enumerate(self.facts):
            fact = loaded.fact
            self._first_choice.append(len(choice_terms))
            texts = (
                [(ChoiceKind.QUESTION, q) for q in fact.questions]
                + [(ChoiceKind.ANSWER, fact.answer)]
                + [(ChoiceKind.QUOTE, q) for q in fact.quotes]
                + [(ChoiceKind.KEYWORD, k) for k in fact.keywords]
            )
            terms_here: set[str] = set()
            questions_here: list[tuple[int, str]] = []
            for kind, text in texts:
                vocabulary.update(tokens(text))
                analysed = self.analyzer.terms(text)
                terms_here.update(analysed)
                if kind is ChoiceKind.QUESTION:
                    questions_here.append((len(choice_terms), text))
                choice_terms.append(" ".join(analysed))
                choice_fact.append(index)
            fact_terms.append(terms_here)
            self._questions.append(questions_here)
        self._first_choice.append(len(choice_terms))
        self.analyzer.set_vocabulary(vocabulary)

        self._choice_terms = choice_terms
        self._choice_fact = np.asarray(choice_fact, dtype=np.int32)
        count = len(self.facts)
        document_frequency: dict[str, int] = defaultdict(int)
        postings_lists: dict[str, list[int]] = defaultdict(list)
        for index, terms in enumerate(fact_terms):
            for term in terms:
                document_frequency[term] += 1
                postings_lists[term].append(index)
        # BM25's IDF: rare terms identify a fact, common ones ("trump", "peace") barely do.
        self._idf = {
            t: math.log(1 + (count - df + 0.5) / (df + 0.5)) for t, df in document_frequency.items()
        }
        self.unknown_idf = math.log(1 + (count + 0.5) / 0.5)
        self._postings = {t: np.asarray(p, dtype=np.int32) for t, p in postings_lists.items()}

    def analyse(self, question: str) -> QueryAnalysis:
        """The question's content terms, and those the knowledge base has never seen."""
        terms = tuple(dict.fromkeys(self.analyzer.terms(question, correct_typos=True)))
        return QueryAnalysis(terms, tuple(t for t in terms if t not in self._idf))

    def term_weight(self, term: str) -> float:
        """IDF of a term; unseen terms weigh as much as the rarest possible term."""
        return self._idf.get(term, self.unknown_idf)

    def search(self, question: str, limit: int = 5) -> list[FactMatch]:
        """Facts ranked by confidence (highest first); empty if nothing relates at all."""
        analysis = self.analyse(question)
        if not analysis.terms or not self.facts:
            return []
        total = sum(self.term_weight(t) for t in analysis.terms)
        coverage = np.zeros(len(self.facts), dtype=np.float64)
        for term in analysis.terms:
            postings = self._postings.get(term)
            if postings is not None:
                coverage[postings] += self._idf[term]
        coverage /= total
        related = int(np.count_nonzero(coverage))
        if related == 0:
            return []
        k = min(self.weights.candidates, related)
        candidates = np.argpartition(-coverage, k - 1)[:k]

        choice_ids = np.concatenate(
            [np.arange(self._first_choice[c], self._first_choice[c + 1]) for c in candidates]
        )
        query = " ".join(analysis.terms)
        similarity = process.cdist(
            [query],
            [self._choice_terms[i] for i in choice_ids],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            workers=1,
        )[0]
        best_similarity: dict[int, float] = defaultdict(float)
        best_choice: dict[int, int] = {}
        for choice, score in zip(choice_ids.tolist(), similarity.tolist(), strict=True):
            fact_index = int(self._choice_fact[choice])
            if score > best_similarity[fact_index] or fact_index not in best_choice:
                best_similarity[fact_index] = score
                best_choice[fact_index] = choice

        w = self.weights
        matches: list[FactMatch] = []
        for fact_index in candidates.tolist():
            cov = float(coverage[fact_index])
            sim = best_similarity[fact_index]
            confidence = 100.0 * cov**w.coverage_power * (sim / 100.0) ** w.similarity_power
            matches.append(
                FactMatch(
                    self.facts[fact_index],
                    round(confidence, 1),
                    cov,
                    sim,
                    self._closest_question(fact_index, query),
                )
            )
        matches.sort(key=lambda m: (-m.confidence, -m.coverage, m.fact.id))
        return matches[:limit]

    def _closest_question(self, fact_index: int, query: str) -> str:
        questions = self._questions[fact_index]
        if not questions:
            return self.facts[fact_index].fact.answer
        best = process.extractOne(
            query, {i: self._choice_terms[c] for i, (c, _) in enumerate(questions)},
            scorer=fuzz.token_set_ratio,
        )
        return questions[best[2] if best else 0][1]

    def fact_questions(self, fact_index: int) -> Sequence[str]:
        """The curated questions of the fact at ``fact_index``."""
        return [text for _, text in self._questions[fact_index]]
