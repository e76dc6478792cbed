"""When each page was fetched, kept in its record (`Article.fetched`).

A crawled page's fetch time is when its download came in (an offline crawl's too: when it read
the saved page); a page from a web archive was fetched when its record says (`WARC-Date`),
whether `scrapy crawl warc` reads it or a crawl takes the archive as its offline source. The
time travels in the request's meta (`FETCHED`), so the spider puts it on the article and the
WARC writer (`crawler.warc_output`) dates its records with the same second.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING

from scrapy import signals

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

FETCHED = "fetched"
"""Request meta: when the page was fetched, as `fetch_stamp` writes it."""
ARCHIVED_AT = "archived_at"
"""Request meta a download handler serving an archived page sets to the record's `WARC-Date`
stamp: the page's fetch time instead of now. Taken off again, so that a redirect's next request
(which copies the meta) is not dated by it."""


def fetch_stamp(moment: datetime) -> str:
    """ISO 8601 in UTC, to the second (`2025-02-13T01:02:03+00:00`): what WARC dates hold."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).replace(microsecond=0).isoformat()


def fetched_of(response: Response) -> str | None:
    """The fetch time of a response (None for one no download or archive dated)."""
    request = response.request
    return None if request is None else request.meta.get(FETCHED)


def parse_stamp(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class FetchTime:
    """Scrapy extension: dates every downloaded response (signal `response_downloaded`, sent
    for each download, redirect hops and offline fixture pages included, before any downloader
    middleware sees it). Listed before `WarcOutput` in `EXTENSIONS`, so that its handler runs
    first and the archive's record carries the same date as the article."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        extension = cls()
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        return extension

    def response_downloaded(self, response: Response, request: Request) -> None:
        archived = request.meta.pop(ARCHIVED_AT, None)
        request.meta[FETCHED] = archived or fetch_stamp(datetime.now(UTC))
