"""``citebot export``: the records as CSV or JSON Lines, for analysis elsewhere."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

from bot.store import StoredRecord

FIELDS = ["id", "asked_at", "channel", "user_key", "question", "status", "confidence",
          "fact_ids", "helpful", "not_helpful"]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _row(stored: StoredRecord) -> dict[str, Any]:
    record = stored.record
    return {
        "id": record.id,
        "asked_at": datetime.fromtimestamp(record.asked_at, UTC).isoformat(timespec="seconds"),
        "channel": record.channel,
        "user_key": record.user_key,
        "question": record.question,
        "status": record.status,
        "confidence": record.confidence,
        "fact_ids": list(record.fact_ids),
        "helpful": stored.helpful,
        "not_helpful": stored.not_helpful,
    }


def _cell(value: object) -> object:
    """Spreadsheets run a cell starting with = + - @ as a formula; a leading ' stops that."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(records: Iterable[StoredRecord], out: TextIO) -> int:
    """One header row, then one row per record (fact ids space-separated); returns rows."""
    writer = csv.DictWriter(out, fieldnames=FIELDS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for stored in records:
        row = _row(stored)
        row["fact_ids"] = " ".join(row["fact_ids"])
        writer.writerow({k: _cell(v) if v is not None else "" for k, v in row.items()})
        count += 1
    return count


def write_jsonl(records: Iterable[StoredRecord], out: TextIO) -> int:
    """One JSON object per line, values exactly as stored; returns the number of lines."""
    count = 0
    for stored in records:
        out.write(json.dumps(_row(stored), ensure_ascii=False) + "\n")
        count += 1
    return count
