"""Fixtures shared by the engine tests: the shipped knowledge base and one engine per session,
and tiny articles of their own for the answer checks (test_answer_checks.py, test_checks.py)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from bot.answers import AnswerEngine
from bot.knowledge import KnowledgeBase, load_knowledge
from tests.support import KNOWLEDGE_DIR, fact, write_source


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once."""
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def engine(knowledge: KnowledgeBase) -> AnswerEngine:
    """The default engine over the shipped knowledge base (building it is the slow part)."""
    return AnswerEngine(knowledge)


COUNCIL_ARTICLE = (
    "Officials from three villages met at the harbor on Friday.\n"
    "The meeting was led by the town’s mayor, Ada Brook. Repairs to the pier were agreed.\n"
    "Other problems remain unresolved, the mayor said.\n"
)


def one_article(
    tmp_path_factory: pytest.TempPathFactory, name: str, article: str, facts: list[dict[str, Any]]
) -> KnowledgeBase:
    """A knowledge base of one article without a caption."""
    knowledge = tmp_path_factory.mktemp(name) / "knowledge"
    write_source(knowledge, name, article=article, facts=facts, meta={"caption_paragraphs": []})
    return load_knowledge(knowledge)


def quotes_as_article(facts: list[dict[str, Any]]) -> str:
    """An article of the facts' quotes, one paragraph each, in order."""
    return "".join(f"{entry['quotes'][0]}\n" for entry in facts)


@pytest.fixture(scope="session")
def council(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """Villages' officials, a mayor named after her title, and what was agreed."""
    facts = [
        fact(
            "officials-met",
            "Officials from three villages met at the harbor on Friday.",
            ["Who met at the harbor?", "Did officials from the villages meet?"],
        ),
        fact(
            "mayor-led",
            "The meeting was led by the town’s mayor, Ada Brook.",
            ["Who led the meeting?", "Did the mayor lead the meeting?"],
        ),
        fact(
            "pier-repairs",
            "Repairs to the pier were agreed.",
            ["What was agreed at the meeting?", "Were repairs agreed?"],
        ),
        fact(
            "other-problems",
            "Other problems remain unresolved, the mayor said.",
            ["Do other problems remain?", "Are problems unresolved?"],
        ),
    ]
    return one_article(tmp_path_factory, "council", COUNCIL_ARTICLE, facts)


@pytest.fixture(scope="session")
def headed(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """A section heading and a sentence of its section."""
    facts = [
        fact(
            "heading-progress",
            "Signs of Progress at the Pier",
            ["Which section is about the pier?", "What is the heading about progress?"],
        ),
        fact(
            "pier-repairs", "Repairs to the pier were agreed on Friday.", ["Were repairs agreed?"]
        ),
    ]
    return one_article(tmp_path_factory, "headed", quotes_as_article(facts), facts)


@pytest.fixture(scope="session")
def ferry(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeBase:
    """Causes, vague mentions ("some repairs") and counts ("some 40 boats")."""
    facts = [
        fact(
            "ferry-cancelled",
            "The ferry was cancelled after storms hit the coast.",
            ["Why was the ferry cancelled?", "Did storms hit the coast?"],
        ),
        fact(
            "some-repairs",
            "The council will fund some repairs to the old pier, the mayor said.",
            ["Will the council fund repairs?", "Who pays for the repairs?"],
        ),
        fact(
            "damaged-boats",
            "The harbor master named the damaged boats: the Tern and the Gull.",
            ["Which boats were damaged?", "Were any boats damaged?"],
        ),
        fact(
            "harbor-reopened",
            "After the storms passed, the harbor reopened.",
            ["Why did the harbor reopen?", "When did the harbor reopen?"],
        ),
        fact(
            "boats-damaged",
            "Some 40 boats were damaged in all.",
            ["How many boats were damaged?", "Were boats damaged?"],
        ),
        fact(
            "island-fee",
            "Any visitor to the island must pay a fee of 12 dollars.",
            ["What is the island fee?", "Do visitors pay a fee?"],
        ),
    ]
    return one_article(tmp_path_factory, "ferry", quotes_as_article(facts), facts)


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No developer .env or CITEBOT_*/TELEGRAM_* variable may change what a test sees."""
    monkeypatch.chdir(tmp_path)
    for name in list(os.environ):
        if name.startswith(("CITEBOT_", "TELEGRAM_")):
            monkeypatch.delenv(name)


@pytest.fixture(autouse=True)
def _records_in_a_temporary_directory(
    monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """No test writes curation records or an install secret into the working directory."""
    monkeypatch.setenv("CITEBOT_DATA_DIR", str(tmp_path_factory.mktemp("data")))
    monkeypatch.delenv("CITEBOT_DATABASE_URL", raising=False)
