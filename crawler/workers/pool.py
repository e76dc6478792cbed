"""Worker processes that run jobs `(function, args)` for the coroutines of an event loop, each
driven through a socket of its own from the loop (no helper thread).

`concurrent.futures.ProcessPoolExecutor` hands every job and every answer through two threads of
the calling process, each waiting for the interpreter lock while the caller's thread runs (the
crawl's Scrapy thread), and its workers sat idle a tenth of the time waiting for their next job.
Nothing here knows what a job does: `crawler.workers.extractor` sends pages.
"""

from __future__ import annotations

import asyncio
import logging
import os
import pickle
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkServerContext
    from multiprocessing.process import BaseProcess

from crawler.workers.serve import READ_SIZE, message, next_message, serve

logger = logging.getLogger(__name__)

ATTEMPTS = 2
"""Tries of a job on which its worker died: the death may not be the job's fault (the machine
ran out of memory, a signal), so it gets a second try on a fresh worker before it fails. The
other jobs sent to that worker are sent again without counting a try."""

class WorkerDied(Exception):
    """The worker died while running the job, on every try."""


class JobTimedOut(Exception):
    """The job ran over the pool's time limit; its worker was killed."""


class PoolUnavailable(Exception):
    """Workers kept dying before finishing any job (they cannot start), so the pool gave up."""


@dataclass(eq=False)
class _Job:
    message: bytes
    future: asyncio.Future[Any]
    tries: int = 0

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        """Give the caller its answer, unless it stopped waiting (cancelled, or its event loop
        is gone)."""
        if self.future.done() or self.future.get_loop().is_closed():
            return
        if error is None:
            self.future.set_result(result)
        else:
            self.future.set_exception(error)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    sent: deque[_Job] = field(default_factory=deque)
    """Jobs sent and not answered, in order: the first is running, the others wait in the socket."""
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    watchdog: asyncio.TimerHandle | None = None
    ready: bool = False
    """Whether it said `READY`: until then it warms up, and its first job is not yet timed."""

    @property
    def fd(self) -> int:
        return self.conn.fileno()


