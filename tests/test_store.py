"""The records database: migrations, the writer thread under load and failure, retention."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import sqlite3
import stat
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest

from bot.store import (
    SCHEMA_VERSION,
    QuestionRecord,
    RateLimitedLogger,
    RecordWriter,
    UserKeys,
    Vote,
    connect,
    load_or_create_secret,
    migrate,
    read_records,
)
from bot.store.keys import SecretFileError
from bot.store.schema import MIGRATIONS, StoreError, schema_version

NOW = 1_750_000_000.0
DAY = 86_400.0


def record(n: int, *, at: float = NOW, status: str = "answered", facts: tuple[str, ...] = ("f1",),
           question: str | None = None) -> QuestionRecord:
    return QuestionRecord(
        id=f"r{n:05d}", asked_at=at, channel="private", user_key="k", question=question or f"q{n}",
        status=status, confidence=70.0, fact_ids=facts if status == "answered" else (),
    )


def stored(path: Path) -> list[QuestionRecord]:
    with closing(connect(path, create=False)) as conn:
        return [s.record for s in read_records(conn)]


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "citebot.sqlite3"


def make_writer(db: Path, **kwargs: object) -> RecordWriter:
    options: dict[str, object] = {"retention_days": 90, "commit_interval": 0.05,
                                  "warn_interval": 60.0, "clock": lambda: NOW}
    options.update(kwargs)
    return RecordWriter(db, **options)  # type: ignore[arg-type]


# ---------------------------------------------------------------- schema


def test_an_empty_file_is_migrated_to_the_current_schema_in_wal_mode(db: Path) -> None:
    with closing(connect(db)) as conn:
        assert migrate(conn) == SCHEMA_VERSION == 2
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        assert {"schema_version", "records", "votes", "record_facts"} <= tables
        assert migrate(conn) == SCHEMA_VERSION  # running again changes nothing


def test_a_version_1_database_is_migrated_keeping_records_and_their_facts(db: Path) -> None:
    with closing(connect(db)) as conn:
        migrate(conn, target=1)
        assert schema_version(conn) == 1
        conn.execute(
            "INSERT INTO records VALUES ('old1', ?, 'group', 'k1', 'Who went to Paris?', "
            "'answered', 80.5, ?)",
            (NOW, json.dumps(["paris-attendees", "paris-talks"])),
        )
        conn.execute(
            "INSERT INTO records VALUES ('old2', ?, 'private', NULL, 'cake?', 'declined', 3, '[]')",
            (NOW + 1,),
        )
        conn.execute("INSERT INTO votes VALUES ('old1', 'k2', 0, ?)", (NOW,))

    with closing(connect(db)) as conn:
        assert migrate(conn) == 2
        [first, second] = read_records(conn)
        columns = [r[1] for r in conn.execute("PRAGMA table_info(records)")]
    assert "fact_ids" not in columns
    assert first.record.fact_ids == ("paris-attendees", "paris-talks")
    assert first.record.question == "Who went to Paris?"
    assert (first.helpful, first.not_helpful) == (0, 1)
    assert second.record.fact_ids == ()
    assert second.record.user_key is None


def test_two_processes_migrating_a_new_file_at_once_both_succeed(db: Path) -> None:
    # A thread that fails before the barrier breaks it instead of leaving the other waiting.
    barrier = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def open_and_migrate() -> None:
        try:
            with closing(connect(db)) as conn:
                barrier.wait()
                migrate(conn)
        except BaseException as exc:  # collected, asserted below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=open_and_migrate) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    with closing(connect(db, create=False)) as conn:
        assert schema_version(conn) == len(MIGRATIONS)


class _LockedAtFirst(sqlite3.Connection):
    """A connection whose first two switches to WAL find the file locked, as when another
    process is switching the same new file at that moment (SQLite then answers at once,
    without the busy handler)."""

    refusals = 2

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql.startswith("PRAGMA journal_mode") and _LockedAtFirst.refusals:
            _LockedAtFirst.refusals -= 1
            busy = sqlite3.OperationalError("database is locked")
            busy.sqlite_errorcode = sqlite3.SQLITE_BUSY
            raise busy
        return super().execute(sql, *args)  # type: ignore[arg-type]


def test_opening_waits_out_another_process_switching_to_wal(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(_LockedAtFirst, "refusals", 2)
    real_connect = sqlite3.connect
    monkeypatch.setattr(
        "bot.store.schema.sqlite3.connect",
        lambda *args, **kwargs: real_connect(*args, factory=_LockedAtFirst, **kwargs),
    )

    with closing(connect(db)) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    assert _LockedAtFirst.refusals == 0


def test_the_database_file_is_readable_by_its_owner_only(db: Path) -> None:
    with closing(connect(db)) as conn:
        migrate(conn)

    assert stat.S_IMODE(db.stat().st_mode) == 0o600
    assert stat.S_IMODE(db.parent.stat().st_mode) == 0o700


def test_a_database_from_a_newer_citebot_is_refused(db: Path) -> None:
    with closing(connect(db)) as conn:
        migrate(conn)
        conn.execute("UPDATE schema_version SET version = ?", (len(MIGRATIONS) + 1,))
        with pytest.raises(StoreError, match="newer than this citebot"):
            migrate(conn)


def test_reading_a_missing_database_says_so(db: Path) -> None:
    with pytest.raises(StoreError, match="no database at"):
        connect(db, create=False)
    assert not db.exists()


# ---------------------------------------------------------------- writer


def test_records_and_votes_are_written_and_a_second_vote_replaces_the_first(db: Path) -> None:
    writer = make_writer(db)
    writer.submit(record(1))
    writer.submit(Vote("r00001", "alice", True, NOW))
    writer.submit(Vote("r00001", "bob", True, NOW))
    writer.submit(Vote("r00001", "alice", False, NOW + 5))  # alice changes her mind
    assert writer.flush()
    writer.close()

    with closing(connect(db, create=False)) as conn:
        [row] = read_records(conn)
        votes = conn.execute("SELECT user_key, helpful FROM votes ORDER BY user_key").fetchall()
    assert (row.helpful, row.not_helpful) == (1, 1)
    assert votes == [("alice", 0), ("bob", 1)]


def test_many_threads_and_tasks_write_concurrently_without_losing_a_record(db: Path) -> None:
    writer = make_writer(db)

    def produce(base: int) -> None:
        for n in range(base, base + 250):
            assert writer.submit(record(n))

    threads = [threading.Thread(target=produce, args=(i * 1000,)) for i in range(8)]
    for thread in threads:
        thread.start()

    async def task(base: int) -> None:
        for n in range(base, base + 100):
            writer.submit(record(n))
            if n % 10 == 0:
                await asyncio.sleep(0)

    async def tasks() -> None:
        await asyncio.gather(*(task(50_000 + i * 1000) for i in range(10)))

    asyncio.run(tasks())
    for thread in threads:
        thread.join()
    writer.close()

    ids = [r.id for r in stored(db)]
    assert len(ids) == len(set(ids)) == 8 * 250 + 10 * 100
    assert writer.dropped == 0


def test_a_full_queue_drops_and_counts_instead_of_blocking(db: Path) -> None:
    # Hold the writer thread inside its first write by locking the database.
    writer = make_writer(db, queue_size=5)
    writer.submit(record(0))
    assert writer.flush()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        results = [writer.submit(record(n)) for n in range(1, 200)]
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    writer.close()
    assert results.count(False) == writer.dropped > 0
    assert len(stored(db)) == 200 - writer.dropped


def test_a_locked_database_logs_one_warning_and_the_records_land_once_it_is_free(
    db: Path, caplog: pytest.LogCaptureFixture
) -> None:
    writer = make_writer(db)
    writer.submit(record(0))
    assert writer.flush()
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    with caplog.at_level(logging.WARNING, logger="bot.store.writer"):
        for n in range(1, 40):
            writer.submit(record(n))
        assert not writer.flush()  # a flush tries once more, and fails while locked
        assert not writer.flush()
        blocker.execute("ROLLBACK")
        blocker.close()
        assert writer.flush()
    writer.close()

    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "database is locked" in warnings[0].getMessage()
    assert writer.failures >= 2
    assert len(stored(db)) == 40


def test_a_full_disk_keeps_the_writer_going_with_one_warning(
    db: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.store.writer as writer_module
    from bot.store import records

    failing = True
    real_write = records.write_items

    def write_items(conn: sqlite3.Connection, items: list[object]) -> None:
        if failing:
            raise sqlite3.OperationalError("database or disk is full")
        real_write(conn, items)  # type: ignore[arg-type]

    monkeypatch.setattr(writer_module, "write_items", write_items)
    writer = make_writer(db)
    with caplog.at_level(logging.WARNING, logger="bot.store.writer"):
        for n in range(30):
            assert writer.submit(record(n))
        assert not writer.flush(timeout=2.5)
        failing = False
        assert writer.flush()
    writer.close()
    messages = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(messages) == 1
    assert "disk is full" in messages[0]
    assert len(stored(db)) == 30


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores directory permissions")
def test_a_read_only_directory_is_survived_and_nothing_is_created(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    readonly = tmp_path / "ro"
    readonly.mkdir()
    readonly.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        writer = make_writer(readonly / "citebot.sqlite3")
        with caplog.at_level(logging.WARNING, logger="bot.store.writer"):
            for n in range(10):
                assert writer.submit(record(n))
            assert not writer.flush(timeout=1.5)
            writer.close(timeout=2.0)
        assert not (readonly / "citebot.sqlite3").exists()
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert 1 <= len(warnings) <= 2  # the write failure, and maybe "could not be written"
        assert "cannot write to the records database" in warnings[0]
    finally:
        readonly.chmod(stat.S_IRWXU)


def test_a_read_only_database_file_keeps_the_writer_going_with_one_warning(
    db: Path, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Works as root too: SQLite itself opens the file read-only."""
    import bot.store.writer as writer_module

    with closing(connect(db)) as conn:
        migrate(conn)

    def read_only(path: Path) -> sqlite3.Connection:
        return sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None,
                               check_same_thread=False)

    monkeypatch.setattr(writer_module, "connect", read_only)
    writer = make_writer(db)
    with caplog.at_level(logging.WARNING, logger="bot.store.writer"):
        for n in range(10):
            assert writer.submit(record(n))
        assert not writer.flush()
        assert not writer.flush()
        writer.close(timeout=2.0)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert "readonly database" in warnings[0]
    assert warnings[1:] == ["10 records could not be written before shutdown"]
    assert stored(db) == []


