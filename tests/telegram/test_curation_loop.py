"""The whole curation loop: misses through the bot, `report`, `suggest --apply`, then answers."""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

import pytest

from bot.answers import AnswerEngine
from bot.cli import main
from bot.knowledge import load_knowledge
from tests.telegram import updates
from tests.telegram.conftest import KNOWLEDGE_DIR, start_harness
from tests.telegram.fake_bot_api import FakeBotApi, parse_telegram_html

PUSH = "Is it certain the diplomatic push will pay off?"
PUSH_AGAIN = "is it certain that the diplomatic push pays off"
INVESTED = "According to his top diplomat, how much has the president put into this?"
CAKE = "What is a good chocolate cake recipe?"
FACTS = Path("sources/peace-talks/facts.yaml")


def cli(knowledge: Path, *argv: str) -> tuple[int, str]:
    out = io.StringIO()
    code = main(["--knowledge", str(knowledge), *argv], out=out)
    return code, out.getvalue()


async def test_unanswered_questions_become_alternate_questions_and_are_then_answered(
    api: FakeBotApi, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    knowledge = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, knowledge)
    monkeypatch.setenv("CITEBOT_DATA_DIR", str(tmp_path / "data"))
    before = load_knowledge(knowledge)
    original_yaml = (knowledge / FACTS).read_text(encoding="utf-8")

    # 1. People ask; the bot does not answer (a "did you mean" or a decline).
    engine = AnswerEngine(before)
    bot = await start_harness(api, engine, knowledge_dir=knowledge)
    try:
        for question in (PUSH, PUSH_AGAIN, INVESTED, CAKE):
            [reply] = await bot.replies(updates.message_update(question))
            assert "“" not in parse_telegram_html(reply["text"])  # no quote: not answered
        group_ask = updates.message_update(f"/ask {CAKE}", chat_id=updates.GROUP_CHAT_ID)
        await bot.replies(group_ask)
        await bot.feed(updates.inline_update(PUSH, from_id=updates.OTHER_USER_ID))
    finally:
        await bot.close()  # post_shutdown flushes the records

    # 2. The report lists them, near-duplicates grouped.
    code, output = cli(knowledge, "report", "--json")
    assert code == 0
    report = json.loads(output)
    assert report["total"] == {"asked": 6, "answered": 0, "answer_rate": 0.0}
    assert set(report["by_channel"]) == {"private", "group", "inline"}
    groups = {g["example"]: g for g in report["unanswered_groups"]}
    assert groups[PUSH]["count"] == 3
    assert {p["question"] for p in groups[PUSH]["phrasings"]} == {PUSH, PUSH_AGAIN}
    assert groups[CAKE]["count"] == 2
    assert groups[INVESTED]["count"] == 1
    assert len(groups) == 3

    # 3. suggest --apply adds the phrasings to the right facts, and only those.
    code, output = cli(knowledge, "suggest", "--apply")
    assert code == 0, output
    assert "ADD to outcome-unclear" in output
    assert "ADD to rubio-president-urgency" in output
    assert "NEW FACT?" in output  # the cake: the article does not say
    assert "Now answered: 3 of 3." in output
    after = load_knowledge(knowledge)
    questions = {f.id: f.fact.questions for f in after.facts}
    assert questions["outcome-unclear"][-2:] == [PUSH, PUSH_AGAIN]
    assert questions["rubio-president-urgency"][-1] == INVESTED
    assert not any(CAKE in qs for qs in questions.values())
    assert {f.id: f.fact.quotes for f in after.facts} == {f.id: f.fact.quotes for f in
                                                        before.facts}
    new_yaml = (knowledge / FACTS).read_text(encoding="utf-8")
    removed = set(original_yaml.splitlines()) - set(new_yaml.splitlines())
    assert removed == set()  # comments, order and every other line kept
    assert len(new_yaml.splitlines()) == len(original_yaml.splitlines()) + 3

    # 4. The same questions, asked again of a bot on the edited knowledge, are answered.
    reloaded = AnswerEngine(after)
    bot = await start_harness(api, reloaded, knowledge_dir=knowledge)
    try:
        for question, fact_id in ((PUSH, "outcome-unclear"), (PUSH_AGAIN, "outcome-unclear"),
                                  (INVESTED, "rubio-president-urgency")):
            assert reloaded.answer(question).fact_ids[0] == fact_id
            [reply] = await bot.replies(updates.message_update(question))
            quote = after.fact(fact_id)
            assert quote is not None
            assert quote.fact.quotes[0] in parse_telegram_html(reply["text"])
        assert not reloaded.answer(CAKE).answered
    finally:
        await bot.close()
