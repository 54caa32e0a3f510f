"""A synthetic knowledge base, written as real knowledge files, and queries against it.

Layout written (the same one ``bot.knowledge`` loads)::

    <root>/aliases.yaml                      copied from the project's knowledge/aliases.yaml
    <root>/sources/synthetic-NN/source.yaml
    <root>/sources/synthetic-NN/article.txt  FACTS_PER_SOURCE generated sentences
    <root>/sources/synthetic-NN/facts.yaml   one fact per sentence

Facts are split over sources of ``FACTS_PER_SOURCE`` because the loader refuses any single file
above ``bot.knowledge.MAX_FILE_BYTES`` (5 MB); 10,000 facts in one facts.yaml would be ~7 MB.

Sentences are 6-9 content words drawn from a Zipf-Mandelbrot-distributed vocabulary (a few thousand
pronounceable pseudo-words plus common English words), joined by function words, five sentences
to a paragraph. Each fact quotes one sentence verbatim and has 6-8 generated alternate questions
and 3-6 keywords built from that sentence's content words. Everything derives from one seed.
"""

from __future__ import annotations

import random
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import yaml

from bot.text import ENGLISH_STOPWORDS

FACTS_PER_SOURCE = 1_000
SENTENCES_PER_PARAGRAPH = 5
PSEUDO_WORDS = 3_000
ZIPF_EXPONENT = 1.05
ZIPF_OFFSET = 20
"""Zipf-Mandelbrot weights 1 / (rank + offset) ** exponent: the commonest word is ~1% of words."""

REAL_WORDS = tuple(
    """
    account action agency agreement aid airport alliance analyst army attack authority bank
    battle border bridge budget cabinet campaign capital ceasefire charge church citizen city
    coalition coast committee company conflict congress council country court crisis crowd
    currency damage deadline debate decision defence delegation demand deputy diplomat director
    dispute district document drone economy election embassy energy envoy export factory family
    farmer festival field finance fleet forest fortune frontier fuel garden governor grain harbor
    harvest hospital household income industry inquiry island journalist judge labour landmark
    lawyer leader league letter market mayor measure meeting member message militia minister
    mission monument motion museum nation network office officer opposition order parliament
    partner party patrol pension permit pipeline plan planet platform police policy port power
    premier president press price prison project protest province railway rebel reform region
    report reserve resident resource river road ruling sanction school science senate senator
    session settlement shipment signal soldier speaker station statement strike study summit
    supply support survey system tariff tax teacher territory theatre threat trade treaty tribunal
    troop truce tunnel union university valley vessel village vote voter warning water weapon
    winter worker agree announce approve argue arrive attend block build cancel celebrate claim
    collapse confirm criticise decline defend delay deliver deny deploy discuss dismiss elect
    expand export finance fund guarantee host import increase inspect invest join launch lead
    negotiate oppose order pledge postpone propose protect publish raise reject release renew
    repair report request restore review secure sign suspend threaten trade urge visit warn
    ancient annual bitter brief broad central chief coastal cold crucial distant domestic eastern
    economic fierce final foreign formal fragile frozen global historic huge illegal interim joint
    key local major military minor modest narrow national northern official open peaceful private
    public quiet rapid recent regional remote rural secret senior sharp southern stable steady
    strong sudden swift tense urban vast violent vital western wide
    """.split()
)

FUNCTION_WORDS = (
    "the", "the", "the", "of", "of", "and", "in", "to", "with", "a", "for", "on", "by", "from",
    "at", "after", "over", "near",
)

_ONSETS = "b d f g k l m n p r s t v z br dr gr kr st tr".split()
_VOWELS = "a e i o u".split()
_CODAS = ("", "", "", "n", "r", "s", "l", "m")
# Out-of-scope pseudo-words use letters the knowledge base's pseudo-words never contain.
_OOS_ONSETS = "h j w y sh ch ph wh qu x".split()
_OOS_VOWELS = "a e i o u y ai ou".split()

_QUESTION_TEMPLATES: tuple[tuple[str, int], ...] = (
    ("What did the {0} {1}?", 2),
    ("Why is {0} {1} {2}?", 3),
    ("Who {0} the {1}?", 2),
    ("{0} {1} {2}", 3),
    ("Tell me about {0} and {1}", 2),
    ("When did {0} {1}?", 2),
    ("Is the {0} {1}?", 2),
    ("How does {0} relate to {1}?", 2),
    ("what about {0} {1}", 2),
    ("Where is the {0} of {1}?", 2),
    ("Does {0} {1} {2}?", 3),
    ("{0} and {1}?", 2),
)

