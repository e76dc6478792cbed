"""The crawl's side of the extraction workers: `PageExtractor` extracts pages for the spiders, in
a `WorkerPool` of `EXTRACT_PROCESSES` workers or inline, and turns a worker's failure into the
page's reject."""

from __future__ import annotations

import logging
import multiprocessing
from typing import TYPE_CHECKING

from crawler.dedup.options import DedupOptions
from crawler.workers.pages import ExtractedPage, PageLinks, extract_page, read_links, rejected
from crawler.workers.pages import warm_up as warm_up_extractor
from crawler.workers.pool import JobTimedOut, PoolUnavailable, WorkerDied, WorkerPool

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MAX_POOL_FAILURES = 5
"""Worker deaths in a row, with no page done in between, after which extraction goes inline
(the workers cannot start: for example a script without an `if __name__ == "__main__"` guard)."""


class PageExtractor:
    """Extracts pages for the spiders, inline or in a pool of `processes` workers."""

    def __init__(
        self,
        processes: int,
        timeout: float = 0,
        nice: int = 0,
        dedup: DedupOptions | None = None,
    ) -> None:
        if processes < 0:
            raise ValueError(f"EXTRACT_PROCESSES must be 0 or more, got {processes}")
        if timeout < 0:
            raise ValueError(f"EXTRACT_TIMEOUT must be 0 or more, got {timeout}")
        if not 0 <= nice <= 19:
            raise ValueError(f"EXTRACT_NICE must be 0 to 19, got {nice}")
        self.processes = processes
        self.timeout = timeout
        """Seconds one page may take in a worker before it is rejected and the worker killed;
        0: no limit. Only workers can be stopped: inline extraction has no limit."""
        self.nice = nice
        """How much lower the workers' scheduling priority is than the crawl process's (Unix
        nice levels). Scrapy's thread is the crawl's bottleneck: every page passes through it,
        and while a worker holds its core, answers and new pages wait for it."""
        self.dedup = dedup
        """Options of the dedup analysis the workers add to each article (`extract_page`), or
        None. Set by the cluster pipeline that uses it (`analyse_for`). Inline extraction never
        analyses: the cluster pipeline would do the same work in the same process."""
        self._pool: WorkerPool | None = None
        self.crawler_settings: BaseSettings | None = None
        """The crawl's settings, read again when the spider opens (`open`)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals

        extractor = cls.from_settings(crawler.settings)  # a bad value fails the crawl at once
        # Scrapy builds the spider, and this with it, before the add-ons have run (the
        # distributed mode's EXTRACT_PROCESSES=0 comes from one): the workers are started with
        # the settings as they are when the spider opens, and warm up while Scrapy fetches the
        # first pages.
        crawler.signals.connect(extractor.open, signals.spider_opened)
        crawler.signals.connect(extractor.close, signals.spider_closed)
        extractor.crawler_settings = crawler.settings
        return extractor

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        return cls(settings.getint("EXTRACT_PROCESSES"), settings.getfloat("EXTRACT_TIMEOUT"),
                   settings.getint("EXTRACT_NICE"))

    def open(self) -> None:
        """Take the crawl's final settings and start the workers (signal `spider_opened`)."""
        if self.crawler_settings is not None:
            final = self.from_settings(self.crawler_settings)
            self.processes, self.timeout, self.nice = final.processes, final.timeout, final.nice
        self.start()

    def analyse_for(self, options: DedupOptions) -> None:
        """Make each article's dedup analysis with `options` in the workers, for a cluster
        pipeline that clusters with them (it checks them again on each article)."""
        self.dedup = options

    def start(self) -> None:
        if self.processes and self._pool is None:
            # forkserver, not fork: the crawl process has threads (Twisted's pool, DNS), and a
            # forked copy of a threaded process can deadlock.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.workers.pages", "crawler.workers.pool"])
            self._pool = WorkerPool(self.processes, self.timeout, context, MAX_POOL_FAILURES,
                                    self.nice, warm_up_extractor)
            self._pool.start()
            logger.info("Extracting pages in %d worker process(es)", self.processes)

    async def extract(
        self, body: bytes | str, url: str, content_type: str | None = None
    ) -> ExtractedPage:
        """`extract_page` of an article page, in a worker (or inline). `content_type`: the HTTP
        header."""
        pool = self._workers()
        if pool is not None:
            try:
                page: ExtractedPage = await pool.run(
                    extract_page, body, url, content_type, self.dedup
                )
                return page
            except JobTimedOut:
                slow = f"extraction-timeout: over EXTRACT_TIMEOUT={self.timeout:g} s on this page"
                return rejected(url, slow)
            except WorkerDied:
                return rejected(url, "extraction-crashed: the extraction worker died on this page")
            except PoolUnavailable:
                self._go_inline()
        return extract_page(body, url, content_type)

    async def links(self, body: bytes, url: str, content_type: str | None = None) -> PageLinks:
        """`read_links` of a listing page, in a worker (or inline), ahead of the article pages
        waiting for one: its links feed the crawl."""
        pool = self._workers()
        if pool is not None:
            try:
                links: PageLinks = await pool.run(read_links, body, url, content_type, first=True)
                return links
            except (JobTimedOut, WorkerDied) as exc:
                # Reading links is a plain lxml parse; a page that kills it would kill the
                # crawl process too.
                logger.error("The links of %s could not be read: %r", url, exc)
                return PageLinks([], url)
            except PoolUnavailable:
                self._go_inline()
        return read_links(body, url, content_type)

    def _workers(self) -> WorkerPool | None:
        if not self.processes:
            return None
        self.start()
        return self._pool

    def _go_inline(self) -> None:
        if self.processes:  # every page waiting for the pool comes here: say it once
            logger.error("Extracting in the crawl process from now on (EXTRACT_PROCESSES=0)")
        self.processes = 0
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


