"""`scrapy crawl warc -a files='CC-NEWS-*.warc.gz'`: the pages of web archives, read rather than
fetched, through the crawl's own machinery: the same decisions of which page is an article
(the site list's rules, else the URL's shape and what the page says), extraction, validation,
dedup, accounting, rejects, summary and report. Links are not followed: an archive holds what
it holds.

Arguments: `files` (paths and globs, comma-separated), `hosts` (a file of host names, one per
line, or `sites` for the hosts of the site list), `tld` (`id`, or several: `id,my`), `since` and
`until` (the record's date, as `-a since=` of a crawl). See `crawler.warc` for the counts of the
records that are no page.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import Request

from crawler.checks import exit_with
from crawler.sites import Site, host_of, site_list
from crawler.spiders.admission import parse_since
from crawler.spiders.news import NewsSpider
from crawler.warc import WARC_RECORD, ArchiveReader, RecordFilter, hosts_from

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterator
    from typing import Self

    from scrapy.crawler import Crawler

    from crawler.workers.pages import PageLinks


class WarcSpider(NewsSpider):
    name = "warc"
    reader: ArchiveReader
    # The archive is the source: no robots.txt to ask, and pages come from any host.
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 (Scrapy declares it a ClassVar)

    def __init__(self, *args: Any, files: str = "", hosts: str = "", tld: str = "",
                 until: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.files, self.hosts, self.tld, self.until = files, hosts, tld, until

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            only = RecordFilter(
                hosts=spider.host_filter(), since=parse_since(spider.since),
                tlds=tuple(t.strip(". ") for t in spider.tld.split(",") if t.strip(". ")),
                until=parse_since(spider.until))
            spider.reader = ArchiveReader.from_pattern(spider.files, only)
        except (ValueError, OSError) as exc:
            exit_with(f"warc: {exc} (-a files=PATH[,PATH], globs allowed)")
        # The date filter is the archive's, not the discovery's `since`.
        spider.admission.since = None
        return spider

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

    async def start(self) -> AsyncIterator[Any]:
        for page in self.reader.pages():
            kind = self.page_kind(page.url)
            callback = self.parse_listing if kind == "listing" else self.parse_article
            if kind is None:  # neither by rules nor by shape: the page may still say so
                callback = self.parse_listing
            yield Request(page.url, callback=callback, errback=self.page_missed,
                          meta={WARC_RECORD: page}, dont_filter=True)
        for reason, number in self.reader.counts.items():
            self.crawler.stats.set_value(f"warc/{reason}", number)

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
