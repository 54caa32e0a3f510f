"""Turning free text into comparable terms: the one normaliser for questions and knowledge.

The same pipeline runs over the curated knowledge once at load time and over each question at
ask time, so both sides always agree on what a "term" is:

    clean (Unicode, case, quotes, punctuation) -> tokens -> typo correction (questions only)
    -> chat noise removed -> aliases mapped to their canonical form -> stems -> stopwords dropped
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA, Levenshtein
from spellchecker import SpellChecker

from bot.language import english

# Zero-width and bidi control characters carry no meaning for matching and are used to disguise
# text; the "Cf" category covers them all (ZWSP, ZWJ, RLO, BOM, ...).
_FORMAT_CATEGORY = "Cf"
_QUOTE_MAP = str.maketrans({"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"',
                            "„": '"', "‟": '"', "´": "'", "`": "'"})
_MENTION = re.compile(r"(?<!\w)@\w+")
_URL = re.compile(r"https?://\S+|www\.\S+")
# "u.s." -> "us", "j.d." -> "jd": initialisms would otherwise split into single letters.
_INITIALISM = re.compile(r"\b(?:[a-z]\.){2,}")
_POSSESSIVE = re.compile(r"(\w)'s\b")
# Chat elongation ("sooo", "lmaooo", "noooo"): English never has a letter three times in a row.
_ELONGATED = re.compile(r"([^\W\d_])\1{2,}")
_NON_WORD = re.compile(r"[^\w]+")
_TOKEN = re.compile(r"[^\W_]+")

# The stopwords live with the rest of English (``bot.language.english``); the name stays
# importable from here for callers outside the package (benchmarks/synthetic.py).
ENGLISH_STOPWORDS = english.STOPWORDS


@lru_cache(maxsize=1024)
def clean(text: str) -> str:
    """Unicode-normalise, casefold and strip everything but words, keeping word order."""
    text = unicodedata.normalize("NFKC", text)
    if not text.isascii():
        text = "".join(
            " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
            for ch in text
            if unicodedata.category(ch) != _FORMAT_CATEGORY
        )
    text = text.translate(_QUOTE_MAP).casefold()
    text = _URL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _INITIALISM.sub(lambda m: m.group(0).replace(".", "") + " ", text)
    text = _POSSESSIVE.sub(r"\1", text)
    text = _ELONGATED.sub(r"\1", text)
    text = text.replace("'", "")
    return " ".join(_NON_WORD.sub(" ", text).split())


# Where one part of a chat message ends and the next begins: sentence punctuation (not the dots
# of "U.S."), line breaks, @mentions, and emoji or other symbols.
# The lookbehind keeps a long run of dots linear (each dot is not a new start of the run).
_SEGMENT_BREAK = re.compile(
    r"(?<![A-Z.!?;])[.!?;]+(?=\s|$)|:(?=\s)|\n|@\w+|[^\w\s,'’‘\"“”()/&%$.:-]+"
)
# Up to three words and a comma before a question word: "Bot, is Trump quitting?", "ok so, did
# Rubio…". Possessive matching reads a long word once, not once per way of cutting it in three.
_QUESTION_WORD = "|".join(sorted(english.QUESTION_WORDS))
_LEAD_IN_COMMA = re.compile(
    rf"^([^\w,]*+(?:\w++[^\w,]*+){{1,3}}),\s*(?=(?i:{_QUESTION_WORD})\b)"
)


MAX_QUESTION_PARTS = 3
"""At most this many parts of one chat message are scored on their own (the last ones)."""
_LEAD_IN_WORDS = 4


def _never(_: str) -> bool:
    return False


def question_parts(text: str, is_filler: Callable[[str], bool] = _never) -> list[str]:
    """The questions inside a chat message of several parts, last first.

    "bro says paris was a 'turning point' 👀 @bot who was actually in that meeting" asks "who
    was actually in that meeting", and "Sarah: what did Rubio and Lavrov discuss? Tom: nothing
    useful. Bot?" asks "what did Rubio and Lavrov discuss": the chatter around a question is
    context, not the question. A part is a question when a question word opens it, or a
    wh-word comes within its first few words ("seriously tho, how did ukraine react…" asks from
    "how"). A part may also open with a lead-in and a comma that ``is_filler`` says is no
    content ("Bot, is Trump quitting?"); a subject is kept ("Zelenskyy, did he attend?" asks
    about Zelenskyy).
    """
    parts = [p.strip() for p in _SEGMENT_BREAK.split(text) if p and p.strip()]
    if len(parts) < 2:
        return []
    found: list[str] = []
    for part in reversed(parts):
        lead_in = _LEAD_IN_COMMA.match(part)
        if lead_in and is_filler(lead_in.group(1)):
            part = part[lead_in.end() :]
        words = _TOKEN.findall(part)
        lowered = [w.casefold() for w in words[:_LEAD_IN_WORDS]]
        # "is it…", "did he…" open a question only as the first word; "how", "what"… may come
        # after a few words of lead-in.
        opening = next(
            (
                i
                for i, w in enumerate(lowered)
                if w in english.WH_WORDS or (i == 0 and w in english.QUESTION_WORDS)
            ),
            None,
        )
        if opening is None or len(words) - opening < 2:
            continue
        found.append(" ".join(words[opening:]))
        if len(found) == MAX_QUESTION_PARTS:
            break
    return found


MAX_WORD_CHARS = 40
"""No word is longer; longer runs of letters are junk and must not fill the word caches."""


def tokens(text: str) -> list[str]:
    """Cleaned word tokens of ``text`` (letters and digits only, junk-length runs dropped)."""
    return [t for t in _TOKEN.findall(clean(text)) if len(t) <= MAX_WORD_CHARS]


_STEMMER = snowballstemmer.stemmer("english")

COMMON_WORD_MIN_FREQUENCY = 100
"""A word seen this often in pyspellchecker's English corpus is a real word, not a typo."""


