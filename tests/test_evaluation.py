"""The question bank and its judge: what counts as right, and how the report adds it up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.answers import Answer, AnswerStatus, Citation
from bot.evaluation import BankError, BankQuestion, evaluate, format_report, is_correct, load_bank
from bot.knowledge import KnowledgeBase
from tests.support import QUESTION_BANKS


def bank_question(qid: str, evidence: list[str] | None, kind: str = "direct") -> BankQuestion:
    return BankQuestion(id=qid, question=f"question {qid}", kind=kind, evidence=evidence)


def reply(status: AnswerStatus, *quotes: str, confidence: float = 75.0) -> Answer:
    return Answer(
        question="q",
        status=status,
        confidence=confidence,
        answer="a" if status is AnswerStatus.ANSWERED else None,
        citations=tuple(
            Citation(
                quote=quote,
                source="s",
                source_label="S",
                paragraph=1,
                section=None,
                is_caption=False,
                fact_id=f"fact-{n}",
            )
            for n, quote in enumerate(quotes)
        ),
    )


# --- the project's banks -------------------------------------------------------------------------


@pytest.mark.parametrize("path", QUESTION_BANKS, ids=lambda p: p.name)
def test_project_bank_loads_with_unique_ids_and_both_kinds_of_question(path: Path) -> None:
    bank = load_bank(path)

    assert len(bank) >= 50
    assert any(q.in_scope for q in bank)
    assert any(not q.in_scope for q in bank)


def test_banks_do_not_share_question_ids() -> None:
    tune, check = (load_bank(p) for p in QUESTION_BANKS)

    assert not {q.id for q in tune} & {q.id for q in check}


def test_bank_evidence_is_verbatim_article_text(knowledge: KnowledgeBase) -> None:
    article = knowledge.sources["peace-talks"].article.text
    missing = [
        (q.id, evidence)
        for path in QUESTION_BANKS
        for q in load_bank(path)
        for evidence in q.evidence or []
        if evidence not in article
    ]

    assert missing == []


def test_every_in_scope_bank_question_can_be_judged_right(knowledge: KnowledgeBase) -> None:
    quotes = [span.text for f in knowledge.facts for span in f.spans]
    unreachable = [
        q.id
        for path in QUESTION_BANKS
        for q in load_bank(path)
        if q.evidence is not None
        and not any(evidence in quote for evidence in q.evidence for quote in quotes)
    ]

    assert unreachable == []


# --- loading -------------------------------------------------------------------------------------


def test_bank_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bank.json"
    path.write_bytes(b'[{"id": "caf\xe9"}]')

    with pytest.raises(BankError, match="cannot read"):
        load_bank(path)


def test_schema_errors_name_the_first_problem_and_count_them(tmp_path: Path) -> None:
    path = tmp_path / "bank.json"
    path.write_text(
        json.dumps(
            [
                {"id": "a", "question": "q", "kind": "direct", "evidence": ["x"]},
                {"id": "b", "question": "q", "kind": "", "evidence": ["x"], "extra": 1},
            ]
        ),
        encoding="utf-8",
    )

    with pytest.raises(BankError) as info:
        load_bank(path)

    assert str(info.value).startswith(f"{path}: 1.kind: ")
    assert "(2 problem(s))" in str(info.value)


def test_duplicate_ids_are_listed(tmp_path: Path) -> None:
    question = {"id": "a", "question": "q", "kind": "direct", "evidence": None}
    path = tmp_path / "bank.json"
    path.write_text(json.dumps([question, question, {**question, "id": "b"}]), encoding="utf-8")

    with pytest.raises(BankError, match=r"duplicate ids: a$"):
        load_bank(path)


# --- judging -------------------------------------------------------------------------------------


def test_in_scope_question_is_right_only_if_the_first_quote_holds_the_evidence() -> None:
    question = bank_question("a", ["take a pass", "walk away"])

    assert is_correct(question, reply(AnswerStatus.ANSWERED, "would “take a pass” on it"))
    assert is_correct(question, reply(AnswerStatus.ANSWERED, "he may walk away", "other"))
    assert not is_correct(question, reply(AnswerStatus.ANSWERED, "other", "take a pass"))
    assert not is_correct(question, reply(AnswerStatus.UNSURE))
    assert not is_correct(question, reply(AnswerStatus.DECLINED))


def test_out_of_scope_question_is_right_unless_answered() -> None:
    question = bank_question("oos", None, kind="out_of_scope_far")

    assert is_correct(question, reply(AnswerStatus.DECLINED))
    assert is_correct(question, reply(AnswerStatus.UNSURE))
    assert is_correct(question, reply(AnswerStatus.INVALID))
    assert not is_correct(question, reply(AnswerStatus.ANSWERED, "anything"))


def test_report_adds_up_accuracy_per_kind_and_out_of_scope_answers() -> None:
    bank = [
        bank_question("d1", ["alpha"]),
        bank_question("d2", ["beta"]),
        bank_question("o1", None, kind="out_of_scope_near"),
        bank_question("o2", None, kind="out_of_scope_near"),
    ]
    replies = {
        "question d1": reply(AnswerStatus.ANSWERED, "alpha quote", confidence=95),
        "question d2": reply(AnswerStatus.ANSWERED, "gamma quote", confidence=55),
        "question o1": reply(AnswerStatus.ANSWERED, "gamma quote", confidence=52),
        "question o2": reply(AnswerStatus.DECLINED, confidence=10),
    }

    report = evaluate(bank, replies.__getitem__)

    assert report.accuracy == 0.5
    assert report.by_kind() == {"direct": (1, 2), "out_of_scope_near": (1, 2)}
    assert report.out_of_scope_answered_rate == 0.5
    assert [o.question.id for o in report.misses] == ["d2", "o1"]
    assert report.calibration() == [("0-20", 1, 0.0), ("50-60", 2, 0.0), ("90-100", 1, 1.0)]
    assert len(report.latencies_ms()) == 4

    text = format_report(report)
    assert "- [d2 direct] question d2" in text
    assert "expected: beta" in text
    assert "got:      answered from fact-0: «gamma quote» (confidence 55)" in text
    assert "- [o1 out_of_scope_near] question o1" in text
    assert "expected: decline" in text
    assert "out-of-scope answered: 50.0%" in text
    assert "misses" not in format_report(report, show_misses=False)


def test_empty_bank_reports_zero_without_dividing_by_zero() -> None:
    report = evaluate([], lambda question: reply(AnswerStatus.DECLINED))

    assert (report.accuracy, report.out_of_scope_answered_rate, report.misses) == (0.0, 0.0, [])
