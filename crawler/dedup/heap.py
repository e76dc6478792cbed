"""Keep freed numpy buffers in the process heap during bulk work (glibc only).

glibc serves an allocation above its mmap threshold (128 KiB at start, raised adaptively) with a
fresh `mmap` and gives it back on free, so every large numpy temporary costs its page faults
again. On the 2-core VM this library is measured on, a page fault is expensive enough that an
allocating `a * b` over 10 M uint64 runs 8x slower than the same product into an existing array.
Bulk clustering makes thousands of such temporaries; inside `large_heap()` they come from the
heap, whose pages stay mapped between uses. On leaving, the thresholds are set to glibc's own
adaptive ceiling (32 MiB mmap, 64 MiB trim) and free memory is handed back with `malloc_trim`.
Elsewhere than glibc this does nothing.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_BULK = 1 << 30
_CEILING = 32 << 20


@cache
def _libc() -> ctypes.CDLL | None:
    # The symbols the interpreter is linked with first: `find_library` runs `ldconfig -p` in a
    # subprocess, milliseconds that a crawl would pay at its end, when it clusters.
    own = ctypes.CDLL(None)
    if hasattr(own, "mallopt") and hasattr(own, "malloc_trim"):
        return own
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    if libc is None or not hasattr(libc, "mallopt") or not hasattr(libc, "malloc_trim"):
        return None
    return libc


@contextmanager
def large_heap() -> Iterator[None]:
    """Within the block, large allocations reuse heap memory instead of fresh mappings."""
    libc = _libc()
    if libc is None:
        yield
        return
    libc.mallopt(_M_MMAP_THRESHOLD, _BULK)
    libc.mallopt(_M_TRIM_THRESHOLD, 2 * _BULK)
    try:
        yield
    finally:
        libc.mallopt(_M_MMAP_THRESHOLD, _CEILING)
        libc.mallopt(_M_TRIM_THRESHOLD, 2 * _CEILING)
        libc.malloc_trim(0)