def test_a_restart_keeps_the_records(db: Path) -> None:
    first = make_writer(db)
    for n in range(5):
        first.submit(record(n))
    first.close()  # flushes what is pending
    second = make_writer(db)
    second.submit(record(5))
    second.close()
    assert [r.id for r in stored(db)] == [f"r{n:05d}" for n in range(6)]


def test_records_are_committed_within_about_a_second_without_a_flush(db: Path) -> None:
    writer = make_writer(db, commit_interval=1.0)
    started = time.monotonic()
    writer.submit(record(1))
    while time.monotonic() - started < 5.0:
        with contextlib.suppress(sqlite3.Error, StoreError):  # not created or migrated yet
            if stored(db):
                break
        time.sleep(0.02)
    elapsed = time.monotonic() - started
    assert [r.id for r in stored(db)] == ["r00001"]
    assert 0.9 <= elapsed < 2.5  # batched for a second, then committed (slack for a busy CI)
    writer.close()


def test_retention_deletes_exactly_what_is_older_than_the_window(db: Path) -> None:
    clock = [NOW]
    window = 90 * DAY
    ages = {1: window + 1, 2: window + 0.001, 3: window, 4: window - 1, 5: 0}
    writer = make_writer(db, clock=lambda: clock[0])
    for n, age in ages.items():
        writer.submit(record(n, at=NOW - age))
    writer.submit(Vote("r00001", "k", False, NOW - ages[1]))
    writer.submit(Vote("r00001", "k2", True, NOW))  # a recent vote on an expiring record
    writer.submit(Vote("r00004", "k", True, NOW - ages[4]))
    writer.close()

    # Retention runs when a writer starts: the next start applies it to what is stored.
    restarted = make_writer(db, clock=lambda: clock[0])
    restarted.start()
    assert restarted.flush()
    restarted.close()
    assert [r.id for r in stored(db)] == ["r00003", "r00004", "r00005"]
    assert restarted.expired == 2
    with closing(connect(db, create=False)) as conn:
        assert conn.execute("SELECT record_id FROM votes").fetchall() == [("r00004",)]
        orphans = conn.execute(
            "SELECT COUNT(*) FROM record_facts WHERE record_id NOT IN (SELECT id FROM records)"
        ).fetchone()
    assert orphans == (0,)


