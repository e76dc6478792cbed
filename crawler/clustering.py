"""A crawl's dedup index and its end: the `CrawlClusters` extension.

`ClusterArticlesPipeline` gives each article its provisional ids from the index this extension
holds; at the end of the crawl the extension clusters the whole index again (`assignments`,
independent of the order articles came in), saves the index for the next crawl
(`DEDUP_INDEX`, written atomically), rewrites the ids that changed in the crawl's local
JSON-lines feeds once the feed exporter has closed them, and writes the cluster report
(`CLUSTER_REPORT_DIR`: `clusters.json`, `report.html`) from the finished feed, each article with
the dedup's explanation, and the crawl's rejects (`REJECTS_FILE`) listed.

A reviewer's decisions (`DEDUP_DECISIONS`, saved from an earlier report) constrain the final
clustering: the index applies them (`crawler.dedup.decisions`), and the crawl logs and counts
what became of each (`dedup/decisions/…`).

The index is opened when the pipeline opens (`open`), so a crawl without the cluster pipeline
neither reads nor rewrites it.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.extensions.feedexport import FileFeedStorage

from crawler.accounting import crawl_summary
from crawler.checks import exit_with
from crawler.compat import engine_scheduler
from crawler.dedup import Assignment, DedupIndex, DedupOptions, IndexMismatchError, IndexUnreadable
from crawler.dedup.decisions import Decisions, DecisionsError, decisions_setting
from crawler.dedup.shared import storage_config
from crawler.dedup.shared_records import check_format
from crawler.feeds import REWRITABLE, rewrite_feed
from crawler.files import read_jsonl
from crawler.report import build_clusters, terminal_summary, write_report
from crawler.report.explained import explain_records

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class CrawlClusters:
    """Scrapy extension: the crawl's dedup index, and the clustering work at its end (see the
    module docstring)."""

    def __init__(self, crawler: Crawler, options: DedupOptions, index_path: str, reset: bool,
                 report_dir: str, storage: dict[str, Any] | None = None,
                 decisions: Decisions | None = None) -> None:
        self.crawler = crawler
        self.options = options
        self.index_path = index_path
        self.reset = reset
        self.report_dir = report_dir
        self.storage = storage
        self.decisions = decisions
        self.index = DedupIndex(options, storage)
        """In memory, or on Redis (`storage`); `open` loads `index_path` if given."""
        self.index.decisions = decisions
        self.opened = False
        self.given: dict[str, tuple[str, str]] = {}
        """URL -> the provisional ids given to each article of this crawl."""
        self.final: dict[str, Assignment] | None = None
        self.feeds: list[tuple[Path, str]] = []  # local feed files and their formats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        storage = None
        if settings.getbool("DEDUP_SHARED_INDEX") and settings.get("REDIS_URL"):
            # Distributed mode: every worker's provisional ids come from one index in Redis.
            job = settings.get("CRAWL_JOB") or crawler.spidercls.name
            storage = storage_config(settings["REDIS_URL"], job)
            # refused before the worker joins the job, unless the job is to be flushed (its
            # index goes with it); a job a live worker keeps from flushing is refused when the
            # pipeline opens the index (`open`)
            if not settings.getbool("SCHEDULER_FLUSH_ON_START"):
                try:
                    check_format(storage)
                except IndexMismatchError as exc:
                    exit_with(str(exc))
        try:
            decisions = decisions_setting(settings)
        except DecisionsError as exc:
            exit_with(str(exc))
        extension = cls(
            crawler,
            DedupOptions.from_settings(settings),
            settings.get("DEDUP_INDEX") or "",
            settings.getbool("DEDUP_RESET"),
            settings.get("CLUSTER_REPORT_DIR") or "",
            storage,
            decisions,
        )
        # A persisted index is read now, before the engine opens anything: an unreadable one
        # ends the crawl in one line, with no feed, summary or report of an empty crawl over the
        # last good ones. (A shared index on Redis waits for the pipeline: an unreachable
        # server is the scheduler's to report.)
        if extension.index_path:
            try:
                extension.open()
            except (IndexMismatchError, IndexUnreadable) as exc:
                exit_with(str(exc))
        crawler.signals.connect(extension.finish, signals.spider_closed)
        crawler.signals.connect(extension.feed_slot_closed, signals.feed_slot_closed)
        crawler.signals.connect(extension.feed_exporter_closed, signals.feed_exporter_closed)
        return extension

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # typing: set for every running crawler
        return self.crawler.stats

    def open(self) -> None:
        """Read the persisted index (unless `DEDUP_RESET`) and build its query structures, so
        the first article does not pay for them."""
        if self.opened:
            return
        self.opened = True
        if self.index_path:
            try:
                self.index = DedupIndex.open(self.index_path, self.options, reset=self.reset,
                                             storage_config=self.storage)
            except (IndexMismatchError, IndexUnreadable) as exc:
                raise type(exc)(
                    f"{exc}. Rerun with -s DEDUP_RESET=1 to start a new dedup index"
                ) from exc
            self.index.decisions = self.decisions
            logger.info("Dedup index %s holds %d articles", self.index_path, len(self.index))
        try:
            self.index.prepare()
        except IndexMismatchError as exc:
            # a shared index on Redis is first read here, once the scheduler has flushed the
            # job if asked to: one line and the exit code of a refused index, before any page
            logger.critical("%s", exc)
            # the worker has joined its job: it leaves it, so that a flush can start the job
            # afresh at once rather than after this worker's heartbeat expires
            scheduler = engine_scheduler(self.crawler)
            if scheduler is not None:
                scheduler.close("shutdown")
            raise SystemExit(2) from exc

    def given_ids(self, url: str, assignment: Assignment) -> None:
        """Note the provisional ids the pipeline gave an article of this crawl."""
        self.given[url] = (assignment.copy_cluster, assignment.event_cluster)

    def finish(self) -> None:
        """The final clustering, its stats, and the index saved (once, whichever signal comes
        first: the feed exporter may close before or after this extension hears the spider
        close)."""
        if not self.opened or self.final is not None:
            return
        self.final = final = self.index.assignments()
        revised = sum(1 for url, ids in self.given.items()
                      if (final[url].copy_cluster, final[url].event_cluster) != ids)
        self.stats.set_value("dedup/articles", len(self.given))
        self.stats.set_value("dedup/revised", revised)
        self.stats.set_value("dedup/event_clusters",
                             len({final[url].event_cluster for url in self.given}))
        if self.decisions:
            outcome = self.decisions.verify(final)
            for status in ("obeyed", "stale", "replaced", "not obeyable"):
                self.stats.set_value(f"dedup/decisions/{status.replace(' ', '-')}",
                                     outcome.count(status))
            logger.info("Dedup %s", outcome.line())
        if self.index_path:
            self.index.save(self.index_path)
            logger.info("Saved dedup index (%d articles) to %s", len(self.index), self.index_path)

    def feed_slot_closed(self, slot: Any) -> None:
        if isinstance(slot.storage, FileFeedStorage) and slot.format in REWRITABLE:
            self.feeds.append((Path(slot.storage.path), slot.format))

    def feed_exporter_closed(self) -> None:
        self.finish()
        if self.final is None:
            return
        final = self.final
        updates = {
            url: {"copy_cluster": a.copy_cluster, "event_cluster": a.event_cluster}
            for url, ids in self.given.items()
            if ((a := final[url]).copy_cluster, a.event_cluster) != ids
        }
        for feed, feed_format in self.feeds:
            changed = rewrite_feed(feed, feed_format, updates)
            logger.info("Final cluster ids of %d articles rewritten in %s", changed, feed)
        if updates and not self.feeds:
            logger.warning(
                "%d articles got other cluster ids at the end of the crawl, and no local feed "
                "file could be rewritten (a remote feed, or a format other than %s): their "
                "final ids are in the dedup index (DEDUP_INDEX)", len(updates), ", ".join(
                    REWRITABLE))
        if self.report_dir:
            self.write_report()

    def write_report(self) -> None:
        lines = [feed for feed, feed_format in self.feeds if feed_format in ("jsonlines", "jsonl")]
        if not lines:
            logger.warning("No local JSON-lines feed: no cluster report written")
            return
        spider = self.crawler.spider
        directory = Path(self.report_dir % {"name": spider.name if spider else "crawl"})
        records = list(read_jsonl(lines[0]))
        explained = explain_records(records, self.index, self.final)
        document = build_clusters(records, explained.similarities,
                                  explanations=explained.by_url)
        paths = write_report(directory, records, document, crawl_summary(self.stats.get_stats()),
                             rejects=self.rejects(), decisions=self.decisions)
        logger.info(
            "Cluster report: %s\n%s", paths.report_html, terminal_summary(document, top=5)
        )

    def rejects(self) -> list[dict[str, Any]] | None:
        """The lines of this crawl's rejects file, listed in the report (None without one).
        The accounting writes each line as it is known, so the file is whole by now."""
        template = self.crawler.settings.get("REJECTS_FILE") or ""
        spider = self.crawler.spider
        if not template:
            return None
        path = Path(template % {"name": spider.name if spider else "crawl"})
        try:
            return list(read_jsonl(path))
        except (OSError, ValueError) as exc:
            logger.warning("The report lists no rejects: %s is unreadable (%s)", path, exc)
            return None
