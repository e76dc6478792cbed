"""`scrapy crawl warc -a files='CC-NEWS-*.warc.gz'`: the pages of web archives, read rather than
fetched, through the crawl's own machinery: the same decisions of which page is an article
(the site list's rules, else the URL's shape and what the page says), extraction, validation,
dedup, accounting, rejects, summary and report. Links are not followed: an archive holds what
it holds.

Arguments: `files` (paths, globs and http(s) URLs, comma-separated), `hosts` (a file of host
names, one per line, or `sites` for the hosts of the site list), `tld` (`id`, or several:
`id,my`), `lang` (page languages, `id,en`), `since` and `until` (the articles' dates, as `-a
since=` of a crawl; `dates=fetched` for the records' own), see `crawler.warc_filters`. See
`crawler.warc` for the counts of the records that are no page.

The archives are read one after the other, a remote one in a thread, so that a server that
keeps the reader waiting does not hold up the crawl. In the distributed mode each archive
is a request in the job's shared queue instead: a worker takes one archive at a time, reads it,
and queues its pages for every worker; a killed worker's archive goes back to the queue with
its other in-flight requests, and the job's dupefilter keeps a page from being read twice.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals

from crawler.accounting import DISCOVERY
from crawler.checks import exit_with
from crawler.compat import engine_scheduler
from crawler.distributed.keys import REDIS_ERRORS
from crawler.distributed.scheduler import ONE_AT_A_TIME, FrontierScheduler
from crawler.items import Article, PageReject
from crawler.resume import job_of
from crawler.sites import Site, host_of, site_list
from crawler.spiders.admission import parse_since
from crawler.spiders.news import NewsSpider
from crawler.warc import WARC_FILE, WARC_RECORD, ArchivedPage, ArchiveReader
from crawler.warc_filters import DateWindow, RecordFilter, codes, hosts_from
from crawler.warc_sources import REMOTE, archive_sources

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from crawler.workers.pages import ExtractedPage, PageLinks

READ_AHEAD = 64
"""Pages an archive's reader queues ahead of the workers in the distributed mode: enough to
keep them busy, few enough that the pages' bodies do not pile up in Redis."""


def next_page(pages: Iterator[ArchivedPage]) -> ArchivedPage | None:
    return next(pages, None)


