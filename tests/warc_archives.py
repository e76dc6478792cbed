"""Web archives for the tests, written with warcio from saved pages, and a plain HTTP server on
a loopback address that serves them as a remote archive is served."""

from __future__ import annotations

import io
import json
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import FIXTURES

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

ARCHIVE_DATE = "2025-02-14T03:04:05Z"
"""The WARC-Date of every record `write_warc` writes: the articles' fetch time."""
FETCHED = "2025-02-14T03:04:05+00:00"


def add_response(writer: WARCWriter, url: str, payload: bytes,
                 headers: list[tuple[str, str]] | None = None, status: str = "200 OK",
                 date: str = ARCHIVE_DATE) -> None:
    http = StatusAndHeaders(status, headers or [("Content-Type", "text/html; charset=utf-8")],
                            protocol="HTTP/1.1")
    writer.write_record(writer.create_warc_record(
        url, "response", payload=io.BytesIO(payload), http_headers=http,
        warc_headers_dict={"WARC-Date": date}))


def write_warc(path: Path, gzipped: bool = True, pages: list[dict] | None = None
               ) -> dict[str, int]:
    """The fixture sites' pages (or `pages` of the manifest) as response records, each after
    its request record as a crawler writes them, plus an image and a metadata record; returns
    how many pages of each manifest kind went in."""
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    kinds: dict[str, int] = {}
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        for page in manifest["pages"] if pages is None else pages:
            request = StatusAndHeaders(f"GET {page['url']} HTTP/1.1", [], is_http_request=True)
            writer.write_record(writer.create_warc_record(
                page["url"], "request", http_headers=request,
                warc_headers_dict={"WARC-Date": ARCHIVE_DATE}))
            add_response(writer, page["url"], (FIXTURES / page["file"]).read_bytes(),
                         list(page["headers"].items()), f"{page['status']} OK")
            kinds[page["kind"]] = kinds.get(page["kind"], 0) + 1
        add_response(writer, "https://jakarta365.net/foto.jpg", b"\xff\xd8" * 64,
                     [("Content-Type", "image/jpeg")])
        writer.write_record(writer.create_warc_record(
            "https://jakarta365.net/", "metadata", payload=io.BytesIO(b"via: test"),
            warc_content_type="text/plain"))
    return kinds


def fixture_pages(*hosts: str) -> list[dict]:
    """The manifest's pages on `hosts`."""
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    return [page for page in manifest["pages"] if any(f"//{host}/" in page["url"]
                                                      for host in hosts)]


class ArchiveServer:
    """Files of a folder over plain HTTP on 127.0.0.1 (a random port), as a remote archive is
    served: 404 for a missing one. With `held`, a file's bytes stop after its first half until
    `release()` (or `hold_seconds`), so that a reader can be caught in the middle of it."""

    def __init__(self, folder: Path, held: str | None = None, hold_seconds: float = 60) -> None:
        self.folder = folder
        self.held = held
        self.hold_seconds = hold_seconds
        self.released = threading.Event()
        self.half_sent = threading.Event()
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                path = server.folder / self.path.lstrip("/")
                if not path.is_file():
                    self.send_error(404, "no such archive")
                    return
                data = path.read_bytes()
                self.send_response(200)
                self.send_header("Content-Type", "application/warc")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.path.lstrip("/") != server.held:
                    self.wfile.write(data)
                    return
                self.wfile.write(data[: len(data) // 2])
                self.wfile.flush()
                server.half_sent.set()
                server.released.wait(server.hold_seconds)
                self.wfile.write(data[len(data) // 2:])

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def release(self) -> None:
        self.released.set()


@contextmanager
def serving(folder: Path, held: str | None = None) -> Iterator[ArchiveServer]:
    server = ArchiveServer(folder, held)
    thread = threading.Thread(target=server.httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.release()
        server.httpd.shutdown()
        server.httpd.server_close()
        thread.join(timeout=10)


def wait_for(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)
