"""Item pipelines: thin adapters between Scrapy and the plain-Python packages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import DropItem, NotConfigured

from crawler.accounting import DuplicatePage, page_finished
from crawler.clustering import CrawlClusters
from crawler.compat import scraper_full
from crawler.dedup import Document, parse_published
from crawler.dedup.shared import SHARED_INDEX_LOST
from crawler.extract.article import site_of
from crawler.items import Article, PageReject
from crawler.workers.extractor import PageExtractor

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class ValidateArticlePipeline:
    """Drops pages that hold no usable article, with the reason (see `crawler.accounting`).

    Reasons start with a short code before the colon (`no-title`, `too-short`, …): the code
    keys the `pages/rejected/<code>` stats, the whole line goes to the rejects file.
    """

    def __init__(self, min_body_chars: int) -> None:
        self.min_body_chars = min_body_chars

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("ARTICLE_MIN_BODY_CHARS"))

    def process_item(self, item: Any) -> Any:
        if isinstance(item, PageReject):
            raise DropItem(item.reason)
        if not isinstance(item, Article):
            return item
        if not item.body:
            raise DropItem("no-body: no article text found on the page")
        if len(item.body) < self.min_body_chars:
            raise DropItem(
                f"too-short: body has {len(item.body)} characters,"
                f" under ARTICLE_MIN_BODY_CHARS={self.min_body_chars}"
            )
        if not item.title:
            raise DropItem("no-title: the page has no headline")
        return item


class CanonicalDuplicatesPipeline:
    """One article per page, however many addresses it has: a page whose `rel=canonical` names
    another article page (a `?page=all` view, an AMP or print copy, an address with extra
    parameters) is skipped as a duplicate when that page is an article of the crawl.

    The canonical URL counts only when it names the same site (a canonical on another site is a
    syndication credit: the copy is an article of its own, and dedup puts it in the original's
    copy cluster) and, with a spider that has site rules, an article URL by them (a site whose
    every page names its home page as canonical would otherwise lose all articles but one). The
    two pages must also carry the same headline: a page naming another article's URL as its
    canonical (a template fault) is kept.

    The canonical page wins whatever the order pages come in, so that a crawl and its resumed
    or repeated runs write the same article: a second address waits here until its canonical
    page has its outcome (every requested page gets one, `crawler.accounting`); if that page is
    no article (missed, rejected), the second address is written instead. The wait is bounded
    by `CANONICAL_WAIT` seconds (0: no wait), for a canonical page the crawl never requests,
    and it ends when the crawl is stuck on the waiting pages: when they fill Scrapy's scraper,
    Scrapy fetches nothing more, the canonical pages included, until they are through. A second
    address that stops waiting is written, and its canonical page, when it comes, is the
    duplicate.
    """

    POLL_SECONDS = 0.05
    """How often a waiting second address checks whether the crawl is stuck."""
    STUCK_SECONDS = 1.0
    """With the scraper full, this long without a page finished is a crawl stuck on the pages
    waiting here. A full scraper alone is not: it is full for moments in any busy crawl, while
    the pages in it, canonical pages among them, finish."""

    def __init__(self, crawler: Crawler, wait_seconds: float) -> None:
        self.crawler = crawler
        self.wait_seconds = wait_seconds
        self.written: dict[str, tuple[str, str]] = {}
        """Identity (see `page_identity`) -> URL and headline of the article written for it."""
        self.ended: set[str] = set()
        """Identities of pages that ended with no article (missed, rejected, skipped)."""
        self.waiting: dict[str, asyncio.Future[None]] = {}
        self.last_finished = 0.0
        """Event-loop time of the last sign that the crawl moves: a page that got its outcome,
        or a second address that came in to wait."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        pipeline = cls(crawler, crawler.settings.getfloat("CANONICAL_WAIT"))
        crawler.signals.connect(pipeline.page_finished, page_finished)
        return pipeline

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        own = url_identity(item.url)
        identity = self.page_identity(item, own)
        if (
            self.wait_seconds > 0
            and identity != own
            and identity not in self.written
            and identity not in self.ended
        ):
            await self.wait_for(identity)
        return self.admit(item, identity, own)

    def admit(self, item: Article, identity: str, own: str) -> Article:
        """The item, or `DuplicatePage` when its page is already written under another URL.
        `identity`: the page's (`page_identity`); `own`: its URL's."""
        headline = " ".join((item.title or "").split()).casefold()
        written = self.written.get(identity)
        if written is not None and written[0] != item.url and written[1] == headline:
            raise DuplicatePage(
                f"duplicate: the same page as the article {written[0]}"
                f" (canonical URL {item.canonical_url or item.url})"
            )
        for key in {identity, own}:
            self.written.setdefault(key, (item.url, headline))
            self.wake(key)
        return item

    async def wait_for(self, identity: str) -> None:
        loop = asyncio.get_running_loop()
        future = self.waiting.get(identity)
        if future is None:
            future = self.waiting[identity] = loop.create_future()
        deadline = loop.time() + self.wait_seconds
        self.last_finished = loop.time()  # a page coming in to wait: the crawl moves
        while not future.done():
            if self.scraper_full() and loop.time() - self.last_finished > self.STUCK_SECONDS:
                logger.info(
                    "Canonical page %s not waited for: pages waiting for theirs fill the "
                    "scraper, and the crawl is stuck on them",
                    identity,
                )
                return
            left = deadline - loop.time()
            if left <= 0:
                logger.info("Canonical page %s never came in %g s", identity, self.wait_seconds)
                return
            await asyncio.wait([future], timeout=min(left, self.POLL_SECONDS))

    def scraper_full(self) -> bool:
        return scraper_full(self.crawler)

    def wake(self, identity: str) -> None:
        future = self.waiting.pop(identity, None)
        if future is not None and not future.done():
            future.set_result(None)

    def page_finished(self, url: str, outcome: str, aliases: list[str]) -> None:
        """Signal handler (`crawler.accounting.page_finished`): wakes the second addresses that
        wait for this page."""
        with contextlib.suppress(RuntimeError):  # no event loop: a test calling directly
            self.last_finished = asyncio.get_running_loop().time()
        identities = {url_identity(address) for address in (url, *aliases)}
        if outcome == "article":
            # Redirected there: the addresses it was requested under name the same article.
            article = self.written.get(url_identity(url))
            if article is not None:
                for identity in identities:
                    self.written.setdefault(identity, article)
        else:
            self.ended |= identities
        for identity in identities:
            self.wake(identity)

    def page_identity(self, item: Article, own: str) -> str:
        """The page's identity: its canonical URL when that counts (see the class), else its own
        URL (`own`, its `url_identity`), both without scheme, `www.` and trailing slash."""
        canonical = item.canonical_url
        if not canonical:
            return own
        identity = url_identity(canonical)
        if identity == own or site_of(canonical) != site_of(item.url):
            return own
        page_kind = getattr(self.crawler.spider, "page_kind", None)
        if callable(page_kind) and page_kind(canonical) != "article":
            return own
        return identity


