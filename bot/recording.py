"""The recording service the bot and the console share: answers in, records out.

Handlers call ``Recorder.record`` with the engine's ``Answer`` and get back the record id to put
on the feedback buttons; ``Recorder.vote`` records a press of one. Neither ever blocks or raises
because of the database (see ``bot.store.writer``). Raw Telegram user ids never leave this
module: they become keyed hashes here.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
import time
from collections.abc import Callable
from contextlib import closing
from enum import StrEnum

from bot.answers import Answer, AnswerStatus
from bot.settings import Settings
from bot.store import (
    QuestionRecord,
    RecordWriter,
    StoredRecord,
    StoreError,
    UserKeys,
    Vote,
    connect,
    load_or_create_secret,
    migrate,
    read_records,
)

logger = logging.getLogger(__name__)

RECORD_ID_BYTES = 8  # 16 hex characters: fits callback data and never collides in practice


class Channel(StrEnum):
    PRIVATE = "private"
    GROUP = "group"
    INLINE = "inline"
    CLI = "cli"


def new_record_id() -> str:
    """A record id made here, not by the database, so a button can carry it at once."""
    return secrets.token_hex(RECORD_ID_BYTES)


class Recorder:
    """Records questions and votes through a ``RecordWriter``."""

    def __init__(
        self,
        writer: RecordWriter,
        keys: UserKeys,
        *,
        store_question_text: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.writer = writer
        self.keys = keys
        self.store_question_text = store_question_text
        self.clock = clock

    @classmethod
    def from_settings(cls, settings: Settings) -> Recorder:
        """The recorder for ``settings``; the writer thread starts on first use or ``start``.

        If the data directory cannot hold the install secret (read-only disk, wrong owner), the
        bot still answers: user keys then come from a secret that lives only in memory, so they
        are not comparable across restarts, and the writer reports the database problem.
        """
        try:
            secret = load_or_create_secret(settings.data_dir)
        except OSError as exc:
            logger.warning(
                "cannot create or read the install secret in %s (%s); user keys will not be "
                "stable across restarts",
                settings.data_dir, exc,
            )
            secret = secrets.token_bytes(32)
        writer = RecordWriter(settings.database_path, retention_days=settings.retention_days)
        return cls(writer, UserKeys(secret), store_question_text=settings.store_question_text)

    def start(self) -> None:
        """Start writing now (retention runs at once) rather than at the first question."""
        self.writer.start()

    def record(self, answer: Answer, channel: Channel, user_id: int | None) -> str | None:
        """Record an answered, unsure or declined question; return its record id.

        Invalid input (empty, too long, no words), small talk and questions that name nothing
        ("why?") are no gap in the knowledge and are not recorded.
        """
        if answer.status in (AnswerStatus.INVALID, AnswerStatus.SMALL_TALK, AnswerStatus.UNCLEAR):
            return None
        record = QuestionRecord(
            id=new_record_id(),
            asked_at=self.clock(),
            channel=channel.value,
            user_key=self.keys.key(user_id) if user_id is not None else None,
            question=answer.question if self.store_question_text else None,
            status=answer.status.value,
            confidence=answer.confidence,
            # Unsure and declined answers cite nothing, so they match no fact.
            fact_ids=answer.fact_ids,
        )
        return record.id if self.writer.submit(record) else None

    def vote(self, record_id: str, user_id: int, helpful: bool) -> bool:
        """Record (or replace) ``user_id``'s vote on the answer ``record_id``."""
        vote = Vote(record_id, self.keys.key(user_id), helpful, self.clock())
        return self.writer.submit(vote)

    def read(self, since: float | None = None, *, flush: bool = True) -> list[StoredRecord]:
        """The records since ``since`` (for /stats); pending writes are flushed first.

        Blocks on the database: call it from a worker thread, not the event loop.
        """
        if flush:
            self.writer.flush(timeout=2.0)
        try:
            with closing(connect(self.writer.path, create=False)) as conn:
                migrate(conn)
                return read_records(conn, since)
        except (sqlite3.Error, OSError) as exc:  # callers need to know one failure type
            raise StoreError(f"cannot read the records database: {exc}") from exc

    def close(self) -> None:
        """Flush what is pending and stop the writer."""
        self.writer.close()
