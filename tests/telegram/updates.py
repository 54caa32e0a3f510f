"""Small factories for Bot API update JSON, as Telegram would send it."""

from __future__ import annotations

import itertools
import re
import time
from typing import Any

JSONDict = dict[str, Any]

PRIVATE_CHAT_ID = 424_242
GROUP_CHAT_ID = -100_555_000_111
USER_ID = 424_242
OTHER_USER_ID = 515_151

_update_ids = itertools.count(1)
_message_ids = itertools.count(501)


def next_message_id() -> int:
    return next(_message_ids)


def user(user_id: int = USER_ID, first_name: str = "Ada") -> JSONDict:
    return {"id": user_id, "is_bot": False, "first_name": first_name, "language_code": "en"}


def chat(chat_id: int) -> JSONDict:
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": "Ada"}
    return {"id": chat_id, "type": "supergroup", "title": "Readers"}


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def entities(text: str) -> list[JSONDict]:
    """The entities Telegram would mark: a leading bot command and @mentions (UTF-16 offsets)."""
    found: list[JSONDict] = []
    command = re.match(r"/[A-Za-z0-9_]+(@[A-Za-z0-9_]+)?", text)
    if command:
        found.append({"type": "bot_command", "offset": 0, "length": _utf16_len(command[0])})
    for mention in re.finditer(r"(?<![\w/])@[A-Za-z0-9_]{5,32}", text):
        found.append(
            {
                "type": "mention",
                "offset": _utf16_len(text[: mention.start()]),
                "length": _utf16_len(mention[0]),
            }
        )
    return found


def message(
    text: str | None,
    *,
    chat_id: int = PRIVATE_CHAT_ID,
    from_id: int = USER_ID,
    message_id: int | None = None,
    reply_to: JSONDict | None = None,
    extra: JSONDict | None = None,
) -> JSONDict:
    """A message JSON object; ``text=None`` makes a sticker."""
    data: JSONDict = {
        "message_id": message_id if message_id is not None else next_message_id(),
        "date": int(time.time()),
        "chat": chat(chat_id),
        "from": user(from_id),
    }
    if text is None:
        data["sticker"] = {
            "file_id": "sticker-1",
            "file_unique_id": "u-sticker-1",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "type": "regular",
        }
    else:
        data["text"] = text
        if found := entities(text):
            data["entities"] = found
    if reply_to is not None:
        data["reply_to_message"] = reply_to
    if extra:
        data.update(extra)
    return data


def message_update(text: str | None, **kwargs: Any) -> JSONDict:
    return {"update_id": next(_update_ids), "message": message(text, **kwargs)}


def edited_update(original: JSONDict, new_text: str) -> JSONDict:
    """The same message (same id) with new text, as ``edited_message``."""
    edited = dict(original)
    edited["text"] = new_text
    edited.pop("entities", None)
    if found := entities(new_text):
        edited["entities"] = found
    edited["edit_date"] = int(time.time()) + 5
    return {"update_id": next(_update_ids), "edited_message": edited}


def callback_update(data: str, bot_message: JSONDict, from_id: int = USER_ID) -> JSONDict:
    """A button press on ``bot_message`` (a message the bot sent)."""
    return {
        "update_id": next(_update_ids),
        "callback_query": {
            "id": f"cbq-{next(_update_ids)}",
            "from": user(from_id),
            "chat_instance": "ci-1",
            "data": data,
            "message": bot_message,
        },
    }


def inline_update(query: str, from_id: int = USER_ID) -> JSONDict:
    return {
        "update_id": next(_update_ids),
        "inline_query": {
            "id": f"iq-{next(_update_ids)}",
            "from": user(from_id),
            "query": query,
            "offset": "",
            "chat_type": "sender",
        },
    }