@lru_cache(maxsize=1)
def english_frequencies() -> dict[str, int]:
    """How often each English word occurs in pyspellchecker's corpus."""
    return dict(SpellChecker(distance=1).word_frequency.dictionary)


@lru_cache(maxsize=1)
def _common_english_words() -> dict[tuple[str, int], list[str]]:
    """Common English words by first letter and length: a typo rarely changes the first letter,
    so a misspelt word is compared with a few hundred words rather than forty thousand."""
    frequencies = english_frequencies()
    buckets: dict[tuple[str, int], list[str]] = {}
    for w, n in frequencies.items():
        if n >= COMMON_WORD_MIN_FREQUENCY and w.isalpha() and 3 <= len(w) <= MAX_WORD_CHARS:
            buckets.setdefault((w[0], len(w)), []).append(w)
    return buckets


ENGLISH_CORRECTIONS_PER_QUESTION = 3
"""Unknown words of one question tried against the English word list (a few ms each), so a
message of junk words costs no more than a few real typos."""


@lru_cache(maxsize=4096)
def english_correction(word: str) -> str | None:
    """The common English word a misspelt ``word`` most likely is ("happnd" -> "happened").

    Closest first, then most frequent; within one edit, two for words of six letters or more,
    keeping the first letter. None for words English knows at all (names such as "putin" are
    left alone).
    """
    if word in english_frequencies():
        return None
    max_edits = 2 if len(word) >= 6 else 1
    buckets = _common_english_words()
    nearby = [
        w
        for n in range(len(word) - max_edits, len(word) + max_edits + 1)
        for w in buckets.get((word[0], n), ())
    ]
    found = process.extract(word, nearby, scorer=OSA.distance, score_cutoff=max_edits, limit=None)
    if not found:
        return None
    frequencies = english_frequencies()
    return min(found, key=lambda hit: (hit[1], -frequencies[hit[0]]))[0]


