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

import itertools
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from enum import StrEnum
from functools import partial

import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz, process

from bot.article import ArticleText
from bot.attribution import Attribution, speakers_of_spans
from bot.checks import CHECKS, Check
from bot.checks.base import FactView
from bot.knowledge import KnowledgeBase, LoadedFact, merge_aliases
from bot.language import english
from bot.question import Question, unanswerable_types
from bot.text import Analyzer, clean, tokens


class ChoiceKind(StrEnum):
    QUESTION = "question"
    ANSWER = "answer"
    QUOTE = "quote"
    KEYWORD = "keyword"


@dataclass(frozen=True, slots=True)
class ScoringWeights:
    """How the three signals blend into one confidence (0-100); tuned on the question bank.

    * ``coverage``: IDF-weighted share of the question's terms that the fact's vocabulary holds.
    * ``question_match``: IDF-weighted Jaccard between the question and the fact's closest curated
      alternate question or keyword (rewards asking what the curator anticipated, penalises
      extra content the fact does not have).
    * ``similarity``: RapidFuzz ``token_set_ratio`` on the un-aliased words, which separates facts
      that aliases made look alike ("take a pass" vs "pulling back").
    """

    coverage: float = 0.55
    question_match: float = 0.35
    similarity: float = 0.10
    unknown_weight: float = 0.8
    """An unknown word weighs this share of the rarest known term's IDF."""
    candidates: int = 8
    answer_type_penalty: float = 0.6
    """Factor applied when a question asks for a number, date or duration the quotes lack."""
    attribution_penalty: float = 0.6
    """Factor applied when a question asks what someone said and the fact quotes someone else."""
    identification_penalty: float = 0.5
    """Factor applied when a question asks to identify something the quote does not name."""


@dataclass(frozen=True, slots=True)
class FactMatch:
    """A fact ranked for a question, with the evidence for its score."""

    fact: LoadedFact
    confidence: float
    coverage: float
    question_match: float
    similarity: float
    _closest: Callable[[], str] = field(repr=False, compare=False)

    def closest_question(self) -> str:
        """The fact's curated question nearest the asked one (computed only when needed)."""
        return self._closest()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A fact judged for a question: the signals measured and the answer checks' verdicts."""

    index: int
    fact: LoadedFact
    signals: dict[str, float]
    applied: frozenset[str]
    """Answer checks that apply to the question."""
    failed: frozenset[str]
    """Those of them this fact fails."""
    hand_weighted: float
    """The engine's confidence before calibration (0-100, ``legacy_confidence``)."""
    closest_question: Callable[[], str] = field(repr=False, compare=False)


def legacy_confidence(
    s: Mapping[str, float], failed: AbstractSet[str], weights: ScoringWeights
) -> float:
    """The hand-weighted confidence (0-100): a blend of the word signals ``s``, lowered by a
    fixed factor for each ``failed`` check. The benchmark's baseline; the engine uses the
    calibration."""
    score = (
        weights.coverage * s["coverage"]
        + weights.question_match * s["question_match"]
        + weights.similarity * s["similarity"]
    )
    penalties = {
        "answer_type": weights.answer_type_penalty,
        "speaker": weights.attribution_penalty,
        "named": weights.attribution_penalty,
        "specifics": weights.identification_penalty,
        "identifies": weights.identification_penalty,
        "cause": weights.identification_penalty,
        "who": 1.0,  # not in the hand-weighted engine
        "heading": weights.answer_type_penalty,
    }
    for name in failed:
        score *= penalties[name]
    return round(100.0 * min(score, 1.0), 1)


@dataclass(frozen=True, slots=True)
class QueryAnalysis:
    """What the retriever made of a question."""

    terms: tuple[str, ...]
    raw_terms: tuple[str, ...]


TOPIC_NAME_SHARE = 0.12
"""A name in more than this share of an article's sentences (and in more than two) is what the
article is about ("Ukraine", "the U.S."), not a specific of any one fact: "Which specific
minerals?" is not answered by "...access to Ukraine's valuable mineral resources"."""


