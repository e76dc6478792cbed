"""Distributed crawling: several `scrapy crawl` processes, on one or many machines, share one crawl
frontier (request queue and seen-request set) in Redis, through scrapy-redis.

Switched on by the `REDIS_URL` setting or the `CRAWLER_REDIS_URL` environment variable (the
`DistributedCrawl` add-on); without either, the embedded default runs with no server.

What scrapy-redis gives as is, and what this module adds:

- scrapy-redis's scheduler pops a request from Redis and forgets it: a worker killed mid-page
  loses the pages it had popped (they are in the seen set, so nobody crawls them again). Here a
  pop moves the request into an in-flight hash in the same Redis script, and the request leaves
  that hash only when Scrapy has finished with it (callback done, items exported, links queued).
  Requests of a worker whose heartbeat stopped go back to the queue.
- scrapy-redis checks the seen set and pushes the request in two round trips; here it is one
  script, so a Redis lost between the two cannot leave a page marked seen but never queued.
- `MAX_IDLE_TIME_BEFORE_CLOSE` only works for `RedisSpider`; our spiders are plain spiders that
  seed through `async def start`. Here a worker stays open while the shared queue or any
  worker's in-flight hash is not empty (an idle worker must wait for a busy one whose pages will
  add links), and closes after the job has been drained for that many seconds.
- Articles: a worker exports an article only if no worker of the job has (Redis set of article
  URLs), so a page crawled again after a kill is not written twice. Feed files are written
  unbuffered, so what a killed worker had exported is on disk.

Redis keys of a job (`CRAWL_JOB`, default the spider name), all prefixed `<job>:` — `requests`
(sorted set, scrapy-redis's priority queue), `dupefilter` (set of request fingerprints), `inflight`
(hash `<session>|<n>` -> `<score>|<request>`), `workers` (sorted set: session -> heartbeat
deadline, Redis server time in ms), `articles` (set of exported article URLs).

Settings (our own, and scrapy-redis's where it has one):

- `REDIS_URL` / env `CRAWLER_REDIS_URL`: the switch; empty = embedded default.
- `CRAWL_JOB`: the job's key prefix, default the spider name. Workers of one job share its
  frontier; different jobs never meet.
- `CRAWL_WORKER` / env `CRAWLER_WORKER`: the worker's name in its file names, default
  `<host>-<pid>`.
- `SCHEDULER_PERSIST` (default False): when a job drains, the last worker out deletes its keys,
  so the next crawl of that job starts afresh. True keeps them: the job stays "done" (its seen
  set filters every page, seeds included) until flushed. An interrupted job (Ctrl-C, killed
  workers, Redis lost) is always kept, and starting workers again resumes it.
- `SCHEDULER_FLUSH_ON_START` (default False): True discards what the job holds before
  starting, unless a worker of the job is alive (a second worker must not wipe the first's work).
- `MAX_IDLE_TIME_BEFORE_CLOSE` (default 3 s): how long the job must be drained (shared queue
  empty, nothing in flight in any worker) before a worker closes.
- `CRAWL_WORKER_TTL` (default 10 s): a worker whose heartbeat is this old is dead; its in-flight
  requests go back to the queue.

Scrapy 2.13+ seeds through `async def start` (no `start_requests`): every worker runs it, and
the shared seen set drops the seeds of all but the first. Contracts (`scrapy check`) do not run
under this scheduler; run them without `REDIS_URL`.

Run N workers with `python -m crawler.distributed run --workers N SPIDER` (see `main`).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DropItem, NotConfigured
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.settings import SETTINGS_PRIORITIES
from scrapy.utils.asyncio import create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy.utils.misc import load_object
from scrapy.utils.project import get_project_settings
from scrapy_redis import connection
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from crawler.dedup import DedupOptions
from crawler.dedup.jsonl import cluster_jsonl
from crawler.dedup.shared import delete_index, index_basename
from crawler.items import Article

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator, Sequence
    from typing import IO, Self

    from redis import Redis
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

MODULE = "crawler.distributed"
"""Import path for settings that name our classes (`__name__` is `__main__` under `python -m`)."""

logger = logging.getLogger(MODULE)

REDIS_URL_ENV = "CRAWLER_REDIS_URL"
WORKER_ENV = "CRAWLER_WORKER"
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
"""What a lost or unreachable Redis raises; other Redis errors are bugs and keep their traceback."""

NAME_PATTERN = re.compile(r"[\w.:-]+")
"""Job and worker names: they go into Redis keys, file names and `|`-separated in-flight fields."""

TICK_SECONDS = 0.2
"""How often a worker acknowledges finished requests and asks the queue for work. Scrapy's own
poll of an idle scheduler is its 5 s engine heartbeat: far too slow to share a queue."""

UNREACHABLE_EXIT_CODE = 2


def distributed_defaults() -> dict[str, Any]:
    """Settings of the distributed mode, set at "addon" priority: settings.py and `-s` win."""
    return {
        "SCHEDULER": f"{MODULE}.FrontierScheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": "%(job)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": "%(job)s:dupefilter",
        "FEED_URI_PARAMS": f"{MODULE}.feed_uri_params",
        "MAX_IDLE_TIME_BEFORE_CLOSE": 3,
        "CRAWL_WORKER_TTL": 10,
    }


# --- names -----------------------------------------------------------------------------------


def checked_name(kind: str, name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"{kind} {name!r} may only hold letters, digits and . _ : -")
    return name


def default_worker_name() -> str:
    """Unique per process, so a restarted worker never reopens (and truncates) its
    predecessor's files."""
    return f"{socket.gethostname()}-{os.getpid()}"


