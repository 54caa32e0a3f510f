"""The typing-slip variants the benchmark asks: repeatable, and one slip per slipped word."""

from __future__ import annotations

from rapidfuzz.distance import OSA

from benchmarks.typos import with_typing_slips
from bot.evaluation import BankQuestion

BANK = [
    BankQuestion(id="a", question="Who did Rubio call after Paris?", kind="direct",
                 evidence=["Rubio spoke with"]),
    BankQuestion(id="b", question="rubio lavrov", kind="keyword", evidence=["Lavrov"]),
    BankQuestion(id="c", question="Who won the World Cup?", kind="out_of_scope_far",
                 evidence=None),
    BankQuestion(id="d", question="wat did rubio say", kind="typo", evidence=["Rubio said"]),
    # one word of four letters or more: it cannot have two slips in different words
    BankQuestion(id="e", question="Is it over?", kind="direct", evidence=["over"]),
]


def test_answerable_questions_are_asked_with_zero_one_and_two_slips() -> None:
    variants = with_typing_slips(BANK, seed=3)

    assert [(v.id, v.kind) for v in variants] == [
        ("a~0", "0 slips"), ("a~1", "1 slip"), ("a~2", "2 slips"),
        ("b~0", "0 slips"), ("b~1", "1 slip"), ("b~2", "2 slips"),
    ]
    assert variants[0].question == "who did rubio call after paris"
    assert all(v.evidence == BANK[0].evidence for v in variants[:3])


def test_each_slip_is_one_typing_slip_in_a_different_long_word() -> None:
    for seed in range(20):
        clean, one, two = (v.question.split() for v in with_typing_slips(BANK[:1], seed))
        for slipped, count in ((one, 1), (two, 2)):
            changed = [(a, b) for a, b in zip(clean, slipped, strict=True) if a != b]
            assert len(changed) == count
            assert all(len(a) >= 4 and b[0] == a[0] and OSA.distance(a, b) == 1
                       for a, b in changed)


def test_the_seed_fixes_the_slips() -> None:
    assert with_typing_slips(BANK, seed=5) == with_typing_slips(BANK, seed=5)
    assert with_typing_slips(BANK, seed=5) != with_typing_slips(BANK, seed=6)
