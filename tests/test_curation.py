"""Curator tools without Telegram: grouping, the report, suggestions, YAML edits, export, CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

import pytest

from bot.answers import AnswerEngine
from bot.cli import main
from bot.curation.export import write_csv, write_jsonl
from bot.curation.facts_file import add_questions
from bot.curation.report import (
    SinceError,
    build_report,
    engine_normaliser,
    group_questions,
    parse_since,
    without_partial_inline_queries,
)
from bot.curation.suggest import Decision, Origin, suggestions_from_records
from bot.knowledge import load_knowledge
from bot.settings import Settings
from bot.store import QuestionRecord, StoredRecord
from tests.support import KNOWLEDGE_DIR, write_knowledge

NOW = 1_750_000_000.0
DAY = 86_400.0


def stored(
    question: str | None, status: str = "declined", *, fact: str | None = None,
    confidence: float = 20.0, channel: str = "private", at: float = NOW, up: int = 0,
    down: int = 0, user: str = "k", n: list[int] = [0],  # noqa: B006 - a counter for ids
) -> StoredRecord:
    n[0] += 1
    record = QuestionRecord(f"id{n[0]}", at, channel, user, question, status, confidence,
                            (fact,) if fact else ())
    return StoredRecord(record, up, down)


def test_near_duplicates_group_around_the_most_asked_phrasing(engine: AnswerEngine) -> None:
    asked = [(q, NOW) for q in [
        "What did Putin say?", "what did putin say?", "What did Putin say about the talks?",
        "How many people died in Kharkiv?", "how many died in kharkiv",
        "chocolate cake recipe", "What is a good chocolate cake recipe?",
    ]]
    groups, not_grouped = group_questions(asked, engine_normaliser(engine))
    by_example = {g.example: g for g in groups}
    assert not_grouped == 0
    putin = by_example["What did Putin say?"]
    assert putin.count == 3
    assert putin.phrasings[0] == ("What did Putin say?", 2)  # case-folded duplicates count once
    assert by_example["How many people died in Kharkiv?"].count == 2
    assert sum(g.count for g in groups) == len(asked)
    assert len(groups) == 3


def test_the_report_counts_by_channel_and_day_and_lists_what_needs_attention(
    engine: AnswerEngine,
) -> None:
    records = [
        stored("Who attended the Paris talks?", "answered", fact="paris-attendees",
               confidence=90, up=2),
        stored("paris?", "answered", fact="paris-attendees", confidence=58, channel="group",
               down=1),
        stored("What did Putin say?", at=NOW - DAY),
        stored("what did putin say", channel="inline", at=NOW - DAY),
        stored(None, "declined"),  # question text not stored
    ]
    report = build_report(records, engine_normaliser(engine), since=NOW - 7 * DAY, until=NOW,
                          low_confidence_below=66)
    assert (report.total.asked, report.total.answered) == (5, 2)
    assert {k: (t.asked, t.answered) for k, t in report.by_channel.items()} == {
        "group": (1, 1), "inline": (1, 0), "private": (3, 1)}
    assert [(d, t.asked) for d, t in report.by_day.items()] == [("2025-06-14", 2),
                                                                ("2025-06-15", 3)]
    assert (report.helpful, report.not_helpful) == (2, 1)
    [group] = report.unanswered
    assert (group.example, group.count) == ("What did Putin say?", 2)
    assert report.unanswered_without_text == 1
    assert [(a.question, a.confidence) for a in report.low_confidence] == [("paris?", 58)]
    assert [a.question for a in report.not_helpful_answers] == ["paris?"]
    assert [(f.fact_id, f.count, f.helpful, f.not_helpful) for f in report.top_facts] == [
        ("paris-attendees", 2, 2, 1)]
    assert json.loads(json.dumps(report.to_dict()))["total"]["answer_rate"] == 0.4


@pytest.mark.parametrize(("text", "expected"), [
    ("7d", NOW - 7 * DAY), ("12h", NOW - 12 * 3600), ("2w", NOW - 14 * DAY),
    ("2025-06-01", 1_748_736_000.0),
])
def test_since_takes_durations_and_dates(text: str, expected: float) -> None:
    assert parse_since(text, NOW) == expected


def test_a_since_reaching_before_1970_means_everything() -> None:
    assert parse_since("99999999d", NOW) == 0.0


def test_report_limit_must_be_positive(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["report", "--limit", "-1"])
    assert exited.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_a_bad_since_is_explained() -> None:
    with pytest.raises(SinceError, match="7d"):
        parse_since("last week", NOW)


def test_suggest_adds_paraphrases_and_asks_for_a_new_fact_when_nothing_is_near(
    engine: AnswerEngine,
) -> None:
    push = "Is it certain the diplomatic push will pay off?"
    records = [stored(push, "unsure", confidence=49.8), stored("What did Putin say?")]
    by_example = {s.group.example: s for s in suggestions_from_records(records, engine)}
    add = by_example[push]
    assert (add.decision, add.fact_id, add.questions) == (Decision.ADD, "outcome-unclear",
                                                          (push,))
    assert by_example["What did Putin say?"].decision is Decision.NEW_FACT


def test_a_not_helpful_answer_is_matched_against_the_other_facts(engine: AnswerEngine) -> None:
    question = "Who attended the Paris talks?"
    answered = engine.answer(question)
    voted = answered.fact_ids[0]
    records = [stored(question, "answered", fact=voted, confidence=90, down=2)]
    [suggestion] = suggestions_from_records(records, engine)
    assert suggestion.origin is Origin.NOT_HELPFUL
    assert suggestion.voted_fact == voted
    assert suggestion.fact_id != voted


COMMENTED_FACTS = """\
# Curator's notes stay where they are.
facts:
  - id: lighthouse-reopens
    topic: The lighthouse
    answer: The Gull Point lighthouse reopens to visitors on Saturday.
    quotes:
      - "The Gull Point lighthouse will reopen to visitors on Saturday."
    questions:
      - When will the lighthouse reopen?   # the most common wording
      - Is the lighthouse open again?
    # ---- the next fact is about the repairs
  - id: lighthouse-repairs
    topic: The lighthouse
    answer: The repairs took three years and replaced the lantern room.
    quotes: ["Repairs took three years and replaced the lantern room."]
    questions: [How long did the lighthouse repairs take?]
