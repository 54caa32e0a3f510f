"""What is stored, and the SQL that writes, reads and expires it (no threads here)."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class QuestionRecord:
    """One question the bot answered or declined.

    ``user_key`` is a keyed hash of the Telegram user id (never the id itself), ``None`` for the
    console; ``question`` is ``None`` when CITEBOT_STORE_QUESTION_TEXT is off.
    """

    id: str
    asked_at: float
    channel: str
    user_key: str | None
    question: str | None
    status: str
    confidence: float
    fact_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Vote:
    """A helpful / not helpful vote on one answer; a user's later vote replaces the earlier."""

    record_id: str
    user_key: str
    helpful: bool
    voted_at: float


@dataclass(frozen=True, slots=True)
class StoredRecord:
    """A record as read back, with its votes counted."""

    record: QuestionRecord
    helpful: int = 0
    not_helpful: int = 0


Item = QuestionRecord | Vote


def write_items(conn: sqlite3.Connection, items: Iterable[Item]) -> None:
    """Write a batch in one transaction (all or nothing)."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        for item in items:
            if isinstance(item, QuestionRecord):
                cursor = conn.execute(
                    "INSERT OR IGNORE INTO records (id, asked_at, channel, user_key, question, "
                    "status, confidence) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (item.id, item.asked_at, item.channel, item.user_key, item.question,
                     item.status, item.confidence),
                )
                if cursor.rowcount:
                    conn.executemany(
                        "INSERT INTO record_facts (record_id, rank, fact_id) VALUES (?, ?, ?)",
                        [(item.id, rank, fact_id) for rank, fact_id in enumerate(item.fact_ids)],
                    )
            else:
                conn.execute(
                    "INSERT INTO votes (record_id, user_key, helpful, voted_at) "
                    "VALUES (?, ?, ?, ?) ON CONFLICT (record_id, user_key) DO UPDATE SET "
                    "helpful = excluded.helpful, voted_at = excluded.voted_at",
                    (item.record_id, item.user_key, int(item.helpful), item.voted_at),
                )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise


def delete_older_than(conn: sqlite3.Connection, cutoff: float) -> int:
    """Delete records asked before ``cutoff`` (their facts and votes too); return how many."""
    conn.execute("BEGIN IMMEDIATE")
    try:
        deleted = conn.execute("DELETE FROM records WHERE asked_at < ?", (cutoff,)).rowcount
        # Votes go with their record; a vote whose record was never written (dropped while
        # the queue was full) can never be reported, so it goes too.
        conn.execute(
            "DELETE FROM votes WHERE voted_at < ? OR record_id NOT IN (SELECT id FROM records)",
            (cutoff,),
        )
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return deleted


def read_records(
    conn: sqlite3.Connection, since: float | None = None, until: float | None = None
) -> list[StoredRecord]:
    """Records asked in ``[since, until)`` (all when ``None``), oldest first, with votes."""
    where = "WHERE asked_at >= ? AND asked_at < ?"
    bounds = (since if since is not None else float("-inf"),
              until if until is not None else float("inf"))
    facts: dict[str, list[str]] = {}
    for record_id, fact_id in conn.execute(
        f"SELECT f.record_id, f.fact_id FROM record_facts f JOIN records r ON r.id = f.record_id "
        f"{where.replace('asked_at', 'r.asked_at')} ORDER BY f.record_id, f.rank",
        bounds,
    ):
        facts.setdefault(record_id, []).append(fact_id)
    votes = {
        record_id: (int(up), int(down))
        for record_id, up, down in conn.execute(
            "SELECT record_id, SUM(helpful), SUM(1 - helpful) FROM votes GROUP BY record_id"
        )
    }
    stored: list[StoredRecord] = []
    for row in conn.execute(
        "SELECT id, asked_at, channel, user_key, question, status, confidence FROM records "
        f"{where} ORDER BY asked_at, id",
        bounds,
    ):
        record_id, asked_at, channel, user_key, question, status, confidence = row
        record = QuestionRecord(
            record_id, asked_at, channel, user_key, question, status, confidence,
            tuple(facts.get(record_id, ())),
        )
        up, down = votes.get(record.id, (0, 0))
        stored.append(StoredRecord(record, up, down))
    return stored


def counts(conn: sqlite3.Connection) -> tuple[int, int]:
    """(records, votes) in the database."""
    records = conn.execute("SELECT COUNT(*) FROM records").fetchone()[0]
    votes = conn.execute("SELECT COUNT(*) FROM votes").fetchone()[0]
    return int(records), int(votes)
