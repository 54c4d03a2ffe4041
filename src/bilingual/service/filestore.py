"""Files waiting to be downloaded (translated files, the page's exports): unguessable names, one
private folder, a retention time."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import threading
import time
from pathlib import Path, PurePath

from ..errors import QuotaExceededError

_NAME = re.compile(r"^[A-Za-z0-9_-]{32}\.[A-Za-z0-9][A-Za-z0-9._-]{0,150}$")
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def download_name(filename: str, language_tag: str) -> str:
    """``report.docx`` -> ``report.zh-Hans.docx``, with anything unusual in the name replaced by ``_``."""
    path = PurePath(filename.replace("\\", "/"))
    stem = _UNSAFE.sub("_", path.stem).strip("._")[:80] or "translation"
    return f"{stem}.{language_tag}{path.suffix.lower()}"


class FileStore:
    """Keeps translated files in ``folder`` (mode 0700, files 0600) for ``retention`` seconds.

    Names are 32 random URL-safe characters, a dot and the download name; only names of
    that shape that exist in the folder are ever served. Everything left from an earlier
    run is deleted when the store is created. With ``quota``, one owner (an API key or a
    client address) keeps at most that many bytes at once; with ``total``, all owners together.
    """

    def __init__(self, folder: Path, *, retention: float = 3600.0, quota: int | None = None,
                 total: int | None = None) -> None:
        self.folder = Path(folder)
        self.retention = retention
        self.quota = quota
        self.total = total
        self._sizes: dict[Path, tuple[str, int]] = {}  # stored file -> (owner, bytes)
        self._lock = threading.Lock()
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.purge(everything=True)

    def _reserve(self, path: Path, size: int, owner: str) -> None:
        """Count ``size`` bytes at ``path`` for ``owner``, or refuse past a quota."""
        self.purge()
        minutes = max(1, round(self.retention / 60))
        with self._lock:
            self._sizes = {p: v for p, v in self._sizes.items() if p.exists()}
            mine = sum(n for who, n in self._sizes.values() if who == owner)
            everyone = sum(n for _, n in self._sizes.values())
            if self.quota is not None and owner and mine + size > self.quota:
                raise QuotaExceededError(
                    f"Your translated files waiting for download take {mine / 2**20:.0f} MB; at most "
                    f"{self.quota / 2**20:.0f} MB are kept per client. Download them, or try again within "
                    f"{minutes} minute(s), when they are deleted.")
            if self.total is not None and everyone + size > self.total:
                raise QuotaExceededError("The server's space for translated files is full; try again in a few "
                                         "minutes. 服务器存储空间已满，请稍后再试。")
            self._sizes[path] = (owner, size)

    def put(self, data: bytes, name: str, owner: str = "") -> str:
        """Store ``data`` for ``owner``; returns the file's public name (token + download name).

        Raises:
            QuotaExceededError: the owner's or the store's quota would be passed.
        """
        public = f"{secrets.token_urlsafe(24)}.{name}"  # (_reserve purges expired files first)
        self._reserve(self.folder / public, len(data), owner)
        final = self.folder / public
        staging = self.folder / f".{public}.part"
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(staging, final)
        return public

    def put_named(self, data: bytes, name: str, owner: str = "") -> Path:
        """Store ``data`` as ``name`` itself, inside a folder of its own with an unguessable name.

        For downloads a person saves (the page's): the file keeps its plain name.
        """
        folder = self.folder / secrets.token_urlsafe(24)
        path = folder / name
        self._reserve(folder, len(data), owner)
        folder.mkdir(mode=0o700)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        return path

    def get(self, public: str) -> Path | None:
        """The stored file of that public name, or None (unknown, malformed or expired)."""
        self.purge()
        if not isinstance(public, str) or not _NAME.match(public):
            return None
        path = self.folder / public
        if path.parent != self.folder or not path.is_file():
            return None
        return path

    @staticmethod
    def original_name(public: str) -> str:
        return public.split(".", 1)[1]

    def purge(self, *, everything: bool = False) -> int:
        """Delete files older than the retention time (all with ``everything``); returns how many."""
        cutoff = time.time() - self.retention
        removed = 0
        for entry in self.folder.iterdir():
            try:
                if everything or entry.stat().st_mtime < cutoff:
                    if entry.is_dir():
                        shutil.rmtree(entry, ignore_errors=True)
                    else:
                        entry.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        return removed
