"""`python -m crawler.report ARTICLES.jsonl DIR [--summary summary.json] [--rejects
rejects.jsonl] [--decisions FILE]`: the report of records that already carry cluster ids,
without Scrapy (the `scrapy cluster` command does the same after clustering).

Each article's explanation is computed over the records of the file with the default dedup
options (the `DEDUP_*` settings are Scrapy's; `scrapy cluster --report` uses the ones given)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.decisions import DecisionsError, read_decisions
from crawler.files import read_jsonl
from crawler.report import build_clusters, progress_printer, terminal_summary, write_report
from crawler.report.explained import explain_records


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.report", description=__doc__)
    parser.add_argument("articles", type=Path, help="JSON lines with copy/event cluster ids")
    parser.add_argument("directory", type=Path, help="where clusters.json and report.html go")
    parser.add_argument("--summary", type=Path, help="the crawl's summary.json")
    parser.add_argument("--rejects", type=Path,
                        help="the crawl's rejects.jsonl: its pages listed by reason")
    parser.add_argument("--decisions", type=Path,
                        help="the decisions file the clustering applied: kept in the one the "
                             "page saves")
    parser.add_argument("--top", type=int, default=10, help="largest clusters to list")
    args = parser.parse_args(argv)
    try:
        records = list(read_jsonl(args.articles))
        crawl = json.loads(args.summary.read_text(encoding="utf-8")) if args.summary else None
        rejects = list(read_jsonl(args.rejects)) if args.rejects else None
        decisions = read_decisions(args.decisions) if args.decisions else None
    except DecisionsError as exc:
        print(f"python -m crawler.report: {exc}", file=sys.stderr)
        return 2
    except (OSError, ValueError) as exc:  # missing, unreadable, not JSON (lines)
        print(f"python -m crawler.report: cannot read the input: {exc}", file=sys.stderr)
        return 2
    progress = progress_printer(sys.stderr)
    index = DedupIndex(DedupOptions())
    index.add_many(_documents(records))
    explained = explain_records(records, index)
    document = build_clusters(records, explained.similarities, progress=progress,
                              explanations=explained.by_url)
    paths = write_report(args.directory, records, document, crawl, progress=progress,
                         rejects=rejects, decisions=decisions)
    print(terminal_summary(document, top=args.top, crawl_summary=crawl))
    print(f"\nreport: {paths.report_html}\nclusters: {paths.clusters_json}")
    return 0


def _documents(records: Iterable[Mapping[str, Any]]) -> Iterator[Document]:
    """The records the dedup index takes, each key once (as the report reads them)."""
    seen: set[str] = set()
    for record in records:
        try:
            doc = Document.from_record(record)
        except ValueError:
            continue
        if doc.key not in seen:
            seen.add(doc.key)
            yield doc


if __name__ == "__main__":
    sys.exit(main())
