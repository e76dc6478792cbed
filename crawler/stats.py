"""A stats collector that also keeps the final crawl stats as a JSON file (`STATS_FILE`), for
scripts and benchmarks that read a crawl's figures after it ends."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from scrapy.statscollectors import MemoryStatsCollector

from crawler.files import write_json_atomically

if TYPE_CHECKING:
    from scrapy import Spider
    from scrapy.crawler import Crawler


class JsonFileStatsCollector(MemoryStatsCollector):
    """Writes every stat at the end of the crawl to `STATS_FILE` (times in ISO 8601)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stats_file = crawler.settings.get("STATS_FILE", "")

    def close_spider(self, spider: Spider | None = None, reason: str | None = None) -> None:
        super().close_spider(spider, reason=reason)
        if self.stats_file:
            write_json_atomically(Path(self.stats_file), self.get_stats())
