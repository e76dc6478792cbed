"""Web archives as a source of pages: WARC and WARC.gz files, local or at an http(s) URL
(streamed, never downloaded whole), read with warcio, each HTTP response record a page of a
crawl that is read, not fetched (`crawler.spiders.warc`).

warcio rather than FastWARC: it is pure Python (no compiled wheel to match), it decodes chunked
transfer and gzip/deflate/brotli content encodings of the payload itself, and it reads on past
a damaged record where the format allows. FastWARC reads twice as fast (2,900 and 5,700 records
a second on the benchmark's archive, `benchmarks/warc.py`), but reading is a quarter to a third
of the crawl process's time there, so it would save about an eighth.

What becomes of each record (`warc/<reason>` in the crawl stats and in summary.json): `read` (a
page), `not-response` (request, metadata, warcinfo… records), `not-html` (images, scripts,
feeds), `filtered-host`, `filtered-tld`, `filtered-date`, `filtered-lang` (`crawler.warc_filters`),
`duplicate` (a URL already read from the archives), `bad-length` (a record that does not end
where its `Content-Length` says: cut off, or the length lies; what is there is still read, and
in a file gzipped per record, the records after it). Of each file: `files` (opened), `missing` (a
remote file not found or refused, a local one gone), `empty` (no record at all), `unreadable`
(it is no WARC, or breaks off: the records before count). Payloads read as they are despite
their headers (`broken-chunked`, `wrong-encoding`) are counted too, with a warning each.
"""

from __future__ import annotations

import io
import logging
import urllib.error
import urllib.request
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader, ChunkedDataException, ChunkedDataReader
from warcio.exceptions import ArchiveLoadFailed

from crawler.fetch_time import FETCHED, fetch_stamp
from crawler.offline import PageTooLarge
from crawler.warc_filters import RecordFilter
from crawler.warc_sources import REMOTE, parse_warc_date

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

WARC_RECORD = "warc_record"
"""Request meta: the `ArchivedPage` a request is answered with instead of a download."""
WARC_FILE = "warc_file"
"""Request meta: the archive (path or URL) a request stands for, a unit of work of the
distributed mode; answered with an empty response, its callback reads the archive."""

HTML_TYPES = ("text/html", "application/xhtml+xml")
DROPPED_HEADERS = (b"content-encoding", b"transfer-encoding", b"content-length")
"""Headers of the archived response that no longer describe the payload warcio hands over
(decoded, unchunked)."""
USER_AGENT = "news-crawler/0.1 (+https://example.org/news-crawler)"


class ArchiveMissing(OSError):
    """An archive that cannot be opened: a remote file not found or refused, a local one gone."""


@dataclass(frozen=True)
class ArchivedPage:
    """One HTTP response of an archive."""

    url: str
    status: int
    headers: list[tuple[bytes, bytes]]
    body: bytes
    date: datetime | None
    """The record's WARC-Date: when the page was fetched."""


