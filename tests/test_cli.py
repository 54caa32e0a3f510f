"""The ``citebot`` command: ask (text and JSON), check and eval, with the exit codes scripts use."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bot.cli import main
from bot.knowledge import KnowledgeBase
from tests.support import KNOWLEDGE_DIR, QUESTION_BANKS, harbor_facts, write_knowledge

CONTRACT_KEYS = ["question", "answered", "status", "confidence", "answer", "citations",
                 "suggestions"]
CITATION_KEYS = ["quote", "source", "paragraph", "section", "fact_id"]
STATUSES = {"answered", "unsure", "declined", "invalid"}


pytestmark = pytest.mark.usefixtures("clean_environment")


def run(*argv: str, knowledge: Path = KNOWLEDGE_DIR) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--knowledge", str(knowledge), *argv], out=out)
    return code, out.getvalue()


def run_process(*argv: str, stdin: bytes = b"", cwd: Path) -> subprocess.CompletedProcess[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CITEBOT_", "TELEGRAM_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *argv],
        input=stdin,
        capture_output=True,
        cwd=cwd,
        env=env,
        timeout=120,
        check=False,
    )


def assert_contract(obj: dict[str, Any]) -> None:
    assert list(obj) == CONTRACT_KEYS
    assert isinstance(obj["question"], str)
    assert isinstance(obj["answered"], bool)
    assert obj["status"] in STATUSES
    assert obj["answered"] == (obj["status"] == "answered")
    assert isinstance(obj["confidence"], int | float)
    assert not isinstance(obj["confidence"], bool)
    assert obj["answer"] is None or isinstance(obj["answer"], str)
    assert isinstance(obj["citations"], list)
    for cite in obj["citations"]:
        assert list(cite) == CITATION_KEYS
        assert isinstance(cite["quote"], str)
        assert isinstance(cite["source"], str)
        assert isinstance(cite["paragraph"], int)
        assert cite["section"] is None or isinstance(cite["section"], str)
        assert isinstance(cite["fact_id"], str)
    assert isinstance(obj["suggestions"], list)
    assert all(isinstance(s, str) for s in obj["suggestions"])


# --- ask -----------------------------------------------------------------------------------------


def test_ask_json_prints_one_contract_object(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("ask", "--json", "What did Trump say about taking a pass?")

    assert code == 0
    obj = json.loads(out)
    assert_contract(obj)
    assert obj["question"] == "What did Trump say about taking a pass?"
    assert obj["answered"] is True
    assert obj["citations"][0]["fact_id"] == "trump-take-a-pass"
    assert obj["citations"][0]["source"] == "peace-talks"
    assert obj["citations"][0]["paragraph"] == 2
    assert capsys.readouterr().err == ""


def test_ask_json_joins_unquoted_words_into_one_question() -> None:
    code, out = run("ask", "--json", "who", "is", "Lavrov?")

    assert code == 0
    obj = json.loads(out)
    assert obj["question"] == "who is Lavrov?"
    assert obj["answered"] is True


def test_ask_json_declines_out_of_scope_with_suggestions() -> None:
    _, out = run("ask", "--json", "What is the recipe for banana bread?")

    obj = json.loads(out)
    assert_contract(obj)
    assert (obj["answered"], obj["status"], obj["answer"], obj["citations"]) == (
        False,
        "declined",
        None,
        [],
    )
    assert 1 <= len(obj["suggestions"]) <= 3


def test_ask_prints_a_readable_cited_answer() -> None:
    code, out = run("ask", "Who did Rubio speak with after the Paris meeting?")

    assert code == 0
    assert "Sergei Lavrov" in out
    assert "paragraph 9, section “Russian Diplomacy Still in the Picture”" in out


def test_ask_from_stdin_without_json_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    code, out = run("ask", "-")

    assert code == 2
    assert out == ""
    assert "needs --json" in capsys.readouterr().err


def test_ask_json_stdin_answers_each_line_in_order(tmp_path: Path) -> None:
    lines = [
        b"What did Trump say about taking a pass?",
        b"",
        b"\xff\xfe not utf-8 \xc3",
        b"Who is Zelensky?\r",
        "🤔 what is the recipe for banana bread".encode(),
    ]

    result = run_process(
        "--knowledge", str(KNOWLEDGE_DIR), "ask", "--json", "-",
        stdin=b"\n".join(lines) + b"\n",
        cwd=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    assert result.stderr == b""
    objects = [json.loads(line) for line in result.stdout.decode("utf-8").splitlines()]
    for obj in objects:
        assert_contract(obj)
    assert [o["question"] for o in objects] == [
        "What did Trump say about taking a pass?",
        "",
        "\ufffd\ufffd not utf-8 \ufffd",
        "Who is Zelensky?",
        "🤔 what is the recipe for banana bread",
    ]
    assert [o["status"] for o in objects] == [
        "answered", "invalid", "declined", "answered", "declined",
    ]


# --- check ---------------------------------------------------------------------------------------


def test_check_reports_facts_questions_and_sentence_coverage(knowledge: KnowledgeBase) -> None:
    code, out = run("check")

    facts = len(knowledge.facts)
    questions = sum(len(f.fact.questions) for f in knowledge.facts)
    assert code == 0
    assert "is valid" in out
    assert f"source peace-talks: {facts} facts, 13 paragraphs, 5 sections, 32 sentences" in out
    assert f"{facts} facts, {questions} alternate questions" in out
    assert "article sentences covered by quotes: 32/32" in out
    assert "not covered" not in out


def test_check_strict_fails_when_a_sentence_is_not_quoted(tmp_path: Path) -> None:
    facts = [f for f in harbor_facts() if f["id"] != "mayor-beacon"]
    knowledge = write_knowledge(tmp_path, facts=facts)

    lenient, out = run("check", knowledge=knowledge)
    strict, _ = run("check", "--strict", knowledge=knowledge)

    assert (lenient, strict) == (0, 1)
    assert "article sentences covered by quotes: 3/4" in out
    assert "not covered: harbor ¶3: “It’s a beacon again,” said the town’s mayor, Ada Brook." in out


def test_check_on_broken_knowledge_prints_every_problem_once_and_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts = harbor_facts()
    facts[0]["quotes"] = ["The lighthouse will reopen on Sunday."]
    knowledge = write_knowledge(tmp_path, facts=facts)

    code, out = run("check", knowledge=knowledge)

    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err.startswith(f"citebot: knowledge base '{knowledge}' is invalid:\n")
    where = "knowledge/sources/harbor/facts.yaml, fact 'lighthouse-reopens', field 'quotes[0]'"
    assert where in err
    assert err.count("quote is not in the article") == 1


def test_broken_knowledge_exits_2_without_a_traceback(tmp_path: Path) -> None:
    knowledge = write_knowledge(tmp_path, facts_text="facts:\n  - id: [unclosed\n")

    result = run_process("--knowledge", str(knowledge), "ask", "--json", "hi", cwd=tmp_path)

    err = result.stderr.decode()
    assert result.returncode == 2
    assert result.stdout == b""
    assert "Traceback" not in err
    assert "facts.yaml: invalid YAML at line" in err
    assert err.startswith("citebot: ")


def test_missing_knowledge_directory_exits_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _ = run("ask", "hello", knowledge=tmp_path / "nowhere")

    assert code == 2
    assert "knowledge directory not found" in capsys.readouterr().err


def test_bad_setting_exits_2_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CITEBOT_ANSWER_THRESHOLD", "high")

    code, _ = run("check")

    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("citebot: configuration error: CITEBOT_ANSWER_THRESHOLD: ")
    assert "Traceback" not in err


def test_knowledge_dir_from_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CITEBOT_KNOWLEDGE_DIR", str(write_knowledge(tmp_path)))
    out = io.StringIO()

    code = main(["ask", "--json", "When will the lighthouse reopen?"], out=out)

    assert code == 0
    assert json.loads(out.getvalue())["citations"][0]["source"] == "harbor"


# --- eval ----------------------------------------------------------------------------------------


def write_bank(path: Path, questions: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(questions), encoding="utf-8")
    return path


KNOWN_MISS: dict[str, Any] = {
    "id": "miss-1",
    "question": "What did Trump say about taking a pass?",
    "kind": "direct",
    "evidence": ["a sentence the article does not contain"],
}
SMALL_BANK: list[dict[str, Any]] = [
    {
        "id": "hit-1",
        "question": "What did Trump say about taking a pass?",
        "kind": "direct",
        "evidence": ["“take a pass”"],
    },
    {
        "id": "oos-1",
        "question": "What is the recipe for banana bread?",
        "kind": "out_of_scope_far",
        "evidence": None,
    },
    KNOWN_MISS,
]


def test_eval_prints_accuracy_per_kind_and_every_miss(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank.json", SMALL_BANK)

    code, out = run("eval", str(bank))

    assert code == 0
    lines = out.splitlines()
    assert lines[1].split() == ["direct", "1", "2", "0.50"]
    assert lines[2].split() == ["out_of_scope_far", "1", "1", "1.00"]
    assert lines[3].split() == ["overall", "2", "3", "0.67"]
    assert "misses (1):" in out
    assert "- [miss-1 direct] What did Trump say about taking a pass?" in out
    assert "expected: a sentence the article does not contain" in out


def test_eval_below_min_accuracy_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bank = write_bank(tmp_path / "bank.json", SMALL_BANK)

    code, _ = run("eval", str(bank), "--min-accuracy", "1.0", "--quiet")

    assert code == 1
    assert "accuracy 0.667 is below --min-accuracy 1.0" in capsys.readouterr().err


def test_eval_at_or_above_the_bars_exits_0(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank.json", SMALL_BANK[:2])

    code, out = run(
        "eval", str(bank), "--min-accuracy", "1.0", "--max-oos-answered", "0", "--quiet"
    )

    assert code == 0
    assert "misses" not in out


def test_eval_json_report_lists_misses_with_the_answer_given(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank.json", SMALL_BANK)

    code, out = run("eval", str(bank), "--json")

    report = json.loads(out)
    assert code == 0
    assert report["accuracy"] == pytest.approx(2 / 3)
    assert report["by_kind"]["direct"] == {"right": 1, "total": 2}
    assert report["out_of_scope_answered_rate"] == 0.0
    (miss,) = report["misses"]
    assert miss["id"] == "miss-1"
    assert_contract({k: v for k, v in miss.items() if k != "id"})


def test_eval_over_the_project_banks_runs(tmp_path: Path) -> None:
    code, out = run("eval", *(str(p) for p in QUESTION_BANKS), "--quiet")

    assert code == 0
    assert "out_of_scope_near" in out
    assert "out-of-scope answered:" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("[{\"id\": \"a\",", "invalid JSON at line 1, column"),
        (json.dumps([{"id": "a", "question": "q", "evidence": None}]), "0.kind: Field required"),
        (json.dumps([{**KNOWN_MISS, "evidence": []}]), "0.evidence"),
        (json.dumps([KNOWN_MISS, KNOWN_MISS]), "duplicate ids: miss-1"),
        (json.dumps({"questions": []}), "Input should be a valid list"),
    ],
)
def test_unusable_bank_file_exits_2_with_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bank = tmp_path / "bank.json"
    bank.write_text(content, encoding="utf-8")

    code, out = run("eval", str(bank))

    err = capsys.readouterr().err
    assert code == 2
    assert out == ""
    assert err.startswith(f"citebot: {bank}: ")
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_missing_bank_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _ = run("eval", str(tmp_path / "missing.json"))

    assert code == 2
    assert "missing.json: file not found" in capsys.readouterr().err


def test_min_accuracy_outside_zero_to_one_is_a_usage_error(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["eval", "bank.json", "--min-accuracy", "95"], out=io.StringIO())

    assert info.value.code == 2
    assert "must be between 0 and 1" in capsys.readouterr().err


def test_eval_exit_code_reaches_the_shell(tmp_path: Path) -> None:
    bank = write_bank(tmp_path / "bank.json", SMALL_BANK)

    result = run_process(
        "--knowledge", str(KNOWLEDGE_DIR), "eval", str(bank), "--quiet", "--min-accuracy", "1",
        cwd=tmp_path,
    )

    assert result.returncode == 1
    assert b"below --min-accuracy" in result.stderr


def test_dotenv_that_is_not_utf8_is_a_configuration_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / ".env").write_bytes(b"CITEBOT_LOG_LEVEL=D\xe9BUG\n")

    code, _ = run("check")

    assert code == 2
    assert "configuration error" in capsys.readouterr().err


def test_question_argument_with_invalid_utf8_is_answered_not_crashed(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(KNOWLEDGE_DIR), "ask", "--json",
         b"who is rubio \xff"],
        capture_output=True,
        cwd=tmp_path,
        env={**os.environ, "PYTHONIOENCODING": "utf-8:strict"},
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert json.loads(result.stdout)["question"].startswith("who is rubio")
