"""A small fake of the Telegram Bot API on 127.0.0.1, for driving the real ``Application``.

It speaks just enough HTTP/1.1 (keep-alive, Content-Length bodies) for httpx, records every
request, and is strict where Telegram is strict and a bug could hide: the token in the path,
Telegram-HTML in messages (only Telegram's tags, balanced, valid entities, at most 4096
characters), callback data of at most 64 bytes, unique inline result ids, and "message is not
modified" on an edit that changes nothing.

Faults can be injected two ways: ``fail_next`` queues exact failures for the next calls of a
method (for tests that assert one scenario), and ``set_fault_rates`` draws faults at random, from
a seeded RNG, for load and fault runs: 429 with ``retry_after``, 500, 502 from the proxy in
front of Telegram, a dropped connection (closed without a response) and a hung response (held
until the client gives up). For the last four the client cannot tell whether Telegram carried the
request out; ``FaultRates.processed`` sets how often it did (the response was lost, not the
request), and ``sent`` always holds what really reached a chat.
"""

from __future__ import annotations

import asyncio
import contextlib
import html.parser
import itertools
import json
import random
import time
from collections import Counter, defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

JSONDict = dict[str, Any]

# Parameters that python-telegram-bot sends as raw strings; everything else is JSON-encoded.
STRING_PARAMS = frozenset(
    {
        "text",
        "parse_mode",
        "callback_query_id",
        "inline_query_id",
        "inline_message_id",
        "action",
        "url",
        "secret_token",
        "caption",
        "next_offset",
        "language_code",
    }
)
# https://core.telegram.org/bots/api#html-style
TELEGRAM_TAGS = frozenset(
    "b strong i em u ins s strike del span tg-spoiler a tg-emoji code pre blockquote".split()
)
MESSAGE_LIMIT = 4096
CALLBACK_DATA_LIMIT = 64
BAD_GATEWAY_PAGE = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


class TelegramHtmlError(ValueError):
    """The text would get "Bad Request: can't parse entities" from Telegram."""