def _ranks(values: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    """Each value's rank, 0 for the largest."""
    ranks = np.empty(len(values), dtype=np.int64)
    ranks[np.argsort(-values, kind="stable")] = np.arange(len(values))
    return ranks


def _csr(rows: Sequence[Sequence[int]]) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
    flat = np.fromiter((i for row in rows for i in row), dtype=np.int32)
    offsets = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum([len(r) for r in rows], out=offsets[1:])
    return flat, offsets


class Retriever:
    """Ranks a knowledge base's facts against a question."""

    def __init__(
        self,
        knowledge: KnowledgeBase,
        weights: ScoringWeights | None = None,
        checks: Sequence[Check] = CHECKS,
    ) -> None:
        self.knowledge = knowledge
        self.weights = weights or ScoringWeights()
        self.checks = tuple(checks)
        """The answer checks every candidate is judged by (a test may leave one out)."""
        # The language's vocabulary and that of the articles indexed here (one, in the engine).
        aliases = knowledge.aliases
        for source in knowledge.sources.values():
            aliases = merge_aliases(aliases, source.aliases)
        self.analyzer = Analyzer(aliases.groups, aliases.noise, aliases.stopwords_extra)
        self.facts: tuple[LoadedFact, ...] = knowledge.facts

        # Choices are stored fact by fact, so each fact owns a contiguous range of them.
        choice_terms: list[list[str]] = []
        choice_raw: list[str] = []
        choice_is_question: list[bool] = []
        first_choice = [0]
        vocabulary: set[str] = set()
        for loaded in self.facts:
            fact = loaded.fact
            texts = (
                [(ChoiceKind.QUESTION, q) for q in fact.questions]
                + [(ChoiceKind.KEYWORD, k) for k in fact.keywords]
                + [(ChoiceKind.ANSWER, fact.answer)]
                + [(ChoiceKind.QUOTE, q) for q in fact.quotes]
            )
            for kind, text in texts:
                vocabulary.update(tokens(text))
                terms, raw_terms = self.analyzer.analyse(text)
                choice_terms.append(list(dict.fromkeys(terms)))
                choice_raw.append(" ".join(raw_terms))
                choice_is_question.append(kind in (ChoiceKind.QUESTION, ChoiceKind.KEYWORD))
            first_choice.append(len(choice_terms))
        self.analyzer.set_vocabulary(vocabulary)
        self._choice_raw = choice_raw
        # What each fact says (answer line and quotes, once each), fact by fact.
        said = [list(dict.fromkeys([f.fact.answer, *f.fact.quotes])) for f in self.facts]
        self._meaning_text = [text for texts in said for text in texts]
        self._first_meaning = np.cumsum([0] + [len(texts) for texts in said], dtype=np.int64)
        self._meaning_vectors: npt.NDArray[np.float32] | None = None
        self._first_choice = np.asarray(first_choice, dtype=np.int64)
        self._choice_fact = np.repeat(
            np.arange(len(self.facts), dtype=np.int32), np.diff(self._first_choice)
        )
        self._choice_is_question = np.asarray(choice_is_question, dtype=bool)
        # Each fact's questions and keywords come first in its range of choices.
        self._question_count = np.asarray(
            [len(f.fact.questions) + len(f.fact.keywords) for f in self.facts], dtype=np.int64
        )

        count = max(1, len(self.facts))
        fact_postings: dict[str, list[int]] = defaultdict(list)
        choice_postings: dict[str, list[int]] = defaultdict(list)
        for choice, terms in enumerate(choice_terms):
            fact_index = int(self._choice_fact[choice])
            for term in terms:
                postings = fact_postings[term]
                if not postings or postings[-1] != fact_index:
                    postings.append(fact_index)
                choice_postings[term].append(choice)
        # BM25's IDF: rare terms identify a fact, common ones ("trump", "peace") barely do.
        self._idf = {
            t: math.log(1 + (count - len(p) + 0.5) / (len(p) + 0.5))
            for t, p in fact_postings.items()
        }
        rarest = max(self._idf.values(), default=1.0)
        self.unknown_idf = rarest * self.weights.unknown_weight
        self._fact_postings = {t: np.asarray(p, dtype=np.int32) for t, p in fact_postings.items()}
        self._choice_postings = {
            t: np.asarray(p, dtype=np.int32) for t, p in choice_postings.items()
        }
        self._choice_weight = np.asarray(
            [sum(self._idf[t] for t in terms) for terms in choice_terms], dtype=np.float64
        )
        self.attribution = Attribution(self.analyzer)
        self.attribution.known_terms = frozenset(self._idf)
        sentence_speakers = {
            source_id: self.attribution.sentence_speakers(source.article)
            for source_id, source in knowledge.sources.items()
        }
        self.attribution.add_alias_affiliations(aliases.groups)
        self._fact_speakers = [
            speakers_of_spans(
                ((span.start, span.end) for span in loaded.spans),
                knowledge.sources[loaded.source_id].article,
                sentence_speakers[loaded.source_id],
            )
            for loaded in self.facts
        ]
        self._full_questions = [
            np.asarray([q.rstrip().endswith("?") for q in f.fact.questions], dtype=bool)
            for f in self.facts
        ]
        # Quotes are analysed once here, not for every answer that cites them.
        self._fact_terms = [
            frozenset(
                t
                for choice in range(self._first_choice[i], self._first_choice[i + 1])
                for t in choice_terms[choice]
            )
            for i in range(len(self.facts))
        ]
        # The paragraph around a fact: a question written while reading a paragraph names
        # things of the sentence before ("the company" of "Apple released…").
        paragraph_terms = {
            (source_id, paragraph.number): frozenset(self.analyzer.terms(paragraph.text))
            for source_id, source in knowledge.sources.items()
            for paragraph in source.article.paragraphs
        }
        self._context_terms = [
            self._fact_terms[i].union(
                *(paragraph_terms.get((f.source_id, span.paragraph.number), frozenset())
                  for span in f.spans)
            )
            for i, f in enumerate(self.facts)
        ]
        self._quote_terms = {
            quote: frozenset(self.analyzer.terms(quote))
            for loaded in self.facts
            for quote in loaded.fact.quotes
        }
        self._vague_terms = {quote: self._vaguely_named(quote) for quote in self._quote_terms}
        self._cause_clauses = {
            quote: self._split_at_cause(quote) for quote in self._quote_terms
        }
        self._fact_quotes_clean = [" ".join(clean(q) for q in f.fact.quotes) for f in self.facts]
        self._fact_is_heading = [all(span.is_heading for span in f.spans) for f in self.facts]
        # Who a fact's sentences name or quote, with the sentence before each for context ("the
        # president's urgency. “He's put a lot of time…”"): a question about someone else is
        # not answered by them ("Did Zelenskyy attend the Paris meeting?" is not "…involving
        # the U.S., Ukraine, and European leaders").
        sentence_people = {
            source_id: [self.attribution.people_in(s.text) for s in source.article.sentences]
            for source_id, source in knowledge.sources.items()
        }
        self._fact_people = [
            self._people_around(loaded, sentence_people) | speakers
            for loaded, speakers in zip(self.facts, self._fact_speakers, strict=True)
        ]
        self._specific_names = {
            source_id: self._names_not_topics(source.article)
            for source_id, source in knowledge.sources.items()
        }

    def analyse(self, question: str) -> QueryAnalysis:
        """The question's content terms (canonical, deduplicated) and its un-aliased terms."""
        terms, raw_terms = self.analyzer.analyse(question, correct_typos=True)
        return QueryAnalysis(tuple(dict.fromkeys(terms)), tuple(raw_terms))

    def parse(self, text: str) -> Question:
        """Everything the signals and the answer checks read of a question, read once."""
        analysis = self.analyse(text)
        cleaned = clean(text)
        asks_about_words, speakers = self.attribution.reported(text)
        # "Who represented Ukraine?" asks for someone of a place that has its people, not for
        # the place: "…involving the U.S., Ukraine, and European leaders" names no one.
        # ("Who was at the Paris meeting?" may be answered by places: Paris has no people.)
        places_with_people = frozenset(analysis.terms) & self.attribution.affiliated.keys()
        asks_for_person = bool(english.ASKS_FOR_PERSON.search(cleaned)) or (
            cleaned.startswith("who ") and bool(places_with_people) and not asks_about_words
        )
        return Question(
            text=text,
            cleaned=cleaned,
            words=frozenset(cleaned.split()),
            terms=analysis.terms,
            raw_terms=analysis.raw_terms,
            required=tuple(unanswerable_types(text)),
            speakers=speakers,
            named=frozenset(analysis.terms) & self.attribution.people - speakers,
            identifies=asks_for_person or bool(english.ASKS_TO_IDENTIFY.search(cleaned)),
            asks_for_person=asks_for_person,
            asks_who=bool(english.ASKS_WHO.search(cleaned)) and not asks_about_words,
            asks_for_cause=bool(english.ASKS_FOR_CAUSE.search(cleaned)),
            specifics=bool(english.ASKS_FOR_SPECIFICS.search(cleaned)) and not asks_about_words,
            about_structure=bool(english.ASKS_ABOUT_STRUCTURE.search(cleaned)),
        )

    def fact_view(self, fact_index: int) -> FactView:
        """The fact at ``fact_index`` as the answer checks read it."""
        return IndexedFact(self, fact_index)

    def unsearchable_questions(self) -> list[tuple[str, str]]:
        """(fact id, question) for curated questions made only of stopwords and noise.

        Such a question ("What is this article about?") can never be matched, yet it may be
        offered to users as an example.
        """
        found: list[tuple[str, str]] = []
        for loaded in self.facts:
            for question in loaded.fact.questions:
                if not self.analyzer.terms(question):
                    found.append((loaded.id, question))
        return found

    def coverage_of(self, terms: Sequence[str], text: str) -> float:
        """IDF-weighted share of ``terms`` that ``text`` contains (0-1)."""
        total = sum(self.term_weight(t) for t in terms)
        if not total:
            return 0.0
        present = self._quote_terms.get(text)
        if present is None:
            present = frozenset(self.analyzer.terms(text))
        return sum(self.term_weight(t) for t in terms if t in present) / total

    def term_weight(self, term: str) -> float:
        """IDF of a term; an unseen term weighs like a very rare one."""
        return self._idf.get(term, self.unknown_idf)

    def search(self, question: str, limit: int = 5) -> list[FactMatch]:
        """Facts ranked by the hand-weighted confidence (the engine before calibration).

        Kept as the benchmark's baseline method and for the curation tools' lexical view;
        ``AnswerEngine`` ranks ``candidates`` by the calibrated model instead.
        """
        found = self.candidates(question)
        if not found:
            return []
        confidences = [c.hand_weighted for c in found]
        order = sorted(
            range(len(found)),
            key=lambda i: (-confidences[i], -found[i].signals["coverage"], found[i].index),
        )[:limit]
        return [
            FactMatch(
                found[i].fact,
                confidences[i],
                found[i].signals["coverage"],
                found[i].signals["question_match"],
                found[i].signals["similarity"],
                found[i].closest_question,
            )
            for i in order
        ]

    def candidates(
        self, text: str, query_vector: npt.NDArray[np.float32] | None = None
    ) -> list[Candidate]:
        """The facts worth judging for question ``text``, each with its signals and check
        verdicts.

        Candidates are the best few by words (coverage and curated-question match) and, given
        the question's sentence vector, the best few by meaning: a paraphrase or a question in
        another language may share no word with its fact.
        """
        question = self.parse(text)
        meaning_vectors = self._meaning_vectors if query_vector is not None else None
        semantic = meaning_vectors is not None
        if not self.facts or (not question.terms and not semantic):
            return []
        fact_count = len(self.facts)
        w = self.weights
        coverage = np.zeros(fact_count, dtype=np.float64)
        jaccard = np.zeros(len(self._choice_weight), dtype=np.float64)
        known_weight = 0.0
        query_weight = sum(self.term_weight(t) for t in question.terms)
        if question.terms:
            shared = np.zeros(len(self._choice_weight), dtype=np.float64)
            for term in question.terms:
                if term in self._idf:
                    known_weight += self._idf[term]
                    coverage[self._fact_postings[term]] += self._idf[term]
                    shared[self._choice_postings[term]] += self._idf[term]
            coverage /= query_weight
            jaccard = shared / (query_weight + self._choice_weight - shared)
            jaccard[~self._choice_is_question] = 0.0
        question_match = np.maximum.reduceat(jaccard, self._first_choice[:-1])
        blend = w.coverage * coverage + w.question_match * question_match

        chosen: list[int] = []
        related = int(np.count_nonzero(coverage))
        if related:
            k = min(w.candidates, related)
            chosen.extend(np.argpartition(-blend, k - 1)[:k].tolist())
        meaning = np.zeros(fact_count, dtype=np.float64)
        if meaning_vectors is not None and query_vector is not None:
            cosine = meaning_vectors @ query_vector
            meaning = np.maximum.reduceat(cosine, self._first_meaning[:-1]).astype(np.float64)
            k = min(w.candidates, fact_count)
            chosen.extend(np.argpartition(-meaning, k - 1)[:k].tolist())
        candidates = list(dict.fromkeys(chosen))
        if not candidates:
            return []

        raw_query = " ".join(question.raw_terms)
        similarity = self._similarities(raw_query, candidates)
        applying = [check for check in self.checks if check.applies(question)]
        applied = frozenset(check.name for check in applying)
        best_meaning = float(meaning.max()) if semantic else 0.0
        mean_meaning = float(meaning.mean()) if semantic else 0.0
        spread = float(meaning.std()) if semantic else 0.0
        best_coverage = float(coverage.max())
        unknown = 1.0 - known_weight / query_weight if query_weight else 1.0
        rarest = max(self.unknown_idf, 1e-9)
        meaning_rank = _ranks(meaning) if semantic else None
        coverage_rank = _ranks(blend)
        found: list[Candidate] = []
        for position, fact_index in enumerate(candidates):
            fact = self.fact_view(fact_index)
            failed = frozenset(c.name for c in applying if not c.passes(question, fact))
            signals = {
                "coverage": float(coverage[fact_index]),
                "coverage_gap": best_coverage - float(coverage[fact_index]),
                "question_match": float(question_match[fact_index]),
                "similarity": float(similarity[position]),
                "meaning": float(meaning[fact_index]),
                "meaning_gap": best_meaning - float(meaning[fact_index]),
                "meaning_lift": (float(meaning[fact_index]) - mean_meaning) / spread
                if spread > 0
                else 0.0,
                "unknown_share": unknown,
                "missing_rare": self._missing_rare(question.terms, fact_index) / rarest,
                "context_coverage": self._context_coverage(question.terms, fact_index),
                "meaning_rank": 1.0 / (1 + meaning_rank[fact_index])
                if meaning_rank is not None
                else 0.0,
                "coverage_rank": 1.0 / (1 + coverage_rank[fact_index]),
                "content_terms": float(len(question.terms)),
                "curated": float(self._question_count[fact_index] > 0),
                "semantic": float(semantic),
            }
            hand_weighted = legacy_confidence(signals, failed, w)
            # The engine before calibration, on a log scale: its penalties multiply.
            signals["hand_weighted"] = math.log(max(hand_weighted, 1.0) / 100)
            found.append(
                Candidate(
                    fact_index,
                    self.facts[fact_index],
                    signals,
                    applied,
                    failed,
                    hand_weighted,
                    partial(self._closest_question, fact_index, jaccard, raw_query),
                )
            )
        return found

    def _missing_rare(self, terms: Sequence[str], fact_index: int) -> float:
        """The weight of the rarest asked term the fact does not have (0: it has them all)."""
        have = self._fact_terms[fact_index]
        return max((self.term_weight(t) for t in terms if t not in have), default=0.0)

    def _context_coverage(self, terms: Sequence[str], fact_index: int) -> float:
        """IDF-weighted share of the asked terms in the fact or its paragraph."""
        total = sum(self.term_weight(t) for t in terms)
        if not total:
            return 0.0
        have = self._context_terms[fact_index]
        return sum(self.term_weight(t) for t in terms if t in have) / total

    def _similarities(self, raw_query: str, candidates: Sequence[int]) -> npt.NDArray[np.float64]:
        """RapidFuzz similarity (0-1) of the question to each candidate's curated questions
        and keywords, or, for a fact nobody wrote questions for, to its quotes: one ``cdist``
        call over short strings, so this stays cheap at any knowledge size."""
        ranges = []
        for fact_index in candidates:
            start = int(self._first_choice[fact_index])
            count = int(self._question_count[fact_index])
            if not count:
                count = int(self._first_choice[fact_index + 1]) - start
            ranges.append((start, count))
        choice_ids = [i for start, count in ranges for i in range(start, start + count)]
        if not choice_ids or not raw_query:
            return np.zeros(len(candidates), dtype=np.float64)
        scores = process.cdist(
            [raw_query],
            [self._choice_raw[i] for i in choice_ids],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            workers=1,
        )[0]
        offsets = np.concatenate(([0], np.cumsum([count for _, count in ranges])[:-1]))
        return np.maximum.reduceat(scores, offsets).astype(np.float64) / 100.0

    def meaning_texts(self) -> list[str]:
        """What each fact says, in index order (for sentence vectors): its answer line and
        quotes. Curated questions are not encoded: the word signals already use them, and what
        the article says is what a question must be close to in meaning."""
        return list(self._meaning_text)

    def set_meaning_vectors(self, vectors: npt.NDArray[np.float32]) -> None:
        """Sentence vectors of ``meaning_texts()``, one row each, L2-normalised."""
        if vectors.shape != (len(self._meaning_text), vectors.shape[1]):
            raise ValueError("one vector per meaning text is needed")
        self._meaning_vectors = vectors

    def _people_around(
        self, loaded: LoadedFact, sentence_people: dict[str, list[frozenset[str]]]
    ) -> frozenset[str]:
        article = self.knowledge.sources[loaded.source_id].article
        people = sentence_people[loaded.source_id]
        found: set[str] = set()
        for span in loaded.spans:
            for index in article.sentences_overlapping(span.start, span.end):
                found |= people[index]
                previous = index - 1
                if previous >= 0 and article.sentences[previous].paragraph == (
                    article.sentences[index].paragraph
                ):
                    found |= people[previous]
            if span.is_heading:
                found |= self.attribution.people_in(span.text)
        return frozenset(found)

    def _names_not_topics(self, article: ArticleText) -> frozenset[str]:
        """The article's names that are not what the whole article is about."""
        sentences_naming: Counter[str] = Counter()
        names = self.attribution.names - self.attribution.titles
        for sentence in article.sentences:
            sentences_naming.update(names.intersection(self.analyzer.terms(sentence.text)))
        limit = max(2.0, TOPIC_NAME_SHARE * len(article.sentences))
        return frozenset(name for name in names if sentences_naming[name] <= limit)

    def _vaguely_named(self, quote: str) -> frozenset[str]:
        """Terms of what ``quote`` names only vaguely (``english.VAGUE_MENTION``)."""
        found: set[str] = set()
        for match in english.VAGUE_MENTION.finditer(clean(quote)):
            words = match.group(1).split()
            phrase = list(itertools.takewhile(lambda w: w not in self.analyzer.stopwords, words))
            found.update(self.analyzer.terms(" ".join(phrase)))
        return frozenset(found)

    def _split_at_cause(self, quote: str) -> tuple[frozenset[str], frozenset[str]]:
        """A quote's terms before and after its first causal word ("after", "because"…)."""
        text = quote.strip()
        match = english.CAUSE_CLAUSE.search(clean(text))
        if match is None:
            return self._quote_terms[quote], frozenset()
        if match.start() == 0:
            # "After the Paris meeting, Rubio spoke with Lavrov": the clause ends at the comma.
            cause, comma, main = text.partition(",")
            if not comma:
                return self._quote_terms[quote], frozenset()
            return frozenset(self.analyzer.terms(main)), frozenset(self.analyzer.terms(cause))
        cleaned = clean(text)
        return (
            frozenset(self.analyzer.terms(cleaned[: match.start()])),
            frozenset(self.analyzer.terms(cleaned[match.end() :])),
        )

    def _closest_question(
        self, fact_index: int, jaccard: npt.NDArray[np.float64], raw_query: str
    ) -> str:
        """The fact's curated question nearest the asked one (keywords are not questions)."""
        fact = self.facts[fact_index].fact
        start = int(self._first_choice[fact_index])
        scores = jaccard[start : start + len(fact.questions)]
        # Suggestions are shown to people and become buttons: a real question ("…?") reads
        # better than a curated keyword form such as "rubio lavrov".
        full = self._full_questions[fact_index]
        if full.any():
            scores = np.where(full, scores, -1.0)
        if not len(scores):
            return fact.answer
        # Closest in meaning first, then in the asker's own words ("take a pass" rather than
        # its alias "walk away"): the suggestion should read like what they asked.
        candidates = np.flatnonzero(scores >= 0.0)
        wording = process.cdist(
            [raw_query],
            [self._choice_raw[start + int(i)] for i in candidates],
            scorer=fuzz.token_set_ratio,
            dtype=np.float32,
            workers=1,
        )[0]
        blended = 0.7 * scores[candidates] + 0.3 * wording / 100.0
        return fact.questions[int(candidates[int(np.argmax(blended))])]


@dataclass(frozen=True, slots=True)
class IndexedFact:
    """One fact of a retriever's index as the answer checks read it (``FactView``)."""

    retriever: Retriever
    index: int

    @property
    def quotes(self) -> Sequence[str]:
        return self.retriever.facts[self.index].fact.quotes

    @property
    def cleaned_quotes(self) -> str:
        return self.retriever._fact_quotes_clean[self.index]

    @property
    def is_heading(self) -> bool:
        return self.retriever._fact_is_heading[self.index]

    @property
    def speakers(self) -> frozenset[str]:
        return self.retriever._fact_speakers[self.index]

    @property
    def people(self) -> frozenset[str]:
        return self.retriever._fact_people[self.index]

    @property
    def specific_names(self) -> frozenset[str]:
        return self.retriever._specific_names[self.retriever.facts[self.index].source_id]

    @property
    def known_names(self) -> AbstractSet[str]:
        return self.retriever.attribution.names

    @property
    def known_people(self) -> AbstractSet[str]:
        return self.retriever.attribution.people

    @property
    def titles(self) -> frozenset[str]:
        return self.retriever.attribution.titles

    @property
    def stopwords(self) -> frozenset[str]:
        return self.retriever.analyzer.stopwords

    def nearest_quote(self, terms: Sequence[str]) -> str:
        return max(self.quotes, key=lambda quote: self.retriever.coverage_of(terms, quote))

    def quote_terms(self, quote: str) -> frozenset[str]:
        return self.retriever._quote_terms[quote]

    def vague_terms(self, quote: str) -> frozenset[str]:
        return self.retriever._vague_terms[quote]

    def cause_clauses(self, quote: str) -> tuple[frozenset[str], frozenset[str]]:
        return self.retriever._cause_clauses[quote]

    def coverage_of(self, terms: Sequence[str], text: str) -> float:
        return self.retriever.coverage_of(terms, text)
