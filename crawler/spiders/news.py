"""The crawl decisions shared by every news spider: which links to follow and which page is an
article. Extraction itself is `crawler.extract.extract_article`, the same function users call.

The rule that tells articles from other pages: a page is an article page when its URL path
matches its site's `article` pattern in `sites.toml`; it is a listing page (followed for its
links, no item) when it matches `listing`. An article page becomes an `Article`, or a reject with
the reason when it is not HTML or holds no article (see `ValidateArticlePipeline`).
"""

from __future__ import annotations

import asyncio
import re
import tomllib
from collections.abc import AsyncIterator, Coroutine, Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit
from weakref import WeakKeyDictionary

from scrapy import Request, Spider, signals
from scrapy.http import TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.accounting import listing_page, page_missed
from crawler.extract.article import site_of as host_of
from crawler.items import Article, PageReject
from crawler.offline import MISS_FLAG, PageTooLarge
from crawler.workers.extractor import PageExtractor
from crawler.workers.pages import ExtractedPage, PageLinks

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from twisted.python.failure import Failure


@dataclass(frozen=True)
class SiteRules:
    """Where one site family starts and which of its URLs are articles or listings."""

    name: str
    domains: tuple[str, ...]
    start_urls: tuple[str, ...]
    article: re.Pattern[str]
    listing: re.Pattern[str]

    def page_kind(self, url: str) -> str | None:
        """`"article"`, `"listing"`, or None for a URL this site's crawl does not follow.

        Articles are told by their path alone (a query string does not make another article);
        listings by path and query, since pagination often lives in the query.
        """
        parts = urlsplit(url)
        path = parts.path or "/"
        if self.article.fullmatch(path):
            return "article"
        if self.listing.fullmatch(f"{path}?{parts.query}" if parts.query else path):
            return "listing"
        return None


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


@cache
def all_site_rules() -> dict[str, SiteRules]:
    """Every site family of `sites.toml`, by name (read once per process)."""
    text = resources.files("crawler.spiders").joinpath("sites.toml").read_text(encoding="utf-8")
    return {
        name: SiteRules(
            name=name,
            domains=tuple(entry["domains"]),
            start_urls=tuple(entry["start_urls"]),
            article=re.compile(entry["article"]),
            listing=re.compile(entry["listing"]),
        )
        for name, entry in tomllib.loads(text).items()
    }


class NewsSpider(Spider):
    """Crawls the site families named in `site_names`: listing pages to article pages."""

    site_names: ClassVar[tuple[str, ...]] = ()
    extractor: PageExtractor

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        rules = all_site_rules()
        self.sites = tuple(rules[name] for name in self.site_names)
        self.allowed_domains = [domain for site in self.sites for domain in site.domains]
        self.start_urls = [url for site in self.sites for url in site.start_urls]
        self.followed: set[str] = set(self.start_urls)
        self.seen_hrefs: set[str] = set()
        # Pages already sent to the extraction workers, by request (`start_extraction`); weak, so
        # that a response some middleware drops before its callback takes its page along.
        self.extracting: WeakKeyDictionary[Request, asyncio.Task[ExtractedPage]] = (
            WeakKeyDictionary()
        )
        self.reading: WeakKeyDictionary[Request, asyncio.Task[PageLinks]] = WeakKeyDictionary()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.extractor = PageExtractor.from_crawler(crawler)
        crawler.signals.connect(spider.start_extraction, signals.response_received)
        return spider

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

    def site_of(self, url: str) -> SiteRules | None:
        """The site family whose host `url` is on (`www.` is the same site), if any."""
        host = host_of(url)  # also None for a link too malformed to split
        for site in self.sites:
            if host in site.domains:
                return site
        return None

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
