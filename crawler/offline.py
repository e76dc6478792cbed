"""Offline crawling: answer every HTTP(S) request from saved fixture pages, or from web archives.

A download handler rather than a downloader middleware, so that the rest of Scrapy's downloader
stack (redirects, retries, decompression, download stats) runs exactly as it does online, and
because replacing the http/https handlers is what guarantees that no socket is ever opened.

The `OfflineFixtures` add-on switches this on when `OFFLINE_FIXTURES` names a manifest (the
default) or WARC files (`archive/*.warc.gz`: a crawl written with `WARC_OUTPUT`, or any archive
of the sites); `-s OFFLINE_FIXTURES=` crawls the live sites with the same spiders. From an
archive, each URL is answered with its last response record as it was fetched (status, headers,
the payload before decompression, which Scrapy's middlewares then undo as online), dated by the
record (`crawler.fetch_time`); the archive is indexed once, and each page read from its offset.
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
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed

from crawler.checks import exit_with
from crawler.fetch_time import ARCHIVED_AT, fetch_stamp
from crawler.warc_sources import archive_sources, parse_warc_date

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

    def read(self, max_size: int) -> bytes:
        """The saved body; PageTooLarge over `max_size` bytes (0: no limit)."""
        with self.path.open("rb") as file:
            size = os.fstat(file.fileno()).st_size
            if max_size and size > max_size:
                raise PageTooLarge(f"page of {size} bytes is over DOWNLOAD_MAXSIZE={max_size}")
            return file.read()


@dataclass(frozen=True)
class ArchivedFixturePage(FixturePage):
    """A page saved in a WARC file: the response record at `offset` of `path`."""

    offset: int = 0
    fetched: str | None = None
    """The record's WARC-Date, as `fetch_stamp` writes it."""

    def read(self, max_size: int) -> bytes:
        """The payload as it was fetched: still compressed (the headers say how), unchunked."""
        with self.path.open("rb") as file:
            file.seek(self.offset)
            record = next(iter(ArchiveIterator(file)))
            stream = record.raw_stream
            if (record.http_headers.get_header("Transfer-Encoding") or "").lower() == "chunked":
                stream = ChunkedDataReader(stream)
            body: bytes = stream.read(max_size + 1 if max_size else None)
        if max_size and len(body) > max_size:
            raise PageTooLarge(f"page of over {max_size} bytes is over DOWNLOAD_MAXSIZE")
        return body


def is_archive_source(value: str) -> bool:
    """Whether `OFFLINE_FIXTURES` names WARC files rather than a manifest."""
    return all(part.strip().endswith((".warc", ".warc.gz"))
               for part in value.split(",") if part.strip())


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

    @classmethod
    def open(cls, source: str) -> Self:
        """The saved pages `OFFLINE_FIXTURES` names: a manifest, or WARC files (see `archives`)."""
        if is_archive_source(source):
            return cls.archives(source)
        return cls.load(Path(source))

    @classmethod
    def archives(cls, source: str) -> Self:
        """The response records of WARC files (comma-separated paths and globs), each URL's
        last one; NotConfigured for a file that matches nothing or is no WARC."""
        try:
            paths = [Path(path) for path in archive_sources(source)]
        except ValueError as exc:
            raise NotConfigured(str(exc)) from None
        pages: dict[str, FixturePage] = {}
        for path in paths:
            try:
                with path.open("rb") as stream:
                    archive = ArchiveIterator(stream)
                    for record in archive:
                        if record.rec_type != "response" or record.http_headers is None:
                            continue
                        url = record.rec_headers.get_header("WARC-Target-URI")
                        date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
                        http = record.http_headers
                        pages[canonicalize_url(url)] = ArchivedFixturePage(
                            url, path, int(http.get_statuscode() or 200),
                            {name: value for name, value in http.headers
                             if name.lower() not in ("transfer-encoding", "content-length")},
                            archive.get_record_offset(),
                            fetch_stamp(date) if date else None)
            except (OSError, ArchiveLoadFailed, ValueError, EOFError) as exc:
                raise NotConfigured(f"cannot read WARC file {path}: "
                                    f"{' '.join(str(exc).split())}") from None
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
        return cls(crawler, saved_pages(crawler))

    async def download_request(self, request: Request) -> Response:
        page = self.manifest.find(request.url)
        if page is None:
            return self._miss(request)
        max_size = request.meta.get("download_maxsize", self.max_size)
        try:
            body = page.read(max_size)
        except (OSError, ArchiveLoadFailed, StopIteration) as exc:
            logger.error("Fixture file for %s cannot be read: %s", request.url, exc)
            return self._miss(request)
        if isinstance(page, ArchivedFixturePage) and page.fetched:
            request.meta[ARCHIVED_AT] = page.fetched
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


def saved_pages(crawler: Crawler) -> FixtureManifest:
    """The crawl's saved pages, as its `OfflineFixtures` add-on read them once (an archive's
    index takes a pass over it), or read now for a crawler without the add-on."""
    addon = crawler.get_addon(OfflineFixtures)
    if addon is not None and addon.pages is not None:
        return addon.pages
    source = crawler.settings.get("OFFLINE_FIXTURES")
    if not source:
        raise NotConfigured("OFFLINE_FIXTURES is not set")
    return FixtureManifest.open(source)


class OfflineFixtures:
    """Scrapy add-on: when `OFFLINE_FIXTURES` names a manifest or WARC files, crawl offline
    from them.

    Installs `FixtureDownloadHandler` for http and https and drops the politeness delays, which
    only slow a crawl that talks to no server. It writes at "project" priority because add-ons
    load after settings.py and must win over its online politeness values; `-s` still wins.
    """

    def __init__(self) -> None:
        self.pages: FixtureManifest | None = None
        """The saved pages, read once for the handler and the spider (`saved_pages`)."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("OFFLINE_FIXTURES"):
            return
        # Before anything is opened or written: a mistyped manifest must not leave an empty
        # crawl's summary, rejects and report over the last good crawl's.
        try:
            self.pages = FixtureManifest.open(settings["OFFLINE_FIXTURES"])
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
