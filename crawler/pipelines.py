"""Item pipelines: thin adapters between Scrapy and the plain-Python packages."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from scrapy.exceptions import DropItem

from crawler.items import Article, PageReject

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


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
