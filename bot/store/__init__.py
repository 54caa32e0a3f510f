"""The curation records: one SQLite file, written by one thread, read by the curator tools."""

from bot.store.keys import UserKeys, load_or_create_secret
from bot.store.records import QuestionRecord, StoredRecord, Vote, read_records
from bot.store.schema import SCHEMA_VERSION, StoreError, connect, migrate
from bot.store.writer import RateLimitedLogger, RecordWriter

__all__ = [
    "SCHEMA_VERSION",
    "QuestionRecord",
    "RateLimitedLogger",
    "RecordWriter",
    "StoreError",
    "StoredRecord",
    "UserKeys",
    "Vote",
    "connect",
    "load_or_create_secret",
    "migrate",
    "read_records",
]
