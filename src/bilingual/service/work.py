"""One work limit for a whole process: at most N jobs run, at most M wait, the rest are refused.

The web page's buttons, its Gradio API endpoints and the REST routes all take a slot
from the same :class:`WorkLimit` before they touch a model, so a 2-core server never
runs more jobs at once than it has been told to, whichever door the work came in by.
A job that finds every slot taken waits in one bounded line; a job that finds the line
full is refused at once with :class:`~bilingual.errors.ServerBusyError` (HTTP 503 in
REST, a "busy" message on the page), before any work is done.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from ..documents.memory import BUSY_MESSAGE, MemoryBudget
from ..errors import ServerBusyError


class WorkLimit:
    """A counting gate with a bounded waiting line.

    Args:
        slots: jobs that may run at once.
        queue: jobs that may wait for a slot; more are refused.
        wait_timeout: seconds a job waits for a slot before it is refused (None: as long as it takes).
    """

    def __init__(self, slots: int, queue: int, *, wait_timeout: float | None = 600.0,
                 memory: int = 4096 * 1024 * 1024) -> None:
        if slots < 1 or queue < 0:
            raise ValueError("slots must be at least 1 and queue at least 0")
        self.memory = MemoryBudget(memory, wait_timeout=wait_timeout)
        self.slots = slots
        self.queue = queue
        self.wait_timeout = wait_timeout
        self._cond = threading.Condition()
        self._running = 0
        self._waiting = 0
        self.peak_running = 0  # the most jobs seen running at once (for tests and monitoring)
        self.refused = 0  # jobs refused as busy (for monitoring)

    @property
    def running(self) -> int:
        return self._running

    @property
    def waiting(self) -> int:
        return self._waiting

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one slot for the duration of the ``with`` block.

        Raises:
            ServerBusyError: the waiting line is full, or no slot came free within ``wait_timeout``.
        """
        with self._cond:
            if self._running >= self.slots:
                if self._waiting >= self.queue:
                    self.refused += 1
                    raise ServerBusyError(BUSY_MESSAGE)
                self._waiting += 1
                try:
                    if not self._cond.wait_for(lambda: self._running < self.slots, self.wait_timeout):
                        self.refused += 1
                        raise ServerBusyError(BUSY_MESSAGE)
                finally:
                    self._waiting -= 1
            self._running += 1
            self.peak_running = max(self.peak_running, self._running)
        try:
            yield
        finally:
            with self._cond:
                self._running -= 1
                self._cond.notify()

