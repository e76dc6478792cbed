"""Every page the crawl asks for ends in exactly one outcome, counted and, unless it is an article
or a listing page, written to the rejects file with its reason.

Outcomes and their stats keys:

- `pages/article`: an `Article` went out to the feeds;
- `pages/rejected` (and `pages/rejected/<code>`): the page was fetched but is no article
  (a `DropItem` from the validation pipeline, reason in the rejects file);
- `pages/missed` (and `pages/missed/<code>`): the page could not be fetched (no fixture, HTTP
  error, network error);
- `pages/listing`: a navigation page whose links were followed;
- `pages/skipped` (and `pages/skipped/<code>`): a second address of a page the crawl already has:
  it redirects to a URL already requested (a redirect loop too), so the dupefilter drops the
  follow-up, or its `rel=canonical` names an article already written (`DuplicatePage`);
  listed in the rejects file;
- `pages/failed`: the spider raised on the page (a bug; logged with its traceback).

robots.txt files, sitemaps and feeds are no pages: what becomes of each is counted in
`discovery/…` (read, with its kind; unreadable, missed, with the reason), as are the URLs they
list that the crawl does not request (`crawler.spiders.admission`).

`pages/requested` counts pages once each, at the downloader: redirect hops and retries of a page
are not new pages. At the end of the crawl the outcomes must add up to it; any difference is
logged as an error and kept in `pages/unaccounted`.

In a resumable job (`JOBDIR`, see `crawler.resume`) every outcome but `listing` is also written
to the job's journal, and a resumed crawl counts the journal's pages again, so its counts are
those of the whole job.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem
from scrapy.logformatter import LogFormatter
from scrapy.spidermiddlewares.httperror import HttpError

from crawler.compat import DOWNLOAD_TIMEOUTS
from crawler.files import write_json_atomically
from crawler.items import Article, record
from crawler.journal import Journal, JournalEntry
from crawler.offline import MISS_FLAG, PageTooLarge
from crawler.resume import job_of

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure

logger = logging.getLogger(__name__)

OUTCOMES = ("article", "rejected", "missed", "listing", "skipped", "failed")

# Signals spiders send (Scrapy signals are plain sentinel objects, as in `scrapy.signals`).
listing_page = object()
"""A page was followed for its links only. Arguments: `url`."""
page_finished = object()
"""A page has its outcome (sent by `PageAccounting`, for restored pages of a resumed job too).
Arguments: `url`, `outcome`, `aliases` (the URLs that redirected to it)."""
page_missed = object()
"""A page could not be fetched. Arguments: `url`, `reason` (`code: explanation`) and, optionally,
`request` (the last request of the page, which knows the redirects that led to it)."""


class DuplicatePage(DropItem):
    """An item pipeline drops the page because the crawl already wrote it under another URL: a
    `skipped` page, not a `rejected` one."""


def reason_code(reason: str) -> str:
    """Stats key for a reason: the text before the first colon, as `no-title` or `too-short`."""
    return reason.split(":", 1)[0].strip().lower().replace(" ", "-") or "unknown"


class PageAccounting:
    """Downloader middleware that counts requested pages and keeps the books on every outcome.

    It is a downloader middleware because only there each page is seen once after the dupefilter
    and before redirects and retries multiply it.
    """

    def __init__(
        self,
        crawler: Crawler,
        rejects_path: str,
        summary_path: str,
        journal: Journal | None = None,
    ) -> None:
        self.crawler = crawler
        self.rejects_path = rejects_path
        self.summary_path = summary_path
        self.journal = journal
        self._rejects: IO[str] | None = None
        self._replayed: set[str] = set()
        """URLs of the articles a resumed job sends out again from its journal."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        accounting = cls(
            crawler,
            settings.get("REJECTS_FILE", ""),
            settings.get("CRAWL_SUMMARY_FILE", ""),
            job_of(crawler).journal,
        )
        crawler.signals.connect(accounting.spider_opened, signals.spider_opened)
        crawler.signals.connect(accounting.spider_closed, signals.spider_closed)
        crawler.signals.connect(accounting.item_scraped, signals.item_scraped)
        crawler.signals.connect(accounting.item_dropped, signals.item_dropped)
        crawler.signals.connect(accounting.spider_error, signals.spider_error)
        crawler.signals.connect(accounting.request_dropped, signals.request_dropped)
        crawler.signals.connect(accounting.listing, listing_page)
        crawler.signals.connect(accounting.missed, page_missed)
        return accounting

    @property
    def stats(self) -> StatsCollector:
        assert self.crawler.stats is not None  # typing: set for every running crawler
        return self.crawler.stats

    def process_request(self, request: Request) -> None:
        is_follow_up = request.meta.get("redirect_times") or request.meta.get("retry_times")
        if not (is_follow_up or request.meta.get("dont_obey_robotstxt") or is_discovery(request)):
            self.stats.inc_value("pages/requested")

    def spider_opened(self, spider: Spider) -> None:
        for outcome in OUTCOMES:
            self.stats.set_value(f"pages/{outcome}", 0)
        if self.rejects_path:
            path = Path(self.rejects_path % {"name": spider.name})
            path.parent.mkdir(parents=True, exist_ok=True)
            # Line-buffered: every reject is on disk as soon as it is known, even if the crawl dies.
            self._rejects = path.open("w", encoding="utf-8", buffering=1)
            logger.info("Writing rejected and missed pages to %s", path)
        if self.journal is not None:
            # Read before this run appends to the journal.
            self.restore(self.journal, job_of(self.crawler).contents().latest)
            self.journal.open()

    def restore(self, journal: Journal, entries: list[JournalEntry]) -> None:
        """Count the pages a resumed job finished before (`entries`, the journal's latest), and
        list their rejects again; its articles are counted as they come out again
        (`crawler.resume.ReplayJournal`)."""
        for entry in entries:
            self.stats.inc_value("pages/requested")
            if entry.article is not None:
                self._replayed.add(entry.url)
            else:
                self.record(entry.outcome, entry.url, entry.reason, entry.aliases, journaled=True)
        if entries:
            self.stats.set_value("resume/pages", len(entries))
            logger.info(
                "Resuming the job in %s: %d pages were done (%d articles)",
                journal.path.parent, len(entries), len(self._replayed),
            )

    def item_scraped(self, item: Any, response: Response | None) -> None:
        if not isinstance(item, Article):
            return
        self.stats.inc_value("pages/article")
        aliases = redirected_from(response)
        self.crawler.signals.send_catch_log(
            page_finished, url=item.url, outcome="article", aliases=aliases
        )
        if self.journal is not None and item.url not in self._replayed:
            self.journal.append(
                JournalEntry(
                    url=item.url,
                    outcome="article",
                    aliases=aliases,
                    article=record(item),
                    follow=item.follow,
                )
            )

    def item_dropped(self, item: Any, response: Response | None, exception: BaseException) -> None:
        outcome = "skipped" if isinstance(exception, DuplicatePage) else "rejected"
        self.record(outcome, getattr(item, "url", "?"), str(exception), redirected_from(response),
                    follow=getattr(item, "follow", None))

    def spider_error(self, failure: Failure, response: Response) -> None:
        if is_discovery(response.request):
            # A robots.txt, sitemap or feed: no page of the crawl (its traceback is logged).
            self.stats.inc_value("discovery/failed")
            return
        self.record(
            "failed",
            response.url,
            f"spider error: {failure.getErrorMessage()}",
            redirected_from(response),
        )

    def request_dropped(self, request: Request) -> None:
        # A dropped first request was never counted; a dropped redirect hop ends its page.
        if is_discovery(request):
            return
        redirects = redirect_urls(request)
        if redirects:
            self.record(
                "skipped",
                redirects[0],
                f"duplicate: redirects to {request.url}, already requested",
                redirects[1:],
            )

    def listing(self, url: str) -> None:
        del url  # listing pages are counted, not listed
        self.stats.inc_value("pages/listing")

    def missed(self, url: str, reason: str, request: Request | None = None) -> None:
        self.record("missed", url, reason, redirect_urls(request))

    def record(
        self,
        outcome: str,
        url: str,
        reason: str,
        aliases: list[str] | None = None,
        *,
        journaled: bool = False,
        follow: list[str] | None = None,
    ) -> None:
        """Count the page's outcome and list it in the rejects file (and in the journal of a
        resumable job, unless it comes from there: `journaled`)."""
        aliases = aliases or []
        self.stats.inc_value(f"pages/{outcome}")
        self.stats.inc_value(f"pages/{outcome}/{reason_code(reason)}")
        self.crawler.signals.send_catch_log(
            page_finished, url=url, outcome=outcome, aliases=aliases
        )
        if self._rejects is not None:
            line = {"url": url, "outcome": outcome, "reason": reason}
            self._rejects.write(json.dumps(line, ensure_ascii=False) + "\n")
        if self.journal is not None and not journaled:
            self.journal.append(
                JournalEntry(url=url, outcome=outcome, reason=reason, aliases=aliases,
                             follow=follow or [])
            )

    def spider_closed(self, spider: Spider) -> None:
        if self._rejects is not None:
            self._rejects.close()
            self._rejects = None
        if self.journal is not None:
            self.journal.close()
        counts = {outcome: self.stats.get_value(f"pages/{outcome}", 0) for outcome in OUTCOMES}
        requested = self.stats.get_value("pages/requested", 0)
        unaccounted = requested - sum(counts.values())
        self.stats.set_value("pages/unaccounted", unaccounted)
        summary = " + ".join(f"{count} {outcome}" for outcome, count in counts.items())
        logger.info("Pages of %s: %d requested = %s", spider.name, requested, summary)
        if unaccounted:
            logger.error("%d requested pages have no outcome: this is a bug", unaccounted)
        if self.summary_path:
            self.write_summary(Path(self.summary_path % {"name": spider.name}))

    def write_summary(self, path: Path) -> None:
        write_json_atomically(path, crawl_summary(self.stats.get_stats()))