class WorkerPool:
    """Worker processes that run jobs `(function, args)` for the coroutines of an event loop.

    Each worker has a socket of its own, driven by the event loop (readers and writers, no
    thread), and is sent `DEPTH` jobs ahead of its answers, so it starts its next page as soon
    as it has answered one instead of waiting for the crawl process to send it. Because each
    worker's jobs are known, a worker that dies only costs a try of the job it was running (the
    others are sent again), and `timeout` counts from the moment a job starts in its worker,
    not from when it was queued, nor while a new worker warms up.
    """

    DEPTH = 4
    """Jobs sent to a worker ahead of its answers. Scrapy's thread can be busy for tens of
    milliseconds at a time, during which it reads no answer and sends no job; the pages queued
    behind the running one keep the worker busy meanwhile."""

    def __init__(
        self,
        processes: int,
        timeout: float,
        context: ForkServerContext,
        max_failures: int,
        nice: int = 0,
        warm_up: Callable[[], object] | None = None,
    ) -> None:
        self.processes = processes
        self.timeout = timeout
        self.nice = nice
        self.warm_up = warm_up
        """Run by each worker before it says `READY` (it must be importable by name: the
        workers start in a fork server)."""
        self.context = context
        self.max_failures = max_failures
        self._workers: list[_Worker] = []
        self._pending: deque[_Job] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failures_in_a_row = 0
        self.closed = False

    def start(self) -> None:
        while len(self._workers) < self.processes:
            self._start_worker()

    async def run(self, function: Callable[..., Any], *args: Any, first: bool = False) -> Any:
        """`function(*args)` in a worker, after the jobs already waiting (before them if
        `first`). Raises what the function raised, `JobTimedOut`, `WorkerDied` or
        `PoolUnavailable`."""
        if self.closed:
            raise PoolUnavailable("the worker pool is closed")
        loop = asyncio.get_running_loop()
        self._attach(loop)
        job = _Job(message((function, args)), loop.create_future())
        if first:
            self._pending.appendleft(job)
        else:
            self._pending.append(job)
        self._dispatch()
        return await job.future

    def close(self, error: BaseException | None = None) -> None:
        """Stop the workers (they exit when their socket closes). Jobs not answered are cancelled,
        or fail with `error`."""
        self.closed = True
        workers, self._workers = self._workers, []
        unanswered = [job for worker in workers for job in worker.sent] + list(self._pending)
        self._pending.clear()
        for worker in workers:
            self._detach(worker)
            worker.conn.close()
        for worker in workers:
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        for job in unanswered:
            if error is None:
                job.future.cancel()
            else:
                job.settle(error=error)

    # -- sending ---------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while self._pending:
            # The worker with the least work queued, by bytes: extraction time grows with the
            # page, so the workers finish their last pages at about the same time.
            open_workers = [w for w in self._workers if len(w.sent) < self.DEPTH]
            if not open_workers:
                return
            worker = min(open_workers, key=lambda w: sum(len(j.message) for j in w.sent))
            job = self._pending.popleft()
            if job.future.done():
                continue  # its caller stopped waiting before it was sent
            worker.sent.append(job)
            self._send(worker, job.message)
            if len(worker.sent) == 1:
                self._watch(worker)

    def _send(self, worker: _Worker, message: bytes) -> None:
        if not worker.outbox:
            try:
                written = os.write(worker.fd, message)
            except BlockingIOError:
                written = 0
            except OSError:
                return  # the worker is gone: its socket's end-of-file says so to the reader
            if written == len(message):
                return
            message = message[written:]
            assert self._loop is not None  # typing: attached before the first send
            self._loop.add_writer(worker.fd, self._flush, worker)
        worker.outbox += message

    def _flush(self, worker: _Worker) -> None:
        try:
            written = os.write(worker.fd, worker.outbox)
        except BlockingIOError:
            return
        except OSError:
            written = len(worker.outbox)
        del worker.outbox[:written]
        if not worker.outbox and self._loop is not None:
            self._loop.remove_writer(worker.fd)

    # -- answers and failures ----------------------------------------------------------------

    def _readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.fd, READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._died(worker)
            return
        worker.inbox += chunk
        while (answer := next_message(worker.inbox)) is not None:
            if not worker.ready:
                worker.ready = True  # its first message
                self._watch(worker)
                continue
            job = worker.sent.popleft()
            self._failures_in_a_row = 0
            status, value = pickle.loads(answer)
            job.settle(*((value, None) if status == "ok" else (None, value)))
            self._watch(worker)
        self._dispatch()

    def _watch(self, worker: _Worker) -> None:
        """Time the job now running in `worker` (the first it has not answered)."""
        if worker.watchdog is not None:
            worker.watchdog.cancel()
            worker.watchdog = None
        if self.timeout and worker.ready and worker.sent and self._loop is not None:
            worker.watchdog = self._loop.call_later(
                self.timeout, self._overdue, worker, worker.sent[0]
            )

    def _overdue(self, worker: _Worker, job: _Job) -> None:
        if worker not in self._workers or not worker.sent or worker.sent[0] is not job:
            return
        logger.warning("Extraction of a page ran over %g s; restarting its worker", self.timeout)
        # A running job cannot be interrupted, and one stuck in native code would hold its
        # worker for good: the worker goes, the jobs queued behind it go to the others.
        self._retire(worker)
        job.settle(error=JobTimedOut(f"over {self.timeout:g} s"))
        self._start_worker()
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        job = self._retire(worker)
        self._failures_in_a_row += 1
        if job is not None:
            job.tries += 1
            if job.tries < ATTEMPTS:
                self._pending.appendleft(job)
            else:
                job.settle(error=WorkerDied("the worker died running it"))
        if self._failures_in_a_row >= self.max_failures:
            logger.error("Extraction workers died %d times in a row", self._failures_in_a_row)
            self.close(PoolUnavailable("extraction workers cannot start"))
            return
        logger.warning("An extraction worker died; starting a new one")
        self._start_worker()
        self._dispatch()

    def _retire(self, worker: _Worker) -> _Job | None:
        """Stop and forget `worker`; its waiting jobs go back to the front of the queue. Returns
        the job it was running."""
        self._workers.remove(worker)
        self._detach(worker)
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        running = worker.sent.popleft() if worker.sent else None
        self._pending.extendleft(reversed(worker.sent))
        worker.sent.clear()
        return running

    # -- processes and the event loop ----------------------------------------------------------

    def _start_worker(self) -> None:
        ours, theirs = self.context.Pipe(duplex=True)
        process = self.context.Process(target=serve, args=(theirs, self.nice, self.warm_up,
                                                          os.getpid()),
                                       daemon=True)
        process.start()
        theirs.close()
        os.set_blocking(ours.fileno(), False)
        worker = _Worker(process, ours)
        self._workers.append(worker)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.add_reader(worker.fd, self._readable, worker)

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the workers' sockets from `loop` (a crawl has one event loop; tests run each
        call in a new one)."""
        if loop is self._loop:
            return
        for worker in self._workers:
            self._detach(worker)
        self._loop = loop
        for worker in self._workers:
            loop.add_reader(worker.fd, self._readable, worker)
            if worker.outbox:
                loop.add_writer(worker.fd, self._flush, worker)
            self._watch(worker)

    def _detach(self, worker: _Worker) -> None:
        if worker.watchdog is not None:
            worker.watchdog.cancel()
            worker.watchdog = None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.fd)
            self._loop.remove_writer(worker.fd)


