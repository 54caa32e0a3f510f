"""One writer thread draining a bounded queue into the database.

Answering never waits on the database: ``submit`` puts an item on a bounded queue and returns
at once; when the queue is full the item is dropped and counted. The thread commits a batch
at least once a second, so a crash loses at most the last second. If the file is locked,
read-only, on a full disk or missing its directory, the batch is kept (up to the queue's size)
and retried every second, with at most one warning a minute in the log. ``close`` flushes what
is pending. Retention runs in the same thread when it starts and then once a day.
"""

from __future__ import annotations

import logging
import queue
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bot.store.records import Item, delete_older_than, write_items
from bot.store.schema import StoreError, connect, migrate

logger = logging.getLogger(__name__)

DAY = 86_400.0


class RateLimitedLogger:
    """Logs a warning at most once per ``interval`` seconds; counts the ones it held back."""

    def __init__(
        self,
        log: logging.Logger,
        interval: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._log = log
        self.interval = interval
        self._clock = clock
        self._lock = threading.Lock()
        self._last: float | None = None
        self.suppressed = 0

    def warning(self, message: str, *args: object) -> bool:
        """Log ``message`` unless one was logged less than ``interval`` ago; True if logged."""
        with self._lock:
            now = self._clock()
            if self._last is not None and now - self._last < self.interval:
                self.suppressed += 1
                return False
            held, self.suppressed, self._last = self.suppressed, 0, now
        if held:
            message += " (%d similar warnings in the last minute were not logged)"
            args = (*args, held)
        self._log.warning(message, *args)
        return True


@dataclass
class _Flush:
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


_STOP = object()


class RecordWriter:
    """Owns the database connection; every write goes through it."""

    def __init__(
        self,
        path: Path,
        *,
        retention_days: int,
        queue_size: int = 10_000,
        commit_interval: float = 1.0,
        batch_size: int = 500,
        retention_interval: float = DAY,
        clock: Callable[[], float] = time.time,
        warn_interval: float = 60.0,
    ) -> None:
        self.path = path
        self.retention_days = retention_days
        self.commit_interval = commit_interval
        self.batch_size = batch_size
        self.retention_interval = retention_interval
        self.clock = clock
        self.queue_size = queue_size
        self._queue: queue.Queue[object] = queue.Queue(maxsize=queue_size)
        self.warnings = RateLimitedLogger(logger, warn_interval)
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()
        self._closed = False
        # Counters, for tests and /stats; written by one thread each, read anywhere.
        self.dropped = 0
        self.written = 0
        self.failures = 0
        self.dropped_invalid = 0  # refused by SQLite (IntegrityError), counted apart
        self.expired = 0

    # ------------------------------------------------------------ caller side

    def start(self) -> None:
        """Start the writer thread (idempotent). Retention runs as soon as it starts."""
        with self._start_lock:
            if self._thread is None and not self._closed:
                self._thread = threading.Thread(
                    target=self._run, name="citebot-record-writer", daemon=True
                )
                self._thread.start()

    def submit(self, item: Item) -> bool:
        """Queue ``item`` for writing without ever blocking; False if it was dropped."""
        if self._closed:
            return False
        self.start()
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self.dropped += 1
            self.warnings.warning(
                "recording queue is full (%d items): dropped a record; %d dropped so far",
                self.queue_size, self.dropped,
            )
            return False
        return True

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until everything submitted so far is committed; False on failure or timeout."""
        if self._thread is None or self._closed:
            return self._thread is None
        marker = _Flush()
        try:
            self._queue.put(marker, timeout=timeout)
        except queue.Full:
            return False
        return marker.done.wait(timeout) and marker.ok

    def close(self, timeout: float = 5.0) -> None:
        """Flush pending writes and stop the thread (idempotent)."""
        with self._start_lock:
            if self._closed:
                return
            self._closed = True
            thread = self._thread
        if thread is None:
            return
        try:
            self._queue.put(_STOP, timeout=timeout)
        except queue.Full:
            logger.warning("recording queue stayed full at shutdown; stopping without flushing")
        thread.join(timeout)
        if thread.is_alive():
            logger.warning("the record writer did not finish within %.0f s", timeout)

    # ------------------------------------------------------------ writer thread

    def _run(self) -> None:
        conn: sqlite3.Connection | None = None
        pending: list[Item] = []
        waiters: list[_Flush] = []
        deadline = 0.0  # when the pending batch must be committed (monotonic)
        next_retention = 0.0  # wall clock; 0 means "now", i.e. at start
        stopping = False
        try:
            while True:
                wait = max(0.0, min(deadline - time.monotonic(), self.commit_interval))
                try:
                    item = self._queue.get(timeout=wait if pending else self.commit_interval)
                except queue.Empty:
                    item = None
                # Take whatever else is already queued, without waiting.
                while item is not None:
                    if item is _STOP:
                        stopping = True
                    elif isinstance(item, _Flush):
                        waiters.append(item)
                    elif isinstance(item, Item):
                        if not pending:
                            deadline = time.monotonic() + self.commit_interval
                        pending.append(item)
                    if len(pending) >= self.batch_size:
                        break
                    try:
                        item = self._queue.get_nowait()
                    except queue.Empty:
                        item = None

                due = (
                    stopping or waiters or len(pending) >= self.batch_size
                    or time.monotonic() >= deadline
                )
                if (pending and due) or waiters or self.clock() >= next_retention:
                    # Retention first, so at start it runs before anything new is written.
                    conn, ok = self._write(conn, [], waiting=len(pending))
                    if ok and self.clock() >= next_retention:
                        conn, done = self._expire(conn)
                        if done:
                            next_retention = self.clock() + self.retention_interval
                    if ok and pending and due:
                        conn, ok = self._write(conn, pending)
                        if ok:
                            pending.clear()
                    if not ok:
                        deadline = time.monotonic() + self.commit_interval
                        self._bound(pending)
                for waiter in waiters:
                    waiter.ok = not pending
                    waiter.done.set()
                waiters.clear()
                if stopping:
                    if pending:
                        logger.warning(
                            "%d records could not be written before shutdown", len(pending)
                        )
                    return
        finally:
            if conn is not None:
                conn.close()

    def _connect(self) -> sqlite3.Connection:
        conn = connect(self.path)
        try:
            migrate(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def _write(
        self, conn: sqlite3.Connection | None, batch: list[Item], *, waiting: int | None = None
    ) -> tuple[sqlite3.Connection | None, bool]:
        """(connection, True) after committing ``batch``; (None-or-conn, False) on failure."""
        try:
            if conn is None:
                conn = self._connect()
            if batch:
                write_items(conn, batch)
                self.written += len(batch)
            return conn, True
        except sqlite3.IntegrityError as exc:
            # One bad item must not hold back every later record: write the batch item by
            # item and drop only what SQLite refuses.
            assert conn is not None  # an IntegrityError needs an open connection
            for item in batch:
                try:
                    write_items(conn, [item])
                    self.written += 1
                except sqlite3.IntegrityError:
                    self.dropped_invalid += 1
            logger.warning("dropped records the database refused (%s)", exc)
            return conn, True
        except (sqlite3.Error, StoreError, OSError) as exc:
            self.failures += 1
            self.warnings.warning(
                "cannot write to the records database %s (%s); answering goes on and %d "
                "records are kept to retry",
                self.path, exc, len(batch) if waiting is None else waiting,
            )
            # A broken connection is reopened next time; a locked one is simply retried.
            if conn is not None and not isinstance(exc, sqlite3.OperationalError):
                conn.close()
                conn = None
            return conn, False

    def _expire(self, conn: sqlite3.Connection | None) -> tuple[sqlite3.Connection | None, bool]:
        if conn is None:
            return conn, False
        cutoff = self.clock() - self.retention_days * DAY
        try:
            deleted = delete_older_than(conn, cutoff)
        except sqlite3.Error as exc:
            self.warnings.warning("retention could not run on %s (%s)", self.path, exc)
            return conn, False
        self.expired += deleted
        if deleted:
            logger.info("retention: deleted %d records older than %d days", deleted,
                        self.retention_days)
        return conn, True

    def _bound(self, pending: list[Item]) -> None:
        """Keep at most ``queue_size`` items waiting for a retry; drop the oldest beyond."""
        extra = len(pending) - self.queue_size
        if extra > 0:
            del pending[:extra]
            self.dropped += extra
