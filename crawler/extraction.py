"""Where the crawl runs `crawler.extract.extract_article`: in its own process, or in worker
processes beside Scrapy.

Extraction is CPU-bound Python and Scrapy runs in one thread, so inline every page's extraction
stalls the engine, and the engine's own work (scheduling, link following, pipelines) adds to it.
With `EXTRACT_PROCESSES` workers (2 in settings.py) the two overlap and a single crawl uses
every core of a small machine. `EXTRACT_PROCESSES = 0` extracts inline, which is what several
crawl workers on one machine want (one process per core).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from typing import TYPE_CHECKING

import lxml.etree
import lxml.html
from scrapy import signals

from crawler.extract import ExtractionError, extract_article
from crawler.items import Article, PageReject

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ATTEMPTS = 2
"""Tries of one page on a worker: a worker's death fails every page in flight, not only the page
that killed it, so each page gets a second try on a fresh worker."""
MAX_POOL_FAILURES = 5
"""Worker deaths in a row, with no page done in between, after which extraction goes inline
(the workers cannot start: for example a script without an `if __name__ == "__main__"` guard)."""

WARM_UP_PAGE = "<html lang='id'><body><article><h1>Judul</h1><p>Teks berita.</p></article></body>"


@dataclass(frozen=True)
class ExtractedPage:
    """What a worker gives back for an article page: its outcome and the hrefs of its links."""

    outcome: Article | PageReject
    hrefs: list[str]


def extract_page(html: str | bytes, url: str) -> ExtractedPage:
    """The page's article (or a reject when the input is no readable HTML page), and its links.

    The links are read here, beside the extraction, so that the crawl process does not parse
    the page a second time only to find them: that parse is a fifth of its work per page.
    """
    try:
        outcome: Article | PageReject = extract_article(html, url)
    except ExtractionError as exc:
        return ExtractedPage(PageReject(url, f"unreadable: {exc}"), [])
    return ExtractedPage(outcome, link_hrefs(html))


def link_hrefs(html: str | bytes) -> list[str]:
    """The `href` of every `<a>`, in page order (what `response.xpath("//a/@href")` gives)."""
    try:
        tree = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [str(href) for href in tree.xpath("//a/@href")]


def warm_up() -> None:
    """Pay the extractor's one-time costs (trafilatura's stop lists) before the first page."""
    extract_page(WARM_UP_PAGE, "https://warm.up/")


class PageExtractor:
    """Extracts pages for the spiders, inline or in a pool of `processes` workers."""

    def __init__(self, processes: int, timeout: float = 0) -> None:
        if processes < 0:
            raise ValueError(f"EXTRACT_PROCESSES must be 0 or more, got {processes}")
        if timeout < 0:
            raise ValueError(f"EXTRACT_TIMEOUT must be 0 or more, got {timeout}")
        self.processes = processes
        self.timeout = timeout
        """Seconds one page may take in a worker before it is rejected and the worker killed;
        0: no limit. Only workers can be stopped: inline extraction has no limit."""
        self._pool: ProcessPoolExecutor | None = None
        self._failures_in_a_row = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        extractor = cls(
            settings.getint("EXTRACT_PROCESSES", 0), settings.getfloat("EXTRACT_TIMEOUT", 0)
        )
        # Started with the crawler, before the spider opens: the workers import and warm up the
        # extractor while Scrapy starts its engine and fetches the first listing pages.
        extractor.start()
        crawler.signals.connect(extractor.close, signals.spider_closed)
        return extractor

    def start(self) -> None:
        if self.processes and self._pool is None:
            # forkserver, not fork: the crawl process has threads (Twisted's pool, DNS), and a
            # forked copy of a threaded process can deadlock.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extract"])
            self._pool = ProcessPoolExecutor(self.processes, context, initializer=warm_up)
            for _ in range(self.processes):
                self._pool.submit(len, "")  # start the workers now, not at the first page
            logger.info("Extracting pages in %d worker process(es)", self.processes)

    async def extract(self, html: str | bytes, url: str) -> ExtractedPage:
        for _ in range(ATTEMPTS):
            if not self.processes:
                return extract_page(html, url)
            self.start()
            assert self._pool is not None  # typing: start() made it
            pool = self._pool
            future = asyncio.wrap_future(pool.submit(extract_page, html, url))
            try:
                outcome = await asyncio.wait_for(future, self.timeout or None)
            except BrokenProcessPool:
                self._replace_broken(pool)
                continue
            except TimeoutError:
                self._stop_stuck(pool)
                slow = f"extraction-timeout: over EXTRACT_TIMEOUT={self.timeout:g} s on this page"
                return ExtractedPage(PageReject(url, slow), [])
            self._failures_in_a_row = 0
            return outcome
        crashed = PageReject(url, "extraction-crashed: the extraction worker died on this page")
        return ExtractedPage(crashed, [])

    def _stop_stuck(self, pool: ProcessPoolExecutor) -> None:
        """Kill the workers of `pool`: a running task cannot be cancelled, and a page stuck in
        native code would hold its worker for good. Pages in flight on the other workers see a
        broken pool and are tried again on a new one."""
        logger.warning("Extraction of a page ran over %g s; restarting the workers", self.timeout)
        # ProcessPoolExecutor offers no way to stop a running task before Python 3.14
        # (terminate_workers); its process table is the only handle on the workers.
        for process in list(getattr(pool, "_processes", {}).values()):
            process.terminate()
        if pool is self._pool:
            pool.shutdown(wait=False, cancel_futures=True)
            self._pool = None

    def _replace_broken(self, pool: ProcessPoolExecutor) -> None:
        if pool is not self._pool:
            return  # another page in flight already replaced it
        pool.shutdown(wait=False, cancel_futures=True)
        self._pool = None
        self._failures_in_a_row += 1
        if self._failures_in_a_row >= MAX_POOL_FAILURES:
            logger.error(
                "Extraction workers died %d times in a row; extracting in the crawl process "
                "from now on (EXTRACT_PROCESSES=0)",
                self._failures_in_a_row,
            )
            self.processes = 0
        else:
            logger.warning("An extraction worker died; starting a new one")

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