"""


def test_adding_questions_keeps_comments_quoting_and_order(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, facts_text=COMMENTED_FACTS)
    path = knowledge / "sources" / "harbor" / "facts.yaml"
    result = add_questions(load_knowledge(knowledge), {
        "lighthouse-reopens": ["When does Gull Point open for visitors?"],
        "lighthouse-repairs": ["What did the repairs replace?", "how long did the lighthouse "
                               "repairs take?"],  # already there, in other case: skipped
    })
    assert result.ok
    assert result.added == {"lighthouse-reopens": ["When does Gull Point open for visitors?"],
                            "lighthouse-repairs": ["What did the repairs replace?"]}
    text = path.read_text(encoding="utf-8")
    assert text == COMMENTED_FACTS.replace(
        "      - Is the lighthouse open again?\n",
        "      - Is the lighthouse open again?\n"
        "      - When does Gull Point open for visitors?\n",
    ).replace(
        "questions: [How long did the lighthouse repairs take?]",
        "questions: [How long did the lighthouse repairs take?, What did the repairs replace?]",
    )


def test_an_edit_that_breaks_validation_is_undone(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, facts_text=COMMENTED_FACTS)
    path = knowledge / "sources" / "harbor" / "facts.yaml"
    result = add_questions(load_knowledge(knowledge), {"lighthouse-reopens": ["x" * 400]})
    assert not result.ok
    assert "lighthouse-reopens" in result.problems[0]
    assert result.added == {}
    assert path.read_text(encoding="utf-8") == COMMENTED_FACTS


def test_export_writes_csv_safe_for_spreadsheets_and_jsonl_as_stored() -> None:
    records = [stored("=HYPERLINK(\"http://x\")", "answered", fact="f1", up=1),
               stored(None, "declined")]
    out = io.StringIO()
    assert write_csv(records, out) == 2
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert rows[0]["question"].startswith("'=HYPERLINK")
    assert (rows[0]["fact_ids"], rows[0]["helpful"], rows[1]["question"]) == ("f1", "1", "")
    out = io.StringIO()
    write_jsonl(records, out)
    first, second = (json.loads(line) for line in out.getvalue().splitlines())
    assert first["question"] == "=HYPERLINK(\"http://x\")"
    assert first["asked_at"] == "2025-06-15T15:06:40+00:00"
    assert second["question"] is None


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    return main(["--knowledge", str(KNOWLEDGE_DIR), *argv], out=out), out.getvalue()


def test_report_without_a_database_says_where_it_looked(
    capsys: pytest.CaptureFixture[str],
) -> None:
    code, _ = run("report")
    assert code == 2
    assert "no database at" in capsys.readouterr().err


def test_ask_record_then_report_and_export_from_the_console(tmp_path: Path) -> None:
    assert run("ask", "--record", "Who attended the Paris talks?")[0] == 0
    assert run("ask", "--record", "--json", "What did Putin say?")[0] == 0
    assert run("ask", "Not recorded: no flag")[0] == 0

    code, output = run("report", "--since", "1d")
    assert code == 0
    assert "Questions: 2, answered 1 (50%)" in output
    assert "By channel: cli 2" in output
    assert "What did Putin say?" in output

    target = tmp_path / "records.jsonl"
    assert run("export", "--format", "jsonl", "--output", str(target))[0] == 0
    lines = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(r["channel"], r["user_key"], r["status"]) for r in lines] == [
        ("cli", None, "answered"), ("cli", None, "declined")]


def test_record_is_refused_when_recording_is_off(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITEBOT_RECORDING", "false")
    assert run("ask", "--record", "hi there")[0] == 2
    assert "CITEBOT_RECORDING=false" in capsys.readouterr().err


def test_database_url_and_data_dir_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITEBOT_DATA_DIR", "/srv/citebot")
    assert Settings(_env_file=None).database_path == Path("/srv/citebot/citebot.sqlite3")
    monkeypatch.setenv("CITEBOT_DATABASE_URL", "sqlite:////var/lib/citebot/records.db")
    assert Settings(_env_file=None).database_path == Path("/var/lib/citebot/records.db")
    monkeypatch.setenv("CITEBOT_DATABASE_URL", "postgresql://db/citebot")
    with pytest.raises(ValueError, match="only SQLite"):
        Settings(_env_file=None)


def inline(question: str, at: float, user: str = "k") -> StoredRecord:
    return stored(question, channel="inline", at=at, user=user)


def test_inline_queries_typed_on_the_way_to_a_longer_one_are_left_out(
    engine: AnswerEngine,
) -> None:
    records = [
        inline("what did pu", NOW),
        inline("what did putn", NOW + 1),  # the half-typed last word changed
        inline("What did Putin say?", NOW + 3),
        stored("what did putin say", at=NOW + 4),  # private chats are never partial
    ]

    report = build_report(records, engine_normaliser(engine), since=None, until=NOW + 10,
                          low_confidence_below=60)

    assert report.partial_inline == 2
    assert report.total.asked == 2
    [group] = report.unanswered
    assert group.count == 2
    assert {q for q, _ in group.phrasings} == {"What did Putin say?", "what did putin say"}
    assert report.to_dict()["partial_inline_queries_left_out"] == 2


@pytest.mark.parametrize(
    "later",
    [
        inline("what did putin say about lavrov", NOW + 61),  # too late to be the same typing
        inline("what did putin say about lavrov", NOW + 1, user="someone else"),
        inline("kharkiv", NOW + 1),  # a new question, not the rest of this one
        inline("what did", NOW + 1),  # shorter: typing was undone, both stand
        inline("what did vance say", NOW + 1),  # another name, not the rest of "putin"
    ],
)
def test_inline_queries_that_are_not_on_the_way_to_the_next_are_kept(
    later: StoredRecord,
) -> None:
    records = [inline("what did putin", NOW), later]

    kept, partial = without_partial_inline_queries(records)

    assert (len(kept), partial) == (2, 0)


def test_suggestions_skip_inline_queries_typed_on_the_way(engine: AnswerEngine) -> None:
    records = [
        inline("how many people di", NOW),
        inline("how many people died in kharkiv", NOW + 2),
    ]

    suggestions = suggestions_from_records(records, engine)

    asked = [q for s in suggestions for q, _ in s.group.phrasings]
    assert asked == ["how many people died in kharkiv"]


class _Terminal(io.StringIO):
    """Standard input as a person at a terminal: their reply is already typed."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(("reply", "changed"), [("n\n", False), ("\n", False), ("y\n", True)])
def test_suggest_apply_at_a_terminal_asks_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reply: str, changed: bool
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    facts = knowledge / "sources" / "peace-talks" / "facts.yaml"
    before = facts.read_text(encoding="utf-8")
    asked = "Is it certain the diplomatic push will pay off?"
    assert main(["--knowledge", str(knowledge), "ask", "--record", asked], out=io.StringIO()) == 0
    monkeypatch.setattr(sys, "stdin", _Terminal(reply))

    out = io.StringIO()
    code = main(["--knowledge", str(knowledge), "suggest", "--apply"], out=out)

    assert code == 0
    assert "Add 1 question to the facts' YAML files? [y/N]" in out.getvalue()
    assert (facts.read_text(encoding="utf-8") != before) is changed
    assert ("Nothing changed." in out.getvalue()) is not changed
