"""fork_map: results in order, and a failing or dying worker is an error, not a hang."""

from __future__ import annotations

import os

import numpy as np
import pytest

from crawler.dedup.parallel import balanced_bounds, fork_map


def test_fork_map_keeps_range_order():
    data = np.arange(100)
    parts = fork_map(lambda lo, hi: int(data[lo:hi].sum()), [0, 10, 50, 100])
    assert parts == [45, sum(range(10, 50)), sum(range(50, 100))]


def test_fork_map_single_range_runs_in_process():
    pid = os.getpid()
    assert fork_map(lambda lo, hi: (os.getpid(), hi - lo), [0, 7]) == [(pid, 7)]
    assert fork_map(lambda lo, hi: 0, [0]) == []


def test_fork_map_reports_a_worker_exception():
    def fn(lo: int, hi: int) -> int:
        if lo > 0:
            raise ValueError("bad range")
        return hi

    with pytest.raises(RuntimeError, match="bad range"):
        fork_map(fn, [0, 5, 10])


def test_fork_map_reports_a_worker_that_dies():
    def fn(lo: int, hi: int) -> int:
        if lo > 0:
            os._exit(3)
        return hi

    with pytest.raises(RuntimeError, match="exited with code"):
        fork_map(fn, [0, 5, 10])


def test_balanced_bounds_cut_by_weight():
    assert balanced_bounds(np.array([1, 1, 1, 1, 4]), 2) == [0, 4, 5]
    assert balanced_bounds(np.array([4, 1, 1, 1, 1]), 2) == [0, 1, 5]
    assert balanced_bounds(np.ones(10), 2) == [0, 5, 10]
    assert balanced_bounds(np.ones(9), 3) == [0, 3, 6, 9]
    assert balanced_bounds(np.ones(3), 1) == [0, 3]
    assert balanced_bounds(np.zeros(0), 2) == [0, 0]
