"""A second article is added as data only and answered from, cited as itself."""

from __future__ import annotations

import shutil

import pytest

from bot.answers import AnswerEngine
from bot.knowledge import KnowledgeBase, load_knowledge
from bot.render import render_plain
from tests.support import HARBOR_LABEL, KNOWLEDGE_DIR, write_source


@pytest.fixture(scope="module")
def two_sources(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    knowledge = tmp_path_factory.mktemp("two-sources") / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    write_source(knowledge, "harbor")
    return load_knowledge(knowledge)


@pytest.fixture(scope="module")
def two_source_engine(two_sources: KnowledgeBase) -> AnswerEngine:
    return AnswerEngine(two_sources)


def test_second_article_loads_next_to_the_shipped_one(
    two_sources: KnowledgeBase, knowledge: KnowledgeBase
) -> None:
    assert sorted(two_sources.sources) == ["harbor", "peace-talks"]
    harbor_ids = [f.id for f in two_sources.sources["harbor"].facts]
    assert harbor_ids == [
        "lighthouse-reopens",
        "lighthouse-repairs",
        "mayor-beacon",
        "keeper-cottage-photo",
    ]
    assert len(two_sources.facts) == len(knowledge.facts) + len(harbor_ids)
    assert all(f.source_id == "harbor" for f in two_sources.sources["harbor"].facts)


@pytest.mark.parametrize(
    ("question", "fact_id", "paragraph"),
    [
        ("When does the lighthouse reopen to visitors?", "lighthouse-reopens", 2),
        ("How long did the lighthouse repairs take?", "lighthouse-repairs", 2),
        ("What did the mayor say about the lighthouse?", "mayor-beacon", 3),
    ],
)
def test_questions_about_the_second_article_are_cited_from_it(
    two_source_engine: AnswerEngine, question: str, fact_id: str, paragraph: int
) -> None:
    answer = two_source_engine.answer(question)

    assert answer.answered
    first = answer.citations[0]
    assert (first.source, first.source_label, first.fact_id) == ("harbor", HARBOR_LABEL, fact_id)
    assert first.paragraph == paragraph
    assert first.section == "Lighthouse Work Finished"
    assert all(c.source == "harbor" for c in answer.citations)


def test_plain_answer_names_the_second_article(two_source_engine: AnswerEngine) -> None:
    text = render_plain(two_source_engine.answer("When does the lighthouse reopen to visitors?"))

    assert f"[1] {HARBOR_LABEL}, paragraph 2, section “Lighthouse Work Finished”" in text


def test_caption_of_the_second_article_is_cited_as_its_caption(
    two_source_engine: AnswerEngine,
) -> None:
    answer = two_source_engine.answer("What stands beside the white tower?")

    assert answer.answered
    assert answer.citations[0].source == "harbor"
    assert answer.citations[0].is_caption


def test_shipped_article_is_still_answered_from_itself(two_source_engine: AnswerEngine) -> None:
    answer = two_source_engine.answer("What did Trump say about taking a pass?")

    assert answer.answered
    assert answer.citations[0].source == "peace-talks"
    assert answer.citations[0].fact_id == "trump-take-a-pass"


def test_topics_of_both_articles_are_offered(two_source_engine: AnswerEngine) -> None:
    topics = two_source_engine.topics()

    assert {"The lighthouse", "The town"} <= set(topics)
    assert "Photo and caption" in topics

