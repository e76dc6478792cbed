"""Item pipelines: thin adapters between Scrapy and the plain-Python packages."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.extensions.feedexport import FileFeedStorage

from crawler.accounting import DuplicatePage, crawl_summary, page_finished
from crawler.dedup import (
    Assignment,
    DedupIndex,
    DedupOptions,
    Document,
    IndexMismatchError,
    parse_published,
)
from crawler.dedup.analyse import Analysed
from crawler.dedup.shared import SHARED_INDEX_LOST, storage_config
from crawler.extract.article import site_of
from crawler.extraction import article_analysed
from crawler.feeds import rewrite_fields
from crawler.files import read_jsonl
from crawler.items import Article, PageReject
from crawler.report import build_clusters, terminal_summary, write_report

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

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
        """Whether Scrapy holds back new requests because the responses being scraped (these
        waiting pages among them) fill its scraper (`SCRAPER_SLOT_MAX_ACTIVE_SIZE`)."""
        try:
            slot = self.crawler.engine.scraper.slot
        except RuntimeError:  # no engine: the pipeline runs outside a crawl
            return False
        return slot is not None and slot.needs_backout()

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


@dataclass(frozen=True)
class _Analysis:
    title: str | None
    body: str
    analysed: Analysed


class AnalysedArticles:
    """The dedup analyses the extraction workers made (`article_analysed`), by article object,
    until the article reaches the cluster pipeline.

    Keyed by the object, not its URL, and gone with it: an article dropped on its way (rejected,
    skipped) takes its entry along, so nothing piles up over a long crawl.
    """

    def __init__(self) -> None:
        self._by_object: dict[int, _Analysis] = {}

    def __len__(self) -> int:
        return len(self._by_object)

    def add(self, article: Article, analysed: Analysed) -> None:
        key = id(article)  # unique while the article lives, and the entry goes when it dies
        self._by_object[key] = _Analysis(article.title, article.body, analysed)
        weakref.finalize(article, self._by_object.pop, key, None)

    def pop(self, article: Article) -> Analysed | None:
        """The article's analysis, if it was made from the title and body it has now (a
        pipeline may have changed them on the way)."""
        analysis = self._by_object.pop(id(article), None)
        if analysis is None or article.title is not analysis.title or (
            article.body is not analysis.body
        ):
            return None
        return analysis.analysed


class ClusterArticlesPipeline:
    """Gives each article its `copy_cluster` and `event_cluster` as it is scraped.

    The ids given during the crawl come from the index as it stands (`DedupIndex.add`); at the
    end the whole index is clustered again (`assignments`, independent of the order articles
    came in), and the ids that changed are rewritten in the crawl's local JSON-lines feeds once
    the feed exporter has closed them. The index is kept between crawls in `DEDUP_CRAWL_INDEX`
    (written atomically), so a later crawl clusters its articles with the earlier ones;
    `DEDUP_RESET` starts it afresh. With `CLUSTER_REPORT_DIR` set, the cluster report
    (`clusters.json`, `report.html`) is written from the finished feed. An article the
    extraction workers already analysed (`article_analysed`) is not analysed again.
    """

    def __init__(
        self,
        crawler: Crawler,
        options: DedupOptions,
        index_path: str,
        reset: bool,
        report_dir: str,
        storage: dict[str, Any] | None = None,
    ) -> None:
        self.crawler = crawler
        self.options = options
        self.index_path = index_path
        self.reset = reset
        self.report_dir = report_dir
        self.storage = storage
        self.index = DedupIndex(options, storage)
        """In memory, or on Redis (`storage`); `open_spider` loads `index_path` if given."""
        self.given: dict[str, tuple[str, str]] = {}
        self.final: dict[str, Assignment] = {}
        self.feeds: list[Path] = []
        self.analysed = AnalysedArticles()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        storage = None
        if settings.getbool("DEDUP_SHARED_INDEX") and settings.get("REDIS_URL"):
            # Distributed mode: every worker's provisional ids come from one index in Redis.
            job = settings.get("CRAWL_JOB") or crawler.spidercls.name
            storage = storage_config(settings["REDIS_URL"], job)
        pipeline = cls(
            crawler,
            DedupOptions.from_settings(settings),
            settings.get("DEDUP_CRAWL_INDEX") or "",
            settings.getbool("DEDUP_RESET"),
            settings.get("CLUSTER_REPORT_DIR") or "",
            storage,
        )
        crawler.signals.connect(pipeline.feed_slot_closed, signals.feed_slot_closed)
        crawler.signals.connect(pipeline.feed_exporter_closed, signals.feed_exporter_closed)
        crawler.signals.connect(pipeline.article_analysed, article_analysed)
        return pipeline

    def article_analysed(self, article: Article, analysed: Analysed, options: DedupOptions) -> None:
        if options == self.options:
            self.analysed.add(article, analysed)

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # typing: set for every running crawler
        return self.crawler.stats

    def open_spider(self) -> None:
        self.open_index()
        # Paid while Scrapy starts, not by the first article.
        self.index.prepare()

    def open_index(self) -> None:
        if not self.index_path:
            return
        try:
            self.index = DedupIndex.open(
                self.index_path, self.options, reset=self.reset, storage_config=self.storage
            )
        except IndexMismatchError as exc:
            raise IndexMismatchError(
                f"{exc}. Rerun with -s DEDUP_RESET=1 to rebuild the dedup index"
            ) from exc
        logger.info("Dedup index %s holds %d articles", self.index_path, len(self.index))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        document = Document(
            key=item.url,
            title=item.title or "",
            body=item.body,
            published=parse_published(item.published),
            original=item.source in (None, item.site),
        )
        try:
            assignment = self.index.add(document, self.analysed.pop(item))
        except SHARED_INDEX_LOST as exc:
            # Distributed mode, Redis gone: the worker is stopping (the frontier saw it too);
            # the page is crawled again when the job resumes.
            raise DropItem(f"redis-lost: not clustered or exported ({exc})") from exc
        item.copy_cluster = assignment.copy_cluster
        item.event_cluster = assignment.event_cluster
        self.given[item.url] = (assignment.copy_cluster, assignment.event_cluster)
        return item

    def close_spider(self) -> None:
        self.final = self.index.assignments()
        revised = sum(
            1
            for url, ids in self.given.items()
            if (self.final[url].copy_cluster, self.final[url].event_cluster) != ids
        )
        self.stats.set_value("dedup/articles", len(self.given))
        self.stats.set_value("dedup/revised", revised)
        this_crawl = {self.final[url].event_cluster for url in self.given}
        self.stats.set_value("dedup/event_clusters", len(this_crawl))
        if self.index_path:
            self.index.save(self.index_path)
            logger.info("Saved dedup index (%d articles) to %s", len(self.index), self.index_path)

    def feed_slot_closed(self, slot: Any) -> None:
        if isinstance(slot.storage, FileFeedStorage) and slot.format in ("jsonlines", "jsonl"):
            self.feeds.append(Path(slot.storage.path))

    def feed_exporter_closed(self) -> None:
        updates = {
            url: {"copy_cluster": a.copy_cluster, "event_cluster": a.event_cluster}
            for url, (copy_id, event_id) in self.given.items()
            if ((a := self.final[url]).copy_cluster, a.event_cluster) != (copy_id, event_id)
        }
        for feed in self.feeds:
            changed = rewrite_fields(feed, updates)
            logger.info("Final cluster ids of %d articles rewritten in %s", changed, feed)
        if updates and not self.feeds:
            logger.warning(
                "%d articles got other cluster ids at the end of the crawl, and no local "
                "JSON-lines feed could be rewritten: run `scrapy cluster` on the output",
                len(updates),
            )
        if self.report_dir:
            self.write_report()

    def write_report(self) -> None:
        if not self.feeds:
            logger.warning("No local JSON-lines feed: no cluster report written")
            return
        spider = self.crawler.spider
        directory = Path(self.report_dir % {"name": spider.name if spider else "crawl"})
        records = list(read_jsonl(self.feeds[0]))
        document = build_clusters(records)
        paths = write_report(directory, records, document, crawl_summary(self.stats.get_stats()))
        logger.info(
            "Cluster report: %s\n%s", paths.report_html, terminal_summary(document, top=5)
        )
