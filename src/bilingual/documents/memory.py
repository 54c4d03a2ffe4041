"""Memory that the documents being read may take at once, over the whole process."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..errors import InputTooLargeError, ServerBusyError

BUSY_MESSAGE = "The server is busy with other requests; try again in a minute. 服务器繁忙，请稍后再试。"


class MemoryBudget:
    """Memory that the documents being read may take at once, over the whole process.

    The work limit bounds how many jobs run, not how much memory each takes: a document's
    reader reserves its estimated memory here first (see :mod:`bilingual.documents.archive`),
    waits while others hold the budget, and is refused when it alone needs more than all of it.
    """

    def __init__(self, total: int, *, wait_timeout: float | None = 600.0) -> None:
        self.total = total
        self.wait_timeout = wait_timeout
        self._cond = threading.Condition()
        self.used = 0
        self.peak = 0

    @contextmanager
    def reserve(self, size: int) -> Iterator[None]:
        """Hold ``size`` bytes of the budget for the ``with`` block.

        Raises:
            InputTooLargeError: ``size`` is more than the whole budget.
            ServerBusyError: the budget did not free up within ``wait_timeout``.
        """
        if size > self.total:
            raise InputTooLargeError(
                f"Reading this document would take about {size / 2**20:,.0f} MB of memory, more than this server's "
                f"budget for documents ({self.total / 2**20:,.0f} MB, BILINGUAL_MEMORY_BUDGET_MB); "
                "split it into smaller documents.")
        with self._cond:
            if not self._cond.wait_for(lambda: self.used + size <= self.total, self.wait_timeout):
                raise ServerBusyError(BUSY_MESSAGE)
            self.used += size
            self.peak = max(self.peak, self.used)
        try:
            yield
        finally:
            with self._cond:
                self.used -= size
                self._cond.notify_all()
