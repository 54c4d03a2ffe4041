"""Files waiting to be downloaded (translated files, the page's exports): unguessable names, one
private folder, a retention time."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import time
from pathlib import Path, PurePath

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
    run is deleted when the store is created.
    """

    def __init__(self, folder: Path, *, retention: float = 3600.0) -> None:
        self.folder = Path(folder)
        self.retention = retention
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.purge(everything=True)

    def put(self, data: bytes, name: str) -> str:
        """Store ``data``; returns the file's public name (token + download name)."""
        self.purge()
        public = f"{secrets.token_urlsafe(24)}.{name}"
        final = self.folder / public
        staging = self.folder / f".{public}.part"
        fd = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(staging, final)
        return public

    def put_named(self, data: bytes, name: str) -> Path:
        """Store ``data`` as ``name`` itself, inside a folder of its own with an unguessable name.

        For downloads a person saves (the page's): the file keeps its plain name.
        """
        self.purge()
        folder = self.folder / secrets.token_urlsafe(24)
        folder.mkdir(mode=0o700)
        path = folder / name
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
