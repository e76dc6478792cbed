"""Offline crawling: answer every HTTP(S) request from saved fixture pages.

A download handler rather than a downloader middleware, so that the rest of Scrapy's downloader
stack (redirects, retries, decompression, download stats) runs exactly as it does online, and
because replacing the http/https handlers is what guarantees that no socket is ever opened.

The `OfflineFixtures` add-on switches this on when `OFFLINE_FIXTURES` names a manifest (the
default); `-s OFFLINE_FIXTURES=` crawls the live sites with the same spiders.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

from crawler.checks import exit_with

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MISS_FLAG = "fixture-miss"
"""Response flag on the 404 answer for a URL with no saved page."""


class PageTooLarge(IgnoreRequest):
    """The saved page is larger than `DOWNLOAD_MAXSIZE`, which Scrapy's own HTTP handler would
    refuse to download too."""


@dataclass(frozen=True)
class FixturePage:
    """One saved page: where its bytes are and how the site served them."""

    url: str
    path: Path
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class FixtureManifest:
    """URL -> saved page, read from a JSON manifest (`{"pages": [{"url", "file", ...}]}`).

    URLs are matched in canonical form (sorted query, no fragment), so `?b=1&a=2` finds `?a=2&b=1`.
    """

    pages: dict[str, FixturePage]

    @classmethod
    def load(cls, manifest_path: Path) -> Self:
        """Read a manifest; file paths in it are relative to the manifest's folder."""
        try:
            data = json.loads(manifest_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise NotConfigured(f"cannot read fixture manifest {manifest_path}: {exc}") from exc
        root = manifest_path.parent
        pages: dict[str, FixturePage] = {}
        entries = data.get("pages", []) if isinstance(data, dict) else None
        if not isinstance(entries, list):
            raise NotConfigured(f"fixture manifest {manifest_path} holds no list of pages")
        for number, entry in enumerate(entries, start=1):
            try:
                page = FixturePage(
                    url=entry["url"],
                    path=root / entry["file"],
                    status=int(entry.get("status", 200)),
                    headers=dict(entry.get("headers", {})),
                )
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                raise NotConfigured(f"fixture manifest {manifest_path}, page {number}: needs "
                                    f"a url, a file and a numeric status ({exc!r})") from None
            pages[canonicalize_url(page.url)] = page
        return cls(pages)

    def find(self, url: str) -> FixturePage | None:
        # Most requests name a saved page exactly as the manifest does, already canonical:
        # that look-up spares canonicalize_url, a fifth of the time this handler takes.
        page = self.pages.get(url)
        return page if page is not None else self.pages.get(canonicalize_url(url))


def is_robots_txt(request: Request) -> bool:
    return request.url.endswith("/robots.txt")


class FixtureDownloadHandler:
    """Scrapy download handler for http and https that serves pages from a `FixtureManifest`.

    A saved page is answered with its bytes, status and headers, under the request's URL. A URL
    with no saved page is answered 404 with the `fixture-miss` flag, logged and counted in
    `offline/missed`; the spider counts it as a missed page and the crawl goes on.
    """

    lazy = False

    def __init__(self, crawler: Crawler, manifest: FixtureManifest) -> None:
        self.crawler = crawler
        self.manifest = manifest
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        manifest_path = crawler.settings.get("OFFLINE_FIXTURES")
        if not manifest_path:
            raise NotConfigured("OFFLINE_FIXTURES is not set")
        return cls(crawler, FixtureManifest.load(Path(manifest_path)))

    async def download_request(self, request: Request) -> Response:
        page = self.manifest.find(request.url)
        if page is None:
            return self._miss(request)
        max_size = request.meta.get("download_maxsize", self.max_size)
        try:
            with page.path.open("rb") as file:
                size = os.fstat(file.fileno()).st_size
                if max_size and size > max_size:
                    raise PageTooLarge(
                        f"page of {size} bytes is over DOWNLOAD_MAXSIZE={max_size}"
                    )
                body = file.read()
        except OSError as exc:
            logger.error("Fixture file for %s cannot be read: %s", request.url, exc)
            return self._miss(request)
        headers = Headers(page.headers)
        response_class = responsetypes.from_args(headers=headers, url=request.url, body=body)
        assert self.crawler.stats is not None  # typing: set for every running crawler
        self.crawler.stats.inc_value("offline/served")
        return response_class(
            url=request.url, status=page.status, headers=headers, body=body, request=request
        )

    def _miss(self, request: Request) -> Response:
        assert self.crawler.stats is not None
        if is_robots_txt(request):
            # No saved robots.txt means the site allows everything; not a page of the crawl.
            logger.debug("No fixture robots.txt for %s", request.url)
        else:
            # The spider's errback logs the miss with its reason; one warning per page is enough.
            self.crawler.stats.inc_value("offline/missed")
            logger.debug("No fixture page for %s", request.url)
        return responsetypes.from_args(url=request.url)(
            url=request.url, status=404, body=b"", request=request, flags=[MISS_FLAG]
        )

    async def close(self) -> None:
        """Nothing to release: files are opened and closed per request."""


class OfflineFixtures:
    """Scrapy add-on: when `OFFLINE_FIXTURES` names a manifest, crawl offline from it.

    Installs `FixtureDownloadHandler` for http and https and drops the politeness delays, which
    only slow a crawl that talks to no server. It writes at "project" priority because add-ons
    load after settings.py and must win over its online politeness values; `-s` still wins.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("OFFLINE_FIXTURES"):
            return
        # Before anything is opened or written: a mistyped manifest must not leave an empty
        # crawl's summary, rejects and report over the last good crawl's.
        try:
            FixtureManifest.load(Path(settings["OFFLINE_FIXTURES"]))
        except NotConfigured as exc:
            exit_with(f"{exc} (OFFLINE_FIXTURES; empty it to crawl the live sites)")
        handler = f"{__name__}.{FixtureDownloadHandler.__name__}"
        settings.set(
            "DOWNLOAD_HANDLERS",
            {**settings.getdict("DOWNLOAD_HANDLERS"), "http": handler, "https": handler},
            priority="project",
        )
        offline_overrides: dict[str, Any] = {
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "CONCURRENT_REQUESTS_PER_DOMAIN": settings.getint("CONCURRENT_REQUESTS"),
        }
        for name, value in offline_overrides.items():
            settings.set(name, value, priority="project")
