"""The Scrapy scheduler of a distributed crawl: scrapy-redis's, over the shared frontier."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, NoReturn

from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.request import request_from_dict
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.compat import requests_in_progress, wake_engine
from crawler.distributed.frontier import Frontier, Heartbeat
from crawler.distributed.keys import (
    REDIS_ERRORS,
    REDIS_URL_ENV,
    UNREACHABLE_EXIT_CODE,
    JobKeys,
    default_worker_name,
    job_name,
    redacted,
)

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

ONE_AT_A_TIME = "one_at_a_time"
"""Request meta: a group of requests of which a worker works on one at a time (a whole web
archive, `crawler.spiders.warc`). Another is left in the queue for the other workers."""

TICK_SECONDS = 0.2
"""How often a worker acknowledges finished requests and asks the queue for work. Scrapy's own
poll of an idle scheduler is its 5 s engine heartbeat: far too slow to share a queue."""


def exit_unreachable(url: str, exc: Exception) -> NoReturn:
    """One line and a non-zero exit instead of a traceback: nothing has been written yet."""
    logger.critical(
        "Cannot reach Redis at %s (%s). Start the server or fix REDIS_URL / %s.",
        redacted(url), exc, REDIS_URL_ENV,
    )
    raise SystemExit(UNREACHABLE_EXIT_CODE)


class FrontierScheduler(Scheduler):
    """scrapy-redis's scheduler with acknowledged pops, worker heartbeats and a job-wide idle
    check (see the module docstring). Settings: `CRAWL_JOB`, `CRAWL_WORKER`, `CRAWL_WORKER_TTL`,
    `MAX_IDLE_TIME_BEFORE_CLOSE`, `SCHEDULER_PERSIST`, `SCHEDULER_FLUSH_ON_START`."""

    crawler: Crawler
    redis_url: str
    worker: str
    ttl: float
    max_idle: float
    max_taken: int
    lost: bool
    job: str
    frontier: Frontier
    heartbeat: Heartbeat
    _popped: dict[str, Request]
    _seen: set[str]
    _idle_since: float | None
    _ticker: Any

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        url = crawler.settings.get("REDIS_URL") or "redis://localhost:6379"
        try:
            scheduler = super().from_crawler(crawler)  # pings the server
        except REDIS_ERRORS as exc:
            exit_unreachable(url, exc)
        scheduler.attach(crawler, url)
        return scheduler

    def attach(self, crawler: Crawler, url: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.redis_url = url
        self.worker = settings.get("CRAWL_WORKER") or default_worker_name()
        self.ttl = settings.getfloat("CRAWL_WORKER_TTL", 10)
        self.max_idle = settings.getfloat("MAX_IDLE_TIME_BEFORE_CLOSE", 3)
        self.max_taken = settings.getint("CONCURRENT_REQUESTS")
        self.lost = False
        self._popped = {}
        self._seen = set()
        self._idle_since = None
        self._ticker = create_looping_call(self.tick)
        crawler.signals.connect(self.spider_idle, signals.spider_idle)

    # The scheduler interface ------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        self.spider = spider
        self.job = job_name(spider)
        keys = JobKeys.for_job(self.job, self.queue_key, self.dupefilter_key)
        # scrapy-redis's queue for its request (de)serialisation and length; pops go through
        # the Frontier so that they are acknowledged.
        self.queue = PriorityQueue(self.server, spider, keys.requests, self.serializer)
        self.df = RFPDupeFilter(self.server, keys.dupefilter, spider.settings.getbool(
            "DUPEFILTER_DEBUG"))
        self.frontier = Frontier(self.server, keys, self.worker, self.ttl)
        try:
            self.join()
        except REDIS_ERRORS as exc:
            exit_unreachable(self.redis_url, exc)
        self.heartbeat = Heartbeat(self.frontier, self.ttl / 4)
        self.heartbeat.start()
        self._ticker.start(TICK_SECONDS, now=False)

    def join(self) -> None:
        if self.frontier.join(flush=self.flush_on_start):
            logger.info("Flushed the state of crawl job %s (SCHEDULER_FLUSH_ON_START)", self.job)
        requeued = self.frontier.recover()
        queued, in_flight = self.frontier.pending()
        logger.info(
            "Worker %s joined crawl job %s at %s: %d requests queued, %d in flight elsewhere%s",
            self.frontier.session, self.job, redacted(self.redis_url), queued, in_flight,
            f", {requeued} requeued from stopped workers" if requeued else "",
        )

    def close(self, reason: str) -> None:
        if self._ticker.running:
            self._ticker.stop()
        self.heartbeat.stop()
        if self.lost:
            return
        try:
            self.settle(finished_all=True)
            deleted = self.frontier.leave(clean_up=reason == "finished" and not self.persist)
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return
        if deleted:
            logger.info("Crawl job %s is done: its Redis keys are deleted", self.job)
        elif reason != "finished":
            logger.info("Crawl job %s is kept in Redis: start a worker again to resume", self.job)

    def enqueue_request(self, request: Request) -> bool:
        if self.lost:
            return False
        fingerprint = None if request.dont_filter else self.df.request_fingerprint(request)
        # Most links a page yields (navigation, sidebars) were seen before. A job's seen set
        # only grows while a worker of it is alive, so what this worker knows is in it stays in
        # it: no round trip, no serialisation for those.
        if fingerprint in self._seen:
            self.df.log(request, self.spider)
            return False
        try:
            queued = self.frontier.push(
                fingerprint, -request.priority, self.encode(request)
            )
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return False
        if fingerprint is not None:
            self._seen.add(fingerprint)
        if not queued:
            self.df.log(request, self.spider)
            return False
        self.count("scheduler/enqueued/redis")
        return True

    def next_request(self) -> Request | None:
        # The engine takes requests while its downloader has room, and offline (or with fast
        # servers) responses then pile up before the CPU-bound callbacks: a worker would hoard
        # the shared queue while the others idle. It takes no more than it works on at once.
        if self.lost or len(requests_in_progress(self.crawler)) >= self.max_taken:
            return None
        try:
            popped = self.frontier.pop()
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return None
        if popped is None:
            return None
        token, data = popped
        request = self.decode(data)
        if self.holds_one_of(request.meta.get(ONE_AT_A_TIME)):
            try:
                self.frontier.give_back(token)
            except REDIS_ERRORS as exc:
                self.lose(exc)
            return None
        self._popped[token] = request
        self.count("scheduler/dequeued/redis")
        return request

    def holds_one_of(self, group: str | None) -> bool:
        """Whether this worker already has a request of `group` (`ONE_AT_A_TIME`) in hand."""
        return group is not None and any(
            request.meta.get(ONE_AT_A_TIME) == group for request in self._popped.values())

    def has_pending_requests(self) -> bool:
        if self.lost:
            return False
        try:
            return len(self.queue) > 0
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return False

    # Sharing the job with other workers --------------------------------------------------------

    def tick(self) -> None:
        """Acknowledge finished requests and make the engine ask the shared queue for work."""
        if self.lost:
            return
        if self.heartbeat.error is not None:
            self.lose(self.heartbeat.error)
            return
        try:
            self.settle()
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return
        wake_engine(self.crawler)

    def settle(self, *, finished_all: bool = False) -> None:
        """Remove from the in-flight hash the requests the engine has finished with."""
        busy = set() if finished_all else requests_in_progress(self.crawler)
        done = [token for token, request in self._popped.items() if request not in busy]
        self.frontier.ack(done)
        for token in done:
            del self._popped[token]

    def spider_idle(self) -> None:
        """Keep an idle worker open while the job has work anywhere; close it once the job has
        been drained for `MAX_IDLE_TIME_BEFORE_CLOSE` seconds."""
        if self.lost:
            return
        try:
            self.settle()
            requeued = self.frontier.recover()
            queued, in_flight = self.frontier.pending()
        except REDIS_ERRORS as exc:
            self.lose(exc)
            return
        if requeued:
            logger.warning("Requeued %d requests of stopped workers of job %s", requeued, self.job)
        if queued or in_flight:
            self._idle_since = None
            raise DontCloseSpider
        now = time.monotonic()
        if self._idle_since is None:
            self._idle_since = now
        if now - self._idle_since < self.max_idle:
            raise DontCloseSpider

    def lose(self, exc: Exception) -> None:
        """Redis is gone: stop cleanly, keeping what was written, and say how to resume."""
        if self.lost:
            return
        self.lost = True
        logger.error(
            "Lost Redis at %s (%s): stopping this worker. The articles it wrote are kept; the "
            "job's state stays in Redis (if the server keeps its data): start the workers again "
            "with CRAWL_JOB=%s to resume.",
            redacted(self.redis_url), exc, self.job,
        )
        self.count("distributed/redis_lost")
        deferred_from_coro(self.crawler.engine.close_spider_async(reason="redis-lost"))

    def encode(self, request: Request) -> bytes:
        """A request as stored in the shared queue: scrapy-redis's format (its serializer over
        Scrapy's `Request.to_dict`), so its tools read our queue."""
        return self.queue.serializer.dumps(request.to_dict(spider=self.spider))

    def decode(self, data: bytes) -> Request:
        return request_from_dict(self.queue.serializer.loads(data), spider=self.spider)

    def count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)
