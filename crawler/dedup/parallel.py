"""Run one function over contiguous ranges of work in forked processes.

fork, not spawn or a pool: a child inherits the caller's data as it is (one large buffer, not
thousands of Python objects whose reference counts would copy their pages), so a task costs
only its result, sent back through a pipe. This process takes the first range itself.
"""

from __future__ import annotations

import itertools
import multiprocessing
import traceback
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def balanced_bounds(weights: np.ndarray, parts: int) -> list[int]:
    """Boundaries `[0, ..., len(weights)]` cutting the items into at most `parts` contiguous
    runs of about equal total weight (for example bytes of text)."""
    n = len(weights)
    cumulative = np.cumsum(weights, dtype=np.float64)
    total = float(cumulative[-1]) if n else 0.0
    # Cut after the item at which the running total reaches each k/parts of the whole.
    cuts = np.searchsorted(cumulative, [total * k / parts for k in range(1, parts)]) + 1
    return [0, *sorted({int(c) for c in cuts if 0 < c < n}), n]


def fork_map(fn: Callable[[int, int], T], bounds: Sequence[int]) -> list[T]:
    """`[fn(bounds[0], bounds[1]), fn(bounds[1], bounds[2]), ...]`, the first in this process
    and the others in forked children at the same time."""
    ranges = list(itertools.pairwise(bounds))
    if len(ranges) <= 1:
        return [fn(lo, hi) for lo, hi in ranges]
    ctx = multiprocessing.get_context("fork")
    children = []
    try:
        for lo, hi in ranges[1:]:
            receive, send = ctx.Pipe(duplex=False)
            process = ctx.Process(target=_child, args=(fn, lo, hi, send), daemon=True)
            process.start()
            send.close()
            children.append((process, receive))
        results = [fn(*ranges[0])]
        for process, receive in children:
            try:
                ok, result = receive.recv()
            except EOFError:
                ok, result = False, f"worker exited with code {process.exitcode}"
            if not ok:
                raise RuntimeError(f"worker failed:\n{result}")
            results.append(result)
        return results
    finally:
        for process, receive in children:
            receive.close()
            process.join(timeout=5)
            if process.is_alive():
                process.terminate()
                process.join()


def _child(fn: Callable[[int, int], object], lo: int, hi: int, send: Connection) -> None:
    try:
        send.send((True, fn(lo, hi)))
    except BaseException:
        send.send((False, traceback.format_exc()))
    finally:
        send.close()
