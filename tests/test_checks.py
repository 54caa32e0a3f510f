"""Each answer check on its own: which questions it applies to, and which facts pass it.

The questions are parsed by the retriever of a tiny article (see ``tests/conftest.py``) and each
fact is read through the retriever's ``FactView``, so these tests need no other check.
"""

from __future__ import annotations

import pytest

from bot.checks import CHECK_NAMES, CHECKS, Check
from bot.checks.answer_type import AnswerTypeCheck
from bot.checks.base import FactView
from bot.checks.cause import CauseCheck
from bot.checks.heading import HeadingCheck
from bot.checks.identifies import IdentifiesCheck
from bot.checks.named import NamedCheck
from bot.checks.speaker import SpeakerCheck
from bot.checks.specifics import SpecificsCheck
from bot.checks.who import WhoCheck
from bot.knowledge import KnowledgeBase
from bot.question import Question
from bot.retrieval import Retriever


class Judge:
    """One check, a question parsed by one article's retriever, and that article's facts."""

    def __init__(self, knowledge: KnowledgeBase, check: Check) -> None:
        self.retriever = Retriever(knowledge)
        self.check = check

    def question(self, text: str) -> Question:
        return self.retriever.parse(text)

    def fact(self, fact_id: str) -> FactView:
        ids = [loaded.id for loaded in self.retriever.facts]
        return self.retriever.fact_view(ids.index(fact_id))

    def applies(self, text: str) -> bool:
        return self.check.applies(self.question(text))

    def passes(self, text: str, fact_id: str) -> bool:
        return self.check.passes(self.question(text), self.fact(fact_id))


def test_the_checks_are_listed_once_each_in_trace_order() -> None:
    assert CHECK_NAMES == (
        "answer_type", "speaker", "named", "specifics", "identifies", "who", "cause", "heading"
    )
    assert len({type(check) for check in CHECKS}) == len(CHECKS)


def test_answer_type(ferry: KnowledgeBase) -> None:
    judge = Judge(ferry, AnswerTypeCheck())

    assert judge.applies("How many boats were damaged?")
    assert not judge.applies("Were boats damaged?")
    assert judge.passes("How many boats were damaged?", "boats-damaged")  # "Some 40 boats"
    assert not judge.passes("How many boats were damaged?", "damaged-boats")
    # a number the question already says is no answer
    assert not judge.passes("How many boats were damaged, 40?", "boats-damaged")


def test_speaker(council: KnowledgeBase) -> None:
    judge = Judge(council, SpeakerCheck())
    question = "What did Ada Brook say about the problems?"

    assert judge.applies(question)
    assert not judge.applies("Were repairs agreed?")
    # "Other problems remain unresolved, the mayor said": the mayor is Ada Brook
    assert judge.passes(question, "other-problems")
    assert not judge.passes(question, "officials-met")


def test_named(council: KnowledgeBase) -> None:
    judge = Judge(council, NamedCheck())
    question = "Did Ada Brook meet the officials at the harbor on Friday?"

    assert judge.applies(question)
    assert not judge.applies("Did the officials meet at the harbor?")
    assert not judge.passes(question, "officials-met")
    # the sentence before counts: "...led by the town's mayor, Ada Brook. Repairs... agreed."
    assert judge.passes(question, "pier-repairs")


def test_specifics(council: KnowledgeBase) -> None:
    judge = Judge(council, SpecificsCheck())

    assert judge.applies("What is the exact problem that remains?")
    # someone's words are the specifics of what they said
    assert not judge.applies("What exactly did the mayor say about problems?")
    assert not judge.passes("What is the exact problem that remains?", "other-problems")
    assert judge.passes("What is the exact day the officials met?", "officials-met")


def test_identifies(council: KnowledgeBase) -> None:
    judge = Judge(council, IdentifiesCheck())

    assert judge.applies("Which officials met at the harbor?")
    assert not judge.applies("Do other problems remain unresolved?")
    # "Officials from three villages met…" names no one
    assert not judge.passes("Which officials met at the harbor?", "officials-met")
    assert judge.passes("Which official led the meeting?", "mayor-led")
    assert judge.passes("Which repairs were agreed?", "pier-repairs")


def test_a_vague_mention_identifies_nothing(ferry: KnowledgeBase) -> None:
    judge = Judge(ferry, IdentifiesCheck())

    assert not judge.passes("Which repairs will the council fund?", "some-repairs")
    assert judge.passes("Which boats were damaged?", "damaged-boats")


def test_who(council: KnowledgeBase) -> None:
    judge = Judge(council, WhoCheck())

    assert judge.applies("Who led the meeting?")
    # asking whose words is the speaker check's business
    assert not judge.applies("Who said that problems remain?")
    assert judge.passes("Who led the meeting?", "mayor-led")
    # "Repairs to the pier were agreed.": a sentence's first word is no name
    assert not judge.passes("Who agreed the repairs?", "pier-repairs")


def test_cause(ferry: KnowledgeBase) -> None:
    judge = Judge(ferry, CauseCheck())

    assert judge.applies("Why did storms hit the coast?")
    assert judge.applies("What caused the storms?")
    assert not judge.applies("Were boats damaged?")
    # "…cancelled after storms hit the coast" says what the storms did, not why they came
    assert not judge.passes("Why did storms hit the coast?", "ferry-cancelled")
    assert judge.passes("Why was the ferry cancelled?", "ferry-cancelled")


@pytest.mark.parametrize(
    ("question", "passes"),
    [
        ("Where will the pier deal be signed?", False),
        ("signs of progress at the pier", True),  # someone typing the heading
    ],
)
def test_heading(headed: KnowledgeBase, question: str, passes: bool) -> None:
    judge = Judge(headed, HeadingCheck())

    assert judge.applies(question)
    assert judge.passes(question, "heading-progress") is passes
    assert judge.passes(question, "pier-repairs")  # no heading


def test_a_question_about_sections_is_not_judged_by_the_heading_check(
    headed: KnowledgeBase,
) -> None:
    assert not Judge(headed, HeadingCheck()).applies("Which section is about the pier?")


def test_a_retriever_without_one_check_never_applies_it(council: KnowledgeBase) -> None:
    question = "Which officials met at the harbor?"
    others = [check for check in CHECKS if check.name != "identifies"]

    with_all = Retriever(council).candidates(question)
    without_one = Retriever(council, checks=others).candidates(question)

    assert all("identifies" in c.applied for c in with_all)
    assert without_one
    assert all("identifies" not in c.applied | c.failed for c in without_one)