class _TelegramHtml(html.parser.HTMLParser):
    """Checks Telegram's HTML subset and collects the visible text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.open: list[str] = []
        self.visible: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in TELEGRAM_TAGS:
            raise TelegramHtmlError(f"unsupported start tag \"{tag}\"")
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1] != tag:
            raise TelegramHtmlError(f"unexpected end tag \"{tag}\"")
        self.open.pop()

    def handle_data(self, data: str) -> None:
        if "<" in data or ">" in data:
            raise TelegramHtmlError("unescaped < or >")
        self.visible.append(data)

    def handle_entityref(self, name: str) -> None:
        named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
        if name not in named:
            raise TelegramHtmlError(f"unsupported entity &{name};")
        self.visible.append(named[name])

    def handle_charref(self, name: str) -> None:
        self.visible.append(chr(int(name[1:], 16) if name.lower().startswith("x") else int(name)))


def parse_telegram_html(text: str) -> str:
    """The visible text of a Telegram-HTML message; ``TelegramHtmlError`` if Telegram refuses it."""
    if len(text) > MESSAGE_LIMIT:
        raise TelegramHtmlError("message is too long")
    parser = _TelegramHtml()
    # A bare "&" followed by a space is what html.escape prevents; Telegram refuses it too.
    after_ampersands = text.split("&")[1:]
    if any(not part.split(";")[0].replace("#", "").isalnum() for part in after_ampersands):
        raise TelegramHtmlError("unescaped &")
    parser.feed(text)
    parser.close()
    if parser.open:
        raise TelegramHtmlError(f"unclosed tag \"{parser.open[-1]}\"")
    return "".join(parser.visible)


# Injected fault kinds, as counted in ``FakeBotApi.injected``.
TOO_MANY_REQUESTS = "429"
SERVER_ERROR = "500"
BAD_GATEWAY = "502"
DROP = "drop"
HANG = "hang"
FAULT_KINDS = (TOO_MANY_REQUESTS, SERVER_ERROR, BAD_GATEWAY, DROP, HANG)
NO_RESPONSE = 0  # ``Call.status`` of a dropped or hung request


@dataclass
class Call:
    """One request the bot made, and the HTTP status it got (0: no response at all)."""

    method: str
    params: JSONDict
    status: int = 200
    at: float = field(default_factory=time.monotonic)  # when the request arrived
    fault: str | None = None  # the injected fault kind, if any


@dataclass
class _Fault:
    status: int
    retry_after: int | None = None


@dataclass(frozen=True)
class FaultRates:
    """Per-request probabilities of each injected fault for one method (they add up, at most 1).

    ``processed`` is the chance that a drop or hang happens *after* Telegram carried the request
    out (a message was sent, its response lost). A 429, 500 or 502 is Telegram saying the
    request failed: it was not carried out.
    """

    too_many_requests: float = 0.0
    server_error: float = 0.0
    bad_gateway: float = 0.0
    drop: float = 0.0
    hang: float = 0.0
    retry_after: int = 1
    hang_seconds: float = 30.0  # longer than the client's read timeout
    processed: float = 1.0

    def __post_init__(self) -> None:
        rates = (self.too_many_requests, self.server_error, self.bad_gateway, self.drop, self.hang)
        if any(r < 0 for r in rates) or sum(rates) > 1:
            raise ValueError("fault rates must be non-negative and add up to at most 1")

    @property
    def total(self) -> float:
        return self.too_many_requests + self.server_error + self.bad_gateway + self.drop + self.hang

    def draw(self, rng: random.Random) -> str | None:
        """One fault kind (or None) for one request."""
        roll = rng.random()
        for kind, rate in zip(
            FAULT_KINDS,
            (self.too_many_requests, self.server_error, self.bad_gateway, self.drop, self.hang),
            strict=True,
        ):
            if roll < rate:
                return kind
            roll -= rate
        return None


@dataclass
class FakeBotApi:
    """Start with ``await api.start()``; point python-telegram-bot at ``api.base_url``."""

    token: str
    bot_id: int = 7_000_000_001
    username: str = "citebot_test_bot"
    supports_inline_queries: bool = True
    calls: list[Call] = field(default_factory=list)
    sent: list[JSONDict] = field(default_factory=list)  # messages as sendMessage returned them
    port: int = 0
    _faults: dict[str, deque[_Fault]] = field(default_factory=lambda: defaultdict(deque))
    _updates: list[JSONDict] = field(default_factory=list)
    _new_update: asyncio.Event = field(default_factory=asyncio.Event)
    _answered: asyncio.Event = field(default_factory=asyncio.Event)
    _messages: dict[tuple[int, int], str] = field(default_factory=dict)
    _message_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_001))
    _commands: dict[str, list[JSONDict]] = field(default_factory=dict)
    _server: asyncio.Server | None = None
    _connections: set[asyncio.Task[None]] = field(default_factory=set)
    _rates: dict[str, FaultRates] = field(default_factory=dict)
    _rng: random.Random = field(default_factory=lambda: random.Random(0))
    injected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (method, kind)
    injected_processed: Counter[tuple[str, str]] = field(default_factory=Counter)
    pushed_at: dict[int, float] = field(default_factory=dict)  # update_id -> monotonic time
    # Called with each message as it reaches its chat (load runs match replies with it).
    on_sent: Callable[[JSONDict, JSONDict], None] | None = None  # (params, message)

    # ------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
        self._new_update.set()  # let a pending long poll return
        for task in list(self._connections):
            task.cancel()
        for task in list(self._connections):
            with contextlib.suppress(asyncio.CancelledError):
                await task

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def bot_user(self) -> JSONDict:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Citebot",
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": self.supports_inline_queries,
        }

    # ------------------------------------------------------------ test controls

    def fail_next(self, method: str, status: int, *, retry_after: int | None = None,
                  times: int = 1) -> None:
        """Answer the next ``times`` calls of ``method`` with ``status`` instead."""
        for _ in range(times):
            self._faults[method].append(_Fault(status, retry_after))

    def set_fault_rates(self, method: str, rates: FaultRates | None, *, seed: int = 0) -> None:
        """Inject random faults into calls of ``method`` (``None``: stop); reproducible by seed.

        Faults queued with ``fail_next`` come first.
        """
        if rates is None or rates.total == 0:
            self._rates.pop(method, None)
        else:
            self._rates[method] = rates
        self._rng = random.Random(seed)

    def push_update(self, update: JSONDict) -> None:
        """Queue an update for ``getUpdates``."""
        self.pushed_at[update["update_id"]] = time.monotonic()
        self._updates.append(update)
        self._new_update.set()

    async def wait_until(self, condition: Callable[[], bool]) -> None:
        """Wait until ``condition()`` holds, checking as each request arrives and is answered."""
        while not condition():
            self._answered.clear()
            await self._answered.wait()

    def calls_to(self, method: str) -> list[Call]:
        """Every call of ``method``, failed ones included."""
        return [c for c in self.calls if c.method == method]

    def delivered(self, method: str = "sendMessage") -> list[JSONDict]:
        """The parameters of each call of ``method`` that Telegram accepted."""
        return [c.params for c in self.calls if c.method == method and c.status == 200]

    # ------------------------------------------------------------ HTTP

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request_line = await reader.readline()
                if not request_line:
                    break
                headers: dict[str, str] = {}
                while (line := await reader.readline()) not in (b"\r\n", b"\n", b""):
                    name, _, value = line.decode("latin-1").partition(":")
                    headers[name.strip().lower()] = value.strip()
                body = await reader.readexactly(int(headers.get("content-length", "0")))
                path = request_line.decode("latin-1").split(" ")[1]
                response = await self._dispatch(path, headers, body)
                self._answered.set()
                if response is None:  # an injected drop or hang: no response, ever
                    break
                status, payload = response
                writer.write(
                    f"HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(payload)}\r\nConnection: keep-alive\r\n\r\n".encode()
                    + payload
                )
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            # Only ``close`` cancels these; ending quietly keeps asyncio from logging the
            # cancellation as an error in the stream's done-callback (Python 3.11).
            pass
        finally:
            self._connections.discard(task)
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    async def _dispatch(self, path: str, headers: dict[str, str], body: bytes
                        ) -> tuple[int, bytes] | None:
        """The response to one request; None to send none (an injected drop or hang)."""
        prefix = f"/bot{self.token}/"
        if not path.startswith(prefix):
            return _error(401, "Unauthorized")
        method = path[len(prefix):]
        params = _decode_params(headers.get("content-type", ""), body)
        call = Call(method, params)
        self.calls.append(call)
        self._answered.set()  # a waiter may be waiting for this call (a long poll, say)
        faults = self._faults.get(method)
        if faults:
            fault = faults.popleft()
            call.status = fault.status
            if fault.status == 502:
                return 502, BAD_GATEWAY_PAGE
            if fault.retry_after is not None:
                return _error(fault.status, f"Too Many Requests: retry after {fault.retry_after}",
                              {"retry_after": fault.retry_after})
            return _error(fault.status, "Injected failure")
        rates = self._rates.get(method)
        kind = rates.draw(self._rng) if rates is not None else None
        if rates is not None and kind is not None:
            return await self._inject(call, rates, kind)
        return await self._process(call)

    async def _inject(self, call: Call, rates: FaultRates, kind: str) -> tuple[int, bytes] | None:
        call.fault = kind
        self.injected[(call.method, kind)] += 1
        if kind == TOO_MANY_REQUESTS:  # Telegram refused the request: nothing was done
            call.status = 429
            return _error(429, f"Too Many Requests: retry after {rates.retry_after}",
                          {"retry_after": rates.retry_after})
        if kind in (SERVER_ERROR, BAD_GATEWAY):  # Telegram says it failed: nothing was done
            call.status = 500 if kind == SERVER_ERROR else 502
            if kind == SERVER_ERROR:
                return _error(500, "Internal Server Error")
            return 502, BAD_GATEWAY_PAGE
        if self._rng.random() < rates.processed:
            self.injected_processed[(call.method, kind)] += 1
            # Carried out, then the response is lost; a long poll is not waited for here.
            await self._process(Call(call.method, {**call.params, "timeout": 0}))
        call.status = NO_RESPONSE
        if kind == HANG:
            await asyncio.sleep(rates.hang_seconds)
        return None

    async def _process(self, call: Call) -> tuple[int, bytes]:
        method, params = call.method, call.params
        handler = self._method(method)
        if handler is None:
            call.status = 404
            return _error(404, "Not Found: method not found")
        try:
            result = await handler(params)
        except TelegramHtmlError as exc:
            call.status = 400
            return _error(400, f"Bad Request: can't parse entities: {exc}")
        except BadRequestError as exc:
            call.status = 400
            return _error(400, f"Bad Request: {exc}")
        return 200, json.dumps({"ok": True, "result": result}).encode()

    # ------------------------------------------------------------ methods

    async def _get_me(self, params: JSONDict) -> JSONDict:
        return self.bot_user

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = int(params.get("offset") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), float(params.get("timeout", 0)))
        return list(self._updates)

    async def _send_message(self, params: JSONDict) -> JSONDict:
        _check_message(params)
        chat_id = int(params["chat_id"])
        message_id = next(self._message_ids)
        self._messages[(chat_id, message_id)] = params["text"]
        sent = self._message(chat_id, message_id, params)
        self.sent.append(sent)
        if self.on_sent is not None:
            self.on_sent(params, sent)
        return sent

    async def _edit_message_text(self, params: JSONDict) -> JSONDict:
        _check_message(params)
        key = (int(params["chat_id"]), int(params["message_id"]))
        if key not in self._messages:
            raise BadRequestError("message to edit not found")
        if self._messages[key] == params["text"]:
            raise BadRequestError(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        self._messages[key] = params["text"]
        return self._message(*key, params)

    async def _answer_inline_query(self, params: JSONDict) -> bool:
        results = params.get("results", [])
        ids = [r["id"] for r in results]
        if len(results) > 50 or len(set(ids)) != len(ids):
            raise BadRequestError("RESULTS_TOO_MUCH or duplicate result id")
        for result in results:
            if len(result["id"].encode()) > 64:
                raise BadRequestError("RESULT_ID_INVALID")
            content = result.get("input_message_content", {})
            if content.get("parse_mode") == "HTML":
                parse_telegram_html(content["message_text"])
        return True

    async def _set_my_commands(self, params: JSONDict) -> bool:
        scope = params.get("scope", {"type": "default"})
        self._commands[scope["type"]] = params["commands"]
        return True

    async def _get_my_commands(self, params: JSONDict) -> list[JSONDict]:
        scope = params.get("scope", {"type": "default"})
        return self._commands.get(scope["type"], [])

    async def _true(self, params: JSONDict) -> bool:
        return True

    def _method(self, name: str) -> Callable[[JSONDict], Awaitable[Any]] | None:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "answerInlineQuery": self._answer_inline_query,
            "setMyCommands": self._set_my_commands,
            "getMyCommands": self._get_my_commands,
            "answerCallbackQuery": self._true,
            "sendChatAction": self._true,
            "deleteMyCommands": self._true,
            "deleteWebhook": self._true,
            "setWebhook": self._true,
            "close": self._true,
        }.get(name)

    def _message(self, chat_id: int, message_id: int, params: JSONDict) -> JSONDict:
        message: JSONDict = {
            "message_id": message_id,
            "date": int(time.time()),
            "chat": {"id": chat_id, "type": "private" if chat_id > 0 else "supergroup"},
            "from": self.bot_user,
            "text": params["text"],
        }
        if "reply_markup" in params:
            message["reply_markup"] = params["reply_markup"]
        return message


class BadRequestError(Exception):
    """Telegram would answer 400 Bad Request."""


def _error(status: int, description: str, parameters: JSONDict | None = None
           ) -> tuple[int, bytes]:
    body: JSONDict = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, json.dumps(body).encode()


def _decode_params(content_type: str, body: bytes) -> JSONDict:
    if not body:
        return {}
    if content_type.startswith("application/json"):
        decoded: JSONDict = json.loads(body)
        return decoded
    params: JSONDict = {}
    for key, value in parse_qsl(body.decode(), keep_blank_values=True):
        if key in STRING_PARAMS:
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _check_message(params: JSONDict) -> None:
    """Refuse what Telegram would refuse in sendMessage/editMessageText."""
    text = params.get("text", "")
    if not text.strip():
        raise BadRequestError("message text is empty")
    if params.get("parse_mode") == "HTML":
        parse_telegram_html(text)
    elif len(text) > MESSAGE_LIMIT:
        raise BadRequestError("message is too long")
    markup = params.get("reply_markup") or {}
    for row in markup.get("inline_keyboard", []):
        for button in row:
            data = button.get("callback_data")
            if data is not None and not 1 <= len(data.encode()) <= CALLBACK_DATA_LIMIT:
                raise BadRequestError("BUTTON_DATA_INVALID")