DISCOVERY = "discovery"
"""Request meta key of a robots.txt, sitemap or feed request (its value: what it is expected to
be): a document the crawl reads for the pages it lists, counted in `discovery/…`, not a page."""


def is_discovery(request: Request | None) -> bool:
    return request is not None and bool(request.meta.get(DISCOVERY))


def redirected_from(response: Response | None) -> list[str]:
    """The URLs that redirected to the response, first requested first."""
    return redirect_urls(response.request if response is not None else None)


def redirect_urls(request: Request | None) -> list[str]:
    """The URLs that redirected to the request, first requested first (set by Scrapy's
    `RedirectMiddleware`, with `redirect_times`)."""
    if request is None:
        return []
    return list(request.meta.get("redirect_urls", []))


def crawl_summary(stats: Mapping[str, Any]) -> dict[str, dict[str, int]]:
    """The page counts of a crawl from its stats, and the discovered URLs it did not request:
    `{"pages": {"requested": …, "article": …, "rejected/no-body": …}, "discovery": {"seen": …}}`,
    as summary.json holds them; a crawl of web archives adds its records (`"warc"`)."""
    sections = {
        section: {
            key.removeprefix(f"{section}/"): value
            for key, value in sorted(stats.items())
            if key.startswith(f"{section}/")
        }
        for section in ("pages", "discovery", "warc")
    }
    if not sections["warc"]:
        del sections["warc"]
    return sections


class ArticleLogFormatter(LogFormatter):
    """Logs a dropped page as one line with its URL and reason, not the whole item."""

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> Any:
        result = dict(super().dropped(item, exception, response, spider))
        verb = "Skipped" if isinstance(exception, DuplicatePage) else "Rejected"
        result["msg"] = verb + " %(url)s: %(exception)s"
        result["args"] = {"url": getattr(item, "url", "?"), "exception": exception}
        return result


def miss_reason(failure: Failure) -> str:
    """Why a request failed, as `code: explanation`."""
    if isinstance(failure.value, HttpError):
        response = failure.value.response
        if MISS_FLAG in response.flags:
            return "no-fixture: no saved page for this URL"
        return f"http-{response.status}: the server answered {response.status}"
    if isinstance(failure.value, PageTooLarge):
        return f"too-large: {failure.getErrorMessage()}"
    if failure.check(*DOWNLOAD_TIMEOUTS):
        return f"timeout: {failure.getErrorMessage()}"
    return f"download-error: {failure.getErrorMessage()}"
