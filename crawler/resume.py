"""Resuming a killed crawl: `-s JOBDIR=DIR`, Scrapy's own setting, made safe against SIGKILL.

Scrapy keeps a job's state in JOBDIR as a request queue whose index (`active.json`) is written
when the crawl stops gracefully, and a dupefilter file (`requests.seen`) written as requests are
made. After a SIGKILL, an OOM kill or a power cut the queue comes back empty while
`requests.seen` still holds the listing pages, so a resumed crawl would never find the pages
those listings link to; and the feed written so far is cut off mid-line or overwritten.

Here a job's state is one append-only journal, `JOBDIR/pages.jsonl`: one line for each page
that reached its final outcome (an article with its whole record, or a reject, a miss, a skip
with its reason), written by `crawler.accounting` with a single write(2) as soon as the outcome
is known. A line is on disk in full or, killed mid-write, cut off; a cut-off last line is
dropped when the journal is read and cut away before it is appended to. A resumed crawl:

- counts the journal's pages again and lists its rejects again (`crawler.accounting`);
- sends its articles through the item pipelines again, ahead of the start requests
  (`ReplayJournal`), so the feeds, the dedup index (adding a URL again replaces it) and the
  report hold the whole job, as they would after an uninterrupted crawl;
- keeps their URLs out of the frontier (`JournalDupeFilter`) and crawls everything else again
  from the start pages: listing pages are read again, since only final outcomes are kept, and
  the links each finished page led to (kept with its outcome, `follow`) are requested again, for
  a page linked only from article pages the resumed run does not fetch.

The request queue is kept in memory (`JobScheduler`): Scrapy's disk queue would bring back, after
a graceful stop, requests that the listing pages read again also yield, and the page would be
fetched twice. A feed appended to (`-o`) is cut back to its size at the start of the job
(`JOBDIR/feeds.json`) before the articles are replayed into it, so it holds each article once.

The distributed mode (`REDIS_URL`) keeps its job in Redis instead and ignores JOBDIR.
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.core.scheduler import Scheduler
from scrapy.dupefilters import RFPDupeFilter

from crawler.checks import exit_with
from crawler.files import write_json_atomically
from crawler.items import Article
from crawler.journal import Journal, JournalContents

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.dupefilters import BaseDupeFilter
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

JOURNAL_NAME = "pages.jsonl"
FEED_SIZES_NAME = "feeds.json"


def journal_path(settings: BaseSettings) -> Path | None:
    """The job's journal, or None when the crawl is not a resumable job (no JOBDIR, or the
    distributed mode, whose job lives in Redis)."""
    if not settings.get("JOBDIR") or settings.get("REDIS_URL"):
        return None
    return Path(settings["JOBDIR"]) / JOURNAL_NAME


class ResumableJob:
    """Scrapy add-on: with `JOBDIR` set (and no Redis frontier), make the job resumable after a
    kill (see the module docstring). Sets its components at "addon" priority: settings.py and
    `-s` still win.

    The one owner of the job's journal: the components that write or read it
    (`crawler.accounting.PageAccounting`, `JournalDupeFilter`, `ReplayJournal`) get it from
    here (`job_of`), and the journal as the run found it is read once (`contents`)."""

    def __init__(self) -> None:
        self.journal: Journal | None = None
        """The job's journal; None when the crawl is no resumable job."""
        self.resuming = False
        """Whether an earlier run of the job left a journal (known before this run writes)."""
        self._contents: JournalContents | None = None

    def update_settings(self, settings: BaseSettings) -> None:
        path = journal_path(settings)
        if path is None:
            return
        self.journal = Journal(path)
        self.resuming = self.journal.exists()
        settings.set("SCHEDULER", f"{__name__}.{JobScheduler.__name__}", priority="addon")
        settings.set(
            "DUPEFILTER_CLASS", f"{__name__}.{JournalDupeFilter.__name__}", priority="addon"
        )
        # Before the spider's own middlewares see the start stream (low number = first out).
        settings.set_in_component_priority_dict("SPIDER_MIDDLEWARES", ReplayJournal, 10)

    def contents(self) -> JournalContents:
        """The journal as it was before this run appended to it, read once for the components
        that resume the job (the first asks before `PageAccounting` opens it for appending at
        `spider_opened`), until `forget`. Empty when the crawl is no resumable job."""
        if self._contents is None:
            self._contents = JournalContents() if self.journal is None else self.journal.read()
        return self._contents

    def forget(self) -> None:
        """Free what `contents` keeps (a journal may hold a million articles), once the last
        component that needs it is done."""
        self._contents = JournalContents()


