"""Manners towards a news site's servers.

`Retry-After` honoured: Scrapy retries a 429 or 503 at once and ignores the header
(scrapy/scrapy#3849). A server that says when to come back is asked nothing more before then.

Conditional requests for what a recurring job reads every run: with Scrapy's HTTP cache on
(`HTTPCACHE_ENABLED=True`), `DiscoveryCachePolicy` keeps robots.txt, sitemaps and feeds only, and
asks for them again with `If-None-Match` / `If-Modified-Since` (RFC 9111, Scrapy's
`RFC2616Policy`): an unchanged sitemap costs a 304. Pages are never cached: a recurring job skips
the ones it has done (`CRAWL_SEEN`), and a listing page must be read as it is now."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.extensions.httpcache import RFC2616Policy

from crawler.accounting import is_discovery
from crawler.compat import pause_download_slot

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = (429, 503)


def retry_after_seconds(value: bytes | str | None, now: datetime) -> float | None:
    """The wait a `Retry-After` header asks for: delta-seconds or an HTTP date (RFC 9110,
    10.2.3); None when there is none or it is unreadable, 0 for a date already past."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - now).total_seconds())


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's `RetryMiddleware` (same settings, `RETRY_TIMES`, `RETRY_HTTP_CODES`), which on a
    429 or 503 with `Retry-After` first pauses the response's download slot for the time asked,
    so that no request to that host goes out before it. A wait over `RETRY_AFTER_MAX` seconds is
    not waited for: the page is missed with its status (`retry_after/too-long`)."""

    crawler: Crawler  # set by RetryMiddleware.from_crawler

    def __init__(self, settings: BaseSettings) -> None:
        super().__init__(settings)
        self.max_wait = settings.getfloat("RETRY_AFTER_MAX")

    # Without the `spider` argument Scrapy 2.15+ deprecates (its manager passes it to methods
    # that declare it).
    def process_response(  # type: ignore[override]
            self, request: Request, response: Response) -> Request | Response:
        if response.status in RETRY_AFTER_STATUSES and not request.meta.get("dont_retry"):
            wait = retry_after_seconds(response.headers.get("Retry-After"), datetime.now(UTC))
            if wait is not None and wait > self.max_wait:
                self.count("too-long")
                logger.warning("%s asks to come back in %g s (RETRY_AFTER_MAX is %g): not retried",
                               request.url, wait, self.max_wait)
                return response
            if wait and pause_download_slot(self.crawler, request, wait):
                self.count("paused")
                logger.info("%s answered %d: its host is paused for %g s (Retry-After)",
                            request.url, response.status, wait)
        return super().process_response(request, response)

    def count(self, what: str) -> None:
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"retry_after/{what}")


class DiscoveryCachePolicy(RFC2616Policy):
    """Scrapy's RFC 2616 cache policy for the discovery documents alone (see the module
    docstring)."""

    def should_cache_request(self, request: Request) -> bool:
        return is_discovery(request) and super().should_cache_request(request)
