"""`scrapy cluster IN.jsonl -o OUT.jsonl`: add copy and event cluster ids to article records.

Thresholds and features come from the `DEDUP_*` settings (see `crawler.dedup.DedupOptions` for
each one and its default), read once here and handed to `crawler.dedup` as a plain dataclass.
With `--index PATH` (`--index` alone: the crawl's, `DEDUP_INDEX`) the records are clustered with
an index persisted by earlier runs or crawls, and the index is saved back; `--reset-index` (or
`DEDUP_RESET`) starts it afresh. With `--report DIR` it also writes the cluster report
(`clusters.json`, `report.html`) there and prints a table of the largest clusters.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from crawler.checks import SettingsError, check_settings
from crawler.command import ProjectCommand
from crawler.dedup import DedupIndex, DedupOptions, IndexMismatchError, IndexUnreadable
from crawler.dedup.jsonl import ClusterReport, NoRecords, cluster_jsonl
from crawler.files import read_jsonl
from crawler.report import build_clusters, progress_printer, terminal_summary, write_report

SKIPS_SHOWN = 20
"""Skipped input lines listed one by one; the rest are counted."""


class Command(ProjectCommand):
    usage = "IN.jsonl -o OUT.jsonl [--index PATH] [--reset-index] [--report DIR]"
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
        try:
            index = DedupIndex.open(index_path, options, reset=reset) if index_path else None
            report = cluster_jsonl(src, opts.output, options, index=index)
            if index is not None and index_path:
                index.save(index_path)
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
        if opts.report:
            self._report(Path(opts.output), Path(opts.report))

    def _fail(self, message: str) -> None:
        print(f"scrapy cluster: {message}", file=sys.stderr)
        self.exitcode = 1

    def _report(self, clustered: Path, directory: Path) -> None:
        progress = progress_printer(sys.stderr)
        records = list(read_jsonl(clustered))
        document = build_clusters(records, progress=progress)
        paths = write_report(directory, records, document, progress=progress)
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
