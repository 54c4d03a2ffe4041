"""A persistent sentence-level translation cache in SQLite (WAL mode).

Keys are digests of the backend's fingerprint (model id and revision, backend,
decoding settings) and the normalized source sentence. Safe with several threads
(a connection per thread) and several processes (SQLite locking, WAL, a busy
timeout). Bounded: past ``max_entries`` the least recently written entries go.

The cache never breaks translation: a corrupt, read-only or locked database turns
it off for the rest of the process, with one logged warning.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

logger = logging.getLogger(__name__)

_SCHEMA = "CREATE TABLE IF NOT EXISTS translations (key TEXT PRIMARY KEY, value TEXT NOT NULL, stamp REAL NOT NULL)"
_CHUNK = 500  # SQLite's limit on bound parameters is 999 on old builds


def _key(namespace: str, sentence: str) -> str:
    return hashlib.sha256(f"{namespace}\0{sentence}".encode("utf-8", "surrogatepass")).hexdigest()


class TranslationCache:
    """Look up and store sentence translations.

    Args:
        path: the database file (its folder is created).
        max_entries: entries kept; the oldest written are evicted beyond this.
        timeout: seconds to wait for another process's lock before giving up on the cache.
    """

    def __init__(self, path: Path, *, max_entries: int = 200_000, timeout: float = 5.0) -> None:
        self.path = Path(path)
        self.max_entries = max_entries
        self.timeout = timeout
        self.enabled = True
        self._local = threading.local()
        self._writes = 0
        self._lock = threading.Lock()

    def _disable(self, exc: Exception) -> None:
        if self.enabled:
            logger.warning("translation cache %s disabled (%s: %s); translating without it", self.path, type(exc).__name__, exc)
        self.enabled = False

    def _connection(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # private to its owner: SQLite gives its -wal and -shm files the database file's mode
            os.close(os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600))
            os.chmod(self.path, 0o600)
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            # Switching a new file to WAL while other processes open it can fail with "locked"
            # without waiting for the busy timeout: try again until the timeout.
            deadline = time.monotonic() + self.timeout
            while True:
                try:
                    conn.execute("PRAGMA journal_mode=WAL")
                    conn.execute("PRAGMA synchronous=NORMAL")
                    conn.execute(_SCHEMA)
                    break
                except sqlite3.OperationalError as exc:
                    if "lock" not in str(exc) and "busy" not in str(exc) or time.monotonic() > deadline:
                        conn.close()
                        raise
                    time.sleep(0.02)
            self._local.conn = conn
        return conn

    def get_many(self, namespace: str, sentences: Sequence[str]) -> dict[str, str]:
        """Cached translations of those ``sentences`` that have one."""
        if not self.enabled or not sentences:
            return {}
        keys = {_key(namespace, s): s for s in set(sentences)}
        found: dict[str, str] = {}
        try:
            conn = self._connection()
            items = list(keys)
            for i in range(0, len(items), _CHUNK):
                chunk = items[i : i + _CHUNK]
                marks = ",".join("?" * len(chunk))
                for key, value in conn.execute(f"SELECT key, value FROM translations WHERE key IN ({marks})", chunk):
                    found[keys[key]] = value
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)
            return {}
        return found

    def put_many(self, namespace: str, pairs: Iterable[tuple[str, str]]) -> None:
        """Store translations; all of them or none (one transaction)."""
        rows = [(_key(namespace, s), t, time.time()) for s, t in pairs]
        if not self.enabled or not rows:
            return
        try:
            conn = self._connection()
            conn.execute("BEGIN IMMEDIATE")
            try:
                conn.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?)", rows)
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            with self._lock:
                self._writes += len(rows)
                due = self._writes >= max(1, self.max_entries // 10)
                if due:
                    self._writes = 0
            if due:
                self.evict()
        except (sqlite3.Error, OSError) as exc:
            self._disable(exc)

    def evict(self) -> None:
        """Keep only the ``max_entries`` most recently written entries."""
        conn = self._connection()
        count = conn.execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        if count > self.max_entries:
            conn.execute(
                "DELETE FROM translations WHERE key IN (SELECT key FROM translations ORDER BY stamp LIMIT ?)",
                (count - self.max_entries,),
            )

    def __len__(self) -> int:
        try:
            return self._connection().execute("SELECT COUNT(*) FROM translations").fetchone()[0]
        except (sqlite3.Error, OSError):
            return 0