_DERIVED_TEMPLATES = (
    "{}?",
    "what about {}",
    "whats the deal with {}",
    "anything on {}?",
    "{} - what happened?",
    "Can you tell me about {}?",
)

_CHAT_NOISE = ("hey", "ok so", "quick q:", "um", "pls", "btw", "hi bot,", "@citebot")

_OOS_QUESTIONS = (
    "What is the capital of {}?",
    "How many calories are in a {}?",
    "Who wrote the novel about the {}?",
    "What is the weather like in {} tomorrow?",
    "How do I bake a {} cake?",
    "Convert 100 {} to kilograms.",
    "Who won the {} cup in 1998?",
    "What time does the {} open on Sunday?",
    "Recommend a good {} recipe",
    "Is the {} a mammal?",
)

_OOS_FILLERS = (
    "banana", "giraffe", "saxophone", "pancake", "volcano", "chess", "penguin", "sushi",
    "guitar", "tennis", "dinosaur", "coffee", "lasagna", "kangaroo", "origami", "yoga",
    "cricket", "jazz", "tulip", "avocado", "telescope", "marathon", "cupcake", "walrus",
)


@dataclass(frozen=True, slots=True)
class SyntheticFact:
    id: str
    sentence: str
    content: tuple[str, ...]
    questions: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class SyntheticKnowledge:
    root: Path
    facts: tuple[SyntheticFact, ...]
    sources: int
    vocabulary: tuple[str, ...]
    bytes_written: int


@dataclass(frozen=True, slots=True)
class Query:
    text: str
    expected_quote: str | None
    """The sentence a right answer cites first; None for an out-of-scope query."""


def _pseudo_word(rng: random.Random, onsets: Sequence[str], vowels: Sequence[str]) -> str:
    syllables = rng.choice((2, 2, 3, 3, 4))
    word = "".join(rng.choice(onsets) + rng.choice(vowels) for _ in range(syllables))
    return word + rng.choice(_CODAS)


def make_vocabulary(rng: random.Random) -> list[str]:
    """PSEUDO_WORDS unique pseudo-words plus REAL_WORDS, in a seeded random (Zipf rank) order."""
    words: set[str] = set(REAL_WORDS) | ENGLISH_STOPWORDS
    pseudo: list[str] = []
    while len(pseudo) < PSEUDO_WORDS:
        word = _pseudo_word(rng, _ONSETS, _VOWELS)
        if word not in words:
            words.add(word)
            pseudo.append(word)
    vocabulary = [*pseudo, *dict.fromkeys(REAL_WORDS)]
    rng.shuffle(vocabulary)
    return vocabulary


class _SentenceMaker:
    def __init__(self, rng: random.Random, vocabulary: Sequence[str]) -> None:
        self.rng = rng
        self.vocabulary = list(vocabulary)
        self.cumulative: list[float] = []
        total = 0.0
        for rank in range(len(vocabulary)):
            total += 1.0 / (rank + 1 + ZIPF_OFFSET) ** ZIPF_EXPONENT
            self.cumulative.append(total)
        self.seen: set[str] = set()

    def make(self) -> tuple[str, tuple[str, ...]]:
        rng = self.rng
        while True:
            content = rng.choices(self.vocabulary, cum_weights=self.cumulative, k=rng.randint(6, 9))
            unique = tuple(dict.fromkeys(content))
            if len(unique) < 4:
                continue
            words: list[str] = []
            for index, word in enumerate(content):
                if index and rng.random() < 0.45:
                    words.append(rng.choice(FUNCTION_WORDS))
                words.append(word)
            text = " ".join(words)
            text = text[0].upper() + text[1:] + "."
            if text not in self.seen:
                self.seen.add(text)
                return text, unique


def _questions(rng: random.Random, content: Sequence[str]) -> tuple[str, ...]:
    chosen = rng.sample(_QUESTION_TEMPLATES, rng.randint(6, 8))
    questions: dict[str, str] = {}
    for template, needed in chosen:
        question = template.format(*rng.sample(list(content), needed))
        questions.setdefault(question.casefold(), question)
    return tuple(questions.values())


