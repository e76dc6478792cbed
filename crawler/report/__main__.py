"""`python -m crawler.report ARTICLES.jsonl DIR [--summary summary.json]`: the report of records
that already carry cluster ids, without Scrapy (the `scrapy cluster` command does the same after
clustering)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from crawler.files import read_jsonl
from crawler.report import build_clusters, progress_printer, terminal_summary, write_report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m crawler.report", description=__doc__)
    parser.add_argument("articles", type=Path, help="JSON lines with copy/event cluster ids")
    parser.add_argument("directory", type=Path, help="where clusters.json and report.html go")
    parser.add_argument("--summary", type=Path, help="the crawl's summary.json")
    parser.add_argument("--top", type=int, default=10, help="largest clusters to list")
    args = parser.parse_args(argv)
    try:
        records = list(read_jsonl(args.articles))
        crawl = json.loads(args.summary.read_text(encoding="utf-8")) if args.summary else None
    except (OSError, ValueError) as exc:  # missing, unreadable, not JSON (lines)
        print(f"python -m crawler.report: cannot read the input: {exc}", file=sys.stderr)
        return 2
    progress = progress_printer(sys.stderr)
    document = build_clusters(records, progress=progress)
    paths = write_report(args.directory, records, document, crawl, progress=progress)
    print(terminal_summary(document, top=args.top, crawl_summary=crawl))
    print(f"\nreport: {paths.report_html}\nclusters: {paths.clusters_json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