def job_name(spider: Spider) -> str:
    return checked_name("CRAWL_JOB", spider.settings.get("CRAWL_JOB") or spider.name)


def redacted(url: str) -> str:
    """The Redis URL without its password, for log lines."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    host = parts.hostname or ""
    port = f":{parts.port}" if parts.port else ""
    user = parts.username or ""
    return urlunsplit(parts._replace(netloc=f"{user}:***@{host}{port}"))


@dataclass(frozen=True)
class JobKeys:
    """The Redis keys of one crawl job."""

    requests: str
    dupefilter: str
    inflight: str
    workers: str
    articles: str
    dedup: bytes
    """Basename of the job's shared dedup index (`crawler.dedup.shared`)."""

    @classmethod
    def for_job(
        cls, job: str, queue_key: str = "%(job)s:requests", seen_key: str = "%(job)s:dupefilter"
    ) -> Self:
        # scrapy-redis templates name the spider `%(spider)s`; here both stand for the job.
        names = {"job": job, "spider": job}
        return cls(
            requests=queue_key % names,
            dupefilter=seen_key % names,
            inflight=f"{job}:inflight",
            workers=f"{job}:workers",
            articles=f"{job}:articles",
            dedup=index_basename(job),
        )

    def all(self) -> list[str]:
        return [self.requests, self.dupefilter, self.inflight, self.workers, self.articles]


# --- the shared frontier in Redis ------------------------------------------------------------

# Every script reads the clock with TIME: workers on several machines share Redis's clock only.
NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "

JOIN = NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local flushed = 0
if ARGV[3] == '1' and redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  flushed = 1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return flushed
"""
"""KEYS: workers, requests, dupefilter, inflight, articles. ARGV: session, ttl ms, flush (0/1).
Flushing and registering in one script: of two workers started together, only the first flushes."""

HEARTBEAT = NOW_MS + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1"

PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
"""KEYS: dupefilter, requests. ARGV: fingerprint ('' = dont_filter), score, request."""

POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], popped[2] .. '|' .. popped[1])
return popped[1]
"""
"""KEYS: requests, inflight. ARGV: in-flight field. The request moves, never only in memory."""

