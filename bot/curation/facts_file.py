"""Adding alternate questions to facts.yaml without disturbing the curator's file.

ruamel.yaml's round-trip mode keeps comments, key order, quoting and line width, so a file
that is loaded and dumped unchanged comes back byte for byte (tested on the shipped one).
Only ``questions`` lists are ever appended to: quotes and answers are never written. After
writing, the whole knowledge base is validated again with ``load_knowledge``; if that fails,
every file touched is put back as it was.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.util import load_yaml_guess_indent

from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge, read_text_file


@dataclass
class ApplyResult:
    added: dict[str, list[str]] = field(default_factory=dict)
    """fact id -> questions added."""
    files: list[Path] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    """Set when re-validation failed and the files were restored."""

    @property
    def ok(self) -> bool:
        return not self.problems


def _yaml_for(text: str) -> tuple[YAML, Any]:
    _, indent, block_seq_indent = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap the curator's long lines
    yaml.indent(mapping=2, sequence=indent or 2, offset=block_seq_indent or 0)
    return yaml, yaml.load(text)


def _append(questions: CommentedSeq, question: str) -> None:
    """Append keeping any comment that followed the old last item after the new one."""
    last = len(questions) - 1
    trailing = questions.ca.items.pop(last, None) if last >= 0 else None
    questions.append(question)
    if trailing is not None:
        questions.ca.items[len(questions) - 1] = trailing


def _write_atomically(path: Path, text: str) -> None:
    mode = path.stat().st_mode & 0o7777
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", text=True)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def add_questions(
    knowledge: KnowledgeBase, additions: Mapping[str, Sequence[str]]
) -> ApplyResult:
    """Append ``additions`` (fact id -> questions) to the facts' files, then re-validate."""
    by_file: dict[Path, dict[str, list[str]]] = {}
    for fact_id, questions in additions.items():
        loaded = knowledge.fact(fact_id)
        if loaded is None or not questions:
            continue
        source = knowledge.sources[loaded.source_id]
        path = source.directory / source.meta.facts
        by_file.setdefault(path, {})[fact_id] = list(questions)

    result = ApplyResult()
    originals: dict[Path, str] = {}
    try:
        for path, wanted in by_file.items():
            text = read_text_file(path, str(path))
            yaml, data = _yaml_for(text)
            facts = data.get("facts") if isinstance(data, CommentedMap) else None
            for entry in facts or []:
                entry_id = entry.get("id") if isinstance(entry, CommentedMap) else None
                if entry_id not in wanted:
                    continue
                questions = entry.get("questions")
                if not isinstance(questions, CommentedSeq):
                    continue
                have = {str(q).casefold() for q in questions}
                for question in wanted[entry_id]:
                    if question.casefold() not in have:
                        _append(questions, question)
                        have.add(question.casefold())
                        result.added.setdefault(entry_id, []).append(question)
            if not any(f in result.added for f in wanted):
                continue
            out = io.StringIO()
            yaml.dump(data, out)
            originals[path] = text
            _write_atomically(path, out.getvalue())
            result.files.append(path)
        if originals:
            load_knowledge(knowledge.directory)
    except KnowledgeError as exc:
        result.problems = [str(p) for p in exc.problems]
    except BaseException:
        for path, text in originals.items():
            _write_atomically(path, text)
        raise
    if result.problems:
        for path, text in originals.items():
            _write_atomically(path, text)
        result.added.clear()
        result.files.clear()
    return result
