"""The crawl decisions shared by every news spider: which sites, which links to follow and which
page is an article. Extraction itself is `crawler.extract.extract_article`, the same function
users call.

`scrapy crawl news` crawls the sites of the site list (`crawler/sites.toml`): `-a site=NAME`
(or several, comma-separated, or any site's home URL) and `-a group=GROUP` choose among them.
Offline, a crawl of the whole list leaves out the sites with no saved home page. A page is an
article page or a listing page (followed for its links, no item) by its site's rules or, for a
site without, by the shape of its URL (`crawler.sites.Site.page_kind`). An article page becomes
an `Article`, or a reject with the reason when it is not HTML or holds no article (see
`ValidateArticlePipeline`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import TextResponse

from crawler.accounting import (
    DISCOVERY,
    listing_page,
    miss_reason,
    page_finished,
    page_missed,
    reason_code,
)
from crawler.checks import exit_with
from crawler.discovery import (
    FEED,
    INDEX,
    NEWS_SITEMAP,
    UnreadableDocument,
    read_document,
    sitemaps_in_robots,
)
from crawler.fetch_time import fetched_of
from crawler.items import Article, PageReject
from crawler.offline import saved_pages
from crawler.seen import SeenPages
from crawler.sites import Site, clean_link, host_of, site_list
from crawler.spiders.admission import Admission, Limits, parse_since
from crawler.workers.extractor import PageExtractor
from crawler.workers.pages import ExtractedPage, PageLinks

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


def content_type(response: Response) -> str:
    """The response's `Content-Type` header, or "" (headers are bytes; their charset is ASCII)."""
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


