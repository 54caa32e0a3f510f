"""Unit tests: token redaction, the per-user rate limit, callback data, retries, answer log."""

from __future__ import annotations

import io
import logging
import string
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut

from bot.answers import AnswerEngine
from bot.telegram import keyboards
from bot.telegram.context import AnswerLog
from bot.telegram.logging import REDACTED, RedactingFilter, redact, setup_logging
from bot.telegram.ratelimit import UserRateLimiter, Verdict
from bot.telegram.retry import RetryingRateLimiter
from tests.telegram.conftest import TOKEN

# ---------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    "text",
    [
        f"https://api.telegram.org/bot{TOKEN}/getUpdates",
        f"token={TOKEN}",
        f"({TOKEN})",
        "bot987654321:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA/sendMessage",  # someone else's token
        "98765:abcdefghijabcdefghijabcdefghij_-",
    ],
)
def test_token_shaped_strings_are_redacted(text: str) -> None:
    cleaned = redact(text)
    assert REDACTED in cleaned
    assert not any(part in cleaned for part in (TOKEN, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"))


def test_configured_secrets_are_redacted_whatever_their_shape() -> None:
    assert redact("secret is s3cr3t-webhook", ["s3cr3t-webhook"]) == f"secret is {REDACTED}"


@pytest.mark.parametrize(
    "text", ["12:30 meeting", "paragraph 8:2", "ratio 100000:1", "http://127.0.0.1:8443/bot"]
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_the_filter_redacts_arguments_exception_text_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter([TOKEN]))
    log = logging.getLogger("citebot.test.redaction")
    log.addHandler(handler)
    log.propagate = False
    try:
        try:
            raise ConnectionError(f"cannot reach https://api.telegram.org/bot{TOKEN}/getMe")
        except ConnectionError:
            log.exception("failed with %s", TOKEN)
        log.error("stack of a call made with %s", TOKEN, stack_info=True)
    finally:
        log.removeHandler(handler)
    output = stream.getvalue()
    assert TOKEN not in output
    assert "ConnectionError: cannot reach https://api.telegram.org/bot<redacted>/getMe" in output
    assert f"failed with {REDACTED}" in output


def test_setup_logging_lowers_httpx_and_does_not_stack_handlers() -> None:
    setup_logging("DEBUG", [TOKEN], stream=io.StringIO())
    setup_logging("INFO", [TOKEN], stream=io.StringIO())
    assert logging.getLogger("httpx").level == logging.WARNING
    assert logging.getLogger("httpcore").level == logging.WARNING
    assert len(logging.getLogger().handlers) == 1


# ---------------------------------------------------------------- rate limit


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_rate_limit_allows_the_limit_then_notifies_once_then_stays_silent() -> None:
    limiter = UserRateLimiter(limit=3, window=60, clock=Clock())
    verdicts = [limiter.check(1) for _ in range(6)]
    assert verdicts == [Verdict.ALLOW] * 3 + [Verdict.NOTIFY, Verdict.SILENT, Verdict.SILENT]


def test_rate_limit_window_slides_and_a_later_flood_is_notified_again() -> None:
    clock = Clock()
    limiter = UserRateLimiter(limit=2, window=60, clock=clock)
    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTIFY]
    clock.now += 30
    assert limiter.check(1) is Verdict.SILENT
    clock.now += 31  # the first two requests have left the window
    assert [limiter.check(1) for _ in range(3)] == [Verdict.ALLOW, Verdict.ALLOW, Verdict.NOTIFY]


def test_rate_limit_is_per_user_and_memory_is_bounded() -> None:
    limiter = UserRateLimiter(limit=1, window=60, max_users=100, clock=Clock())
    assert limiter.check(1) is Verdict.ALLOW
    assert limiter.check(2) is Verdict.ALLOW
    for user_id in range(10_000):
        limiter.check(user_id)
    assert len(limiter) == 100


# ---------------------------------------------------------------- callback data

ids = st.text(alphabet=string.ascii_lowercase + string.digits + "_-", min_size=0, max_size=63).map(
    lambda s: "a" + s
)


@given(source=ids, number=st.integers(min_value=0, max_value=999_999))
def test_paragraph_callback_data_round_trips_or_is_refused(source: str, number: int) -> None:
    action = keyboards.ShowParagraph(source, number)
    data = keyboards.encode(action)
    if data is None:
        assert len(f"p:{source}:{number}".encode()) > keyboards.CALLBACK_DATA_LIMIT
    else:
        assert len(data.encode()) <= keyboards.CALLBACK_DATA_LIMIT
        assert keyboards.decode(data) == action


@given(fact_id=ids, index=st.integers(min_value=0, max_value=999))
def test_question_callback_data_round_trips_or_is_refused(fact_id: str, index: int) -> None:
    action = keyboards.AskQuestion(fact_id, index)
    data = keyboards.encode(action)
    if data is not None:
        assert keyboards.decode(data) == action


@pytest.mark.parametrize(
    "data", [None, "", "p:peace-talks", "p:Peace:1", "q:x:-1", "z:a:1", "p:a:1:2", "p:a:1\n"]
)
def test_foreign_callback_data_is_not_understood(data: str | None) -> None:
    assert keyboards.decode(data) is None


def test_every_curated_question_maps_to_a_button_and_back(bot_engine: AnswerEngine) -> None:
    index = keyboards.QuestionIndex(bot_engine.knowledge)
    for loaded in bot_engine.knowledge.facts:
        for question in loaded.fact.questions:
            action = index.action_for(question)
            assert action is not None
            data = keyboards.encode(action)
            assert data is not None
            decoded = keyboards.decode(data)
            assert isinstance(decoded, keyboards.AskQuestion)
            assert index.question(decoded) == question


def test_free_text_never_becomes_a_button(bot_engine: AnswerEngine) -> None:
    index = keyboards.QuestionIndex(bot_engine.knowledge)
    assert keyboards.question_keyboard(["Is this a curated question? No."], index) is None


# ---------------------------------------------------------------- retries


class FlakyCall:
    def __init__(self, *failures: Exception) -> None:
        self.failures = list(failures)
        self.calls = 0

    async def __call__(self, *args: Any, **kwargs: Any) -> bool:
        self.calls += 1
        if self.failures:
            raise self.failures.pop(0)
        return True


async def send(limiter: RetryingRateLimiter, call: FlakyCall, endpoint: str) -> Any:
    return await limiter.process_request(call, (), {}, endpoint, {"chat_id": 1}, None)


@pytest.fixture
async def limiter() -> AsyncIterator[RetryingRateLimiter]:
    limiter = RetryingRateLimiter(network_retries=2, backoff=0.001)
    await limiter.initialize()
    yield limiter
    await limiter.shutdown()


def _failed(cause: Exception, error: NetworkError | None = None) -> NetworkError:
    """A NetworkError as python-telegram-bot raises it: ``from`` the httpx error."""
    error = error or NetworkError(f"httpx.{type(cause).__name__}: {cause}")
    error.__cause__ = cause
    return error


async def test_a_send_that_never_reached_telegram_is_retried_a_bounded_number_of_times(
    limiter: RetryingRateLimiter,
) -> None:
    refused = _failed(httpx.ConnectError("All connection attempts failed"))
    call = FlakyCall(refused, _failed(httpx.ConnectTimeout("connect")))
    assert await send(limiter, call, "sendMessage") is True
    assert call.calls == 3

    hopeless = FlakyCall(*[_failed(httpx.ConnectError("refused")) for _ in range(5)])
    with pytest.raises(NetworkError):
        await send(limiter, hopeless, "sendMessage")
    assert hopeless.calls == 3


async def test_a_send_telegram_answered_with_5xx_is_retried(limiter: RetryingRateLimiter) -> None:
    # A status code is Telegram saying the request failed; python-telegram-bot raises it with
    # no transport error behind it.
    call = FlakyCall(NetworkError("Bad Gateway"), NetworkError("Internal Server Error (500)"))
    assert await send(limiter, call, "sendMessage") is True
    assert call.calls == 3


@pytest.mark.parametrize(
    "error",
    [
        _failed(httpx.RemoteProtocolError("Server disconnected without sending a response.")),
        _failed(httpx.ReadError("connection reset")),
        _failed(httpx.ReadTimeout("read"), TimedOut()),
    ],
    ids=["dropped", "read-error", "read-timeout"],
)
async def test_a_send_that_may_have_been_delivered_is_not_repeated(
    limiter: RetryingRateLimiter, error: NetworkError
) -> None:
    send_call = FlakyCall(error)
    with pytest.raises(NetworkError):
        await send(limiter, send_call, "sendMessage")
    assert send_call.calls == 1

    edit_call = FlakyCall(error)  # editing twice to the same text is harmless
    assert await send(limiter, edit_call, "editMessageText") is True
    assert edit_call.calls == 2


async def test_the_typing_indicator_is_never_retried(limiter: RetryingRateLimiter) -> None:
    call = FlakyCall(_failed(httpx.ConnectError("refused")))
    with pytest.raises(NetworkError):
        await send(limiter, call, "sendChatAction")
    assert call.calls == 1


async def test_bad_requests_are_not_retried(limiter: RetryingRateLimiter) -> None:
    call = FlakyCall(BadRequest("message is not modified"))
    with pytest.raises(BadRequest):
        await send(limiter, call, "editMessageText")
    assert call.calls == 1


async def test_flood_waits_are_handled_by_the_rate_limiter(
    limiter: RetryingRateLimiter, monkeypatch: pytest.MonkeyPatch
) -> None:
    slept: list[float] = []

    async def no_sleep(seconds: float) -> None:
        slept.append(seconds)

    monkeypatch.setattr("telegram.ext._aioratelimiter.asyncio.sleep", no_sleep)
    call = FlakyCall(RetryAfter(7))
    assert await send(limiter, call, "sendMessage") is True
    assert call.calls == 2
    assert slept == [pytest.approx(7.1)]


# ---------------------------------------------------------------- answer log


def test_answer_log_remembers_recent_questions_only() -> None:
    log = AnswerLog(capacity=2)
    log.remember(1, 10, 100)
    log.remember(1, 11, 101)
    log.remember(2, 10, 102)
    assert log.answer_to(1, 10) is None
    assert log.answer_to(1, 11) == 101
    assert log.answer_to(2, 10) == 102
    assert len(log) == 2
