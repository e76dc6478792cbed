"""A crawl of two `data:` pages that records what `crawler.compat` reports from inside a real
Scrapy engine; run as a script by tests/test_compat.py (one Twisted reactor per process)."""

from __future__ import annotations

import json
import sys
from typing import Any

import scrapy
from scrapy.crawler import CrawlerProcess

from crawler.compat import engine_scheduler, requests_in_progress, scraper_full, wake_engine


class ProbeSpider(scrapy.Spider):
    name = "probe"
    seen: list[dict[str, Any]]

    async def start(self):
        self.seen = []
        for n in range(2):
            yield scrapy.Request(f"data:text/html,<p>page {n}</p>", dont_filter=True)

    def parse(self, response: scrapy.http.Response) -> None:
        wake_engine(self.crawler)
        self.seen.append({
            "url": response.url,
            "in_progress": response.request in requests_in_progress(self.crawler),
            "scraper_full": scraper_full(self.crawler),
            "scheduler": type(engine_scheduler(self.crawler)).__name__,
        })

    def closed(self, reason: str) -> None:
        with open(sys.argv[1], "w", encoding="utf-8") as out:
            json.dump({"seen": self.seen, "after": len(requests_in_progress(self.crawler))}, out)


if __name__ == "__main__":
    process = CrawlerProcess({
        "LOG_LEVEL": "WARNING",
        "STATS_CLASS": "crawler.stats.JsonFileStatsCollector",
        "STATS_FILE": sys.argv[2],
        "TELNETCONSOLE_ENABLED": False,
    })
    process.crawl(ProbeSpider)
    process.start()