RECOVER = NOW_MS + """
local live = {}
for _, session in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  live[session] = true
end
local entries = redis.call('HGETALL', KEYS[3])
local requeued = 0
for i = 1, #entries, 2 do
  local session = string.match(entries[i], '^(.*)|[^|]*$')
  if not live[session] then
    local sep = string.find(entries[i + 1], '|', 1, true)
    redis.call('ZADD', KEYS[2], string.sub(entries[i + 1], 1, sep - 1),
               string.sub(entries[i + 1], sep + 1))
    redis.call('HDEL', KEYS[3], entries[i])
    requeued = requeued + 1
  end
end
return requeued
"""
"""KEYS: workers, requests, inflight. Requeues the in-flight requests of sessions whose heartbeat
deadline has passed."""

LEAVE = NOW_MS + """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[2] == '1' and redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0
   and redis.call('HLEN', KEYS[4]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  return 1
end
return 0
"""
"""KEYS: workers, requests, dupefilter, inflight, articles. ARGV: session, clean up (0/1). Only
the last worker out of a drained job deletes it."""


class Frontier:
    """One worker session's view of a job's shared frontier; plain Redis, no Scrapy.

    A session is one process's lifetime (`<worker>.<random>`): a restarted worker with the same
    name is another session, so its predecessor's in-flight requests are recovered all the same.
    """

    def __init__(self, server: Redis, keys: JobKeys, worker: str, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"CRAWL_WORKER_TTL must be positive, not {ttl_seconds}")
        self.server = server
        self.keys = keys
        self.session = f"{checked_name('CRAWL_WORKER', worker)}.{uuid.uuid4().hex[:8]}"
        self.ttl_ms = int(ttl_seconds * 1000)
        self._numbers = count()
        self._join = server.register_script(JOIN)
        self._heartbeat = server.register_script(HEARTBEAT)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self._recover = server.register_script(RECOVER)
        self._leave = server.register_script(LEAVE)

    def join(self, *, flush: bool) -> bool:
        """Register this session; with `flush`, first empty the job unless a worker is alive.
        Returns whether it flushed."""
        keys = [self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.inflight,
                self.keys.articles]
        flushed = bool(self._join(keys=keys, args=[self.session, self.ttl_ms, int(flush)]))
        if flushed:
            delete_index(self.server, self.keys.dedup)
        return flushed

    def heartbeat(self) -> None:
        self._heartbeat(keys=[self.keys.workers], args=[self.session, self.ttl_ms])

    def push(self, fingerprint: str | None, score: float, data: bytes) -> bool:
        """Queue a request unless its fingerprint was seen (None: never filtered)."""
        keys = [self.keys.dupefilter, self.keys.requests]
        return bool(self._push(keys=keys, args=[fingerprint or "", score, data]))

    def pop(self) -> tuple[str, bytes] | None:
        """The next request and its in-flight token, or None when the queue is empty."""
        token = f"{self.session}|{next(self._numbers)}"
        data = self._pop(keys=[self.keys.requests, self.keys.inflight], args=[token])
        return (token, data) if data else None

    def ack(self, tokens: Sequence[str]) -> None:
        if tokens:
            self.server.hdel(self.keys.inflight, *tokens)

    def recover(self) -> int:
        """Requeue the in-flight requests of dead sessions; returns how many."""
        keys = [self.keys.workers, self.keys.requests, self.keys.inflight]
        return int(self._recover(keys=keys))

    def pending(self) -> tuple[int, int]:
        """(queued, in flight) over every worker of the job."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.hlen(self.keys.inflight)
            queued, in_flight = pipe.execute()
        return int(queued), int(in_flight)

    def leave(self, *, clean_up: bool) -> bool:
        """Deregister; with `clean_up`, delete the job if it is drained and nobody else is
        alive. Returns whether it deleted the job."""
        keys = [self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.inflight,
                self.keys.articles]
        deleted = bool(self._leave(keys=keys, args=[self.session, int(clean_up)]))
        if deleted:
            delete_index(self.server, self.keys.dedup)
        return deleted

    def article_exported(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.articles, url))

    def mark_exported(self, url: str) -> None:
        self.server.sadd(self.keys.articles, url)


class Heartbeat:
    """Keeps a session alive from a thread of its own: a worker is dead when its process is,
    not when its event loop is busy (a long page, a slow start) for longer than the TTL."""

    def __init__(self, frontier: Frontier, interval: float) -> None:
        self.frontier = frontier
        self.interval = interval
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="frontier-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.frontier.heartbeat()
            except REDIS_ERRORS as exc:
                self.error = exc  # reported by the scheduler, on the event loop
                return


# --- Scrapy components -----------------------------------------------------------------------


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
                fingerprint, -request.priority, self.queue._encode_request(request)
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
        request = self.queue._decode_request(data)
        self._popped[token] = request
        self.count("scheduler/dequeued/redis")
        return request

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

    def count(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(key)


# The two places where the engine offers no public hook. Scrapy signals nothing when a request
# is fully processed (callback, item pipelines, feed export and scheduling of its links), which
# is when the frontier may forget it; and its only poll of an idle scheduler is a 5 s heartbeat.


def requests_in_progress(crawler: Crawler) -> set[Request]:
    """The requests the engine has taken from the scheduler and not yet finished with."""
    slot = getattr(crawler.engine, "_slot", None)
    return set(slot.inprogress) if slot is not None else set()


def wake_engine(crawler: Crawler) -> None:
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


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
        scheduler = self.crawler.engine.scheduler
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


def per_worker(path: str, job: str, worker: str) -> str:
    """`out/x.jsonl` -> `out/<job>/x-<worker>.jsonl`: workers of one machine share no file."""
    file = Path(path)
    return str(file.parent / job / f"{file.stem}-{worker}{file.suffix}")


class DistributedCrawl:
    """Scrapy add-on: when `REDIS_URL` (or env `CRAWLER_REDIS_URL`) names a Redis server, crawl
    with the shared frontier there.

    Writes at "project" priority, after settings.py, so `-s` and `-o`/`-O` still win. Feeds,
    rejects and summary files the command line did not set get a per-worker name under a
    folder per job, `output/<spider>/<job>/articles-<worker>.jsonl`, appended to.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        url = settings.get("REDIS_URL") or os.environ.get(REDIS_URL_ENV, "")
        if not url:
            return
        worker = checked_name(
            "CRAWL_WORKER",
            settings.get("CRAWL_WORKER") or os.environ.get(WORKER_ENV) or default_worker_name(),
        )
        for name, value in distributed_defaults().items():
            settings.set(name, value, priority="addon")
        # "project": over an empty REDIS_URL or CRAWL_WORKER in settings.py; `-s` still wins.
        settings.set("REDIS_URL", url, priority="project")
        settings.set("CRAWL_WORKER", worker, priority="project")
        # A lost server should stop the crawl within seconds, not hang it (scrapy-redis: 30 s).
        timeouts = {"socket_timeout": 10, "socket_connect_timeout": 5}
        settings.set("REDIS_PARAMS", {**timeouts, **settings.getdict("REDIS_PARAMS")},
                     priority="addon")
        settings.set_in_component_priority_dict("ITEM_PIPELINES", ExportArticleOnce, 990)
        storage = f"{MODULE}.{UnbufferedFileFeedStorage.__name__}"
        settings.set("FEED_STORAGES", {**settings.getdict("FEED_STORAGES"), "": storage,
                                       "file": storage}, priority="addon")
        # One crawl process per core is the unit of scale here, so extraction stays inline. The
        # provisional cluster ids come from one dedup index shared in Redis; the file index and
        # the report are per process, so they are off: `python -m crawler.distributed run`
        # clusters the merged output of all workers and gives the final ids. A second address
        # of a page does not wait for its canonical page: another worker may crawl that page,
        # and its outcome is never known here.
        for name, value in {"EXTRACT_PROCESSES": 0, "DEDUP_INDEX": "",
                            "CLUSTER_REPORT_DIR": "", "DEDUP_SHARED_INDEX": True,
                            "CANONICAL_WAIT": 0}.items():
            if (settings.getpriority(name) or 0) <= SETTINGS_PRIORITIES["project"]:
                settings.set(name, value, priority="project")
        # The spider name when no job is set, filled in where the path is used (%(name)s).
        job = checked_name("CRAWL_JOB", settings["CRAWL_JOB"]) if settings.get(
            "CRAWL_JOB") else "%(name)s"
        separate_outputs(settings, job, worker)


