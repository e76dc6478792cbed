"""Names of a distributed crawl job and its workers, and the Redis keys of a job."""

from __future__ import annotations

import os
import re
import socket
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from crawler.dedup.shared import index_basename

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider

REDIS_URL_ENV = "CRAWLER_REDIS_URL"
WORKER_ENV = "CRAWLER_WORKER"
REDIS_ERRORS = (RedisConnectionError, RedisTimeoutError)
"""What a lost or unreachable Redis raises; other Redis errors are bugs and keep their traceback."""

NAME_PATTERN = re.compile(r"[\w.:-]+")
"""Job and worker names: they go into Redis keys, file names and `|`-separated in-flight fields."""

UNREACHABLE_EXIT_CODE = 2


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

