"""Distributed crawl throughput: one worker against two workers sharing a Redis frontier.

    python benchmarks/distributed.py [--copies 12] [--rounds 2] [--redis redis://127.0.0.1:6379/0]

The saved fixture crawl is small (about 110 pages), too short for a stable rate. So the benchmark
crawls a larger offline site built in a temporary folder (`benchmarks/copies.py`): each article
page is also served under `--copies` extra URLs, second addresses of it linked from each family's
start page.

Three runs, in one process, on the same pages: the embedded default (no Redis), one distributed
worker, and two distributed workers started together (`scrapy crawl all` each, separate
processes), each with `EXTRACT_PROCESSES=0` (extraction inline: one core per crawl process) and
the dedup index in memory. Pages per second come from the crawls' own stats: pages requested
over the span from the first worker's open to the last worker's close, so interpreter start-up
is left out. Workers
close as soon as the job is drained (`MAX_IDLE_TIME_BEFORE_CLOSE=0`). Target: two workers reach
1.6x one worker on a 2-core machine (the work is CPU-bound extraction).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import redis
from copies import copied_site

from crawler.distributed import JobKeys

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TARGET_RATIO = 1.6


@dataclass(frozen=True)
class Run:
    label: str
    pages: int
    seconds: float
    cpu_seconds: float
    """User + system time of the crawl processes (with start-up), to show how many cores they
    got: on a shared machine two workers may not get two."""

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def crawl_command(folder: Path, name: str, manifest: Path, settings: list[str]) -> list[str]:
    command = [
        sys.executable, "-m", "scrapy", "crawl", "all", "-O", str(folder / f"{name}.jsonl"),
        "-s", f"OFFLINE_FIXTURES={manifest}",
        "-s", f"REJECTS_FILE={folder / f'rejects-{name}.jsonl'}",
        "-s", f"CRAWL_SUMMARY_FILE={folder / f'summary-{name}.json'}",
        "-s", "LOG_LEVEL=WARNING",
        "-s", "STATS_CLASS=crawler.stats.JsonFileStatsCollector",
        "-s", f"STATS_FILE={folder / f'stats-{name}.json'}",
        # One core per crawl process, so that one worker against two measures the frontier
        # (the default extraction process beside each crawl would give one worker both cores).
        "-s", "EXTRACT_PROCESSES=0",
        "-s", "DEDUP_INDEX=", "-s", "CLUSTER_REPORT_DIR=",
    ]
    for setting in settings:
        command += ["-s", setting]
    return command


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(label: str, folder: Path, commands: dict[str, list[str]], env: dict[str, str]) -> Run:
    cpu_before = children_cpu_seconds()
    # Logs go to files: a worker blocked on a full stderr pipe would stall the whole job.
    logs = {name: folder / f"log-{name}.txt" for name in commands}
    processes = {
        name: subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=subprocess.DEVNULL,
                               stderr=logs[name].open("w"))
        for name, command in commands.items()
    }
    for name, process in processes.items():
        if process.wait():
            tail = logs[name].read_text(errors="replace")[-3000:]
            raise SystemExit(f"{label}: crawl {name} failed:\n{tail}")
    stats = [json.loads((folder / f"stats-{name}.json").read_text()) for name in commands]
    started = min(datetime.fromisoformat(s["start_time"]) for s in stats)
    finished = max(datetime.fromisoformat(s["finish_time"]) for s in stats)
    pages = sum(s.get("pages/requested", 0) for s in stats)
    cpu = children_cpu_seconds() - cpu_before
    return Run(label, pages, (finished - started).total_seconds(), cpu)


def distributed_run(workers: int, folder: Path, manifest: Path, url: str) -> Run:
    job = f"bench-{uuid.uuid4().hex[:8]}"
    settings = [f"CRAWL_JOB={job}", "MAX_IDLE_TIME_BEFORE_CLOSE=0"]
    commands = {
        f"w{n}": crawl_command(folder, f"w{n}", manifest, [*settings, f"CRAWL_WORKER=w{n}"])
        for n in range(1, workers + 1)
    }
    env = {**os.environ, "CRAWLER_REDIS_URL": url}
    try:
        return measure(f"{workers} worker{'s' * (workers > 1)} (Redis frontier)", folder,
                       commands, env)
    finally:
        server = redis.Redis.from_url(url)
        server.delete(*JobKeys.for_job(job).all())


def embedded_run(folder: Path, manifest: Path) -> Run:
    env = {k: v for k, v in os.environ.items() if k != "CRAWLER_REDIS_URL"}
    command = crawl_command(folder, "embedded", manifest, [])
    return measure("embedded (no Redis)", folder, {"embedded": command}, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=12, help="extra URLs per article page")
    parser.add_argument("--rounds", type=int, default=2, help="best of this many runs each")
    parser.add_argument("--redis", default=os.environ.get("CRAWLER_REDIS_URL",
                                                          "redis://127.0.0.1:6379/0"))
    options = parser.parse_args()
    load = os.getloadavg()[0]  # other work on the machine takes cores from the workers
    runs: dict[str, list[Run]] = {"embedded": [], "one": [], "two": []}
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest = copied_site(folder, options.copies)
        for _ in range(options.rounds):  # alternating, so that all see the same machine load
            runs["embedded"].append(embedded_run(folder, manifest))
            runs["one"].append(distributed_run(1, folder, manifest, options.redis))
            runs["two"].append(distributed_run(2, folder, manifest, options.redis))
    best = {key: max(found, key=lambda r: r.pages_per_second) for key, found in runs.items()}
    print(f"{'run':<34}{'pages':>7}{'seconds':>9}{'pages/s':>9}{'cpu s':>8}")
    for run in best.values():
        print(f"{run.label:<34}{run.pages:>7}{run.seconds:>9.2f}{run.pages_per_second:>9.1f}"
              f"{run.cpu_seconds:>8.1f}")
    ratio = best["two"].pages_per_second / best["one"].pages_per_second
    overhead = best["one"].pages_per_second / best["embedded"].pages_per_second
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"2 workers / 1 worker = {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target; "
          f"{os.cpu_count()} CPUs); 1 worker / embedded = {overhead:.2f}x; "
          f"best of {options.rounds} round(s) each, {options.copies} copies per article page; "
          f"load average before {load:.1f}")


if __name__ == "__main__":
    main()
