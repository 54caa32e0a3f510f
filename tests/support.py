"""Shared test data: where the shipped knowledge lives, and small knowledge dirs built on disk.

``write_source`` writes ``sources/<id>/{source.yaml,article.txt,facts.yaml}`` so each loader test
can break exactly one thing and check the error a curator would see.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = REPO_ROOT / "knowledge"
QUESTION_BANKS = (REPO_ROOT / "questions" / "tune.json", REPO_ROOT / "questions" / "check.json")

# A tiny article in the shipped one's format: a photo caption, a heading, body paragraphs with
# curly quotes. Nothing in it overlaps the peace-talks article.
HARBOR_ARTICLE = (
    "A keeper’s cottage stands beside the white tower on Gull Point. (Harbor Archive)\n"
    "\n"
    "Lighthouse Work Finished\n"
    "The Gull Point lighthouse will reopen to visitors on Saturday. "
    "Repairs took three years and replaced the lantern room.\n"
    "“It’s a beacon again,” said the town’s mayor, Ada Brook.\n"
)
HARBOR_LABEL = "Harbor Gazette report on the Gull Point lighthouse"


def fact(
    fact_id: str,
    quote: str,
    questions: list[str],
    *,
    answer: str | None = None,
    topic: str = "The lighthouse",
    keywords: list[str] | None = None,
) -> dict[str, Any]:
    """One fact entry as a curator would write it in facts.yaml."""
    entry: dict[str, Any] = {
        "id": fact_id,
        "topic": topic,
        "answer": answer or quote,
        "quotes": [quote],
        "questions": questions,
    }
    if keywords:
        entry["keywords"] = keywords
    return entry


def harbor_facts() -> list[dict[str, Any]]:
    """Valid facts for ``HARBOR_ARTICLE``."""
    return [
        fact(
            "lighthouse-reopens",
            "The Gull Point lighthouse will reopen to visitors on Saturday.",
            [
                "When will the lighthouse reopen?",
                "When can visitors go to the Gull Point lighthouse?",
                "Is the lighthouse open again?",
            ],
            answer="The Gull Point lighthouse reopens to visitors on Saturday.",
            keywords=["reopen", "visitors", "Saturday"],
        ),
        fact(
            "lighthouse-repairs",
            "Repairs took three years and replaced the lantern room.",
            [
                "How long did the lighthouse repairs take?",
                "What was repaired in the lighthouse?",
                "How many years did the repairs last?",
            ],
            answer="The repairs took three years and replaced the lantern room.",
            keywords=["repairs", "lantern room", "three years"],
        ),
        fact(
            "mayor-beacon",
            "“It’s a beacon again,” said the town’s mayor, Ada Brook.",
            ["What did the mayor say about the lighthouse?", "Who is Ada Brook?"],
            answer="Mayor Ada Brook said the lighthouse is a beacon again.",
            topic="The town",
            keywords=["mayor", "Ada Brook", "beacon"],
        ),
        fact(
            "keeper-cottage-photo",
            "A keeper’s cottage stands beside the white tower on Gull Point. (Harbor Archive)",
            ["What does the photo of the cottage show?", "What stands beside the tower?"],
            answer="The photo shows the keeper’s cottage beside the white tower.",
            topic="The town",
        ),
    ]


def dump_yaml(data: object) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=1000)


def write_source(
    knowledge: Path,
    source_id: str = "harbor",
    *,
    article: str = HARBOR_ARTICLE,
    facts: list[dict[str, Any]] | None = None,
    facts_text: str | None = None,
    meta: dict[str, Any] | None = None,
    meta_text: str | None = None,
) -> Path:
    """Write ``knowledge/sources/<source_id>/`` and return that directory.

    ``facts_text`` and ``meta_text`` are written verbatim (for broken YAML); otherwise ``facts``
    and ``meta`` are dumped as YAML. ``meta`` entries override the defaults; a value of ``None``
    removes that key.
    """
    directory = knowledge / "sources" / source_id
    directory.mkdir(parents=True, exist_ok=True)
    defaults: dict[str, Any] = {
        "id": source_id,
        "label": HARBOR_LABEL,
        "caption_paragraphs": [1],
        "unknown": ["author"],
    }
    for key, value in (meta or {}).items():
        if value is None:
            defaults.pop(key, None)
        else:
            defaults[key] = value
    (directory / "source.yaml").write_text(
        meta_text if meta_text is not None else dump_yaml(defaults), encoding="utf-8"
    )
    (directory / "article.txt").write_text(article, encoding="utf-8")
    (directory / "facts.yaml").write_text(
        facts_text
        if facts_text is not None
        else dump_yaml({"facts": harbor_facts() if facts is None else facts}),
        encoding="utf-8",
    )
    return directory


def write_knowledge(
    root: Path, *, aliases: dict[str, Any] | None = None, **source: Any
) -> Path:
    """A knowledge dir with one source (see ``write_source``) and optional aliases.yaml."""
    knowledge = root / "knowledge"
    write_source(knowledge, **source)
    if aliases is not None:
        (knowledge / "aliases.yaml").write_text(dump_yaml(aliases), encoding="utf-8")
    return knowledge
