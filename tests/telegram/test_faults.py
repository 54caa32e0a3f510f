"""A bad network day, end to end: the real Application long-polls a fake Bot API that fails ~15%
of ``getUpdates`` and ``sendMessage`` calls (429, 500, 502, dropped connections, hung responses),
and every question is still answered exactly once."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from bot.answers import AnswerEngine
from bot.telegram import app as app_module
from tests.telegram import updates
from tests.telegram.conftest import start_harness
from tests.telegram.fake_bot_api import FakeBotApi, FaultRates

# For the four faults after which the client cannot tell, Telegram did deliver the message
# (``processed=1``): a bot that repeated such a send would answer twice, and one that gave up on
# a 429 would lose the answer.
RATES = FaultRates(
    too_many_requests=0.03, server_error=0.03, bad_gateway=0.03, drop=0.03, hang=0.03,
    retry_after=1, hang_seconds=2.0, processed=1.0,
)
QUESTIONS = [
    "Who attended the Paris talks?",
    "What is the minerals deal?",
    "What did Trump say about taking a pass on mediation?",
    "What does the photo show?",
    "What did Putin say?",
]


async def test_under_15_percent_faults_every_question_is_answered_exactly_once(
    api: FakeBotApi, bot_engine: AnswerEngine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Short client timeouts, so that a hung response costs a second, not 15.
    for name in ("CONNECT_TIMEOUT", "READ_TIMEOUT", "WRITE_TIMEOUT"):
        monkeypatch.setattr(app_module, name, 0.5)
    bot = await start_harness(api, bot_engine, rate_limit_per_minute=1000)
    application = bot.app
    asked: list[dict[str, Any]] = []
    for i in range(24):  # private chats, one question each
        asked.append(updates.message_update(QUESTIONS[i % 5], chat_id=700_000 + i,
                                            from_id=700_000 + i))
    for i in range(6):  # one group
        asked.append(updates.message_update(f"/ask {QUESTIONS[i % 5]}", chat_id=-100_777,
                                            from_id=800_000 + i))
    for method in ("sendMessage", "getUpdates"):
        api.set_fault_rates(method, RATES, seed=5)

    def answers(update: dict[str, Any]) -> int:
        message = update["message"]
        chat_id = message["chat"]["id"]
        return sum(
            1 for sent in api.sent
            if sent["chat"]["id"] == chat_id
            and (chat_id > 0 or api_reply_to(sent) == message["message_id"])
        )

    replies_to: dict[int, int] = {}

    def api_reply_to(sent: dict[str, Any]) -> int:
        return replies_to.get(sent["message_id"], 0)

    def remember(params: dict[str, Any], sent: dict[str, Any]) -> None:
        replies_to[sent["message_id"]] = int(
            (params.get("reply_parameters") or {}).get("message_id", 0)
        )

    api.on_sent = remember
    await application.start()
    assert application.updater is not None
    await application.updater.start_polling(timeout=0, allowed_updates=app_module.ALLOWED_UPDATES)
    try:
        for update in asked:
            api.push_update(update)
        async with asyncio.timeout(60):
            await api.wait_until(lambda: all(answers(u) >= 1 for u in asked))
        await asyncio.sleep(1.5)  # room for a late second copy, which must not come
        still_running = application.running and application.updater.running
    finally:
        api.set_fault_rates("sendMessage", None)
        api.set_fault_rates("getUpdates", None)
        await application.updater.stop()
        await application.stop()
        await bot.close()

    assert [answers(u) for u in asked] == [1] * len(asked)
    assert still_running
    injected = {kind for (_, kind) in api.injected}
    assert len(injected) >= 3, api.injected  # the run did meet faults of several kinds
