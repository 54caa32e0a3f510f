"""Typing slips added to a bank's answerable questions: how well each method copes with typos.

The banks' own typo questions are few and written by people who knew they were writing typos.
Here every answerable direct, paraphrase and keyword question is asked three times, as chat is
typed (lowercase, no punctuation): as written, with one slip and with two, each slip in a
different word of four letters or more (a letter left out, two letters swapped, one changed
or one added; ``benchmarks.synthetic.typing_slip``). Questions with fewer than two such words
are left out, so every column asks the same questions. The seed fixes the slips, so a run is
repeatable and a change in the figures is a change in the method.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence

from benchmarks.synthetic import typing_slip
from bot.evaluation import BankQuestion

SLIPPED_KINDS = ("direct", "paraphrase", "keyword")
_WORD = re.compile(r"[^\W_]+(?:[’'][^\W_]+)*")


def _slipped(rng: random.Random, word: str) -> str:
    """A slip that changes the word (swapping "ll" in "call" changes nothing)."""
    for _ in range(20):
        slipped = typing_slip(rng, word)
        if slipped != word:
            return slipped
    return word


def slip_kind(slips: int) -> str:
    return f"{slips} slip" if slips == 1 else f"{slips} slips"


def with_typing_slips(
    bank: Sequence[BankQuestion], seed: int, most: int = 2
) -> list[BankQuestion]:
    """Each answerable question of ``SLIPPED_KINDS`` with 0..``most`` slips (kind "N slips")."""
    rng = random.Random(seed)
    variants: list[BankQuestion] = []
    for question in bank:
        if not question.in_scope or question.kind not in SLIPPED_KINDS:
            continue
        words = _WORD.findall(question.question.lower())
        long_words = [i for i, word in enumerate(words) if len(word) >= 4]
        # Every column asks the same questions, each slip in a word of its own.
        if len(long_words) < most:
            continue
        for slips in range(most + 1):
            typed = list(words)
            for i in rng.sample(long_words, min(slips, len(long_words))):
                typed[i] = _slipped(rng, typed[i])
            variants.append(
                question.model_copy(
                    update={
                        "id": f"{question.id}~{slips}",
                        "question": " ".join(typed),
                        "kind": slip_kind(slips),
                    }
                )
            )
    return variants
