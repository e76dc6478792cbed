"""One job's output from its workers' files: `articles.jsonl`, `rejects.jsonl`, `summary.json`
and the cluster report (`report/`) in the job folder, clustered with the job's dedup options."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.dedup.index import DedupIndex
from crawler.dedup.jsonl import cluster_jsonl
from crawler.files import read_jsonl, replace_atomically, write_json_atomically
from crawler.report import build_clusters, write_report

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator
    from pathlib import Path

    from crawler.dedup import DedupOptions
    from crawler.dedup.decisions import Decisions

WORKER_FILES = ("articles-*.jsonl", "rejects-*.jsonl", "summary-*.json")


@dataclass(frozen=True)
class MergeResult:
    articles: int
    duplicates: int
    rejects: int


def read_lines(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        yield from read_jsonl(path)


def write_lines(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    with replace_atomically(path) as out:
        for row in rows:
            out.write((json.dumps(row, ensure_ascii=False) + "\n").encode("utf-8", "replace"))


def merge_outputs(folder: Path, options: DedupOptions,
                  decisions: Decisions | None = None) -> MergeResult:
    """Merges the per-worker files of a job folder: one line per page URL (first kept), page
    counts summed (a killed worker writes no summary: its pages are counted by the workers that
    crawled them again), articles clustered with `options`, the job's (`run -s DEDUP_…`), under
    a reviewer's `decisions` (`-s DEDUP_DECISIONS=…`) as the embedded crawl applies them. Each
    file is replaced whole, so a failed merge leaves the previous one."""
    articles: dict[str, dict[str, Any]] = {}
    duplicates = 0
    for article in read_lines(sorted(folder.glob("articles-*.jsonl"))):
        if article["url"] in articles:
            duplicates += 1
        else:
            articles[article["url"]] = article
    # A page in flight when its worker was killed is crawled again: its reject may be listed twice.
    rejects = {row["url"]: row for row in read_lines(sorted(folder.glob("rejects-*.jsonl")))}
    # `warc`: the records of web archives (`scrapy crawl warc`), each archive read by one worker.
    totals: dict[str, dict[str, int]] = {"pages": {}, "discovery": {}, "warc": {}}
    for worker_summary in sorted(folder.glob("summary-*.json")):
        counts = json.loads(worker_summary.read_text(encoding="utf-8"))
        for section, sums in totals.items():
            for key, value in counts.get(section, {}).items():
                sums[key] = sums.get(key, 0) + value
    # Each worker clustered only its own articles: the copy and event clusters over all of
    # them are those `scrapy cluster` and the embedded crawl give (they do not depend on order).
    unclustered = folder / f".articles-merged.{uuid.uuid4().hex[:8]}.jsonl"
    try:
        write_lines(unclustered, articles.values())
        index = DedupIndex(options)
        index.decisions = decisions
        cluster_jsonl(unclustered, folder / "articles.jsonl", options, index=index)
    finally:
        unclustered.unlink(missing_ok=True)
    write_lines(folder / "rejects.jsonl", rejects.values())
    summary = {section: dict(sorted(sums.items())) for section, sums in totals.items()
               if sums or section != "warc"}
    write_json_atomically(folder / "summary.json", summary)
    # The report of the whole job (a worker writes none: it saw only its own articles).
    records = list(read_jsonl(folder / "articles.jsonl"))
    write_report(folder / "report", records, build_clusters(records), summary)
    return MergeResult(len(articles), duplicates, len(rejects))


def remove_worker_files(folder: Path) -> None:
    for pattern in WORKER_FILES:
        for path in folder.glob(pattern):
            path.unlink()
