"""Every crawl as a web archive (`WARC_OUTPUT`): each response as it was fetched, after its
request, in WARC files gzipped per record and rotated by size (`WARC_MAX_BYTES`), so that the
crawl can be read again later (`scrapy crawl warc`) and gives the same articles."""

from __future__ import annotations

import io
import logging
from datetime import UTC, datetime
from http.client import responses
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.exceptions import NotConfigured
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from crawler.fetch_time import FETCHED, fetch_stamp
from crawler.offline import MISS_FLAG

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def header_list(headers: Any) -> list[tuple[str, str]]:
    return [(name.decode("latin-1"), value.decode("latin-1"))
            for name, values in headers.items() for value in values]


class WarcOutput:
    """Scrapy extension: writes `<WARC_OUTPUT>/<spider>-<start time>-<n>.warc.gz`."""

    def __init__(self, folder: Path, name: str, max_bytes: int) -> None:
        self.folder = folder
        self.prefix = f"{name}-{datetime.now(UTC):%Y%m%d%H%M%S}"
        self.max_bytes = max_bytes
        self.number = 0
        self.file: IO[bytes] | None = None
        self.writer: WARCWriter | None = None
        self.records = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        folder = crawler.settings.get("WARC_OUTPUT")
        if not folder:
            raise NotConfigured  # no message: Scrapy would log one for every crawl
        extension = cls(Path(folder % {"name": crawler.spidercls.name}),
                        crawler.spidercls.name, crawler.settings.getint("WARC_MAX_BYTES"))
        crawler.signals.connect(extension.response_downloaded, signals.response_downloaded)
        crawler.signals.connect(extension.close, signals.spider_closed)
        return extension

    def open_next(self) -> WARCWriter:
        self.close()
        self.number += 1
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self.folder / f"{self.prefix}-{self.number:05d}.warc.gz"
        self.file = path.open("xb")
        self.writer = WARCWriter(self.file, gzip=True)
        self.writer.write_record(self.writer.create_warcinfo_record(
            path.name, {"software": "news-crawler (Scrapy, warcio)",
                        "format": "WARC File Format 1.1"}))
        logger.info("Writing the crawl's archive to %s", path)
        return self.writer

    def response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        """As fetched: the body before Scrapy's decompression, the headers the server sent. An
        offline crawl's URL with no saved page was not fetched: it is left out."""
        if MISS_FLAG in response.flags:
            return
        writer = self.writer
        if writer is None or (self.file is not None and self.file.tell() >= self.max_bytes):
            writer = self.open_next()
        url = response.url
        parts = urlsplit(request.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        request_headers = StatusAndHeaders(f"{request.method} {target} HTTP/1.1",
                                           [("Host", parts.netloc), *header_list(request.headers)],
                                           is_http_request=True)
        status = f"{response.status} {responses.get(response.status, 'Unknown')}"
        response_headers = StatusAndHeaders(status, header_list(response.headers),
                                            protocol="HTTP/1.1")
        # Dated as the article is (`FetchTime` ran first): read again, it has the same record.
        stamp = request.meta.get(FETCHED) or fetch_stamp(datetime.now(UTC))
        date = {"WARC-Date": stamp.replace("+00:00", "Z")}
        record = writer.create_warc_record(url, "response", payload=io.BytesIO(response.body),
                                           http_headers=response_headers, warc_headers_dict=date)
        writer.write_record(writer.create_warc_record(
            request.url, "request", http_headers=request_headers,
            warc_headers_dict={**date, "WARC-Concurrent-To": record.rec_headers.get_header(
                "WARC-Record-ID")}))
        writer.write_record(record)
        self.records += 1

    def close(self) -> None:
        if self.file is not None:
            self.file.close()
            self.file, self.writer = None, None