def separate_outputs(settings: BaseSettings, job: str, worker: str) -> None:
    """Per-worker names for the local output files settings.py names ("project" priority, so
    the command line's `-o`, `-O` and `-s` are left as given). Remote feeds are left as they are:
    give them `%(worker)s` yourself."""
    for name in ("REJECTS_FILE", "CRAWL_SUMMARY_FILE"):
        if settings.get(name):
            settings.set(name, per_worker(settings[name], job, worker), priority="project")
    # The feed `crawler.feeds.DefaultFeed` puts in FEEDS when none is given, whichever add-on
    # runs first.
    if settings.get("DEFAULT_FEED") and is_local(settings["DEFAULT_FEED"]):
        default = per_worker(settings["DEFAULT_FEED"], "%(job)s", "%(worker)s")
        settings.set("DEFAULT_FEED", default, priority="project")
    feeds = [
        # Appended to: a worker restarted under the same name must not truncate what it wrote.
        (per_worker(uri, "%(job)s", "%(worker)s"), {**options, "overwrite": False})
        if is_local(uri) else (uri, options)
        for uri, options in settings.getdict("FEEDS").items()
    ]
    settings.set("FEEDS", dict(feeds), priority="project")


def is_local(uri: str) -> bool:
    return urlsplit(uri).scheme in ("", "file") and not uri.startswith("file:")


