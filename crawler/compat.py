"""Every use of a library's internals, in one place: the engine and downloader state Scrapy
exposes no public hook for. Each function says why it is needed; `tests/test_compat.py` runs each
against the installed Scrapy, so a release that changes them fails there, by name, not somewhere
in a crawl. `pyproject.toml` bounds Scrapy to the releases these were checked on.

Everything else uses public APIs only: scrapy-redis's request serializer with Scrapy's
`Request.to_dict` / `request_from_dict`, datasketch's `hashfunc` and `RedisStorage.redis_key`, and
a stats collector's public `close_spider`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy import exceptions
from scrapy.utils.asyncio import call_later
from twisted.internet import error as network

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.core.scheduler import BaseScheduler
    from scrapy.crawler import Crawler


DOWNLOAD_TIMEOUTS: tuple[type[Exception], ...] = (
    network.TimeoutError, network.TCPTimedOutError,
    # Scrapy 2.17+ raises its own on DOWNLOAD_TIMEOUT; before, Twisted's.
    *((exceptions.DownloadTimeoutError,) if hasattr(exceptions, "DownloadTimeoutError") else ()),
)
"""What a download that ran out of time fails with, in every supported Scrapy."""


def requests_in_progress(crawler: Crawler) -> set[Request]:
    """The requests the engine has taken from its scheduler and not yet finished with (the
    engine slot's `inprogress`). Scrapy signals nothing when a request is fully processed
    (callback, item pipelines, feed export and scheduling of its links), which is when a shared
    frontier may forget it."""
    slot = getattr(crawler.engine, "_slot", None)
    return set(slot.inprogress) if slot is not None else set()


def wake_engine(crawler: Crawler) -> None:
    """Make the engine ask its scheduler for requests now: its own poll of an idle scheduler is
    a 5 s heartbeat, far too slow for a queue that other processes fill."""
    slot = getattr(crawler.engine, "_slot", None)
    if slot is not None:
        slot.nextcall.schedule()


def engine_scheduler(crawler: Crawler) -> BaseScheduler | None:
    """The running crawl's scheduler: `ExecutionEngine.scheduler` from Scrapy 2.19, the engine
    slot's before; None before the crawl opens."""
    engine = crawler.engine
    if engine is None:
        return None
    if hasattr(type(engine), "scheduler"):
        scheduler: BaseScheduler | None = engine.scheduler
        return scheduler
    slot = getattr(engine, "_slot", None)
    return slot.scheduler if slot is not None else None


def pause_download_slot(crawler: Crawler, request: Request, seconds: float) -> bool:
    """Hold back every request of `request`'s download slot (its host, or `download_slot`) for
    `seconds`: the slot's own "later" call, which Scrapy uses for `DOWNLOAD_DELAY`, set to the
    pause. Scrapy has no public way to pause a slot (scrapy/scrapy#3849, #802). Returns whether
    the slot was found."""
    downloader = crawler.engine.downloader if crawler.engine is not None else None
    if downloader is None:
        return False
    slot = downloader.slots.get(downloader.get_slot_key(request))
    if slot is None:
        return False
    if slot.latercall:
        slot.latercall.cancel()
    slot.latercall = call_later(seconds, downloader._latercall, slot)
    return True


def scraper_full(crawler: Crawler) -> bool:
    """Whether Scrapy holds back new requests because the responses being scraped fill its
    scraper (`SCRAPER_SLOT_MAX_ACTIVE_SIZE`): its own back-pressure test, so that pages parked
    by a pipeline never stall the crawl that would bring what they wait for."""
    try:
        slot = crawler.engine.scraper.slot
    except (AttributeError, RuntimeError):  # no engine: the pipeline runs outside a crawl
        return False
    return slot is not None and slot.needs_backout()
