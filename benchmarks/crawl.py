"""Crawl throughput against its floor: `extract_article` in a plain loop over the same pages.

    python benchmarks/crawl.py [--rounds 5] [--copies 4]

Each round runs `scrapy crawl all` offline in a subprocess, then, in a fresh subprocess too,
calls `extract_article` on the same article pages in a loop, read from disk as the crawl reads
them. Both are timed from their first page to their last (the crawl from its own stats: spider
open to close), so interpreter start-up, imports and the extractor's one-time warm-up
(trafilatura's stop lists, paid before the first page) are left out of both: the figures are
steady-state pages per second. Rounds alternate so that both sides see the same machine load;
the best round of each is compared. The crawl must reach 0.9x the loop: Scrapy, the offline
handler and the pipelines may cost under 10%.

The fixture sites alone are a crawl of a few tenths of a second, in which a moment of other work
on a shared machine moves the rate by a fifth and the crawl's fixed costs (finding the first
article pages through the listings, clustering at the end) weigh more than in any real crawl.
So by default each article page is also served under `--copies` more URLs, as republications
that name themselves as canonical (`benchmarks/copies.py`): every copy is an article of its own,
extracted, validated, clustered (as a copy of the original) and written like the original.
`--copies 0` crawls the fixture sites as they are.

On a shared machine a burst of other work can slow every round of one side, so the median of the
ratios of back-to-back rounds (crawl round k against loop round k) is printed too: a figure that
one unlucky side cannot move much.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from copies import copied_site

from crawler.extract import extract_article
from crawler.workers.pages import warm_up

PROJECT_ROOT = Path(__file__).resolve().parent.parent

TARGET_RATIO = 0.9


@dataclass(frozen=True)
class Round:
    pages: int
    seconds: float

    @property
    def pages_per_second(self) -> float:
        return self.pages / self.seconds


def article_pages(manifest_path: Path) -> list[tuple[str, Path]]:
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    return [
        (page["url"], manifest_path.parent / page["file"])
        for page in manifest["pages"]
        if page.get("kind") == "article"
    ]


def crawl_round(workdir: Path, manifest_path: Path) -> Round:
    stats_file = workdir / "stats.json"
    command = [
        sys.executable, "-m", "scrapy", "crawl", "all", "-O", str(workdir / "articles.jsonl"),
        "-s", f"OFFLINE_FIXTURES={manifest_path}",
        "-s", f"REJECTS_FILE={workdir / 'rejects.jsonl'}",
        "-s", f"CRAWL_SUMMARY_FILE={workdir / 'summary.json'}",
        "-s", "LOG_LEVEL=WARNING",
        # The dedup pipeline runs (it is part of the crawl's cost) on an in-memory index, so the
        # benchmark leaves the user's persisted index and report alone.
        "-s", "DEDUP_INDEX=", "-s", "CLUSTER_REPORT_DIR=",
        "-s", "STATS_CLASS=crawler.stats.JsonFileStatsCollector",
        "-s", f"STATS_FILE={stats_file}",
    ]
    subprocess.run(command, cwd=PROJECT_ROOT, check=True, capture_output=True)
    stats = json.loads(stats_file.read_text(encoding="utf-8"))
    started = datetime.fromisoformat(stats["start_time"])
    finished = datetime.fromisoformat(stats["finish_time"])
    pages = stats.get("pages/article", 0) + stats.get("pages/rejected", 0)
    return Round(pages, (finished - started).total_seconds())


def extraction_loop(manifest_path: Path) -> Round:
    pages = article_pages(manifest_path)
    warm_up()
    started = time.perf_counter()
    for url, path in pages:
        extract_article(path.read_bytes(), url)
    return Round(len(pages), time.perf_counter() - started)


def loop_round(manifest_path: Path) -> Round:
    command = [sys.executable, __file__, "--loop-only", "--manifest", str(manifest_path)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)
    timing = json.loads(done.stdout)
    return Round(timing["pages"], timing["seconds"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--copies", type=int, default=4,
                        help="more URLs per article page (republications); 0: the fixture sites")
    parser.add_argument("--manifest", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--loop-only", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.loop_only:
        loop = extraction_loop(options.manifest)
        print(json.dumps({"pages": loop.pages, "seconds": loop.seconds}))
        return
    crawls: list[Round] = []
    loops: list[Round] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        manifest = (copied_site(folder, options.copies, republished=True) if options.copies
                    else PROJECT_ROOT / "fixtures" / "manifest.json")
        for _ in range(options.rounds):
            crawls.append(crawl_round(folder, manifest))
            loops.append(loop_round(manifest))
            if crawls[-1].pages != loops[-1].pages:
                raise SystemExit(f"the crawl took {crawls[-1].pages} article pages, the loop "
                                 f"{loops[-1].pages}: not the same pages")
    crawl = max(crawls, key=lambda r: r.pages_per_second)
    loop = max(loops, key=lambda r: r.pages_per_second)
    ratio = crawl.pages_per_second / loop.pages_per_second
    print(f"{'run':<34}{'pages':>7}{'seconds':>9}{'pages/s':>9}")
    print(f"{'scrapy crawl all (offline)':<34}{crawl.pages:>7}{crawl.seconds:>9.2f}"
          f"{crawl.pages_per_second:>9.1f}")
    print(f"{'extract_article loop':<34}{loop.pages:>7}{loop.seconds:>9.2f}"
          f"{loop.pages_per_second:>9.1f}")
    verdict = "meets" if ratio >= TARGET_RATIO else "misses"
    print(f"crawl / loop = {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target; best of "
          f"{options.rounds} rounds each; {options.copies} copies per article page)")
    paired = [c.pages_per_second / lp.pages_per_second for c, lp in zip(crawls, loops, strict=True)]
    print(f"back-to-back rounds: median {statistics.median(paired):.2f}x "
          f"({' '.join(f'{r:.2f}' for r in paired)})")


if __name__ == "__main__":
    main()
