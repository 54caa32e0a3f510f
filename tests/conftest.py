"""Fixtures shared by the engine tests: the shipped knowledge base and one engine per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from bot.answers import AnswerEngine
from bot.knowledge import KnowledgeBase, load_knowledge
from tests.support import KNOWLEDGE_DIR


@pytest.fixture(scope="session")
def knowledge() -> KnowledgeBase:
    """The shipped knowledge base, loaded once."""
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(scope="session")
def engine(knowledge: KnowledgeBase) -> AnswerEngine:
    """The default engine over the shipped knowledge base (building it is the slow part)."""
    return AnswerEngine(knowledge)


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
