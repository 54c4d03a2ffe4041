"""Glossaries kept on the server (``POST /glossaries``): files under unguessable ids, with quotas."""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import threading
import time
from collections import OrderedDict
from pathlib import Path

from ..errors import QuotaExceededError
from ..translation.glossary import Glossary, GlossaryError, parse_glossary


class GlossaryStore:
    """Glossaries kept on the server (``POST /glossaries``), one TSV file each under an unguessable id.

    Bounded: at most ``per_owner`` glossaries per owner (an API key, or a client address) and
    ``total`` in all; one unused for ``retention`` seconds is deleted. Parsed glossaries (with
    their term tries) are cached by id, so a stored 10,000-term glossary is read once.
    """

    _ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
    CACHED = 16

    def __init__(self, folder: Path, *, per_owner: int = 20, total: int = 1000,
                 retention: float = 30 * 24 * 3600) -> None:
        self.folder = Path(folder)
        self.per_owner = per_owner
        self.total = total
        self.retention = retention
        self._cache: OrderedDict[str, Glossary] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def _owner_tag(owner: str) -> str:
        return hashlib.sha256(owner.encode("utf-8", "surrogatepass")).hexdigest()[:12]

    def _path(self, key: str) -> Path | None:
        if not self._ID.match(key or ""):
            return None
        found = list(self.folder.glob(f"*.{key}.tsv")) if self.folder.is_dir() else []
        if not found and (self.folder / f"{key}.tsv").is_file():  # stored by an earlier version
            found = [self.folder / f"{key}.tsv"]
        return found[0] if len(found) == 1 else None

    def purge(self) -> int:
        """Delete glossaries unused for longer than the retention time; returns how many."""
        if not self.folder.is_dir():
            return 0
        cutoff = time.time() - self.retention
        removed = 0
        for path in self.folder.glob("*.tsv"):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    removed += 1
            except FileNotFoundError:
                continue
        with self._lock:
            self._cache.clear()
        return removed

    def put(self, glossary: Glossary, owner: str = "") -> str:
        """Store ``glossary`` for ``owner``; returns its id.

        Raises:
            QuotaExceededError: the owner, or the server, keeps as many glossaries as allowed.
        """
        self.folder.mkdir(parents=True, exist_ok=True)
        os.chmod(self.folder, 0o700)
        self.purge()
        tag = self._owner_tag(owner)
        if len(list(self.folder.glob(f"{tag}.*.tsv"))) >= self.per_owner:
            raise QuotaExceededError(f"You have stored {self.per_owner} glossaries, as many as allowed; unused ones "
                                     f"are deleted after {self.retention / 86400:g} days. Send the terms with the "
                                     "request instead.")
        if len(list(self.folder.glob("*.tsv"))) >= self.total:
            raise QuotaExceededError("This server keeps as many stored glossaries as it allows; send the terms with "
                                     "the request instead, or try again later.")
        key = secrets.token_urlsafe(18)
        text = "".join(f"{s}\t{t}\n" for s, t in glossary.entries)
        fd = os.open(self.folder / f"{tag}.{key}.tsv", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        return key

    def exists(self, key: str) -> bool:
        return self._path(key) is not None

    def get(self, key: str) -> Glossary:
        path = self._path(key)
        if path is None:
            raise GlossaryError("No stored glossary has that id; store one with POST /glossaries.")
        try:
            path.touch()  # in use: kept for another retention period
        except OSError:
            pass
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        glossary = parse_glossary(path.read_text(encoding="utf-8"), "the stored glossary")
        with self._lock:
            self._cache[key] = glossary
            while len(self._cache) > self.CACHED:
                self._cache.popitem(last=False)
        return glossary
