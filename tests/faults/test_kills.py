"""Twenty crawl jobs interrupted at random points (Ctrl-C, a double Ctrl-C, `kill -9`; some
twice) and resumed: each ends equal to the uninterrupted job, pages, rejects, counts, index and
clusters alike (`-s JOBDIR`, `crawler.resume`)."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import time
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PROJECT_ROOT
from tests.test_resume import (
    JobOutput,
    assert_same_job,
    crawl_command,
    job_output,
    journal_lines,
    run_to_end,
)

if TYPE_CHECKING:
    from pathlib import Path

JOBS = 20
WAYS = ("SIGKILL", "SIGINT", "SIGINT twice")


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> tuple[JobOutput, int]:
    out = tmp_path_factory.mktemp("uninterrupted")
    run_to_end(crawl_command(out, out / "job"))
    return job_output(out), journal_lines(out / "job")


def interrupt(command: list[str], jobdir: Path, lines: int, way: str, log: Path) -> None:
    """Start the job and interrupt it `way` once its journal holds `lines` lines."""
    with log.open("ab") as stderr:
        crawl = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL,
                                 stderr=stderr, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while journal_lines(jobdir) < lines and crawl.poll() is None:
            assert time.monotonic() < deadline, "the crawl never reached the interruption"
            time.sleep(0.002)
        if crawl.poll() is not None:
            return  # it ended first: the resumed run then finds every page done
        if way == "SIGKILL":
            crawl.send_signal(signal.SIGKILL)
        else:
            crawl.send_signal(signal.SIGINT)
            if way == "SIGINT twice":
                time.sleep(0.05)
                crawl.send_signal(signal.SIGINT)
        crawl.wait(timeout=120)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(JOBS))
def test_a_job_interrupted_at_random_points_ends_as_the_uninterrupted_one(
        seed: int, uninterrupted: tuple[JobOutput, int], tmp_path: Path) -> None:
    whole, done_pages = uninterrupted
    rng = random.Random(seed)
    jobdir = tmp_path / "job"
    command = crawl_command(tmp_path, jobdir)
    points = sorted(rng.sample(range(1, done_pages), 2 if seed % 3 == 0 else 1))
    for point in points:
        interrupt(command, jobdir, point, rng.choice(WAYS), tmp_path / "interrupted.log")
    run_to_end(command)
    assert_same_job(job_output(tmp_path), whole)