# --- running N workers -----------------------------------------------------------------------


@dataclass(frozen=True)
class MergeResult:
    articles: int
    duplicates: int
    rejects: int


def read_lines(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    for path in paths:
        with path.open(encoding="utf-8") as file:
            for line in file:
                if line.strip():
                    yield json.loads(line)


def merge_outputs(folder: Path) -> MergeResult:
    """Merges the per-worker files of a job folder into `articles.jsonl`, `rejects.jsonl` and
    `summary.json` there: one line per page URL (first kept), page counts summed (a killed
    worker writes no summary: its pages are counted by the workers that crawled them again)."""
    seen: set[str] = set()
    duplicates = 0
    with (folder / "articles.jsonl").open("w", encoding="utf-8") as out:
        for article in read_lines(sorted(folder.glob("articles-*.jsonl"))):
            if article["url"] in seen:
                duplicates += 1
                continue
            seen.add(article["url"])
            out.write(json.dumps(article, ensure_ascii=False) + "\n")
    # A page in flight when its worker was killed is crawled again: its reject may be listed twice.
    rejects = {row["url"]: row for row in read_lines(sorted(folder.glob("rejects-*.jsonl")))}
    with (folder / "rejects.jsonl").open("w", encoding="utf-8") as out:
        out.writelines(json.dumps(row, ensure_ascii=False) + "\n" for row in rejects.values())
    pages: dict[str, int] = {}
    for summary in sorted(folder.glob("summary-*.json")):
        for key, value in json.loads(summary.read_text(encoding="utf-8"))["pages"].items():
            pages[key] = pages.get(key, 0) + value
    totals = {"pages": dict(sorted(pages.items()))}
    (folder / "summary.json").write_text(json.dumps(totals, indent=2) + "\n")
    cluster_merged(folder / "articles.jsonl")
    return MergeResult(len(seen), duplicates, len(rejects))


def cluster_merged(articles: Path) -> None:
    """Copy and event clusters over every worker's articles (each worker only saw its own), the
    same clustering `scrapy cluster` and the embedded crawl give: it does not depend on order."""
    clustered = articles.with_name(articles.name + ".tmp")
    options = DedupOptions.from_settings(get_project_settings())
    cluster_jsonl(articles, clustered, options)
    clustered.replace(articles)


def worker_command(spider: str, folder: Path, worker: str, settings: list[str]) -> list[str]:
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider,
        "-o", str(folder / f"articles-{worker}.jsonl"),
        "-s", f"CRAWL_WORKER={worker}",
        "-s", f"REJECTS_FILE={folder / f'rejects-{worker}.jsonl'}",
        "-s", f"CRAWL_SUMMARY_FILE={folder / f'summary-{worker}.json'}",
    ]
    for setting in settings:
        command += ["-s", setting]
    return command


