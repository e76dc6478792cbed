"""A stats collector that also keeps the final crawl stats as a JSON file (`STATS_FILE`), for
scripts and benchmarks that read a crawl's figures after it ends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.statscollectors import MemoryStatsCollector

if TYPE_CHECKING:
    from scrapy.crawler import Crawler


class JsonFileStatsCollector(MemoryStatsCollector):
    """Writes every stat at the end of the crawl to `STATS_FILE` (times in ISO 8601)."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.stats_file = crawler.settings.get("STATS_FILE", "")

    def _persist_stats(self, stats: dict[str, Any]) -> None:
        super()._persist_stats(stats)
        if not self.stats_file:
            return
        path = Path(self.stats_file)
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(stats, default=str, indent=2, sort_keys=True) + "\n")
        temporary.replace(path)
