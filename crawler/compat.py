"""Every use of a library's internals, in one place: the engine state Scrapy exposes no public
hook for. Each function says why it is needed; `tests/test_compat.py` runs each against the
installed Scrapy, so a release that changes them fails there, by name, not somewhere in a crawl.
`pyproject.toml` bounds Scrapy to the releases these were checked on.

Everything else uses public APIs only: scrapy-redis's request serializer with Scrapy's
`Request.to_dict` / `request_from_dict`, datasketch's `hashfunc` and `RedisStorage.redis_key`, and
a stats collector's public `close_spider`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler


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


def scraper_full(crawler: Crawler) -> bool:
    """Whether Scrapy holds back new requests because the responses being scraped fill its
    scraper (`SCRAPER_SLOT_MAX_ACTIVE_SIZE`): its own back-pressure test, so that pages parked
    by a pipeline never stall the crawl that would bring what they wait for."""
    try:
        slot = crawler.engine.scraper.slot
    except (AttributeError, RuntimeError):  # no engine: the pipeline runs outside a crawl
        return False
    return slot is not None and slot.needs_backout()
