"""The switch of the distributed mode (`DistributedCrawl`) and the settings it sets."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.settings import SETTINGS_PRIORITIES

from crawler.distributed.export import (
    ExportArticleOnce,
    UnbufferedFileFeedStorage,
    feed_uri_params,
)
from crawler.distributed.keys import REDIS_URL_ENV, WORKER_ENV, checked_name, default_worker_name
from crawler.distributed.scheduler import FrontierScheduler

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def import_path(thing: Any) -> str:
    """What a setting names a class or function by (never `__main__`, which `python -m` is)."""
    return f"{thing.__module__}.{thing.__qualname__}"


def distributed_defaults() -> dict[str, Any]:
    """Settings of the distributed mode, set at "addon" priority: settings.py and `-s` win."""
    return {
        "SCHEDULER": import_path(FrontierScheduler),
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_QUEUE_KEY": "%(job)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": "%(job)s:dupefilter",
        "FEED_URI_PARAMS": import_path(feed_uri_params),
        "MAX_IDLE_TIME_BEFORE_CLOSE": 3,
    }


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
        storage = import_path(UnbufferedFileFeedStorage)
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
