"""The worker's side of `crawler.workers.pool`: its main loop (`serve`), the messages on its
socket, and its lifetime bound to the crawl's."""

from __future__ import annotations

import os
import pickle
import select
import signal
import threading
import time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from multiprocessing.connection import Connection

_LENGTH_BYTES = 8
"""Each message on a worker's socket is its length (big-endian) and a pickle."""
READ_SIZE = 1 << 16
"""Bytes asked of a socket per read: a page's answer fits, and a larger buffer would be a fresh
memory mapping on every read."""


def message(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_LENGTH_BYTES, "big") + payload


def next_message(buffer: bytearray) -> bytes | None:
    """The first whole message's pickle, taken off `buffer`; None while it is incomplete."""
    if len(buffer) < _LENGTH_BYTES:
        return None
    end = _LENGTH_BYTES + int.from_bytes(buffer[:_LENGTH_BYTES], "big")
    if len(buffer) < end:
        return None
    payload = bytes(buffer[_LENGTH_BYTES:end])
    del buffer[:end]
    return payload


PARENT_POLL_SECONDS = 0.1
"""Without pidfds: how often a worker checks that the crawl is alive."""

READY = "ready"
"""A worker's first message: it has warmed up, and its jobs may be timed from now on."""


def serve(conn: Connection, nice: int = 0, warm_up: Callable[[], object] | None = None,
          crawl: int | None = None) -> None:
    """A worker's main loop: run `warm_up`, say `READY`, then run each job `(function, args)`
    read from `conn` and write back `("ok", result)` or `("error", exception)`, in order, until
    the caller closes the socket. `nice` lowers the worker's scheduling priority (see
    `crawler.workers.extractor.PageExtractor`); the worker ends with process `crawl`."""
    # Ctrl-C reaches the whole process group; the caller decides when its workers stop (a
    # graceful shutdown still needs them for the jobs in flight).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if crawl is not None:
        die_with(crawl)
    if warm_up is not None:
        warm_up()
    if nice:
        os.nice(nice)  # after the warm-up, which should be over before the first job
    fd = conn.fileno()
    _write_all(fd, message((READY, None)))
    buffer = bytearray()
    while True:
        while (job := next_message(buffer)) is None:
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                return
            buffer += chunk
        function, args = pickle.loads(job)
        try:
            answer = message(("ok", function(*args)))
        except Exception as exc:  # the caller gets it, as from a call in its own process
            try:
                answer = message(("error", exc))
            except Exception:  # an exception that cannot be pickled
                answer = message(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        try:
            _write_all(fd, answer)
        except BrokenPipeError:
            return  # the caller is gone: nobody wants the answer


def die_with(pid: int) -> None:
    """End this worker the moment process `pid` (the crawl) ends, however it ends (`kill -9`
    included), from a thread that waits on a pidfd (Linux 5.3+; elsewhere it polls). A worker's
    parent is the fork server, not the crawl, and the fork server outlives the crawl while a
    worker holds its inherited end of the server's "alive" pipe, so neither the parent-death
    signal nor the closed socket would stop a worker busy on a slow page: it would keep a core
    until the page is done."""
    threading.Thread(target=_exit_after, args=(pid,), name="crawl-watch", daemon=True).start()


def _exit_after(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd here, or the crawl is already gone
        while _alive(pid):
            time.sleep(PARENT_POLL_SECONDS)
    else:
        select.select([fd], [], [])  # readable once the process has ended
    os._exit(0)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
