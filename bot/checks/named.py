"""Who is named: a question about someone needs a quote that names them, or says who spoke, in
its sentence or the one before ("Did Zelenskyy attend the Paris meeting?" is not answered by
"…involving the U.S., Ukraine, and European leaders")."""

from __future__ import annotations

from bot.checks.base import FactView
from bot.question import Question


class NamedCheck:
    """Everyone the question names (other than whose words it asks for) is in the fact."""

    name = "named"

    def applies(self, question: Question) -> bool:
        return bool(question.named)

    def passes(self, question: Question, fact: FactView) -> bool:
        # A heading answers a question about sections whoever it names ("Which section is
        # about Lavrov?" is answered by "Russian Diplomacy Still in the Picture").
        if fact.is_heading and question.about_structure:
            return True
        return not question.named - fact.people
