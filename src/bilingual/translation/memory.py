"""A translation memory: people's translations of sentences, used before the model.

Each entry is a source sentence and a human translation, in one direction, in a namespace (one
per API key when keys are on; ``""`` is shared by callers without a key and the web page).
The :class:`~bilingual.translation.translator.Translator` looks every sentence up here first:

* the same sentence (after :func:`memory_key`: Unicode, white space and, for Chinese, the script
  normalized) comes from the memory, with confidence 1.0 and origin ``"memory"``; the model,
  the glossary and the translation cache never see it;
* a similar one (``NEAR_MATCH`` or more, by :class:`difflib.SequenceMatcher`) is a :class:`Hint`
  shown beside the model's sentence, not in its place. Hints are looked for in document order
  for at most ``HINT_SECONDS`` a translation call — an article, or all the blocks of a file together
  (best effort: exact matches are always found).

Stored in SQLite (WAL, a connection per thread), with an FTS5 trigram index that finds near
matches without reading the whole memory. Bounded: at most ``max_entries`` per namespace, each
side at most ``MAX_CHARS`` characters.
"""

from __future__ import annotations

import difflib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, InputTooLargeError, InvalidInputError, QuotaExceededError
from ..languages import Language
from ..text.chinese import convert
from ..text.normalize import normalize_text
from ..text.segment import split_sentences
from .result import Hint

logger = logging.getLogger(__name__)

NEAR_MATCH = 0.85  # similarity from which a stored sentence is shown as a hint
MAX_CHARS = 5_000  # per side of an entry
MAX_HINTS = 3
_CANDIDATES = 20  # near-match candidates read from the index per sentence, then scored
_TRIGRAMS = 12  # trigrams of a sentence asked of the index (spread over it)
HINT_SECONDS = 1.0  # time one translation call (an article, or a file's blocks together) may spend on hints

_SCHEMA = """
CREATE TABLE IF NOT EXISTS memory (
    id INTEGER PRIMARY KEY,
    namespace TEXT NOT NULL,
    source_lang TEXT NOT NULL,
    target_lang TEXT NOT NULL,
    key TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    created REAL NOT NULL,
    updated REAL NOT NULL,
    UNIQUE (namespace, source_lang, target_lang, key)
);
CREATE VIRTUAL TABLE IF NOT EXISTS memory_index USING fts5(
    key, content='memory', content_rowid='id', tokenize='trigram'
);
CREATE TRIGGER IF NOT EXISTS memory_added AFTER INSERT ON memory BEGIN
    INSERT INTO memory_index(rowid, key) VALUES (new.id, new.key);
END;
CREATE TRIGGER IF NOT EXISTS memory_removed AFTER DELETE ON memory BEGIN
    INSERT INTO memory_index(memory_index, rowid, key) VALUES ('delete', old.id, old.key);
END;
CREATE TRIGGER IF NOT EXISTS memory_changed AFTER UPDATE OF key ON memory BEGIN
    INSERT INTO memory_index(memory_index, rowid, key) VALUES ('delete', old.id, old.key);
    INSERT INTO memory_index(rowid, key) VALUES (new.id, new.key);
END;
"""


@dataclass(frozen=True)
class Entry:
    """One stored translation."""

    id: int
    namespace: str
    source_language: Language
    target_language: Language
    source: str
    target: str
    created: float
    updated: float


def memory_key(sentence: str, language: Language) -> str:
    """What two sentences must share to be "the same" for the memory: their text normalized (Unicode,
    white space, punctuation widths), white space collapsed, and Chinese written in Simplified."""
    text = " ".join(normalize_text(sentence).split())
    return convert(text, "Hans") if language == "zh" else text


def similarity(a: str, b: str) -> float:
    return difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()


