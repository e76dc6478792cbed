"""`scrapy cluster IN.jsonl -o OUT.jsonl`: add copy and event cluster ids to article records.

Thresholds and features come from the `DEDUP_*` settings (see `crawler.dedup.DedupOptions` for
each one and its default), read once here and handed to `crawler.dedup` as a plain dataclass.
With `--index PATH` (`--index` alone: the crawl's, `DEDUP_INDEX`) the records are clustered with
an index persisted by earlier runs or crawls, and the index is saved back; `--reset-index` (or
`DEDUP_RESET`) starts it afresh. With `--report DIR` it also writes the cluster report
(`clusters.json`, `report.html`, each article with the dedup's explanation) there and prints a
table of the largest clusters. `--explain URL` prints why an article is in its copy and event
cluster. `--decisions FILE` (or `DEDUP_DECISIONS`) applies a reviewer's decisions, saved from
the report, as must-link and cannot-link constraints (`crawler.dedup.decisions`).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from crawler.checks import SettingsError, check_settings
from crawler.command import ProjectCommand
from crawler.dedup import DedupIndex, DedupOptions, IndexMismatchError, IndexUnreadable
from crawler.dedup.decisions import Decisions, DecisionsError, read_decisions
from crawler.dedup.jsonl import ClusterReport, NoRecords, cluster_jsonl
from crawler.files import read_jsonl
from crawler.report import build_clusters, progress_printer, terminal_summary, write_report
from crawler.report.explained import Explained, explain_records, explanation_text

SKIPS_SHOWN = 20
"""Skipped input lines listed one by one; the rest are counted."""


class Command(ProjectCommand):
    usage = ("IN.jsonl -o OUT.jsonl [--index PATH] [--reset-index] [--report DIR] "
             "[--decisions FILE] [--explain URL]")
    summary = "Add copy_cluster and event_cluster to a JSONL file of article records"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="FILE", help="JSONL file to write")
        parser.add_argument("--index", metavar="PATH", nargs="?", const="",
                            help="persisted dedup index to join (alone: the crawl's, DEDUP_INDEX)")
        parser.add_argument("--reset-index", action="store_true",
                            help="ignore the existing index at PATH and start a new one")
        parser.add_argument("--report", metavar="DIR",
                            help="write clusters.json and report.html to DIR")
        parser.add_argument("--decisions", metavar="FILE",
                            help="apply a reviewer's decisions file, saved from report.html "
                                 "(default: DEDUP_DECISIONS)")
        parser.add_argument("--explain", metavar="URL", action="append", default=[],
                            help="print why the article URL is in its clusters (repeatable)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or not opts.output:
            raise UsageError("expected one input file and -o OUT.jsonl")
        assert self.settings is not None
        src = Path(args[0])
        if not src.is_file():
            raise UsageError(f"no such file: {src}")
        try:
            check_settings(self.settings)
        except SettingsError as exc:
            self._fail(str(exc))
            return
        options = DedupOptions.from_settings(self.settings)
        index_path = opts.index if opts.index else (
            self.settings.get("DEDUP_INDEX") if opts.index == "" else None)
        reset = opts.reset_index or self.settings.getbool("DEDUP_RESET")
        decisions_path = opts.decisions or self.settings.get("DEDUP_DECISIONS") or ""
        try:
            decisions = read_decisions(decisions_path) if decisions_path else None
            index = (DedupIndex.open(index_path, options, reset=reset) if index_path
                     else DedupIndex(options))
            index.decisions = decisions
            report = cluster_jsonl(src, opts.output, options, index=index)
            if index_path:
                index.save(index_path)
        except DecisionsError as exc:
            self._fail(str(exc))
            return
        except (IndexMismatchError, IndexUnreadable) as exc:
            self._fail(f"{exc}: rerun with --reset-index to start a new index")
            return
        except NoRecords as exc:
            self._fail(f"{exc}; {opts.output} was not written")
            return
        except OSError as exc:  # a full disk, a folder that cannot be written
            self._fail(f"cannot write the output ({exc}); earlier files were left as they were")
            return
        self._print(report, opts.output)
        if not (decisions or opts.report or opts.explain):
            return
        assignments = index.assignments()
        if decisions:
            print(decisions.verify(assignments).line())
        if opts.report or opts.explain:
            records = list(read_jsonl(Path(opts.output)))
            explained = explain_records(records, index, assignments)
            if opts.explain:
                self._explain(records, explained, opts.explain, opts.output)
            if opts.report:
                self._report(records, explained, Path(opts.report), decisions)

    def _fail(self, message: str) -> None:
        print(f"scrapy cluster: {message}", file=sys.stderr)
        self.exitcode = 1

    def _explain(self, records: list[dict], explained: Explained, urls: list[str],
                 output: str) -> None:
        titles = {str(r.get("url")): str(r.get("title") or "") for r in records}
        by_url = {str(r.get("url")): r for r in records}
        for url in urls:
            if url not in explained.by_url:
                self._fail(f"--explain: no article {url} in {output}")
                continue
            print(explanation_text(by_url[url], explained.by_url[url], titles), end="\n\n")

    def _report(self, records: list[dict], explained: Explained, directory: Path,
                decisions: Decisions | None) -> None:
        progress = progress_printer(sys.stderr)
        document = build_clusters(records, explained.similarities, progress=progress,
                                  explanations=explained.by_url)
        paths = write_report(directory, records, document, progress=progress,
                             decisions=decisions)
        print(terminal_summary(document))
        print(f"report: {paths.report_html}")

    def _print(self, report: ClusterReport, output: str) -> None:
        for number, reason in report.skipped[:SKIPS_SHOWN]:
            print(f"line {number}: skipped, {reason}", file=sys.stderr)
        if len(report.skipped) > SKIPS_SHOWN:
            print(f"… and {len(report.skipped) - SKIPS_SHOWN} more lines skipped",
                  file=sys.stderr)
        print(f"{report.records} records -> {output}: {report.copy_clusters} copy clusters, "
              f"{report.event_clusters} event clusters, {len(report.skipped)} lines skipped")