def generate_knowledge(
    root: Path, fact_count: int, seed: int, aliases: Path | None
) -> SyntheticKnowledge:
    """Write a knowledge directory of ``fact_count`` facts under ``root`` (which must not exist)."""
    rng = random.Random(seed)
    vocabulary = make_vocabulary(rng)
    maker = _SentenceMaker(rng, vocabulary)
    sources_dir = root / "sources"
    sources_dir.mkdir(parents=True)
    if aliases is not None and aliases.exists():
        shutil.copyfile(aliases, root / "aliases.yaml")
    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    facts: list[SyntheticFact] = []
    source_count = (fact_count + FACTS_PER_SOURCE - 1) // FACTS_PER_SOURCE
    for source_index in range(source_count):
        source_id = f"synthetic-{source_index:02d}"
        directory = sources_dir / source_id
        directory.mkdir()
        here = min(FACTS_PER_SOURCE, fact_count - source_index * FACTS_PER_SOURCE)
        paragraphs: list[list[str]] = []
        entries: list[dict[str, object]] = []
        for _ in range(here):
            sentence, content = maker.make()
            if not paragraphs or len(paragraphs[-1]) >= SENTENCES_PER_PARAGRAPH:
                paragraphs.append([])
            paragraphs[-1].append(sentence)
            fact_id = f"f{len(facts) + 1:05d}"
            questions = _questions(rng, content)
            keywords = rng.sample(list(content), min(len(content), rng.randint(3, 6)))
            entries.append(
                {
                    "id": fact_id,
                    "topic": f"Topic {source_index:02d}-{len(entries) // 50:02d}",
                    "answer": sentence,
                    "quotes": [sentence],
                    "questions": list(questions),
                    "keywords": keywords,
                }
            )
            facts.append(SyntheticFact(fact_id, sentence, content, questions))
        meta = {
            "id": source_id,
            "label": f"Synthetic article {source_index:02d}",
            "description": f"{here} generated sentences for citebot's scaling benchmark.",
        }
        (directory / "source.yaml").write_text(
            yaml.dump(meta, Dumper=dumper, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
        (directory / "article.txt").write_text(
            "\n".join(" ".join(p) for p in paragraphs) + "\n", encoding="utf-8"
        )
        (directory / "facts.yaml").write_text(
            yaml.dump(
                {"facts": entries},
                Dumper=dumper,
                sort_keys=False,
                allow_unicode=True,
                width=1000,
            ),
            encoding="utf-8",
        )
    size = sum(p.stat().st_size for p in root.rglob("*") if p.is_file())
    return SyntheticKnowledge(root, tuple(facts), source_count, tuple(vocabulary), size)


def typing_slip(rng: random.Random, word: str) -> str:
    """``word`` (three letters or more) with one slip; the first letter is kept."""
    i = rng.randrange(1, len(word) - 1)
    kind = rng.randrange(4)
    if kind == 0:  # deletion
        return word[:i] + word[i + 1 :]
    if kind == 1:  # transposition
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    letter = rng.choice("abcdefghiklmnoprstuvz")
    if kind == 2:  # substitution
        return word[:i] + letter + word[i + 1 :]
    return word[:i] + letter + word[i:]  # insertion


def _noisy(rng: random.Random, text: str) -> str:
    words = text.split()
    if len(words) > 2 and rng.random() < 0.15:
        del words[rng.randrange(len(words))]
    words = [
        typing_slip(rng, w) if w.isalpha() and len(w) >= 5 and rng.random() < 0.2 else w
        for w in words
    ]
    if rng.random() < 0.3:
        words.insert(0, rng.choice(_CHAT_NOISE))
    text = " ".join(words)
    return text.lower() if rng.random() < 0.3 else text


def make_queries(
    knowledge: SyntheticKnowledge, count: int, seed: int, in_scope_share: float = 2 / 3
) -> list[Query]:
    """``count`` queries: noisy ones derived from random facts, and random out-of-scope ones.

    Derived queries start from one of the fact's curated questions or from 2-4 of its sentence's
    content words in a casual template, then get typos (20% of words of 5+ letters), a dropped
    word, chat filler and lower-casing at random. Out-of-scope queries are general-knowledge
    questions or questions about pseudo-words spelled with letters the knowledge base never uses.
    """
    rng = random.Random(seed)
    known = set(knowledge.vocabulary)
    in_scope = round(count * in_scope_share)
    queries: list[Query] = []
    for _ in range(in_scope):
        fact = rng.choice(knowledge.facts)
        if rng.random() < 0.5:
            base = rng.choice(fact.questions)
        else:
            picked = rng.sample(list(fact.content), min(len(fact.content), rng.randint(2, 4)))
            base = rng.choice(_DERIVED_TEMPLATES).format(" ".join(picked))
        queries.append(Query(_noisy(rng, base), fact.sentence))
    for index in range(count - in_scope):
        if index % 2 == 0:
            text = rng.choice(_OOS_QUESTIONS).format(rng.choice(_OOS_FILLERS))
        else:
            words: list[str] = []
            while len(words) < 2:
                word = _pseudo_word(rng, _OOS_ONSETS, _OOS_VOWELS)
                if word not in known:
                    words.append(word)
            text = f"What did {words[0]} say about the {words[1]}?"
        queries.append(Query(text, None))
    rng.shuffle(queries)
    return queries
