"""Start-up and the whole process: command menus, token checks, `python -m bot run` end to end."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import sys
from pathlib import Path

import httpx
import pytest

from bot import messages
from bot.settings import Settings
from bot.telegram.app import EXIT_CONFIG, EXIT_FAILED, run_bot
from tests.telegram import updates
from tests.telegram.conftest import KNOWLEDGE_DIR, TOKEN, BotHarness
from tests.telegram.fake_bot_api import FakeBotApi, parse_telegram_html
from tests.telegram.test_private_chat import PARIS_QUOTE

REPO_ROOT = Path(__file__).resolve().parents[2]


async def test_command_menus_are_set_per_scope_at_start(harness: BotHarness) -> None:
    assert harness.app.post_init is not None
    await harness.app.post_init(harness.app)

    scoped = {c.params["scope"]["type"]: c.params["commands"] for c in
              harness.api.calls_to("setMyCommands")}
    private = [c["command"] for c in scoped["all_private_chats"]]
    groups = [c["command"] for c in scoped["all_group_chats"]]
    assert private == ["start", "ask", "topics", "about", "source", "help"]
    assert groups == ["ask", "topics", "about", "help"]
    assert all(c["description"] for c in scoped["all_private_chats"])


@pytest.mark.parametrize(
    ("token", "problem"),
    [
        (None, "is not set"),
        ("", "is not set"),
        ("123456:replace-me", "is not set"),  # the .env.example placeholder
        ("12345:short", "does not look like a bot token"),
        ("not a token at all, hunter2hunter2hunter2hunter2", "does not look like a bot token"),
    ],
)
def test_a_missing_or_malformed_token_is_refused_in_one_line(
    token: str | None, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=token, knowledge_dir=KNOWLEDGE_DIR)

    assert run_bot(settings) == EXIT_CONFIG

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert problem in err
    if token:
        assert token not in err


def test_a_broken_knowledge_directory_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=TOKEN, knowledge_dir=tmp_path / "none")

    assert run_bot(settings) == EXIT_CONFIG

    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "knowledge base" in err
    assert TOKEN not in err


def test_the_env_example_placeholder_token_is_refused() -> None:
    example = (REPO_ROOT / ".env.example").read_text(encoding="utf-8")
    [line] = [ln for ln in example.splitlines() if ln.startswith("TELEGRAM_BOT_TOKEN=")]
    settings = Settings(_env_file=None, TELEGRAM_BOT_TOKEN=line.split("=", 1)[1])
    with pytest.raises(ValueError, match="TELEGRAM_BOT_TOKEN"):
        settings.require_token()


async def test_python_m_bot_run_polls_answers_once_and_stops_on_sigterm(
    api: FakeBotApi, tmp_path: Path
) -> None:
    question = updates.message_update("Who attended the Paris talks?")
    api.push_update(question)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "CITEBOT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "CITEBOT_LOG_LEVEL": "DEBUG",
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path,  # no .env here
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    log = ""
    try:
        async with asyncio.timeout(30):
            # Wait for the answer, and for the update to be acknowledged (offset moved past it).
            acknowledged = question["update_id"] + 1
            await api.wait_until(
                lambda: bool(api.delivered())
                and max(int(c.params.get("offset", 0)) for c in api.calls_to("getUpdates"))
                >= acknowledged
            )
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await process.communicate()
        log = stderr.decode()
        print(log)  # shown by pytest if the test fails

    assert process.returncode == 0, log
    [reply] = api.delivered()
    assert reply["chat_id"] == updates.PRIVATE_CHAT_ID
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])
    assert "citebot is running as @citebot_test_bot" in log
    assert TOKEN not in log
    assert {c.params["scope"]["type"] for c in api.calls_to("setMyCommands")} == {
        "all_private_chats",
        "all_group_chats",
    }
    assert messages.BOT_ERROR not in log


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def test_webhook_mode_registers_the_secret_and_only_accepts_telegrams_posts(
    api: FakeBotApi, tmp_path: Path
) -> None:
    port = _free_port()
    secret = "s3cret_webhook-token"
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": api.base_url,
        "CITEBOT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "CITEBOT_MODE": "webhook",
        "CITEBOT_WEBHOOK_PORT": str(port),
        "CITEBOT_WEBHOOK_URL": "https://bot.example.org/citebot/hook",
        "CITEBOT_WEBHOOK_SECRET_TOKEN": secret,
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}/citebot/hook"
    question = updates.message_update("Who attended the Paris talks?")
    log = ""
    try:
        async with asyncio.timeout(30):
            await api.wait_until(lambda: bool(api.delivered("setWebhook")))
            async with httpx.AsyncClient() as client:
                forged = await client.post(
                    url, json=question, headers={"X-Telegram-Bot-Api-Secret-Token": "wrong"}
                )
                genuine = await client.post(
                    url, json=question, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
            await api.wait_until(lambda: bool(api.delivered()))
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await process.communicate()
        log = stderr.decode()
        print(log)

    assert process.returncode == 0
    [registered] = api.delivered("setWebhook")
    assert registered["url"] == "https://bot.example.org/citebot/hook"
    assert registered["secret_token"] == secret
    assert forged.status_code == 403
    assert genuine.status_code == 200
    [reply] = api.delivered()
    assert PARIS_QUOTE in parse_telegram_html(reply["text"])
    assert secret not in log
    assert TOKEN not in log


async def test_an_unreachable_telegram_at_start_is_retried_then_exits_in_one_line(
    tmp_path: Path,
) -> None:
    closed_port = _free_port()  # nothing listens there: every connection is refused
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": f"http://127.0.0.1:{closed_port}/bot",
        "CITEBOT_KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "CITEBOT_STARTUP_RETRIES": "0",  # the quick retries of each attempt are still made
        "PYTHONPATH": str(REPO_ROOT),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run",
        cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    try:
        async with asyncio.timeout(60):
            _, stderr = await process.communicate()
    finally:
        if process.returncode is None:
            process.kill()
    log = stderr.decode()
    print(log)

    assert process.returncode == EXIT_FAILED
    assert "getMe failed" in log
    assert "retrying" in log
    assert log.strip().splitlines()[-1].startswith(
        "citebot: cannot reach the Telegram Bot API at 127.0.0.1"
    )
    assert "Traceback" not in log
    assert TOKEN not in log