class NewsSpider(Spider):
    """Crawls the sites its arguments choose (see the module docstring): listing pages to article
    pages."""

    name = "news"
    extractor: PageExtractor

    def __init__(self, *args: Any, site: str | None = None, group: str | None = None,
                 since: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_names = site
        self.group = group
        self.since = since
        self.admission: Admission
        self.max_size = 0
        self.sites: tuple[Site, ...] = ()
        self.followed: set[str] = set()
        self.seen_hrefs: set[str] = set()
        self._site_of_host: dict[str | None, Site | None] = {}
        # Pages already sent to the extraction workers, by request (`start_extraction`); weak, so
        # that a response some middleware drops before its callback takes its page along.
        self.extracting: WeakKeyDictionary[Request, asyncio.Task[ExtractedPage]] = (
            WeakKeyDictionary()
        )
        self.reading: WeakKeyDictionary[Request, asyncio.Task[PageLinks]] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        try:
            spider.use_sites(spider.choose_sites(crawler))
            since = parse_since(spider.since)
        except ValueError as exc:
            exit_with(str(exc))
        except NotConfigured as exc:  # an unreadable OFFLINE_FIXTURES manifest
            exit_with(f"{exc} (OFFLINE_FIXTURES; empty it to crawl the live sites)")
        settings = crawler.settings
        seen_path = settings.get("CRAWL_SEEN")
        try:
            seen = SeenPages(Path(seen_path % {"name": spider.name})) if seen_path else None
        except ValueError as exc:  # SeenUnreadable
            exit_with(str(exc))
        spider.admission = Admission(
            crawler,
            Limits(settings.getint("SITE_MAX_PAGES"), settings.getint("SITE_MAX_LISTING_DEPTH"),
                   settings.getint("SITE_MAX_QUERY_VARIANTS"),
                   settings.getint("SITE_MAX_DOCUMENTS")),
            since, seen)
        if seen is not None:
            crawler.signals.connect(spider.page_done, page_finished)
            crawler.signals.connect(seen.close, signals.spider_closed)
            spider.logger.info("Pages done by earlier runs of the job: %d (%s)", len(seen),
                               seen.path)
        # The unpacked size of a gzip sitemap is bounded as Scrapy bounds a download.
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        spider.extractor = PageExtractor.from_crawler(crawler)
        crawler.signals.connect(spider.start_extraction, signals.response_received)
        return spider

    def choose_sites(self, crawler: Crawler) -> list[Site]:
        """The sites the arguments name; offline, the whole list is cut to the sites whose home
        page is saved (a crawl of one named site goes ahead and counts its misses)."""
        sites = site_list().select(self.site_names, self.group)
        manifest = crawler.settings.get("OFFLINE_FIXTURES")
        if self.site_names or self.group or not manifest:
            return sites
        saved = saved_pages(crawler)
        kept = [site for site in sites if saved.find(site.home) is not None]
        if len(kept) < len(sites):
            self.logger.info("Offline: %d sites of the list have no saved pages and are left out "
                             "(-a site=NAME crawls one anyway)", len(sites) - len(kept))
        return kept

    def use_sites(self, sites: list[Site]) -> None:
        self.sites = tuple(sites)
        self.allowed_domains = [host for site in self.sites for host in site.hosts]
        self.start_urls = [site.home for site in self.sites]
        self.followed = set(self.start_urls)
        self._site_of_host.clear()

    async def start(self) -> AsyncIterator[Any]:
        # Per site: robots.txt for its sitemaps, its home page for its links and feeds, and the
        # entry points the site list gives.
        for site in self.sites:
            yield Request(urljoin(site.home, "/robots.txt"), callback=self.parse_robots,
                          errback=self.discovery_missed, meta={DISCOVERY: "robots"})
            yield Request(site.home, callback=self.parse_listing, errback=self.page_missed)
            for url in (*site.sitemaps, *site.feeds):
                request = self.document_request(url)
                if request is not None:
                    yield request

    def document_request(self, url: str) -> Request | None:
        """The request of a sitemap or feed on a crawled site, once each and within the site's
        sitemap limit; None otherwise."""
        url = clean_link(url)
        site = self.site_of(url)
        if url in self.followed or site is None or not self.admission.document(site):
            return None
        self.followed.add(url)
        return self.request(url, self.parse_document, errback=self.discovery_missed,
                            meta={DISCOVERY: "document"})

    def request(self, url: str, callback: Any, **options: Any) -> Request | None:
        """A request of a discovered URL, or None, counted `discovery/bad-url`, for a URL that
        cannot be requested (a port that is no number, `https://host:abc/`): a page's bad link
        is the link's fault, not the page's."""
        options.setdefault("errback", self.page_missed)
        try:
            return Request(url, callback=callback, **options)
        except ValueError as exc:
            self.admission.refuse("bad-url")
            self.logger.info("Not requested: %s (%s)", url, exc)
            return None

    def page_done(self, url: str, outcome: str, aliases: list[str]) -> None:
        """Signal handler (`page_finished`): a recurring job keeps what it finished."""
        if self.admission.seen is not None:
            self.admission.seen.record(url, outcome, aliases)

    async def parse_robots(self, response: Response) -> list[Request]:
        """robots.txt: the sitemaps it names (or, with none, the well-known `/sitemap.xml`)."""
        self.admission.count("robots")
        named = sitemaps_in_robots(response.body, response.url)
        if not named:
            self.admission.count("robots-without-sitemaps")
            named = [urljoin(response.url, "/sitemap.xml")]
        return [r for url in named if (r := self.document_request(url)) is not None]

    async def parse_document(self, response: Response) -> list[Request]:
        """A sitemap index, a sitemap, a news sitemap or a feed: the sitemaps and the article
        pages it lists, each through `Admission`; counted unreadable when it is none of these."""
        try:
            document = read_document(response.body, response.url, self.max_size)
        except UnreadableDocument as exc:
            self.admission.count("unreadable")
            self.admission.count(f"unreadable/{reason_code(str(exc))}")
            self.logger.warning("Unreadable sitemap or feed %s: %s", response.url, exc)
            return []
        self.admission.count(document.kind)
        if document.damaged:
            self.admission.count("damaged")
            self.logger.warning("Sitemap or feed %s breaks off: %d entries read before the break",
                                response.url, len(document.entries))
        news = document.kind in (NEWS_SITEMAP, FEED)
        requests: list[Request] = []
        for entry in document.entries:
            site = self.site_of(entry.url)
            if site is None:
                self.admission.refuse("off-site")
                continue
            url = clean_link(entry.url)
            if url in self.followed:
                continue
            if document.kind == INDEX:
                request = self.document_request(url)
                if request is not None:
                    requests.append(request)
            elif self.admission.entry(site, replace(entry, url=url), news):
                self.followed.add(url)
                if (request := self.request(url, self.parse_article)) is not None:
                    requests.append(request)
        return requests

    def discovery_missed(self, failure: Failure) -> list[Request]:
        """Errback of a robots.txt, sitemap or feed: counted with the reason; a site that has
        none (404, or no saved copy offline) is no fault. Without a robots.txt, the well-known
        `/sitemap.xml` is tried."""
        request = failure.request  # type: ignore[attr-defined]
        reason = miss_reason(failure)
        code = reason_code(reason)
        absent = code in ("http-404", "http-410", "no-fixture")
        self.admission.count("absent" if absent else f"missed/{code}")
        log = self.logger.debug if absent else self.logger.warning
        log("No %s at %s (%s)", request.meta.get(DISCOVERY, "document"), request.url, reason)
        if request.meta.get(DISCOVERY) != "robots":
            return []
        fallback = self.document_request(urljoin(request.url, "/sitemap.xml"))
        return [] if fallback is None else [fallback]

    def start_extraction(self, response: Response, request: Request) -> None:
        """Signal handler (`response_received`): a downloaded page goes to the extraction workers
        at once, an article page to be extracted, a listing page for its links. Scrapy calls
        the page's callback only once the responses ahead of it in its scraper are through,
        and the workers would wait meanwhile, most of all at the start of a crawl."""
        if not (
            self.extractor.processes
            and isinstance(response, TextResponse)
            and 200 <= response.status < 300
        ):
            return
        if request.callback == self.parse_article:
            self.extracting[request] = asyncio.ensure_future(self.extract(response))
        elif request.callback == self.parse_listing:
            self.reading[request] = asyncio.ensure_future(self.read_links(response))

    async def parse_listing(self, response: Response) -> list[Request | Article | PageReject]:
        # A coroutine that returns its requests, not a generator: Scrapy reads and parses the
        # source of a generator callback on every response (to warn about a `return value` in a
        # generator; its cache is keyed by the bound method, a new object per request).
        if not isinstance(response, TextResponse):
            self.crawler.signals.send_catch_log(listing_page, url=response.url)
            return []
        started = self.reading.pop(response.request, None) if response.request else None
        links = await (started or self.read_links(response))
        if links.declares_article and self.rules_leave_open(response.url):
            # A site without URL rules whose URL shape looked like a listing, but the page says
            # it is an article: the page's word wins.
            return list(self.article_page(await self.extract(response), response))
        self.crawler.signals.send_catch_log(listing_page, url=response.url)
        depth = int(response.meta.get("listing_depth", 0)) + 1
        requests: list[Request | Article | PageReject] = list(self.follow_links(links, depth))
        for href in links.feeds:
            request = self.document_request(links.absolute(href))
            if request is not None:
                requests.append(request)
        return requests

    async def parse_article(
        self, response: Response
    ) -> AsyncIterator[Article | PageReject | Request]:
        if not isinstance(response, TextResponse):
            declared = content_type(response) or "missing"
            yield PageReject(response.url, f"not-html: Content-Type {declared}")
            return
        started = self.extracting.pop(response.request, None) if response.request else None
        page = await (started or self.extract(response))
        for output in self.article_page(page, response):
            yield output

    def article_page(
        self, page: ExtractedPage, response: Response
    ) -> list[Article | PageReject | Request]:
        """An article page's outcome, then the requests of its links. Article pages link to
        more articles (sidebars, related blocks): they are followed too, and the page's canonical
        URL: a second address of a page waits for its canonical page
        (`CanonicalDuplicatesPipeline`), which must then be crawled even if nothing links it.
        The outcome carries the URLs requested (`follow`), for the journal of a resumable job,
        and an article its fetch time (`crawler.fetch_time`)."""
        if isinstance(page.outcome, Article):
            page.outcome.fetched = fetched_of(response)
        links = page.links
        if isinstance(page.outcome, Article) and page.outcome.canonical_url:
            links = PageLinks([*links.hrefs, page.outcome.canonical_url], links.base_url)
        requests = list(self.follow_links(links))
        page.outcome.follow = [request.url for request in requests]
        return [page.outcome, *requests]

    def resume_links(self, url: str, links: list[str]) -> list[Request]:
        """The requests of the links a page of an interrupted run led to (`ReplayJournal`):
        that page is not fetched again, and may be the only one linking them."""
        return list(self.follow_links(PageLinks(links, url)))

    # The bytes, not Scrapy's `response.text`: the workers decode them, checking the declared
    # charset (header, then meta) against the bytes, which may contradict it.

    def extract(self, response: TextResponse) -> Coroutine[Any, Any, ExtractedPage]:
        return self.extractor.extract(response.body, response.url, content_type(response))

    def read_links(self, response: TextResponse) -> Coroutine[Any, Any, PageLinks]:
        return self.extractor.links(response.body, response.url, content_type(response))

    def follow_links(self, links: PageLinks, depth: int = 1) -> Iterator[Request]:
        """Requests for the page's links that its site's rules follow; a listing page linked
        here is `depth` listing hops from a home page."""
        # A plain walk over the hrefs instead of Scrapy's LinkExtractor: the site rules already
        # decide which URLs count, and LinkExtractor's per-link canonicalisation cost more than
        # 10 ms per page, a third of the extraction time.
        # Links already seen by this process are skipped here: menus and sidebars repeat the
        # same links on every page, and each repeat would cost a URL join and clean-up, a request
        # fingerprint and a dupefilter look-up only to be dropped. Absolute hrefs are skipped
        # before the join (the same text is the same URL on any page). The dupefilter stays the
        # authority (shared across workers).
        for href in links.hrefs:
            if href in self.seen_hrefs:
                continue
            if href.startswith(("https://", "http://")):
                self.seen_hrefs.add(href)
            url = links.absolute(href)
            # Links to other hosts (share buttons, ads, other sites) are dropped before the
            # clean-up, which would only re-encode their long query strings: it changes neither
            # the host nor the path.
            site = self.site_of(url)
            if site is None:
                continue
            url = clean_link(url)
            if url in self.followed:
                continue
            self.followed.add(url)
            kind = site.page_kind(url)
            if kind is None or not self.admission.link(site, url, kind, depth):
                continue
            request = (self.request(url, self.parse_article) if kind == "article" else
                       self.request(url, self.parse_listing, meta={"listing_depth": depth}))
            if request is not None:
                yield request

    def site_of(self, url: str) -> Site | None:
        """The crawled site whose host `url` is on (`www.` is the same site), if any."""
        host = host_of(url)  # also None for a link too malformed to split
        if host not in self._site_of_host:  # a few hosts, looked up for every link
            self._site_of_host[host] = next((s for s in self.sites if s.owns(host)), None)
        return self._site_of_host[host]

    def rules_leave_open(self, url: str) -> bool:
        """Whether only the URL's shape took the page for a listing: not a home page, on a site
        without URL rules."""
        site = self.site_of(url)
        return (site is not None and site.article is None and site.listing is None
                and urlsplit(url).path not in ("", "/"))

    def page_kind(self, url: str) -> str | None:
        site = self.site_of(url)
        return site.page_kind(url) if site is not None else None

    def page_missed(self, failure: Failure) -> None:
        """Errback: the page could not be fetched. Counted and listed, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        reason = miss_reason(failure)
        self.logger.warning("Missed %s (%s)", request.url, reason)
        self.crawler.signals.send_catch_log(
            page_missed, url=request.url, reason=reason, request=request
        )



class AllSitesSpider(NewsSpider):
    """`scrapy crawl all`: every site of the list (offline: every saved one), as `news` with no
    argument."""

    name = "all"
