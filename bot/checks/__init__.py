"""Answer checks: each a small named unit that says whether it applies to a question and
whether a fact passes it.

The engine iterates ``CHECKS``; each check's verdict is a feature of the calibrated model
(``fails_<name>``), a fixed penalty of the hand-weighted one and a line of an answer's trace.
Adding a check is one module and one line here; a test switches one off by leaving it out of
the ``checks`` given to ``Retriever``.
"""

from __future__ import annotations

from typing import Protocol

from bot.checks.answer_type import AnswerTypeCheck
from bot.checks.base import FactView
from bot.checks.cause import CauseCheck
from bot.checks.heading import HeadingCheck
from bot.checks.identifies import IdentifiesCheck
from bot.checks.named import NamedCheck
from bot.checks.speaker import SpeakerCheck
from bot.checks.specifics import SpecificsCheck
from bot.checks.who import WhoCheck
from bot.question import Question


class Check(Protocol):
    """One answer check."""

    name: str
    """Its name in traces, in the calibration's features and in the hand-weighted penalties."""

    def applies(self, question: Question) -> bool:
        """Whether the question is one this check judges."""
        ...

    def passes(self, question: Question, fact: FactView) -> bool:
        """Whether ``fact`` can answer ``question`` as far as this check can tell."""
        ...


CHECKS: tuple[Check, ...] = (
    AnswerTypeCheck(),
    SpeakerCheck(),
    NamedCheck(),
    SpecificsCheck(),
    IdentifiesCheck(),
    WhoCheck(),
    CauseCheck(),
    HeadingCheck(),
)
"""Every answer check, in the order a trace lists them."""

CHECK_NAMES = tuple(check.name for check in CHECKS)
"""The checks' names, in ``CHECKS`` order."""
