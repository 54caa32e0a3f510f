"""The engine's design promises: small talk, content-free questions, traces, one index per
article (isolation, per-article aliases), uncurated facts, the calibration file and the vector
cache."""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from bot.answers import AnswerEngine, AnswerStatus
from bot.calibration import Calibration, CalibrationError, load_calibration
from bot.cli import main
from bot.draft import draft_source, knowledge_of
from bot.knowledge import AliasFile, KnowledgeBase, load_knowledge
from bot.language import english
from bot.render import render_plain, render_telegram_html
from bot.retrieval import Retriever
from bot.semantic import EmbeddingCache, Vectors
from bot.text import stem, tokens
from tests.support import HARBOR_ARTICLE, KNOWLEDGE_DIR, dump_yaml, write_source


class HashingEncoder:
    """A deterministic stand-in for the sentence encoder: words hashed into a vector."""

    name = "test-hashing"
    dim = 64

    def __init__(self) -> None:
        self.encoded = 0

    def _vector(self, text: str) -> Vectors:
        vector = np.zeros(self.dim, dtype=np.float32)
        for word in tokens(text):
            vector[int(hashlib.sha256(word.encode()).hexdigest(), 16) % self.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def queries(self, texts: Sequence[str]) -> Vectors:
        self.encoded += len(texts)
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self.queries(texts)


# --- small talk and questions that name nothing --------------------------------------------


@pytest.mark.parametrize(
    "message",
    [
        "hi",
        "Hello bot!",
        "hi bot how r u today",
        "hey, how's your day going?",
        "Good morning! Who are you?",
        "thanks!",
        "thank you so much",
        "tell me a joke",
        "ok cool",
    ],
)
def test_small_talk_gets_a_friendly_reply_and_no_fact(engine: AnswerEngine, message: str) -> None:
    answer = engine.answer(message)

    assert answer.status is AnswerStatus.SMALL_TALK
    assert not answer.answered
    assert answer.citations == ()
    assert answer.suggestions  # what the bot is for, by example
    assert "doesn't say" not in render_plain(answer)
    assert "article" in render_telegram_html(answer)


@pytest.mark.parametrize(
    "message", ["why?", "who?", "whose?", "Who said that?", "what happened then?", "why tho"]
)
def test_a_question_that_names_nothing_is_asked_what_it_means(
    engine: AnswerEngine, message: str
) -> None:
    answer = engine.answer(message)

    assert answer.status is AnswerStatus.UNCLEAR
    assert not answer.answered
    assert "What do you mean?" in render_plain(answer)


@pytest.mark.parametrize(
    "question",
    ["Hi, what did Rubio say about security guarantees?", "thanks! and who is Lavrov?"],
)
def test_a_question_after_a_greeting_is_still_answered(
    engine: AnswerEngine, question: str
) -> None:
    assert engine.answer(question).answered


# --- traces -----------------------------------------------------------------------------------


def test_the_trace_says_which_facts_were_judged_and_why(engine: AnswerEngine) -> None:
    answer = engine.answer("How many people died in the Kharkiv strikes?", explain=True)

    assert answer.trace is not None
    assert answer.trace.decision.startswith(answer.status.value)
    best = answer.trace.facts[0]
    assert best.confidence == answer.confidence
    assert {"coverage", "meaning", "hand_weighted"} <= set(best.signals)
    # "how many" asks for a number the caption does not give: the check says so.
    caption = next(f for f in answer.trace.facts if f.fact_id == "photo-caption")
    assert caption.checks["answer_type"] == "fails"


def test_the_trace_is_only_made_when_asked_for(engine: AnswerEngine) -> None:
    assert engine.answer("What is the minerals deal?").trace is None


def test_ask_explain_prints_the_trace_and_json_carries_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--knowledge", str(KNOWLEDGE_DIR), "ask", "--explain", "Who is Lavrov?"]) == 0
    printed = capsys.readouterr().out
    assert "Decision: answered" in printed
    assert "checks:" in printed

    assert main(["--knowledge", str(KNOWLEDGE_DIR), "ask", "--json", "--explain", "why?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["trace"]["decision"] == "unclear"


# --- one index per article ------------------------------------------------------------------


@pytest.fixture(scope="module")
def with_others(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """The shipped article, the harbor article (with its own alias) and a drafted article."""
    knowledge = tmp_path_factory.mktemp("isolation") / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    harbor = write_source(knowledge, "harbor")
    # "deal" means something else in the harbor article; it must not reach peace-talks.
    (harbor / "aliases.yaml").write_text(
        dump_yaml({"groups": [["lighthouse", "beacon tower", "treaty"]]}), encoding="utf-8"
    )
    return load_knowledge(knowledge)


def test_an_articles_alias_does_not_change_matching_in_another(
    with_others: KnowledgeBase, engine: AnswerEngine
) -> None:
    harbor = Retriever(with_others.for_source("harbor"))
    peace = Retriever(with_others.for_source("peace-talks"))

    beacon = harbor.analyse("When does the beacon tower reopen?")
    assert {"lighthous", "reopen"} <= set(beacon.terms)
    assert "lighthous" not in peace.analyse("Was a treaty signed?").terms
    assert peace.analyse("Was a treaty signed?") == engine.retriever.analyse("Was a treaty signed?")


def test_a_question_about_one_article_is_judged_the_same_with_others_loaded(
    with_others: KnowledgeBase, engine: AnswerEngine
) -> None:
    together = AnswerEngine(with_others)
    for question in [
        "What did Rubio say about security guarantees?",
        "Was the Paris meeting a turning point?",
        "When did a similar deal collapse?",
    ]:
        alone = engine.answer(question)
        both = together.answer(question)
        assert (both.status, both.fact_ids, both.confidence) == (
            alone.status,
            alone.fact_ids,
            alone.confidence,
        ), question
    assert together.answer("When does the beacon tower reopen?").fact_ids == (
        "lighthouse-reopens",
    )


def test_an_alias_may_not_give_a_shared_word_a_second_meaning(tmp_path: Path) -> None:
    knowledge = tmp_path / "knowledge"
    harbor = write_source(knowledge, "harbor")
    (knowledge / "aliases.yaml").write_text(
        dump_yaml({"groups": [["when", "wen"]]}), encoding="utf-8"
    )
    (harbor / "aliases.yaml").write_text(
        dump_yaml({"groups": [["lighthouse", "wen"]]}), encoding="utf-8"
    )
    with pytest.raises(Exception, match=r"harbor/aliases.yaml, field 'groups\[0\]\[1\]'"):
        load_knowledge(knowledge)


def test_no_stopword_is_an_alias_anywhere(knowledge: KnowledgeBase) -> None:
    stopword_stems = {stem(w) for w in english.STOPWORDS}
    groups = list(knowledge.aliases.groups) + [
        g for source in knowledge.sources.values() for g in source.aliases.groups
    ]
    single_words = {
        stem(tokens(entry)[0]) for group in groups for entry in group if len(tokens(entry)) == 1
    }
    # "when" is no stopword here (questions ask by it); every other overlap would be dead data.
    assert single_words & stopword_stems <= {"when"}


# --- articles nobody curated --------------------------------------------------------------


def test_a_drafted_article_answers_from_its_sentences_without_curated_questions(
    tmp_path: Path,
) -> None:
    source = draft_source(HARBOR_ARTICLE, "harbor", "Harbor report", tmp_path)
    assert all(not f.fact.questions for f in source.facts)
    engine = AnswerEngine(knowledge_of([source], AliasFile(), tmp_path))

    answer = engine.answer("When will the Gull Point lighthouse reopen?")

    assert answer.answered
    assert answer.citations[0].quote == (
        "The Gull Point lighthouse will reopen to visitors on Saturday."
    )
    judged = engine.answer("How long did the repairs take?", explain=True).trace
    assert judged is not None
    assert judged.facts[0].fact_id == "harbor-s3"  # "Repairs took three years…"
    assert not engine.answer("What is the capital of France?").answered


# --- the calibration file -----------------------------------------------------------------


def test_the_shipped_calibration_loads() -> None:
    calibration = load_calibration()
    assert calibration.decider.features
    assert calibration.fitted_on


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("{not json", "not valid JSON"),
        ('{"format": 1}', "refit it with `citebot calibrate`"),
        ("stale", "other features"),
        ("nan", "malformed"),
    ],
)
def test_an_unusable_calibration_file_is_a_clear_error(
    tmp_path: Path, content: str | None, message: str
) -> None:
    path = tmp_path / "calibration.json"
    shipped = json.loads(load_calibration().to_json())
    if content == "stale":
        shipped["decider"]["features"] = ["a_feature_this_citebot_lacks"]
        content = json.dumps(shipped)
    elif content == "nan":
        shipped["decider"]["weights"][0] = "NaN"
        content = json.dumps(shipped)
    if content is not None:
        path.write_text(content, encoding="utf-8")

    with pytest.raises(CalibrationError, match=message):
        load_calibration(path)


def test_the_cli_refuses_a_broken_calibration_with_exit_2(
    clean_environment: None,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("{", encoding="utf-8")
    monkeypatch.setenv("CITEBOT_CALIBRATION_FILE", str(broken))

    assert main(["--knowledge", str(KNOWLEDGE_DIR), "ask", "who is Rubio?"]) == 2
    assert "calibration" in capsys.readouterr().err


def test_a_calibration_round_trips_through_json() -> None:
    shipped = load_calibration()
    assert Calibration.from_json(shipped.to_json(), "again") == shipped


# --- the vector cache ---------------------------------------------------------------------


def test_vectors_are_cached_on_disk_and_only_new_texts_encoded(tmp_path: Path) -> None:
    EmbeddingCache._memory.pop(HashingEncoder.name, None)
    encoder = HashingEncoder()
    first = EmbeddingCache(tmp_path).vectors(encoder, ["one text", "another text"])
    assert encoder.encoded == 2
    EmbeddingCache._memory.pop(encoder.name, None)  # a new process

    again = EmbeddingCache(tmp_path).vectors(encoder, ["one text", "a new text"])

    assert encoder.encoded == 3  # only "a new text"
    assert np.allclose(again[0], first[0])
    assert (tmp_path / f"embeddings-{encoder.name}.npz").is_file()


@pytest.mark.parametrize("damage", [b"", b"not a numpy file", b"PK\x03\x04 broken zip"])
def test_a_corrupt_cache_is_rebuilt_with_a_warning_not_a_crash(
    tmp_path: Path, damage: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    EmbeddingCache._memory.pop(HashingEncoder.name, None)
    encoder = HashingEncoder()
    (tmp_path / f"embeddings-{encoder.name}.npz").write_bytes(damage)

    with caplog.at_level(logging.WARNING):
        vectors = EmbeddingCache(tmp_path).vectors(encoder, ["some text"])

    assert vectors.shape == (1, encoder.dim)
    assert "rebuilding" in caplog.text
    EmbeddingCache._memory.pop(HashingEncoder.name, None)
    assert EmbeddingCache(tmp_path).vectors(encoder, ["some text"]).shape == (1, encoder.dim)


def test_an_unwritable_cache_directory_costs_only_time(tmp_path: Path) -> None:
    EmbeddingCache._memory.pop(HashingEncoder.name, None)
    blocked = tmp_path / "file-not-dir"
    blocked.write_text("x", encoding="utf-8")
    vectors = EmbeddingCache(blocked / "cache").vectors(HashingEncoder(), ["text"])
    assert vectors.shape == (1, HashingEncoder.dim)


def test_an_engine_can_run_with_any_encoder(knowledge: KnowledgeBase) -> None:
    engine = AnswerEngine(knowledge, encoder=HashingEncoder())
    assert engine.answer("What did Rubio say about security guarantees?").answered
