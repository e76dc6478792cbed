"""`python -m crawler.distributed`: start N workers of one job on this machine and merge their
outputs (`run`), or merge a job folder again (`merge`). Both take `-s NAME=VALUE` as
`scrapy crawl` does; the workers get them, and the merge clusters with the same options."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.utils.conf import arglist_to_dict
from scrapy.utils.project import get_project_settings
from scrapy_redis import connection

from crawler.checks import SettingsError, check_settings
from crawler.dedup import DedupOptions
from crawler.dedup.decisions import Decisions, decisions_setting
from crawler.distributed.keys import (
    REDIS_ERRORS,
    REDIS_URL_ENV,
    UNREACHABLE_EXIT_CODE,
    JobKeys,
    checked_name,
    redacted,
)
from crawler.distributed.merge import merge_outputs, remove_worker_files

if TYPE_CHECKING:
    from redis import Redis

USAGE_EXIT_CODE = 2


def worker_command(spider: str, folder: Path, worker: str, settings: list[str],
                   arguments: tuple[str, ...] = ()) -> list[str]:
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider,
        "-o", str(folder / f"articles-{worker}.jsonl"),
        "-s", f"CRAWL_WORKER={worker}",
        "-s", f"REJECTS_FILE={folder / f'rejects-{worker}.jsonl'}",
        "-s", f"CRAWL_SUMMARY_FILE={folder / f'summary-{worker}.json'}",
    ]
    for setting in settings:
        command += ["-s", setting]
    for argument in arguments:
        command += ["-a", argument]
    return command


@dataclass(frozen=True)
class JobDedup:
    """How a job clusters: the merge must cluster as its workers' crawls would have."""

    options: DedupOptions
    decisions: Decisions | None


def job_dedup(settings: list[str]) -> JobDedup:
    """The dedup options and reviewer's decisions of a job whose workers get `-s settings`.
    Raises SettingsError for a mistyped or malformed setting, DecisionsError for an unreadable
    decisions file."""
    project = get_project_settings()
    try:
        project.setdict(arglist_to_dict(settings), priority="cmdline")
    except ValueError:
        raise SettingsError(f"-s takes NAME=VALUE, not {settings}") from None
    check_settings(project)
    return JobDedup(DedupOptions.from_settings(project), decisions_setting(project))


def job_exists(server: Redis, job: str) -> bool:
    return bool(server.exists(*JobKeys.for_job(job).all()))


def run_workers(options: argparse.Namespace, dedup: JobDedup) -> int:
    """Starts N workers of one job, waits for them, merges their outputs; returns an exit code."""
    job = checked_name("job", options.job or options.spider)
    server = connection.get_redis(url=options.redis, socket_connect_timeout=5)
    try:
        resuming = job_exists(server, job)
    except REDIS_ERRORS as exc:
        print(f"Cannot reach Redis at {redacted(options.redis)} ({exc}).", file=sys.stderr)
        return UNREACHABLE_EXIT_CODE
    folder = (options.output or Path("output") / options.spider / job).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if not resuming:
        remove_worker_files(folder)  # a fresh job: what an earlier run of it wrote is stale
    env = {**os.environ, REDIS_URL_ENV: options.redis}
    settings = [f"CRAWL_JOB={job}", *options.set]
    # Names new to each run: a resumed job's new workers add files beside the stopped ones'.
    run_id = uuid.uuid4().hex[:6]
    workers = [
        subprocess.Popen(
            worker_command(options.spider, folder, f"w{n}-{run_id}", settings,
                           tuple(options.argument)), env=env
        )
        for n in range(1, options.workers + 1)
    ]
    codes = [worker.wait() for worker in workers]
    merged = merge_outputs(folder, dedup.options, dedup.decisions)
    print(f"{options.workers} workers of job {job} exited with {codes}; merged "
          f"{merged.articles} articles ({merged.duplicates} duplicate lines dropped) and "
          f"{merged.rejects} rejects into {folder}")
    return max(codes)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed",
                                     description="Distributed crawls sharing a Redis frontier.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start N workers of one job and merge their outputs")
    run.add_argument("spider")
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--job", help="CRAWL_JOB (default: the spider name)")
    run.add_argument("--redis", default=os.environ.get(REDIS_URL_ENV, "redis://127.0.0.1:6379"))
    run.add_argument("--output", type=Path, help="default: output/<spider>/<job>")
    run.add_argument("-a", "--argument", action="append", default=[], metavar="NAME=VALUE",
                     help="a spider argument, as scrapy crawl -a (files=… for warc)")
    merge = commands.add_parser("merge", help="merge the per-worker files of a job folder")
    merge.add_argument("folder", type=Path)
    for command in (run, merge):
        command.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                             help="a setting, as scrapy crawl -s (the merge clusters with it)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    try:
        dedup = job_dedup(options.set)
        if options.command == "run":
            return run_workers(options, dedup)
        if not options.folder.is_dir():
            raise FileNotFoundError(f"no such job folder: {options.folder}")
        merged = merge_outputs(options.folder, dedup.options, dedup.decisions)
    except (SettingsError, ValueError, OSError) as exc:  # DecisionsError is a ValueError
        print(f"Error: {exc}", file=sys.stderr)
        return USAGE_EXIT_CODE
    print(f"{merged.articles} articles ({merged.duplicates} duplicate lines dropped), "
          f"{merged.rejects} rejects")
    return 0


if __name__ == "__main__":
    sys.exit(main())
