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

`scrapy cluster --index PATH --current-ids FILE [--rewrite OLD.jsonl ...] [--event-log LOG]`
clusters what the index holds and writes every article's current ids (events keep their ids
as they grow, `crawler.dedup.ids`), gives earlier output files those ids in place, and writes
the log of event merges and splits; no input file is needed.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scrapy.exceptions import UsageError

from crawler.checks import SettingsError, check_settings
from crawler.command import ProjectCommand
from crawler.dedup import DedupIndex, DedupOptions, IndexMismatchError, IndexUnreadable
from crawler.dedup.current import rewrite_ids, write_current_ids, write_event_log
from crawler.dedup.decisions import Decisions, DecisionsError, decisions_setting, read_decisions
from crawler.dedup.jsonl import ClusterReport, NoRecords, cluster_jsonl
from crawler.files import read_jsonl
from crawler.report import build_clusters, progress_printer, terminal_summary, write_report
from crawler.report.explained import Explained, explain_records, explanation_text

SKIPS_SHOWN = 20
"""Skipped input lines listed one by one; the rest are counted."""


class Command(ProjectCommand):
    usage = ("IN.jsonl -o OUT.jsonl [--index PATH] [--reset-index] [--report DIR] "
             "[--decisions FILE] [--explain URL]\n"
             "       --index PATH --current-ids FILE [--rewrite OLD.jsonl ...] [--event-log LOG]")
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
        parser.add_argument("--current-ids", metavar="FILE",
                            help="write the current ids of every article the index holds")
        parser.add_argument("--rewrite", metavar="OLD", nargs="+", default=[],
                            help="earlier output files to give the current ids, in place")
        parser.add_argument("--event-log", metavar="FILE",
                            help="write the index's log of event merges and splits")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        index_path = opts.index if opts.index else (
            self.settings.get("DEDUP_INDEX") if opts.index == "" else None)
        if opts.current_ids or opts.rewrite or opts.event_log:
            if args or opts.output or not index_path:
                raise UsageError("--current-ids, --rewrite and --event-log take --index PATH "
                                 "and no input file")
            self._current(opts, index_path)
            return
        if len(args) != 1 or not opts.output:
            raise UsageError("expected one input file and -o OUT.jsonl")
        src = Path(args[0])
        if not src.is_file():
            raise UsageError(f"no such file: {src}")
        try:
            check_settings(self.settings)
        except SettingsError as exc:
            self._fail(str(exc))
            return
        options = DedupOptions.from_settings(self.settings)
        reset = opts.reset_index or self.settings.getbool("DEDUP_RESET")
        try:
            # the option's file, else the setting's (`decisions_setting`, as the crawl reads it)
            decisions = (read_decisions(opts.decisions) if opts.decisions
                         else decisions_setting(self.settings))
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

    def _current(self, opts: argparse.Namespace, index_path: str) -> None:
        """The current ids of the index at `index_path`, written and given to earlier files."""
        assert self.settings is not None
        missing = [f for f in opts.rewrite if not Path(f).is_file()]
        if missing:
            raise UsageError(f"no such file: {missing[0]}")
        if not Path(index_path).is_file():
            raise UsageError(f"no dedup index at {index_path}")
        try:
            index = DedupIndex.load(index_path, DedupOptions.from_settings(self.settings))
            assigned = index.assignments()
            index.save(index_path)  # the ids just given are the ones later runs keep
            if opts.current_ids:
                write_current_ids(opts.current_ids, assigned)
            for old in opts.rewrite:
                changed, unknown = rewrite_ids(Path(old), assigned)
                print(f"{old}: {changed} records given their current ids"
                      + (f", {unknown} not in the index" if unknown else ""))
            if opts.event_log:
                write_event_log(opts.event_log, index.event_log())
        except (IndexMismatchError, IndexUnreadable) as exc:
            self._fail(str(exc))
            return
        except OSError as exc:
            self._fail(f"cannot write ({exc}); earlier files were left as they were")
            return
        events = len({a.event_cluster for a in assigned.values()})
        print(f"{len(assigned)} articles in {events} events"
              + (f" -> {opts.current_ids}" if opts.current_ids else "")
              + f"; {len(index.event_log())} merges and splits logged")

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
