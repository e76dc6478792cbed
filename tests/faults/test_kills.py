"""Twenty crawl jobs interrupted at random points (Ctrl-C, a double Ctrl-C, `kill -9`; some
twice) and resumed: each ends equal to the uninterrupted job, pages, rejects, counts, index and
clusters alike (`-s JOBDIR`, `crawler.resume`)."""

from __future__ import annotations

import functools
import random
from typing import TYPE_CHECKING

import pytest

from tests.test_resume import (
    JobOutput,
    assert_same_job,
    crawl_command,
    job_output,
    journal_lines,
    run_and_kill,
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
        run_and_kill(command, functools.partial(journal_reached, jobdir, point),
                     tmp_path / "interrupted.log", way=rng.choice(WAYS), may_end_first=True)
    run_to_end(command)
    assert_same_job(job_output(tmp_path), whole)


def journal_reached(jobdir: Path, lines: int) -> bool:
    """Whether the job's journal holds `lines` pages: the point to stop the crawl at."""
    return journal_lines(jobdir) >= lines