def url_identity(url: str) -> str:
    """`host/path?query` of a URL, without scheme, `www.`, trailing slash and fragment: the
    forms under which one page is commonly linked. A URL too malformed to split is its own."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    path = parts.path.rstrip("/") or "/"
    return f"{site_of(url) or ''}{path}" + (f"?{parts.query}" if parts.query else "")


class ClusterArticlesPipeline:
    """Gives each article its provisional `copy_cluster` and `event_cluster` from the crawl's
    dedup index (`crawler.clustering.CrawlClusters`, which rewrites them at the end of the
    crawl where the final clustering differs).

    When the spider's extraction runs in worker processes, they make each article's dedup
    analysis beside its extraction (asked for here), and it is not made again.
    """

    def __init__(self, clusters: CrawlClusters, extractor: PageExtractor | None) -> None:
        self.clusters = clusters
        self.extractor = extractor

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        clusters = crawler.get_extension(CrawlClusters)
        if clusters is None:
            raise NotConfigured(
                "ClusterArticlesPipeline needs the crawler.clustering.CrawlClusters extension "
                "in EXTENSIONS")
        extractor = getattr(crawler.spider, "extractor", None)
        return cls(clusters, extractor if isinstance(extractor, PageExtractor) else None)

    def open_spider(self) -> None:
        # Paid while Scrapy starts, not by the first article.
        self.clusters.open()
        if self.extractor is not None:
            self.extractor.analyse_for(self.clusters.options)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        title = item.title or ""
        made, item.analysis = item.analysis, None  # not kept beyond this point
        analysed = None if made is None else made.valid_for(title, item.body,
                                                            self.clusters.options)
        document = Document(
            key=item.url,
            title=title,
            body=item.body,
            published=parse_published(item.published),
            original=item.source in (None, item.site),
        )
        try:
            assignment = self.clusters.index.add(document, analysed)
        except SHARED_INDEX_LOST as exc:
            # Distributed mode, Redis gone: the worker is stopping (the frontier saw it too);
            # the page is crawled again when the job resumes.
            raise DropItem(f"redis-lost: not clustered or exported ({exc})") from exc
        item.copy_cluster = assignment.copy_cluster
        item.event_cluster = assignment.event_cluster
        self.clusters.given_ids(item.url, assignment)
        return item