def job_of(crawler: Crawler) -> ResumableJob:
    """The crawl's resumable job (`ResumableJob` add-on), or a job with no journal when the
    crawl has none."""
    return crawler.get_addon(ResumableJob) or ResumableJob()


class JobScheduler(Scheduler):
    """Scrapy's scheduler with its queue in memory even when JOBDIR is set (see the module
    docstring): the journal, not the queue, carries a job across restarts."""

    def __init__(
        self, dupefilter: BaseDupeFilter, jobdir: str | None = None, *args: Any, **kwargs: Any
    ) -> None:
        del jobdir  # Scheduler.from_crawler passes JOBDIR: no disk queue
        super().__init__(dupefilter, None, *args, **kwargs)


class JournalDupeFilter(RFPDupeFilter):
    """Scrapy's request dupefilter, seeded with every URL of the pages the job's journal holds,
    so a resumed crawl fetches none of them again. It keeps no `requests.seen`: that file also
    holds listing pages, which a resumed crawl must read again."""

    def __init__(self, path: str | None = None, debug: bool = False, **kwargs: Any) -> None:
        del path  # RFPDupeFilter.from_crawler passes JOBDIR: no requests.seen
        super().__init__(None, debug, **kwargs)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        dupefilter = super().from_crawler(crawler)
        for url in job_of(crawler).contents().urls:
            dupefilter.request_seen(Request(url))  # marks it seen
        return dupefilter


class ReplayJournal:
    """Spider middleware: a resumed job's articles, from its journal, go out again ahead of the
    spider's start requests (see the module docstring)."""

    def __init__(self, crawler: Crawler, job: ResumableJob) -> None:
        self.crawler = crawler
        self.job = job

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler, job_of(crawler))
        if middleware.job.journal is not None:
            # Built with the engine, before the feed exporter opens its files at spider_opened.
            middleware.settle_feeds(middleware.job.journal.path.with_name(FEED_SIZES_NAME))
        return middleware

    def settle_feeds(self, feed_sizes: Path) -> None:
        """On a job's first run, note the size of each feed file that is appended to; on a
        resumed run, cut each back to that size, so the replayed articles are not in it twice."""
        if not self.job.resuming:
            sizes = {
                str(path): path.stat().st_size if path.exists() else 0
                for path in appended_feed_paths(self.crawler)
            }
            write_json_atomically(feed_sizes, sizes)
            return
        if not feed_sizes.exists():
            return
        try:
            sizes = json.loads(feed_sizes.read_text(encoding="utf-8"))
            if not isinstance(sizes, dict) or not all(isinstance(n, int) for n in
                                                      sizes.values()):
                raise ValueError("not a map of file sizes")
        except (OSError, ValueError) as exc:
            exit_with(f"{feed_sizes} is unreadable ({exc}): the job cannot be resumed without "
                      "writing articles twice; start it afresh in another JOBDIR")
        for name, size in sizes.items():
            path = Path(name)
            if path.exists() and path.stat().st_size > size:
                logger.info("Resuming the job: cutting %s back to its %d bytes at its start",
                            path, size)
                os.truncate(path, size)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        journal = self.job.journal
        if journal is not None and self.job.resuming:
            replayed = 0
            follow: list[tuple[str, list[str]]] = []
            for entry in self.job.contents().latest:
                if entry.article is not None:
                    replayed += 1
                    yield Article(**entry.article)
                if entry.follow:
                    follow.append((entry.url, entry.follow))
            logger.info("Resuming the job: %d articles from %s", replayed, journal.path)
            # The links of the pages not fetched again, which only they may lead to.
            resume_links = getattr(self.crawler.spider, "resume_links", None)
            if resume_links is not None:
                for url, links in follow:
                    for request in resume_links(url, links):
                        yield request
        # The last reader: the dupefilter and `PageAccounting.restore` read it before the
        # spider opened, and the start stream is only iterated after.
        self.job.forget()
        async for item_or_request in start:
            yield item_or_request


def appended_feed_paths(crawler: Crawler) -> list[Path]:
    """The crawl's feeds that are local files with a fixed name, appended to (not overwritten).
    A URI with a per-run part (`%(time)s`, batches) names a new file every run."""
    feeds: list[Path] = []
    for uri, options in crawler.settings.getdict("FEEDS").items():
        try:
            name = str(uri) % {"name": crawler.spidercls.name}
        except (KeyError, ValueError, TypeError):
            continue
        parts = urlsplit(name)
        if parts.scheme not in ("", "file") and len(parts.scheme) > 1:  # C:\ is a path
            continue
        overwrite = bool(options.get("overwrite", False)) if isinstance(options, dict) else False
        if not overwrite:
            feeds.append(Path(parts.path if parts.scheme == "file" else name))
    return feeds