class WarcSpider(NewsSpider):
    name = "warc"
    reader: ArchiveReader
    sources: list[str]
    window: DateWindow
    read_before: frozenset[str] | set[str] = frozenset()
    """The pages an earlier run of this resumed job finished (its journal's URLs)."""
    # The archive is the source: no robots.txt to ask, and pages come from any host.
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 (Scrapy declares it a ClassVar)

    def __init__(self, *args: Any, files: str = "", hosts: str = "", tld: str = "",
                 lang: str = "", until: str | None = None, dates: str = "published",
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files, self.hosts, self.tld, self.lang = files, hosts, tld, lang
        self.counted: Counter[str] = Counter()
        self.until, self.dates = until, dates

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.window = DateWindow(parse_since(spider.since), parse_since(spider.until),
                                       spider.dates)
            only = RecordFilter(spider.host_filter(), codes(spider.tld), spider.window,
                                frozenset(codes(spider.lang)))
            spider.sources = archive_sources(spider.files)
        except (ValueError, OSError) as exc:
            exit_with(f"warc: {exc} (-a files=PATH[,PATH|URL], globs allowed)")
        spider.reader = ArchiveReader(only, spider.count,
                                      crawler.settings.getfloat("DOWNLOAD_TIMEOUT"))
        # The dates are the archive's window (`DateWindow`), not the discovery's `since`.
        spider.admission.since = None
        crawler.signals.connect(spider.request_dropped, signals.request_dropped)
        crawler.signals.connect(spider.remember_read_before, signals.spider_opened)
        return spider

    def remember_read_before(self) -> None:
        """At `spider_opened`, once the add-ons are in (Scrapy builds the spider before them)
        and before the journal is forgotten: the archives are read again from their start, and
        each record of a page finished before is still a page this job read."""
        job = job_of(self.crawler)
        if job.resuming:
            self.read_before = job.contents().urls

    def host_filter(self) -> frozenset[str]:
        if not self.hosts:
            return frozenset()
        if self.hosts == "sites":
            return frozenset(h for site in site_list().sites.values() for h in site.hosts)
        return hosts_from(Path(self.hosts).read_text(encoding="utf-8").split())

    def choose_sites(self, crawler: Crawler) -> list[Site]:
        return site_list().select()  # for their URL rules; none is crawled

    def use_sites(self, sites: list[Site]) -> None:
        super().use_sites(sites)
        self.allowed_domains = []  # an archive's pages come from any host
        self.start_urls = []

    def count(self, reason: str, change: int = 1) -> None:
        """Counted by the reader (in a thread, for a remote archive), added to the stats by the
        crawl's thread (`flush_counts`), which counts too."""
        self.counted[reason] += change

    def flush_counts(self) -> None:
        counted, self.counted = self.counted, Counter()
        for reason, number in counted.items():
            self.crawler.stats.inc_value(f"warc/{reason}", number)

    @property
    def distributed(self) -> bool:
        return isinstance(engine_scheduler(self.crawler), FrontierScheduler)

    async def start(self) -> AsyncIterator[Any]:
        if self.distributed:
            for source in self.sources:
                yield self.archive_request(source)
            return
        for source in self.sources:
            async for request in self.read(source):
                yield request

    def archive_request(self, source: str) -> Request:
        """The archive as a unit of work of the shared queue (see the module docstring), after
        the pages already queued (a lower priority), one at a time per worker."""
        url = source if "://" in source else Path(source).resolve().as_uri()
        return Request(url, callback=self.read_archive, errback=self.archive_failed,
                       priority=-1, meta={WARC_FILE: source, DISCOVERY: "archive",
                                          ONE_AT_A_TIME: "warc-file"})

    async def read_archive(self, response: Response) -> AsyncIterator[Request]:
        async for request in self.read(response.meta[WARC_FILE]):
            await self.room_in_queue()
            yield request

    async def read(self, source: str) -> AsyncIterator[Request]:
        """The requests of an archive's pages. A remote archive is read in a thread: its bytes
        may keep the reader waiting, and the crawl must go on meanwhile. A local one is read
        here: a thread would only add a hand-over per page to Scrapy's, the crawl's busiest."""
        pages = self.reader.pages(source)
        if not source.startswith(REMOTE):
            for read in pages:
                self.flush_counts()
                yield self.page_request(read)
        else:
            while (page := await asyncio.to_thread(next_page, pages)) is not None:
                self.flush_counts()
                yield self.page_request(page)
        self.flush_counts()

    def page_request(self, page: ArchivedPage) -> Request:
        kind = self.page_kind(page.url)
        # Neither by rules nor by shape: a listing, unless the page says it is an article.
        callback = self.parse_article if kind == "article" else self.parse_listing
        return Request(page.url, callback=callback, errback=self.page_missed,
                       meta={WARC_RECORD: page})

    async def room_in_queue(self) -> None:
        scheduler = engine_scheduler(self.crawler)
        try:
            while scheduler is not None and len(scheduler) > READ_AHEAD:  # type: ignore[arg-type]
                await asyncio.sleep(0.05)
        except REDIS_ERRORS:
            return  # the scheduler stops the worker and says why

    def archive_failed(self, failure: Any) -> None:
        self.crawler.stats.inc_value("warc/unreadable")
        self.logger.error("WARC file %s could not be read: %s",
                          failure.request.meta.get(WARC_FILE), failure.getErrorMessage())

    def request_dropped(self, request: Request) -> None:
        """A page another worker of the job already read: it was counted read here, it is a
        duplicate. A page an earlier run of a resumed job finished stays read, so the resumed
        job's counts are those of an uninterrupted one."""
        if WARC_RECORD in request.meta and request.url not in self.read_before:
            self.crawler.stats.inc_value("warc/read", -1)
            self.crawler.stats.inc_value("warc/duplicate")

    def article_page(self, page: ExtractedPage, response: Response
                     ) -> list[Article | PageReject | Request]:
        outputs = super().article_page(page, response)
        article = outputs[0]
        if isinstance(article, Article) and (refusal := self.window.article_refusal(article)):
            return [PageReject(article.url, refusal), *outputs[1:]]
        return outputs

    def site_of(self, url: str) -> Site | None:
        """A site of the list, or, for any other host, a site without rules (an archive holds
        pages of every host): the base class's decisions, URL shape and the page's own word,
        then hold for it as for a site named by its home URL."""
        site = super().site_of(url)
        host = host_of(url)
        if site is None and host is not None:
            site = self._site_of_host[host] = Site.from_home(f"https://{host}/")
        return site

    def follow_links(self, links: PageLinks, depth: int = 1) -> Iterator[Request]:
        return iter(())  # an archive holds what it holds

    def document_request(self, url: str) -> Request | None:
        return None  # nor are the feeds its pages announce fetched