def test_retention_runs_again_a_day_later_in_a_running_writer(db: Path) -> None:
    clock = [NOW]
    writer = make_writer(db, clock=lambda: clock[0], retention_days=1)
    writer.submit(record(1, at=NOW))
    assert writer.flush()
    assert writer.expired == 0
    clock[0] = NOW + 2 * DAY  # two days pass; the writer checks the clock every tick
    writer.submit(record(2, at=clock[0]))
    assert writer.flush()
    writer.close()
    assert [r.id for r in stored(db)] == ["r00002"]


# ---------------------------------------------------------------- helpers


def test_the_rate_limited_logger_logs_once_a_minute_and_counts_the_rest(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = [0.0]
    limited = RateLimitedLogger(logging.getLogger("t"), 60.0, clock=lambda: now[0])
    with caplog.at_level(logging.WARNING, logger="t"):
        assert limited.warning("down")
        assert not limited.warning("down")
        now[0] = 59.9
        assert not limited.warning("down")
        now[0] = 60.0
        assert limited.warning("down")
    assert [r.getMessage() for r in caplog.records] == [
        "down", "down (2 similar warnings in the last minute were not logged)"
    ]


def test_the_install_secret_is_created_private_and_reused(tmp_path: Path) -> None:
    secret = load_or_create_secret(tmp_path / "data")
    path = tmp_path / "data" / "install.secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert load_or_create_secret(tmp_path / "data") == secret
    keys = UserKeys(secret)
    assert keys.key(42) == keys.key(42) != keys.key(43)
    assert UserKeys(b"another secret").key(42) != keys.key(42)


def test_a_damaged_secret_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "install.secret").write_text("not hex")
    with pytest.raises(SecretFileError, match="delete it"):
        load_or_create_secret(tmp_path)
