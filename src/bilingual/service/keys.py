"""API keys for the REST API, in SQLite, stored only as SHA-256 digests.

A key is 32 random bytes (``secrets.token_urlsafe``), shown once when it is made;
the table keeps its digest, a short public id (the first 10 hex digits of the digest)
for listing and removal, and the key's own limits. A stolen database gives no usable
key. Keys are long random strings, so an unsalted digest is enough: there is nothing
to guess from a dictionary.
"""

from __future__ import annotations

import hashlib
import secrets
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import BilingualError

_SCHEMA = """
CREATE TABLE IF NOT EXISTS api_keys (
    digest TEXT PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT '',
    req_limit INTEGER,
    char_limit INTEGER,
    created REAL NOT NULL
)
"""


@dataclass(frozen=True)
class ApiKey:
    """A stored key, without its secret.

    Attributes:
        id: short public identifier (use it to remove the key).
        name: a note saying whose key it is.
        req_limit: requests per minute (None: the server's default).
        char_limit: characters per request (None: the server's default).
        created: when it was made (seconds since the epoch).
    """

    id: str
    name: str
    req_limit: int | None
    char_limit: int | None
    created: float


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class KeyStore:
    """Add, look up, list and remove API keys in ``<home>/api_keys.sqlite3``."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                conn = sqlite3.connect(self.path, timeout=5.0, isolation_level=None, check_same_thread=False)
                conn.execute(_SCHEMA)
            except sqlite3.Error as exc:
                raise BilingualError(f"Cannot open the API key database: {exc}. Check BILINGUAL_HOME.") from exc
            try:
                self.path.chmod(0o600)
            except OSError:
                pass
            self._conn = conn
        return self._conn

    def add(self, *, name: str = "", req_limit: int | None = None, char_limit: int | None = None) -> tuple[str, ApiKey]:
        """Make a new key; returns ``(secret, record)``. The secret is not stored and cannot be shown again."""
        for value, label in ((req_limit, "req_limit"), (char_limit, "char_limit")):
            if value is not None and value < 0:
                raise ValueError(f"{label} must be 0 (unlimited) or more")
        secret = secrets.token_urlsafe(32)
        digest = _digest(secret)
        record = ApiKey(digest[:10], name, req_limit, char_limit, time.time())
        with self._lock:
            self._db().execute(
                "INSERT INTO api_keys (digest, id, name, req_limit, char_limit, created) VALUES (?, ?, ?, ?, ?, ?)",
                (digest, record.id, name, req_limit, char_limit, record.created),
            )
        return secret, record

    def lookup(self, secret: str) -> ApiKey | None:
        """The key's record, or None when no such key exists."""
        if not secret or len(secret) > 200:
            return None
        with self._lock:
            row = self._db().execute(
                "SELECT id, name, req_limit, char_limit, created FROM api_keys WHERE digest = ?", (_digest(secret),)
            ).fetchone()
        return ApiKey(*row) if row else None

    def list(self) -> list[ApiKey]:
        with self._lock:
            rows = self._db().execute(
                "SELECT id, name, req_limit, char_limit, created FROM api_keys ORDER BY created"
            ).fetchall()
        return [ApiKey(*row) for row in rows]

    def count(self) -> int:
        with self._lock:
            return self._db().execute("SELECT COUNT(*) FROM api_keys").fetchone()[0]

    def remove(self, key_id: str) -> bool:
        """Remove the key with this public id; False when there is none."""
        with self._lock:
            cursor = self._db().execute("DELETE FROM api_keys WHERE id = ?", (key_id.strip(),))
        return cursor.rowcount > 0