class TranslationMemory:
    """Store, look up and list human translations (see the module docstring).

    Args:
        path: the SQLite file (created, private to its owner).
        max_entries: entries kept per namespace; past it :meth:`add` refuses.
    """

    def __init__(self, path: Path, *, max_entries: int = 100_000) -> None:
        self.path = Path(path)
        self.max_entries = max_entries
        self._local = threading.local()
        self._lock = threading.Lock()
        self._sizes: dict[tuple[str, str, str], tuple[int, float]] = {}  # (namespace, source, target) -> (entries, when)

    # -- storage ------------------------------------------------------------------------------

    def _db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not self.path.exists():
                self.path.touch(mode=0o600)
            try:
                conn = sqlite3.connect(self.path, timeout=10, check_same_thread=False)
                conn.execute("PRAGMA journal_mode=WAL")
                conn.executescript(_SCHEMA)
            except sqlite3.Error as exc:
                raise ConfigError(f"The translation memory ({self.path.name}) cannot be opened: {exc}. Check "
                                   "that the home folder is writable, or set BILINGUAL_MEMORY=0.") from None
            self._local.conn = conn
        return conn

    def _size(self, namespace: str, source: Language, target: Language) -> int:
        """Entries of a namespace and direction, counted at most once a second (another process, the
        CLI, may add some)."""
        key = (namespace, source, target)
        count, stamp = self._sizes.get(key, (0, -1.0))
        if time.monotonic() - stamp > 1.0:
            row = self._db().execute("SELECT count(*) FROM memory WHERE namespace=? AND source_lang=? AND "
                                     "target_lang=?", key).fetchone()
            count = row[0]
            self._sizes[key] = (count, time.monotonic())
        return count

    # -- writing ------------------------------------------------------------------------------

    def add(self, source_text: str, target_text: str, source: Language, target: Language, *,
            namespace: str = "") -> int:
        """Store a human translation; returns how many sentence pairs were stored.

        A text of several sentences whose translation has as many is stored sentence by
        sentence (what lookups match); otherwise as one entry. A sentence stored before is
        replaced (the latest correction wins).

        Raises:
            InputTooLargeError: a side longer than ``MAX_CHARS``.
            QuotaExceededError: the namespace already holds ``max_entries``.
            InvalidInputError: an empty side, or the same language on both sides.
        """
        for name, value in (("the source text", source_text), ("the translation", target_text)):
            if not isinstance(value, str) or not value.strip():
                raise InvalidInputError(f"{name[0].upper()}{name[1:]} is empty: give the sentence and its translation.")
            if len(value) > MAX_CHARS:
                raise InputTooLargeError(f"{name[0].upper()}{name[1:]} has {len(value):,} characters; the memory "
                                         f"keeps sentences of up to {MAX_CHARS:,}. Split it into sentences.")
        if source == target:
            raise InvalidInputError("The source and target languages are the same: a memory entry translates "
                                 "between Chinese and English.")
        sources, targets = split_sentences(source_text), split_sentences(target_text)
        pairs = list(zip(sources, targets)) if 1 < len(sources) == len(targets) else [(source_text, target_text)]
        pairs = [(s.strip(), t.strip()) for s, t in pairs if s.strip() and t.strip()]
        return self._put(pairs, source, target, namespace)

    def _put(self, pairs: Sequence[tuple[str, str]], source: Language, target: Language, namespace: str) -> int:
        now = time.time()
        with self._lock:
            db = self._db()
            size = self._size(namespace, source, target)
            with db:
                added = 0
                for src, tgt in pairs:
                    key = memory_key(src, source)
                    cursor = db.execute(
                        "UPDATE memory SET source=?, target=?, updated=? WHERE namespace=? AND source_lang=? "
                        "AND target_lang=? AND key=?", (src, tgt, now, namespace, source, target, key))
                    if cursor.rowcount:
                        continue
                    if size + added >= self.max_entries:
                        raise QuotaExceededError(
                            f"The translation memory holds {self.max_entries:,} entries for this direction, its "
                            "limit; remove some (bilingual memory remove) or raise BILINGUAL_MEMORY_MAX_ENTRIES.")
                    db.execute("INSERT INTO memory (namespace, source_lang, target_lang, key, source, target, "
                               "created, updated) VALUES (?,?,?,?,?,?,?,?)",
                               (namespace, source, target, key, src, tgt, now, now))
                    added += 1
            self._sizes.pop((namespace, source, target), None)
        return len(pairs)

    def import_entries(self, entries: Iterable[tuple[str, str, Language, Language]], *, namespace: str = "") -> int:
        """Store (source, target, source language, target language) entries as they are; returns how many."""
        count = 0
        groups: dict[tuple[Language, Language], list[tuple[str, str]]] = {}
        for src, tgt, source, target in entries:
            if src.strip() and tgt.strip() and len(src) <= MAX_CHARS and len(tgt) <= MAX_CHARS and source != target:
                groups.setdefault((source, target), []).append((src.strip(), tgt.strip()))
        for (source, target), pairs in groups.items():
            count += self._put(pairs, source, target, namespace)
        return count

    def remove(self, entry_id: int | None = None, *, source_text: str | None = None, source: Language | None = None,
               target: Language | None = None, namespace: str = "") -> int:
        """Remove one entry by its id, or the entries of a source sentence; returns how many went."""
        with self._lock:
            db = self._db()
            with db:
                if entry_id is not None:
                    cursor = db.execute("DELETE FROM memory WHERE id=?", (entry_id,))
                else:
                    if source_text is None or source is None:
                        raise InvalidInputError("Say which entry to remove: its id, or its source sentence and language.")
                    query = "DELETE FROM memory WHERE namespace=? AND source_lang=? AND key=?"
                    args: list = [namespace, source, memory_key(source_text, source)]
                    if target is not None:
                        query += " AND target_lang=?"
                        args.append(target)
                    cursor = db.execute(query, args)
            self._sizes.clear()
        return cursor.rowcount

    # -- reading ------------------------------------------------------------------------------

    def empty(self, source: Language, target: Language, namespace: str = "") -> bool:
        with self._lock:
            return self._size(namespace, source, target) == 0

    def lookup(self, sentences: Sequence[str], source: Language, target: Language,
               namespace: str = "") -> dict[str, str]:
        """Sentence -> its stored translation, for the sentences the memory holds."""
        if not sentences or self.empty(source, target, namespace):
            return {}
        keys = {s: memory_key(s, source) for s in sentences}
        distinct = list(dict.fromkeys(keys.values()))
        found: dict[str, str] = {}
        db = self._db()
        for start in range(0, len(distinct), 400):
            chunk = distinct[start:start + 400]
            rows = db.execute(
                f"SELECT key, target FROM memory WHERE namespace=? AND source_lang=? AND target_lang=? AND key IN "
                f"({','.join('?' * len(chunk))})", (namespace, source, target, *chunk)).fetchall()
            found.update(rows)
        return {s: found[k] for s, k in keys.items() if k in found}

    def near(self, sentence: str, source: Language, target: Language, namespace: str = "", *,
             threshold: float = NEAR_MATCH, limit: int = MAX_HINTS) -> list[Hint]:
        """Stored sentences at least ``threshold`` similar to ``sentence`` (not the same), best first."""
        if self.empty(source, target, namespace):
            return []
        key = memory_key(sentence, source)
        grams = list(dict.fromkeys(key[i:i + 3] for i in range(max(0, len(key) - 2))))
        if not grams:
            return []
        step = max(1, len(grams) // _TRIGRAMS)
        terms = " OR ".join('"' + g.replace('"', '""') + '"' for g in grams[::step][:_TRIGRAMS])
        # a ratio of at least threshold needs lengths within this range
        low, high = len(key) * threshold / (2 - threshold), len(key) * (2 - threshold) / threshold
        try:
            rows = self._db().execute(
                "SELECT m.key, m.source, m.target FROM memory_index JOIN memory m ON m.id = memory_index.rowid "
                "WHERE memory_index MATCH ? AND m.namespace=? AND m.source_lang=? AND m.target_lang=? "
                "AND length(m.key) BETWEEN ? AND ? ORDER BY rank LIMIT ?",
                (terms, namespace, source, target, low, high, _CANDIDATES)).fetchall()
        except sqlite3.Error as exc:
            logger.warning("translation memory near-match search failed: %s", exc)
            return []
        hints = [Hint(src, tgt, round(similarity(key, k), 3)) for k, src, tgt in rows if k != key]
        return sorted((h for h in hints if h.similarity >= threshold), key=lambda h: -h.similarity)[:limit]

    def entries(self, namespace: str | None = "", *, limit: int | None = None, offset: int = 0) -> list[Entry]:
        """Stored entries, oldest first (every namespace's with ``namespace=None``)."""
        query = "SELECT id, namespace, source_lang, target_lang, source, target, created, updated FROM memory"
        args: list = []
        if namespace is not None:
            query += " WHERE namespace=?"
            args.append(namespace)
        query += " ORDER BY id LIMIT ? OFFSET ?"
        args += [-1 if limit is None else limit, offset]
        return [Entry(*row) for row in self._db().execute(query, args).fetchall()]

    def count(self, namespace: str | None = "") -> int:
        if namespace is None:
            return self._db().execute("SELECT count(*) FROM memory").fetchone()[0]
        return self._db().execute("SELECT count(*) FROM memory WHERE namespace=?", (namespace,)).fetchone()[0]

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def default_memory_path(home: str | os.PathLike) -> Path:
    return Path(home) / "memory.sqlite3"
