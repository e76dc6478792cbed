"""What a distributed crawl exports: each article once over all workers of a job, into feed
files that a killed worker leaves complete."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy import signals
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.utils.misc import load_object

from crawler.compat import engine_scheduler
from crawler.distributed.keys import REDIS_ERRORS, job_name
from crawler.distributed.scheduler import FrontierScheduler
from crawler.items import Article

if TYPE_CHECKING:
    from typing import IO, Self

    from scrapy import Spider
    from scrapy.crawler import Crawler


class ExportArticleOnce:
    """Item pipeline (last): drops an article that a worker of the job has already exported.

    A page is crawled twice only after a worker was stopped between exporting its article and
    acknowledging the page. The URL is marked after the feed exporter wrote the line (the
    `item_scraped` signal, connected after the feed exporter's), so a stop in between can at worst
    write an article twice (merge removes it, see `merge_outputs`), never lose it.
    """

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not issubclass(load_object(crawler.settings["SCHEDULER"]), FrontierScheduler):
            raise NotConfigured("not a distributed crawl")
        pipeline = cls(crawler)
        crawler.signals.connect(pipeline.item_scraped, signals.item_scraped)
        return pipeline

    @property
    def scheduler(self) -> FrontierScheduler:
        scheduler = engine_scheduler(self.crawler)
        assert isinstance(scheduler, FrontierScheduler)  # checked in from_crawler
        return scheduler

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Article):
            return item
        scheduler = self.scheduler
        if scheduler.lost:
            raise DropItem("redis-lost: not exported, it is crawled again when the job resumes")
        try:
            exported = scheduler.frontier.article_exported(item.url)
        except REDIS_ERRORS as exc:
            scheduler.lose(exc)
            raise DropItem(
                "redis-lost: not exported, it is crawled again when the job resumes"
            ) from exc
        if exported:
            raise DropItem("duplicate: another worker of the job already exported this article")
        return item

    def item_scraped(self, item: Any) -> None:
        scheduler = self.scheduler
        if not isinstance(item, Article) or scheduler.lost:
            return
        try:
            scheduler.frontier.mark_exported(item.url)
        except REDIS_ERRORS as exc:
            scheduler.lose(exc)


class UnbufferedFileFeedStorage(FileFeedStorage):
    """Local feed files written straight through to the OS, item by item: what a worker killed
    with SIGKILL had exported (and marked exported in Redis) is on disk, not lost in a buffer."""

    def open(self, spider: Spider) -> IO[bytes]:
        path = Path(self.path)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path.open(self.write_mode, buffering=0)


def feed_uri_params(params: dict[str, Any], spider: Spider) -> dict[str, Any]:
    """FEED_URI_PARAMS: adds `%(worker)s` (CRAWL_WORKER) and `%(job)s` (CRAWL_JOB) to feed URIs."""
    return {**params, "worker": spider.settings.get("CRAWL_WORKER"), "job": job_name(spider)}