def open_archive(source: str, timeout: float) -> IO[bytes]:
    """A stream of the archive's bytes; ArchiveMissing with the reason when there is none."""
    if not source.startswith(REMOTE):
        try:
            return Path(source).open("rb")
        except OSError as exc:
            raise ArchiveMissing(exc.strerror or str(exc)) from None
    request = urllib.request.Request(source, headers={"User-Agent": USER_AGENT})
    try:
        stream: IO[bytes] = urllib.request.urlopen(request, timeout=timeout)
    except urllib.error.HTTPError as exc:
        exc.close()
        raise ArchiveMissing(f"the server answered {exc.code} {exc.reason}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ArchiveMissing(f"cannot be fetched: {reason}") from None
    return stream


@dataclass
class ArchiveReader:
    """The candidate pages of WARC files, each other record counted with its reason."""

    only: RecordFilter = field(default_factory=RecordFilter)
    count: Callable[[str], None] = field(default=lambda reason: None)
    """Called with each reason counted (`warc/<reason>`)."""
    timeout: float = 60.0
    """Seconds a remote archive may keep the reader waiting for its next bytes."""
    seen: set[str] = field(default_factory=set)
    """URLs read so far: a URL is read once, from the first archive that has it."""

    def pages(self, source: str) -> Iterator[ArchivedPage]:
        """The pages of one archive; whatever breaks it off is counted and logged in one line."""
        try:
            stream = open_archive(source, self.timeout)
        except ArchiveMissing as exc:
            self.count("missing")
            logger.warning("WARC file %s is missing: %s", source, exc)
            return
        self.count("files")
        records = 0
        try:
            with stream:
                archive = QuietArchiveIterator(stream)
                for record in archive:
                    records += 1
                    page = self._page(archive, record, source)
                    if page is not None:
                        yield page
                if archive.broken_off:
                    raise EOFError("its last gzip member breaks off")
        except (ArchiveLoadFailed, OSError, EOFError, ValueError, zlib.error) as exc:
            self.count("unreadable")
            logger.warning("WARC file %s is unreadable after %d records (%s): the records "
                           "before were read", source, records, " ".join(str(exc).split()))
            return
        if not records:
            self.count("empty")
            logger.warning("WARC file %s holds no record", source)

    def _page(self, archive: QuietArchiveIterator, record: Any, source: str
              ) -> ArchivedPage | None:
        url = record.rec_headers.get_header("WARC-Target-URI") or ""
        page = self._candidate(record, url)
        errors = archive.err_count
        short = cut_off(record)
        archive.read_to_end()  # what follows the record tells whether its length was right
        if short or archive.err_count > errors:
            self.count("bad-length")
            logger.warning("WARC file %s: the record of %s does not end where its "
                           "Content-Length says (%s): read as it is", source, url,
                           "cut off" if short else "the length lies")
        if page is not None:
            self.count("read")
        return page

    def _candidate(self, record: Any, url: str) -> ArchivedPage | None:
        if record.rec_type != "response" or record.http_headers is None:
            self.count("not-response")
            return None
        http = record.http_headers
        content_type = http.get_header("Content-Type") or ""
        if not content_type.lower().startswith(HTML_TYPES):
            self.count("not-html")
            return None
        date = parse_warc_date(record.rec_headers.get_header("WARC-Date"))
        refusal = self.only.refusal(url, date)
        if refusal is None and url in self.seen:
            refusal = "duplicate"
        if refusal is not None:
            self.count(refusal)
            return None
        body = self._payload(record, url)
        refusal = self.only.language_refusal(body, content_type,
                                             http.get_header("Content-Language") or "", url)
        if refusal is not None:
            self.count(refusal)
            return None
        self.seen.add(url)
        headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in http.headers
                   if k.lower().encode("latin-1") not in DROPPED_HEADERS]
        status = int(http.get_statuscode() or 200)
        return ArchivedPage(url, status, headers, body, date)

    def _payload(self, record: Any, url: str) -> bytes:
        """The payload as the server meant it (unchunked, decompressed); where its headers lie,
        as it is, with a warning."""
        raw = record.raw_stream.read()
        http = record.http_headers
        encoding = (http.get_header("Content-Encoding") or "").strip().lower()
        decompress = encoding if encoding in BufferedReader.get_supported_decompressors() else None
        if (http.get_header("Transfer-Encoding") or "").strip().lower() == "chunked":
            try:
                stream = ChunkedDataReader(io.BytesIO(raw), raise_exceptions=True,
                                           decomp_type=decompress)
                body: bytes = stream.read()
            except ChunkedDataException as exc:
                self.count("broken-chunked")
                reason = exc.args[0] if exc.args else ""
                if isinstance(reason, bytes):
                    reason = reason.decode("latin-1")
                logger.warning("The chunked payload of %s is broken (%s): read as it is", url,
                               " ".join(reason.split()))
                stream = ChunkedDataReader(io.BytesIO(raw), decomp_type=decompress)
                body = stream.read()
        else:
            stream = BufferedReader(io.BytesIO(raw), decomp_type=decompress)
            body = stream.read()
        if encoding not in ("", "identity") and stream.decompressor is None:
            self.count("wrong-encoding")
            logger.warning("The payload of %s is not %s-encoded as its header says: read as "
                           "it is", url, encoding)
        return body


class QuietArchiveIterator(ArchiveIterator):
    """warcio's iterator without its own multi-line message on standard error for a record
    that does not end where its length says (`INC_RECORD`): it counts them (`err_count`), and
    the reader says it in one line of the log. It also tells a file whose last gzip member
    breaks off (`broken_off`), which warcio takes for the end of the file."""

    INC_RECORD = ""
    broken_off = False

    def close(self) -> None:
        decompressor = getattr(self.reader, "decompressor", None)
        started = bool(getattr(self.reader, "num_block_read", 0))
        if started and decompressor is not None and not getattr(decompressor, "eof", True):
            self.broken_off = True
        super().close()


def cut_off(record: Any) -> bool:
    """Whether the record's content ends before its declared length (a file cut off in the
    middle of it, or a `Content-Length` that lies, which warcio reads as a shorter record).
    What is left of it is read first."""
    content = record.raw_stream
    while content.read(1 << 16):
        pass
    return bool(getattr(content, "limit", 0))


def archived_response(page: ArchivedPage, request: Request) -> Response:
    headers = Headers(page.headers)
    cls = responsetypes.from_args(headers=headers, url=page.url, body=page.body)
    return cls(url=page.url, status=page.status, headers=headers, body=page.body,
               request=request)


class ArchivedResponses:
    """Downloader middleware: a request carrying an archived page (`WARC_RECORD`) is answered
    with it, dated by its record (`FETCHED`), not downloaded; a request standing for a whole
    archive (`WARC_FILE`) with an empty response, its callback reads the archive. After
    `PageAccounting`, so the page is counted as requested; its response goes back through
    every middleware, as a download's does. A page over `DOWNLOAD_MAXSIZE` is missed as
    `too-large`, as a download of it would be."""

    def __init__(self, max_size: int = 0) -> None:
        self.max_size = max_size

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ArchivedResponses:
        return cls(crawler.settings.getint("DOWNLOAD_MAXSIZE"))

    def process_request(self, request: Request) -> Response | None:
        page = request.meta.get(WARC_RECORD)
        if page is not None:
            max_size = request.meta.get("download_maxsize", self.max_size)
            if max_size and len(page.body) > max_size:
                raise PageTooLarge(f"page of {len(page.body)} bytes is over "
                                   f"DOWNLOAD_MAXSIZE={max_size}")
            if page.date is not None:
                request.meta[FETCHED] = fetch_stamp(page.date)
            return archived_response(page, request)
        if request.meta.get(WARC_FILE) is not None:
            return Response(request.url, request=request)
        return None