def is_common_english_word(word: str) -> bool:
    """True for real English words ("string", "tire"), which must never be "corrected"."""
    return english_frequencies().get(word, 0) >= COMMON_WORD_MIN_FREQUENCY


def _is_subsequence(short: str, long: str) -> bool:
    """Whether ``short`` is ``long`` with letters left out."""
    letters = iter(long)
    return all(letter in letters for letter in short)


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """The Snowball (Porter 2) stem of a lowercase word."""
    return str(_STEMMER.stemWord(word))


def _phrase_table(phrases: Iterable[Sequence[str]]) -> tuple[dict[tuple[str, ...], int], int]:
    table: dict[tuple[str, ...], int] = {}
    for index, phrase in enumerate(phrases):
        key = tuple(phrase)
        if key:
            table.setdefault(key, index)
    return table, max((len(k) for k in table), default=0)


class Analyzer:
    """Maps text to the terms retrieval compares, with aliases, noise and typos handled."""

    def __init__(
        self,
        alias_groups: Sequence[Sequence[str]] = (),
        noise: Iterable[str] = (),
        extra_stopwords: Iterable[str] = (),
    ) -> None:
        # Aliases match on stems so "Americans" finds the group of "American".
        alias_phrases: list[tuple[str, ...]] = []
        self._alias_targets: list[str] = []
        for group in alias_groups:
            canonical = "_".join(stem(t) for t in tokens(group[0]))
            for entry in group:
                alias_phrases.append(tuple(stem(t) for t in tokens(entry)))
                self._alias_targets.append(canonical)
        self._aliases, self._alias_len = _phrase_table(alias_phrases)
        self._noise, self._noise_len = _phrase_table(tokens(n) for n in noise)
        self.stopwords = english.STOPWORDS | {w for s in extra_stopwords for w in tokens(s)}
        # Stopwords go through the same cleaning as questions: "can't" is matched as "cant".
        self._stopword_stems = frozenset(stem(t) for w in self.stopwords for t in tokens(w))
        # Stopwords as questions spell them once cleaned: "didn't" arrives as "didnt".
        self._stopword_tokens = frozenset(t for w in self.stopwords for t in tokens(w))
        self._alias_words = frozenset(w for group in alias_groups for e in group for w in tokens(e))
        self._noise_words = frozenset(w for n in noise for w in tokens(n))
        self._vocabulary: list[str] = []
        self._known: frozenset[str] = frozenset()

    def set_vocabulary(self, words: Iterable[str]) -> None:
        """Words typos are corrected towards: every word the knowledge base uses."""
        vocab = {w for w in words if len(w) >= 3 and not w.isdigit()}
        self._vocabulary = sorted(vocab | self._alias_words)
        self._known = frozenset(self._vocabulary) | self._stopword_tokens | self._noise_words
        self._correct.cache_clear()
        _common_english_words()  # built now, not on the first question with a typo

    @lru_cache(maxsize=16_384)  # noqa: B019 - one Analyzer lives as long as the process
    def _correct(self, word: str) -> str:
        if len(word) == 3 and word.isalpha() and word not in self._known:
            return self._expand(word)
        if (
            word in self._known
            or len(word) < 4
            or word.isdigit()
            or not self._vocabulary
            or is_common_english_word(word)
        ):
            return word
        # One edit for short words, two for long ones: enough for "trmp", "positve", "happnd"
        # without turning unrelated short words into article words.
        max_edits = 1 if len(word) <= 6 else 2
        # Optimal string alignment: two swapped letters ("lavrvo", "prais") are one slip.
        found = process.extract(
            word, self._vocabulary, scorer=OSA.distance, score_cutoff=max_edits, limit=None
        )
        if not found:
            return word
        # Ties: a word typed short is most often cut off ("wher" is "where", not "when"); then a
        # letter left out ("movment" is "movement", not "moment"); then the first letter, which
        # typing rarely gets wrong ("vence" is "vance", not "fence"); then the more common word.
        frequencies = english_frequencies()
        best = min(
            found,
            key=lambda hit: (
                hit[1],
                not hit[0].startswith(word),
                not _is_subsequence(word, hit[0]),
                hit[0][0] != word[0],
                -frequencies.get(hit[0], 0),
            ),
        )
        return str(best[0])

    def _expand(self, word: str) -> str:
        """A three-letter chat contraction of a knowledge word ("tlk" -> "talk"), when English
        has no such word and exactly one knowledge word is that word with one letter added;
        or a stopword with two letters swapped ("teh", "adn")."""
        if is_common_english_word(word):  # "won" is no "own"
            return word
        swapped = {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}
        stopwords = sorted(swapped & self._stopword_tokens)
        if stopwords:
            return stopwords[0]
        if word in english_frequencies():
            return word
        found = [
            w
            for w in self._vocabulary
            if len(w) == 4 and w[0] == word[0] and Levenshtein.distance(word, w) == 1
        ]
        return found[0] if len(found) == 1 else word

    def _corrected(self, words: list[str]) -> list[str]:
        corrected = [self._correct(w) for w in words]
        budget = ENGLISH_CORRECTIONS_PER_QUESTION
        for i, word in enumerate(corrected):
            if budget and self._is_unknown(word):
                # Not a misspelt knowledge word: perhaps a misspelt English one ("happnd"),
                # which may then be a stopword or reach the knowledge by its stem ("happen").
                budget -= 1
                corrected[i] = english_correction(word) or word
        return corrected

    def _is_unknown(self, word: str) -> bool:
        return (
            len(word) >= 5
            and word not in self._known
            and not word.isdigit()
            and not is_common_english_word(word)
        )

    def phrase_positions(self, words: Sequence[str]) -> frozenset[int]:
        """Indexes of the words inside a multi-word alias or chat-noise phrase ("state" in
        "secretary of state", "says" in "my uncle says"): they do not mean what they mean
        alone."""
        stems = [stem(w) for w in words]
        inside: set[int] = set()
        for table, length, seq in (
            (self._aliases, self._alias_len, stems),
            (self._noise, self._noise_len, list(words)),
        ):
            for n in range(2, length + 1):
                for start in range(len(seq) - n + 1):
                    if tuple(seq[start : start + n]) in table:
                        inside.update(range(start, start + n))
        return frozenset(inside)

    def _without_noise(self, words: list[str]) -> list[str]:
        kept: list[str] = []
        i = 0
        while i < len(words):
            for n in range(min(self._noise_len, len(words) - i), 0, -1):
                if tuple(words[i : i + n]) in self._noise:
                    i += n
                    break
            else:
                kept.append(words[i])
                i += 1
        return kept

    def _canonical(self, stems: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(stems):
            for n in range(min(self._alias_len, len(stems) - i), 0, -1):
                index = self._aliases.get(tuple(stems[i : i + n]))
                if index is not None:
                    out.append(self._alias_targets[index])
                    i += n
                    break
            else:
                out.append(stems[i])
                i += 1
        return out

    def analyse(self, text: str, *, correct_typos: bool = False) -> tuple[list[str], list[str]]:
        """(terms, raw terms) of ``text``; raw terms skip the alias mapping.

        Terms are canonical and stemmed, without noise or stopwords; raw terms are the words as
        the writer chose them, stemmed, which tells apart facts that aliases make look alike.
        """
        words = tokens(text)
        if correct_typos:
            words = self._corrected(words)
        stems = [stem(w) for w in self._without_noise(words)]
        return self._content(self._canonical(stems)), self._content(stems)

    def _content(self, stems: list[str]) -> list[str]:
        # Single characters ("u", "r", "w", "2") are chat shorthand, never content.
        return [s for s in stems if len(s) > 1 and s not in self._stopword_stems]

    def terms(self, text: str, *, correct_typos: bool = False) -> list[str]:
        """Content terms of ``text``: canonical, stemmed, without noise or stopwords."""
        return self.analyse(text, correct_typos=correct_typos)[0]
