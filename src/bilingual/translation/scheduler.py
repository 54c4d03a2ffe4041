"""Batching across requests: one model call for the sentences of many concurrent requests.

Ten users with a paragraph each used to cost ten small model calls, one after another,
behind the backend's lock. With a :class:`Scheduler` (one per direction), each request
puts its pending sentences (those the cache did not have) on one queue and waits; a single
worker thread takes what is waiting, up to the batch budget (``max_size`` sentences and
``max_tokens`` padded source tokens), waiting at most ``max_wait`` seconds for more when
the queue holds less than a full batch, runs one model call and hands each request its
results.

* Fair and tight: each model call is anchored on the next sentence of one waiting request,
  the requests taking turns, and filled with the waiting sentences (of any request) nearest
  to it in length, so a 500-sentence document does not make a one-line request wait for all
  of it, and little of a call is padding.
* The same batches as before for one request alone: a request's sentences are taken
  longest first under the same budget as :func:`~bilingual.translation.pipeline.make_batches`.
* Progress per model call: :meth:`Ticket.__iter__` yields the indices finished by each call.
* Cancellation: :meth:`Ticket.cancel` (called when a streamed translation is abandoned)
  drops the request's sentences that no model call has taken yet.
* A model error reaches every request whose sentences were in the failed call, and no other.

With ``workers`` above 1, that many calls run at once (a CTranslate2 model on the CPU runs
separate batches on separate cores far better than one batch on all of them); results may
then come back out of order. Worker threads start with the first request and end after
``idle`` seconds without one.
Nothing here imports torch; it is tested with a fake backend.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator, Sequence

logger = logging.getLogger(__name__)

Scored = tuple[str, "float | None", bool]  # (translation, mean log-probability, guarded)
ScoreFn = Callable[[list[str]], list[Scored]]


class Ticket:
    """One request's sentences in a :class:`Scheduler`, and their results as they come."""

    def __init__(self, scheduler: Scheduler, sources: Sequence[str], lengths: Sequence[int]) -> None:
        if len(sources) != len(lengths):
            raise ValueError("one length per source")
        self._scheduler = scheduler
        self.sources = list(sources)
        self.lengths = list(lengths)
        self.results: list[Scored | None] = [None] * len(sources)
        self._waiting = sorted(range(len(sources)), key=lambda i: -self.lengths[i])  # not yet taken, longest first
        self._outstanding = len(sources)  # taken or not, not yet finished
        self._finished: deque[list[int]] = deque()  # indices finished by each call, not yet handed out
        self._error: BaseException | None = None
        self._anchored = -1  # the last call anchored on this request (-1: none yet)
        self.cancelled = False

    @property
    def waiting(self) -> int:
        """Sentences no model call has taken yet."""
        return len(self._waiting)

    def __iter__(self) -> Iterator[list[int]]:
        """The indices (into ``sources``) finished by each model call, as the calls end.

        Raises:
            The model's error, when a call that held one of these sentences failed (after the
            indices finished by the calls before it).
        """
        cond = self._scheduler._cond
        while True:
            with cond:
                while not self._finished and self._error is None and self._outstanding > 0:
                    cond.wait()
                if not self._finished:  # what finished before an error is handed out (and cached) first
                    if self._error is not None:
                        raise self._error
                    return
                chunk = self._finished.popleft()
            yield chunk

    def cancel(self) -> None:
        """Drop the sentences no model call has taken yet (those running finish and are discarded)."""
        with self._scheduler._cond:
            if self._waiting:
                self._outstanding -= len(self._waiting)
                self._waiting = []
                self.cancelled = True
            self._scheduler._forget(self)
            self._scheduler._cond.notify_all()


