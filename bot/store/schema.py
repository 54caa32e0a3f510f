"""The database file: opening it safely and migrating its schema forward.

One SQLite file in WAL mode: readers (``citebot report``, ``/stats``) never block the writer,
and a crash of the process cannot corrupt the file (SQLite's write-ahead log is atomic).
``synchronous=NORMAL`` is durable against a crash of the process; only a power cut can lose
the last committed transactions, which is the trade-off SQLite recommends for WAL.

``schema_version`` holds one row, the number of the last migration applied. Migrations only
ever go forward, each in its own transaction, and run at start by whoever opens the file.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

BUSY_TIMEOUT_MS = 1000
"""How long a statement waits for another connection's lock before "database is locked"."""


class StoreError(Exception):
    """The database cannot be used (missing, newer than this citebot, unreadable)."""


def _v1_records_and_votes(conn: sqlite3.Connection) -> None:
    """The first schema: one row per question, matched facts as a JSON list; votes."""
    conn.execute(
        """CREATE TABLE records (
            id TEXT PRIMARY KEY,
            asked_at REAL NOT NULL,
            channel TEXT NOT NULL,
            user_key TEXT,
            question TEXT,
            status TEXT NOT NULL,
            confidence REAL NOT NULL,
            fact_ids TEXT NOT NULL DEFAULT '[]'
        )"""
    )
    conn.execute("CREATE INDEX records_asked_at ON records (asked_at)")
    conn.execute(
        """CREATE TABLE votes (
            record_id TEXT NOT NULL,
            user_key TEXT NOT NULL,
            helpful INTEGER NOT NULL CHECK (helpful IN (0, 1)),
            voted_at REAL NOT NULL,
            UNIQUE (record_id, user_key)
        )"""
    )


def _v2_record_facts(conn: sqlite3.Connection) -> None:
    """Matched facts move to their own table (rank 0 = the best fact), for per-fact counts.

    Rows written by version 1 are carried over from their JSON list, then the column is
    dropped by rebuilding the table (SQLite's portable way to drop a column).
    """
    rows = conn.execute("SELECT id, fact_ids FROM records").fetchall()
    conn.execute(
        """CREATE TABLE records_new (
            id TEXT PRIMARY KEY,
            asked_at REAL NOT NULL,
            channel TEXT NOT NULL,
            user_key TEXT,
            question TEXT,
            status TEXT NOT NULL,
            confidence REAL NOT NULL
        )"""
    )
    conn.execute(
        "INSERT INTO records_new SELECT id, asked_at, channel, user_key, question, status, "
        "confidence FROM records"
    )
    conn.execute("DROP TABLE records")
    conn.execute("ALTER TABLE records_new RENAME TO records")
    conn.execute("CREATE INDEX records_asked_at ON records (asked_at)")
    # Created after the rebuild: dropping a table that another one references with
    # ON DELETE CASCADE would empty the referencing table first.
    conn.execute(
        """CREATE TABLE record_facts (
            record_id TEXT NOT NULL REFERENCES records (id) ON DELETE CASCADE,
            rank INTEGER NOT NULL,
            fact_id TEXT NOT NULL,
            PRIMARY KEY (record_id, rank)
        )"""
    )
    conn.execute("CREATE INDEX record_facts_fact ON record_facts (fact_id)")
    for record_id, fact_ids in rows:
        try:
            ids = json.loads(fact_ids or "[]")
        except ValueError:
            ids = []
        conn.executemany(
            "INSERT INTO record_facts (record_id, rank, fact_id) VALUES (?, ?, ?)",
            [(record_id, rank, str(fact_id)) for rank, fact_id in enumerate(ids)],
        )
    conn.execute("CREATE INDEX votes_record ON votes (record_id)")


Migration = Callable[[sqlite3.Connection], None]

MIGRATIONS: tuple[Migration, ...] = (_v1_records_and_votes, _v2_record_facts)
"""Migration ``n`` (1-based) turns schema version ``n - 1`` into version ``n``. Append only."""

SCHEMA_VERSION = len(MIGRATIONS)


def connect(path: Path, *, create: bool = True) -> sqlite3.Connection:
    """Open ``path`` in autocommit mode (transactions are explicit) with WAL and a busy timeout.

    Raises ``StoreError`` if ``create`` is false and the file does not exist, and
    ``sqlite3.Error`` for anything SQLite refuses.
    """
    if not create and not path.exists():
        raise StoreError(f"no database at {path}: nothing has been recorded there yet")
    if create:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        # Question texts are private: create the file readable by its owner only (SQLite gives
        # the -wal and -shm files the database file's permissions).
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = _switch_to_wal(conn)
        if mode is None or str(mode[0]).lower() != "wal":
            raise StoreError(f"{path}: SQLite could not switch to WAL mode")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
    except BaseException:
        conn.close()
        raise
    return conn


def _switch_to_wal(conn: sqlite3.Connection) -> Any:
    """``PRAGMA journal_mode = WAL``, waiting out another connection doing the same.

    Two processes opening a new file at once (the bot and a curator command) both switch it to
    WAL; SQLite may answer one with "database is locked" at once, without calling the busy
    handler, so the wait the busy timeout promises is done here.
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    delay = 0.005
    while True:
        try:
            return conn.execute("PRAGMA journal_mode = WAL").fetchone()
        except sqlite3.OperationalError as exc:
            busy = getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_BUSY
            if not busy or time.monotonic() + delay > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def schema_version(conn: sqlite3.Connection) -> int:
    """The version of the schema in ``conn`` (0 for an empty file)."""
    exists = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
    ).fetchone()
    if exists is None:
        return 0
    row = conn.execute("SELECT version FROM schema_version").fetchone()
    return int(row[0]) if row else 0


def migrate(conn: sqlite3.Connection, target: int = SCHEMA_VERSION) -> int:
    """Apply the migrations after the file's version up to ``target``; return the new version.

    Each migration and its version bump commit together, so a crash mid-way leaves the file
    at the last complete version and the next start carries on from there.
    """
    current = schema_version(conn)
    if current > SCHEMA_VERSION:
        raise StoreError(
            f"the database is at schema version {current}, newer than this citebot knows "
            f"({SCHEMA_VERSION}); upgrade citebot"
        )
    for version in range(current + 1, target + 1):
        conn.execute("BEGIN IMMEDIATE")
        try:
            # Another process (the bot and a curator command starting together) may have
            # applied this migration while we waited for the write lock: look again under it.
            if schema_version(conn) >= version:
                conn.execute("COMMIT")
                continue
            if version == 1:
                conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
                conn.execute("DELETE FROM schema_version")
                conn.execute("INSERT INTO schema_version (version) VALUES (0)")
            MIGRATIONS[version - 1](conn)
            conn.execute("UPDATE schema_version SET version = ?", (version,))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
    return max(current, target)
