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
import re
from collections.abc import AsyncIterator, Coroutine, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.accounting import listing_page, page_missed
from crawler.checks import exit_with
from crawler.items import Article, PageReject
from crawler.offline import MISS_FLAG, FixtureManifest, PageTooLarge
from crawler.sites import Site, host_of, site_list
from crawler.workers.extractor import PageExtractor
from crawler.workers.pages import ExtractedPage, PageLinks

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


TRACKING_PARAMETER = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_eid|_ga|ref_src")


def clean_link(url: str) -> str:
    """The URL without its fragment and campaign-tracking query parameters, so that one page is
    fetched once however it was linked."""
    if url.startswith(("https://", "http://")) and not any(c in url for c in "?#\t\r\n"):
        # Most links: nothing to remove, and the URL is already in the form urlunsplit gives
        # (urlsplit would only lower-case the scheme and drop tabs and line breaks).
        return url
    parts = urlsplit(url)._replace(fragment="")
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMETER.fullmatch(name)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def content_type(response: Response) -> str:
    """The response's `Content-Type` header, or "" (headers are bytes; their charset is ASCII)."""
    return (response.headers.get("Content-Type") or b"").decode("latin-1")


class NewsSpider(Spider):
    """Crawls the sites its arguments choose (see the module docstring): listing pages to article
    pages."""

    name = "news"
    extractor: PageExtractor

    def __init__(self, *args: Any, site: str | None = None, group: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.site_names = site
        self.group = group
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
        except ValueError as exc:
            exit_with(str(exc))
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
        saved = FixtureManifest.load(Path(manifest))
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
        for url in self.start_urls:
            yield Request(url, callback=self.parse_listing, errback=self.page_missed)

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

    async def parse_listing(self, response: Response) -> list[Request]:
        # A coroutine that returns its requests, not a generator: Scrapy reads and parses the
        # source of a generator callback on every response (to warn about a `return value` in a
        # generator; its cache is keyed by the bound method, a new object per request).
        self.crawler.signals.send_catch_log(listing_page, url=response.url)
        if not isinstance(response, TextResponse):
            return []
        started = self.reading.pop(response.request, None) if response.request else None
        links = await (started or self.read_links(response))
        return list(self.follow_links(links))

    async def parse_article(
        self, response: Response
    ) -> AsyncIterator[Article | PageReject | Request]:
        if not isinstance(response, TextResponse):
            declared = content_type(response) or "missing"
            yield PageReject(response.url, f"not-html: Content-Type {declared}")
            return
        started = self.extracting.pop(response.request, None) if response.request else None
        page = await (started or self.extract(response))
        yield page.outcome
        # Article pages link to more articles (sidebars, related blocks): follow them too, and
        # the page's canonical URL: a second address of a page waits for its canonical page
        # (`CanonicalDuplicatesPipeline`), which must then be crawled even if nothing links it.
        links = page.links
        if isinstance(page.outcome, Article) and page.outcome.canonical_url:
            links = PageLinks([*links.hrefs, page.outcome.canonical_url], links.base_url)
        for request in self.follow_links(links):
            yield request

    # The bytes, not Scrapy's `response.text`: the workers decode them, checking the declared
    # charset (header, then meta) against the bytes, which may contradict it.

    def extract(self, response: TextResponse) -> Coroutine[Any, Any, ExtractedPage]:
        return self.extractor.extract(response.body, response.url, content_type(response))

    def read_links(self, response: TextResponse) -> Coroutine[Any, Any, PageLinks]:
        return self.extractor.links(response.body, response.url, content_type(response))

    def follow_links(self, links: PageLinks) -> Iterator[Request]:
        """Requests for the page's links that its site's rules follow."""
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
            if kind == "article":
                yield Request(url, callback=self.parse_article, errback=self.page_missed)
            elif kind == "listing":
                yield Request(url, callback=self.parse_listing, errback=self.page_missed)

    def site_of(self, url: str) -> Site | None:
        """The crawled site whose host `url` is on (`www.` is the same site), if any."""
        host = host_of(url)  # also None for a link too malformed to split
        if host not in self._site_of_host:  # a few hosts, looked up for every link
            self._site_of_host[host] = next((s for s in self.sites if s.owns(host)), None)
        return self._site_of_host[host]

    def page_kind(self, url: str) -> str | None:
        site = self.site_of(url)
        return site.page_kind(url) if site is not None else None

    def page_missed(self, failure: Failure) -> None:
        """Errback: the page could not be fetched. Counted and listed, and the crawl goes on."""
        request = failure.request  # type: ignore[attr-defined]
        if isinstance(failure.value, HttpError):
            response = failure.value.response
            reason = (
                "no-fixture: no saved page for this URL"
                if MISS_FLAG in response.flags
                else f"http-{response.status}: the server answered {response.status}"
            )
        elif isinstance(failure.value, PageTooLarge):
            reason = f"too-large: {failure.getErrorMessage()}"
        else:
            reason = f"download-error: {failure.getErrorMessage()}"
        self.logger.warning("Missed %s (%s)", request.url, reason)
        self.crawler.signals.send_catch_log(
            page_missed, url=request.url, reason=reason, request=request
        )


class AllSitesSpider(NewsSpider):
    """`scrapy crawl all`: every site of the list (offline: every saved one), as `news` with no
    argument."""

    name = "all"