class Scheduler:
    """Puts the sentences of concurrent requests for one model into shared, length-sorted model calls.

    Args:
        score: translates a list of sentences: one ``(translation, score, guarded)`` each.
        max_size: most sentences in one model call.
        max_tokens: most padded source tokens in one model call.
        max_wait: seconds the worker waits for more sentences when it holds less than a full batch.
        idle: seconds without work after which a worker thread ends (a new request starts another).
        workers: model calls that may run at once (``score`` must be safe to call from that many threads).
    """

    def __init__(self, score: ScoreFn, *, max_size: int, max_tokens: int, max_wait: float = 0.005,
                 idle: float = 2.0, name: str = "", workers: int = 1) -> None:
        if max_size < 1 or max_tokens < 1 or max_wait < 0 or workers < 1:
            raise ValueError("max_size, max_tokens and workers must be positive, max_wait not negative")
        self._score = score
        self.max_size = max_size
        self.max_tokens = max_tokens
        self.max_wait = max_wait
        self.idle = idle
        self.name = name
        self.workers = workers
        self._cond = threading.Condition()
        self._queue: deque[Ticket] = deque()  # tickets with sentences no call has taken yet
        self._pid = os.getpid()
        self._running = 0  # worker threads alive
        self._turn = 0  # calls formed so far: which call each request last anchored

    def submit(self, sources: Sequence[str], lengths: Sequence[int]) -> Ticket:
        """Queue ``sources`` (with their token counts) for translation; iterate the ticket for results."""
        ticket = Ticket(self, sources, lengths)
        if not ticket.sources:
            return ticket
        with self._cond:
            self._queue.append(ticket)
            if self._pid != os.getpid():  # threads are not inherited by a forked child
                self._pid, self._running = os.getpid(), 0
            while self._running < self.workers:
                self._running += 1
                threading.Thread(target=self._work, name=f"bilingual-batcher-{self.name}", daemon=True).start()
            self._cond.notify_all()
        return ticket

    def translate(self, sources: Sequence[str], lengths: Sequence[int]) -> list[Scored]:
        """Translate ``sources`` through the queue and wait for all of them."""
        ticket = self.submit(sources, lengths)
        try:
            for _ in ticket:
                pass
        finally:
            ticket.cancel()
        return [r for r in ticket.results if r is not None]

    # -- the worker ------------------------------------------------------------------------------

    def _forget(self, ticket: Ticket) -> None:
        try:
            self._queue.remove(ticket)
        except ValueError:
            pass

    def _waiting(self) -> int:
        return sum(t.waiting for t in self._queue)

    def _take(self) -> list[tuple[Ticket, int]]:
        """The next call: the anchor request's next sentence, and the waiting ones nearest to it in length."""
        for ticket in [t for t in self._queue if not t.waiting]:
            self._queue.remove(ticket)
        if not self._queue:
            return []
        # the request that anchored a call least recently (never: first; ties: the oldest)
        anchor_ticket = min(self._queue, key=lambda t: t._anchored)
        anchor_ticket._anchored = self._turn
        self._turn += 1
        anchor = anchor_ticket._waiting[0]
        size = anchor_ticket.lengths[anchor]
        others = [t for t in self._queue if t.waiting and t is not anchor_ticket]
        if not others:  # one request: its longest sentences, as make_batches takes them (a slice, not a search)
            order, count, width = anchor_ticket._waiting, 1, size
            while count < min(len(order), self.max_size):
                wider = max(width, anchor_ticket.lengths[order[count]])
                if wider * (count + 1) > self.max_tokens:
                    break
                count, width = count + 1, wider
            anchor_ticket._waiting = order[count:]
            if not anchor_ticket._waiting:
                self._queue.remove(anchor_ticket)
            return [(anchor_ticket, i) for i in order[:count]]
        # nearest in length first (ties: the anchor's own sentences, then the older requests')
        candidates = [(anchor_ticket, i) for i in anchor_ticket._waiting[1:]]
        candidates += [(t, i) for t in others for i in t._waiting]
        candidates.sort(key=lambda c: abs(c[0].lengths[c[1]] - size))
        batch = [(anchor_ticket, anchor)]
        width = size
        for ticket, i in candidates:
            if len(batch) >= self.max_size:
                break
            wider = max(width, ticket.lengths[i])
            if wider * (len(batch) + 1) > self.max_tokens:
                continue
            batch.append((ticket, i))
            width = wider
        taken: dict[int, set[int]] = {}
        for ticket, i in batch:
            taken.setdefault(id(ticket), set()).add(i)
        for ticket in {id(t): t for t, _ in batch}.values():
            ticket._waiting = [i for i in ticket._waiting if i not in taken[id(ticket)]]
        for ticket in [t for t in self._queue if not t.waiting]:
            self._queue.remove(ticket)
        return batch

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._cond.wait_for(lambda: self._queue, self.idle):
                    self._running -= 1
                    return
                deadline = time.monotonic() + self.max_wait
                while self._waiting() < self.max_size:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._cond.wait(left)
                batch = self._take()
            if not batch:
                continue
            try:
                scored = self._score([ticket.sources[i] for ticket, i in batch])
                error = None
            except BaseException as exc:  # noqa: BLE001 - handed to the requests that were in this call
                logger.debug("a batched model call failed: %s", exc)
                scored, error = [], exc
            with self._cond:
                done: dict[int, tuple[Ticket, list[int]]] = {}
                for k, (ticket, i) in enumerate(batch):
                    if error is None:
                        ticket.results[i] = scored[k]
                    done.setdefault(id(ticket), (ticket, []))[1].append(i)
                for ticket, indices in done.values():
                    ticket._outstanding -= len(indices)
                    if error is not None:
                        ticket._error = error
                        self._forget(ticket)
                    elif not ticket.cancelled:
                        ticket._finished.append(indices)
                self._cond.notify_all()