def remove_worker_files(folder: Path) -> None:
    for pattern in ("articles-*.jsonl", "rejects-*.jsonl", "summary-*.json"):
        for path in folder.glob(pattern):
            path.unlink()


def job_exists(server: Redis, job: str) -> bool:
    return bool(server.exists(*JobKeys.for_job(job).all()))


def run_workers(options: argparse.Namespace) -> int:
    """Starts N workers of one job, waits for them, merges their outputs; returns an exit code."""
    job = checked_name("job", options.job or options.spider)
    server = connection.get_redis(url=options.redis, socket_connect_timeout=5)
    try:
        resuming = job_exists(server, job)
    except REDIS_ERRORS as exc:
        print(f"Cannot reach Redis at {redacted(options.redis)} ({exc}).", file=sys.stderr)
        return UNREACHABLE_EXIT_CODE
    folder = (options.output or Path("output") / options.spider / job).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    if not resuming:
        remove_worker_files(folder)  # a fresh job: what an earlier run of it wrote is stale
    env = {**os.environ, REDIS_URL_ENV: options.redis}
    settings = [f"CRAWL_JOB={job}", *options.set]
    # Names new to each run: a resumed job's new workers add files beside the stopped ones'.
    run_id = uuid.uuid4().hex[:6]
    workers = [
        subprocess.Popen(
            worker_command(options.spider, folder, f"w{n}-{run_id}", settings), env=env
        )
        for n in range(1, options.workers + 1)
    ]
    codes = [worker.wait() for worker in workers]
    merged = merge_outputs(folder)
    print(f"{options.workers} workers of job {job} exited with {codes}; merged "
          f"{merged.articles} articles ({merged.duplicates} duplicate lines dropped) and "
          f"{merged.rejects} rejects into {folder}")
    return max(codes)


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.distributed",
                                     description="Distributed crawls sharing a Redis frontier.")
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="start N workers of one job and merge their outputs")
    run.add_argument("spider")
    run.add_argument("--workers", type=int, default=2)
    run.add_argument("--job", help="CRAWL_JOB (default: the spider name)")
    run.add_argument("--redis", default=os.environ.get(REDIS_URL_ENV, "redis://127.0.0.1:6379"))
    run.add_argument("--output", type=Path, help="default: output/<spider>/<job>")
    run.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE")
    merge = commands.add_parser("merge", help="merge the per-worker files of a job folder")
    merge.add_argument("folder", type=Path)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    options = parse_arguments(argv)
    if options.command == "merge":
        merged = merge_outputs(options.folder)
        print(f"{merged.articles} articles ({merged.duplicates} duplicate lines dropped), "
              f"{merged.rejects} rejects")
        return 0
    return run_workers(options)


if __name__ == "__main__":
    sys.exit(main())
