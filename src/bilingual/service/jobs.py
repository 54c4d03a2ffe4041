"""Documents translated in the background, as DeepL's document API does it: the upload answers at once
with a job, whose status (queued, translating, done, error), progress and time left are asked for
until it is done, and then its result downloaded. A 200-page file no longer holds one request open
for its whole translation (LibreTranslate users hit gunicorn's timeout that way).

* **State** is kept in SQLite (``jobs.sqlite3``) beside the files (the upload and the result, mode
  0600): a restarted server finds its jobs again, and runs again those it had not finished.
* **Owned.** Each job has a ``document_key`` (a 256-bit secret, kept as a digest) and, when it was
  created with an API key, that key's owner: only that key, with the document key, reads it. A job
  someone else asks about does not exist (404), whether or not it does.
* **Bounded.** An owner has at most ``per_owner`` jobs waiting or running, the server ``total``;
  jobs run one at a time per worker (``workers``), each inside the process-wide work limit; files
  and records are deleted ``retention`` seconds after the job ends (or is created, if it never ends).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import secrets
import sqlite3
import threading
import time
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import BilingualError, QuotaExceededError

logger = logging.getLogger(__name__)

# run(params, data, progress) -> (the translated file, its download name[, a view of it]); progress(done, total)
Runner = Callable[[dict[str, Any], bytes, Callable[[int, int], None]], tuple]
_SCHEMA = """CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY, key_digest TEXT NOT NULL, owner TEXT NOT NULL, filename TEXT NOT NULL,
    params TEXT NOT NULL, status TEXT NOT NULL, done INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0,
    error TEXT, result_name TEXT, created REAL NOT NULL, started REAL, finished REAL)"""
ACTIVE = ("queued", "translating")


class JobNotFound(BilingualError):
    """No such job for this caller (unknown, someone else's, or deleted after the retention time)."""


class JobNotReady(BilingualError):
    """The job's result is asked for before it is done."""


@dataclass(frozen=True)
class JobStatus:
    """What ``GET /document/{id}`` answers (DeepL's fields, and the progress)."""

    document_id: str
    status: str
    progress: float  # 0 to 1
    seconds_remaining: int | None
    error_message: str | None

    def as_dict(self) -> dict[str, Any]:
        out = {"document_id": self.document_id, "status": self.status, "progress": round(self.progress, 3)}
        if self.seconds_remaining is not None:
            out["seconds_remaining"] = self.seconds_remaining
        if self.error_message:
            out["error_message"] = self.error_message
        return out


def file_job(filename: str, *, source: str | None, target: str | None, bilingual: bool, out_suffix: str,
             char_limit: int | None = None, engine: str | None = None, namespace: str = "", retranslate: bool = False,
             glossary: str | None = None, view: bool = False, sheet_names: bool = False,
             layout: str = "") -> dict[str, Any]:
    """What a file's translation needs, as a background job keeps it (JSON): REST's and the page's."""
    return {"filename": filename, "source": source, "target": target, "bilingual": bilingual, "out_suffix": out_suffix,
            "char_limit": char_limit, "engine": engine, "namespace": namespace, "retranslate": retranslate,
            "glossary": glossary, "view": view, "sheet_names": sheet_names, "layout": layout}


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class DocumentJobs:
    """The background jobs of one server (see the module docstring).

    Args:
        folder: where the database and the files are kept (created, mode 0700).
        run: translates one job's file (the REST API's and the page's translation, in a work slot).
        retention: seconds a finished job and its files are kept.
        per_owner, total: most jobs waiting or running for one owner, and in all.
        workers: jobs translated at once.
    """

    def __init__(self, folder: Path, run: Runner, *, retention: float = 3600.0, per_owner: int = 4,
                 total: int = 64, workers: int = 1) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.run, self.retention, self.per_owner, self.total = run, retention, per_owner, total
        self._db = self.folder / "jobs.sqlite3"
        self._lock = threading.Lock()
        with closing(self._connect()) as db:
            db.execute(_SCHEMA)
        # Daemon threads: a server that stops does not wait for a long translation (it runs again at restart).
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._threads = [threading.Thread(target=self._loop, name=f"bilingual-job-{n}", daemon=True)
                         for n in range(max(1, workers))]
        for thread in self._threads:
            thread.start()
        self.purge()
        with closing(self._connect()) as db:  # a restart: what was waiting or running runs again, from its upload
            left = [row[0] for row in db.execute("SELECT id FROM jobs WHERE status IN (?, ?) ORDER BY created",
                                                 ACTIVE)]
            db.execute("UPDATE jobs SET status = 'queued', done = 0, total = 0, started = NULL "
                       "WHERE status = 'translating'")
        for job_id in left:
            self._queue.put(job_id)

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self._db, timeout=30, isolation_level=None)  # autocommit; one statement each
        return db

    def _path(self, job_id: str, kind: str) -> Path:
        return self.folder / f"{job_id}.{kind}"

    # -- the API -----------------------------------------------------------------------------------

    def submit(self, data: bytes, filename: str, params: dict[str, Any], owner: str) -> tuple[str, str]:
        """Queue a file; returns (document_id, document_key).

        Raises:
            QuotaExceededError: the owner, or the server, has as many jobs waiting or running as allowed.
        """
        self.purge()
        job_id, key = secrets.token_hex(16), secrets.token_urlsafe(32)
        with self._lock, closing(self._connect()) as db:
            mine, everyone = db.execute(
                "SELECT SUM(owner = ?), COUNT(*) FROM jobs WHERE status IN (?, ?)", (owner, *ACTIVE)).fetchone()
            if (mine or 0) >= self.per_owner:
                raise QuotaExceededError(
                    f"You have {mine} documents waiting or being translated, the most this server takes from one "
                    "client at once; try again when one is done.")
            if everyone >= self.total:
                raise QuotaExceededError("The server has as many documents waiting as it takes; try again in a "
                                         "few minutes. 服务器任务已满，请稍后再试。")
            fd = os.open(self._path(job_id, "in"), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            db.execute("INSERT INTO jobs (id, key_digest, owner, filename, params, status, created) "
                       "VALUES (?, ?, ?, ?, ?, 'queued', ?)",
                       (job_id, _digest(key), owner, filename, json.dumps(params), time.time()))
        self._queue.put(job_id)
        return job_id, key

    def status(self, job_id: str, key: str, owner: str | None) -> JobStatus:
        row = self._row(job_id, key, owner)
        status, done, total, error, started = row["status"], row["done"], row["total"], row["error"], row["started"]
        progress = 1.0 if status == "done" else (done / total if total else 0.0)
        remaining = None
        if status == "translating" and started and done:
            remaining = round((time.time() - started) * (total - done) / done)
        return JobStatus(job_id, status, progress, remaining, error)

    def result(self, job_id: str, key: str, owner: str | None) -> tuple[Path, str]:
        """The translated file's path and download name.

        Raises:
            JobNotFound, JobNotReady.
        """
        row = self._row(job_id, key, owner)
        if row["status"] != "done":
            raise JobNotReady(f"The document is not translated yet (status: {row['status']}); ask for its status "
                              "until it is done.")
        path = self._path(job_id, "out")
        if not path.is_file():
            raise JobNotFound("Document not found: it was deleted after the retention time.")
        return path, row["result_name"]

    def view(self, job_id: str, key: str, owner: str | None) -> bytes | None:
        """What the runner gave besides the file (the page's side-by-side view), once the job is done."""
        self.result(job_id, key, owner)
        path = self._path(job_id, "view")
        return path.read_bytes() if path.is_file() else None

    def _row(self, job_id: str, key: str, owner: str | None) -> dict[str, Any]:
        self.purge()
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (str(job_id),)).fetchone() if job_id else None
        # the same answer for an unknown job, a wrong document key and another key's job: no oracle
        if (row is None or not isinstance(key, str) or not secrets.compare_digest(row["key_digest"], _digest(key))
                or (not row["owner"].startswith("ip:") and row["owner"] != owner)):
            raise JobNotFound("Document not found: check its document_id and document_key (documents are kept "
                              f"{max(1, round(self.retention / 60))} minute(s) after they are done).")
        return dict(row)

    # -- the work -----------------------------------------------------------------------------------

    def _work(self, job_id: str) -> None:
        started = time.time()
        with closing(self._connect()) as db:
            db.row_factory = sqlite3.Row
            claimed = db.execute("UPDATE jobs SET status = 'translating', started = ? WHERE id = ? AND status = 'queued'",
                                 (started, job_id)).rowcount
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        if not claimed or row is None:
            return  # done meanwhile (by a restarted server), or deleted
        last = [0.0]

        def mine(db: sqlite3.Connection) -> bool:
            """Whether this worker still runs the job (a restart may have given it to another)."""
            return db.execute("SELECT 1 FROM jobs WHERE id = ? AND started = ?", (job_id, started)).fetchone() is not None

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if now - last[0] >= 0.2 or done >= total:  # a write at most five times a second
                last[0] = now
                with closing(self._connect()) as db:
                    db.execute("UPDATE jobs SET done = ?, total = ? WHERE id = ? AND started = ?",
                               (done, total, job_id, started))

        try:
            data = self._path(job_id, "in").read_bytes()
            result, name, *view = self.run(json.loads(row["params"]), data, progress)
            for kind, content in (("view", view[0] if view else None), ("out", result)):
                if content is None:
                    continue
                staging = self.folder / f"{job_id}.{secrets.token_hex(4)}.part"
                fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(content)
                with self._lock, closing(self._connect()) as db:
                    if mine(db):
                        os.replace(staging, self._path(job_id, kind))
                    else:
                        staging.unlink(missing_ok=True)
            outcome: tuple[str, str | None, str | None] = ("done", None, name)
        except BilingualError as exc:
            outcome = ("error", str(exc), None)
        except Exception:  # noqa: BLE001 - recorded; the client sees a message, never a trace
            logger.exception("document job %s failed", job_id)
            outcome = ("error", "The server hit an unexpected error; it is recorded in the server's log.", None)
        with self._lock, closing(self._connect()) as db:
            ended = db.execute("UPDATE jobs SET status = ?, error = ?, result_name = ?, finished = ? "
                               "WHERE id = ? AND started = ?", (*outcome, time.time(), job_id, started)).rowcount
        if ended:
            self._path(job_id, "in").unlink(missing_ok=True)

    def purge(self) -> int:
        """Delete jobs (and their files) ``retention`` seconds after they ended; returns how many."""
        cutoff = time.time() - self.retention
        with closing(self._connect()) as db:
            old = [r[0] for r in db.execute(
                "SELECT id FROM jobs WHERE (finished IS NOT NULL AND finished < ?) "
                "OR (finished IS NULL AND created < ? AND status NOT IN (?, ?))", (cutoff, cutoff, *ACTIVE))]
            for job_id in old:
                for kind in ("in", "out", "view"):
                    self._path(job_id, kind).unlink(missing_ok=True)
                db.execute("DELETE FROM jobs WHERE id = ?", (job_id,))
        return len(old)

    def _loop(self) -> None:
        while (job_id := self._queue.get()) is not None:
            self._work(job_id)

    def close(self, *, wait: bool = False) -> None:
        """Stop taking jobs (those queued stay queued, for the next start); ``wait`` for the running ones."""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        for _ in self._threads:
            self._queue.put(None)
        if wait:
            for thread in self._threads:
                thread.join()
