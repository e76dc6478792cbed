"""Web archives as a source of pages: WARC and WARC.gz files read with warcio, each HTTP
response record a page of a crawl that is read, not fetched (`crawler.spiders.warc`).

warcio rather than FastWARC: it is pure Python (no compiled wheel to match), it decodes chunked
transfer and gzip/deflate/brotli content encodings of the payload itself, and it reads on past
a damaged record where the format allows. Reading is a small part of the cost of a page: on the
benchmark's archive (benchmarks/warc.py) warcio reads 14,000 records/s and FastWARC 38,000,
where the whole crawl handles 1,000, so FastWARC's faster parsing would save about 5%.

Which records are pages, and why the others are not (`warc/<reason>` in the crawl stats and in
summary.json): `not-response` (request, metadata, warcinfo… records), `not-html` (images,
scripts, feeds), `filtered-host` (not a host asked for), `filtered-tld`, `filtered-date` (the
record's date outside `since`/`until`), `duplicate` (a URL already read from the archives),
`unreadable` (an archive that breaks off or is no WARC: what was read before counts).
"""

from __future__ import annotations

import glob
import logging
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scrapy.http import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from crawler.sites import host_of

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from scrapy import Request
    from scrapy.http import Response

logger = logging.getLogger(__name__)

WARC_RECORD = "warc_record"
"""Request meta: the `ArchivedPage` a request is answered with instead of a download."""

HTML_TYPES = ("text/html", "application/xhtml+xml")
DROPPED_HEADERS = (b"content-encoding", b"transfer-encoding", b"content-length")
"""Headers of the archived response that no longer describe the payload warcio hands over
(decoded, unchunked)."""


@dataclass(frozen=True)
class ArchivedPage:
    """One HTTP response of an archive."""

    url: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    date: datetime | None
    """The record's WARC-Date: when the page was fetched."""


@dataclass
class RecordFilter:
    """Which response records are candidates, decided before anything is extracted."""

    hosts: frozenset[str] = frozenset()
    """Hosts (as `host_of` gives them) to keep; empty: every host."""
    tlds: tuple[str, ...] = ()
    """Top-level domains to keep (`id`, `co.id`); empty: every one."""
    since: datetime | None = None
    until: datetime | None = None

    def refusal(self, url: str, date: datetime | None) -> str | None:
        host = host_of(url)
        if self.hosts and host not in self.hosts:
            return "filtered-host"
        if self.tlds and not (host and host.endswith(tuple(f".{t}" for t in self.tlds))):
            return "filtered-tld"
        if date is not None and ((self.since and date < self.since)
                                 or (self.until and date > self.until)):
            return "filtered-date"
        return None


@dataclass
class ArchiveReader:
    """The candidate pages of WARC files, each other record counted with its reason."""

    files: list[Path]
    only: RecordFilter = field(default_factory=RecordFilter)
    counts: dict[str, int] = field(default_factory=dict)

    @classmethod
    def from_pattern(cls, pattern: str, only: RecordFilter) -> ArchiveReader:
        """Files named by a comma-separated list of paths and globs; ValueError for none."""
        files: list[Path] = []
        for part in (p.strip() for p in pattern.split(",") if p.strip()):
            matched = sorted(glob.glob(part)) or ([part] if Path(part).exists() else [])
            if not matched:
                raise ValueError(f"no WARC file matches {part!r}")
            files += [Path(m) for m in matched]
        if not files:
            raise ValueError("files= names no WARC file")
        return cls(files, only)

    def count(self, reason: str) -> None:
        self.counts[reason] = self.counts.get(reason, 0) + 1

    def pages(self) -> Iterator[ArchivedPage]:
        seen: set[str] = set()
        for path in self.files:
            yield from self._pages_of(path, seen)

    def _pages_of(self, path: Path, seen: set[str]) -> Iterator[ArchivedPage]:
        try:
            with path.open("rb") as stream:
                for record in ArchiveIterator(stream):
                    page = self._page(record, seen)
                    if cut_off(record):
                        url = record.rec_headers.get_header('WARC-Target-URI')
                        raise EOFError(f"the record of {url} breaks off")
                    if page is not None:
                        yield page
        except (ArchiveLoadFailed, OSError, EOFError, ValueError) as exc:
            self.count("unreadable")
            logger.warning("WARC file %s is unreadable from some point on (%s): the records "
                           "before it were read", path, exc)

    def _page(self, record: Any, seen: set[str]) -> ArchivedPage | None:
        if record.rec_type != "response" or record.http_headers is None:
            self.count("not-response")
            return None
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        content_type = (record.http_headers.get_header("Content-Type") or "").lower()
        if not content_type.startswith(HTML_TYPES):
            self.count("not-html")
            return None
        date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
        refusal = self.only.refusal(url, date)
        if refusal is not None:
            self.count(refusal)
            return None
        if url in seen:
            self.count("duplicate")
            return None
        seen.add(url)
        body = record.content_stream().read()
        headers = [(k.encode("latin-1"), v.encode("latin-1"))
                   for k, v in record.http_headers.headers
                   if k.lower().encode("latin-1") not in DROPPED_HEADERS]
        status = int(record.http_headers.get_statuscode() or 200)
        self.count("read")
        return ArchivedPage(url, status, headers, body, date)


def cut_off(record: Any) -> bool:
    """Whether the record's content ends before its declared length (a file cut off in the
    middle of it, which warcio reads as a shorter record). What is left of it is read first."""
    content = record.raw_stream
    while content.read(1 << 16):
        pass
    return bool(getattr(content, "limit", 0))


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def archived_response(page: ArchivedPage, request: Request) -> Response:
    headers = Headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    return cls(url=page.url, status=page.status, headers=headers, body=page.body,
               request=request)


class ArchivedResponses:
    """Downloader middleware: a request carrying an archived page (`WARC_RECORD`) is answered
    with it, not downloaded. After `PageAccounting`, so the page is counted as requested; its
    response goes back through every middleware, as a download's does."""

    def process_request(self, request: Request) -> Response | None:
        page = request.meta.get(WARC_RECORD)
        return archived_response(page, request) if page is not None else None


def hosts_from(names: Iterable[str]) -> frozenset[str]:
    return frozenset(h for name in names if (h := host_of(name if "//" in name else
                                                           f"https://{name}/")))
