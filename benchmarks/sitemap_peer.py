"""What a user would write instead of our crawl: a plain Scrapy `SitemapSpider` that calls
`trafilatura.extract` on each page, run outside the project (no project settings).

    python benchmarks/sitemap_peer.py ROBOTS_URL STATS.json OUT.jsonl

Only `benchmarks/discovery.py` runs it; the DNS resolver setting it is given sends the site's
host name to the benchmark's loopback server.
"""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime
from typing import Any

import trafilatura
from scrapy.crawler import CrawlerProcess
from scrapy.http import Response
from scrapy.spiders import SitemapSpider


class PeerSpider(SitemapSpider):
    name = "peer"

    def parse(self, response: Response) -> Any:
        text = trafilatura.extract(response.text, url=response.url)
        if text:
            yield {"url": response.url, "text": text}

    def closed(self, reason: str) -> None:
        # Scrapy's own elapsed_time_seconds is set after this runs: the same span, measured here.
        stats = dict(self.crawler.stats.get_stats())
        stats["elapsed_time_seconds"] = (datetime.now(UTC) - stats["start_time"]).total_seconds()
        with open(sys.argv[2], "w", encoding="utf-8") as out:
            json.dump(stats, out, default=str)


if __name__ == "__main__":
    robots, _, output = sys.argv[1:4]
    settings = json.loads(sys.argv[4]) if len(sys.argv) > 4 else {}
    process = CrawlerProcess({"FEEDS": {output: {"format": "jsonl"}}, "LOG_LEVEL": "WARNING",
                              "TELNETCONSOLE_ENABLED": False, **settings})
    process.crawl(PeerSpider, sitemap_urls=[robots])
    process.start()
