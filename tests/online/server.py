"""The saved sites of a fixture manifest served under their own host names by a real HTTPS
server (the standard library's, TLS with a trustme certificate) on a loopback address, with the
behaviours of live servers a test asks for: compressed bodies, redirects, 429 with Retry-After,
slow and hanging responses. A crawl reaches it through `LoopbackResolver` (every host name
resolves to the server's address), so the URLs stay those of the real sites."""

from __future__ import annotations

import gzip
import json
import os
import random
import ssl
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import brotli
import trustme
from twisted.internet import defer
from twisted.internet.interfaces import IResolverSimple
from zope.interface import implementer

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.crawler import Crawler

ADDRESS_ENV = "TEST_SITES_ADDRESS"
"""The loopback address every host name resolves to, for the crawl subprocess."""

HANG_SECONDS = 20.0
"""How long a hanging response holds its connection: longer than the test's download timeout."""


@dataclass
class Behaviour:
    """What the server does for some URLs besides serving the saved page."""

    redirects: dict[str, str] = field(default_factory=dict)
    """URL -> the URL it answers 301 with (a path on the same host)."""
    rate_limited: dict[str, int] = field(default_factory=dict)
    """URL -> Retry-After seconds of a 429 given to its first request only."""
    slow: dict[str, float] = field(default_factory=dict)
    """URL -> seconds to wait before answering."""
    hanging: set[str] = field(default_factory=set)
    """URLs answered with nothing until the client gives up."""
    brotli_hosts: set[str] = field(default_factory=set)
    """Hosts whose HTML goes out brotli-encoded (the others gzip) when the client accepts it."""


@dataclass(frozen=True)
class Hit:
    url: str
    at: float
    """time.monotonic() when the request came in."""
    encoding: str = ""
    """The Content-Encoding the answer went out with."""
    status: int = 200
    conditional: bool = False
    """The request named the ETag of a copy it has (If-None-Match)."""


class SiteServer:
    """An HTTPS server on port 443 of a random 127.x.y.z address serving `manifest`'s pages."""

    def __init__(self, manifest: Path, behaviour: Behaviour | None = None,
                 extra: dict[str, tuple[bytes, str]] | None = None) -> None:
        data = json.loads(manifest.read_text(encoding="utf-8"))
        self.pages = {page["url"]: page for page in data["pages"]}
        self.root = manifest.parent
        self.extra = extra or {}
        self.behaviour = behaviour or Behaviour()
        self.hits: list[Hit] = []
        self._encoded: dict[tuple[str, str], bytes] = {}  # a page is compressed once
        self.stopping = threading.Event()
        self._lock = threading.Lock()
        rng = random.Random()
        self.address = f"127.{rng.randint(1, 254)}.{rng.randint(1, 254)}.{rng.randint(1, 254)}"
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- running ---------------------------------------------------------------------------

    def __enter__(self) -> SiteServer:
        hosts = sorted({urlsplit(url).hostname or "" for url in self.pages})
        certificate = trustme.CA().issue_cert(*hosts)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        certificate.configure_cert(context)
        server = ThreadingHTTPServer((self.address, 443), self.handler_class())
        server.daemon_threads = True
        server.socket = context.wrap_socket(server.socket, server_side=True)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                                        name="site-server", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)

    def requested(self, url: str) -> list[Hit]:
        with self._lock:
            return [hit for hit in self.hits if hit.url == url]

    # --- answering -------------------------------------------------------------------------

    def answer(self, url: str, accept: str, if_none_match: str = ""
               ) -> tuple[int, dict[str, str], bytes]:
        """Status, headers and body for a GET of `url`; every saved page has an ETag (of its
        file), and a request naming it gets a 304."""
        behaviour = self.behaviour
        if url in behaviour.hanging:
            self.stopping.wait(HANG_SECONDS)
            return 504, {}, b""
        if url in behaviour.slow:
            self.stopping.wait(behaviour.slow[url])
        if url in behaviour.rate_limited and not self.requested(url):
            return 429, {"Retry-After": str(behaviour.rate_limited[url])}, b"slow down"
        if url in behaviour.redirects:
            return 301, {"Location": behaviour.redirects[url]}, b""
        if url in self.extra:
            body, content_type = self.extra[url]
            return 200, {"Content-Type": content_type}, body
        page = self.pages.get(url)
        if page is None:
            return 404, {"Content-Type": "text/html"}, b"<html><body>Not found</body></html>"
        headers = dict(page.get("headers", {}))
        etag = f'"{zlib.crc32((self.root / page["file"]).read_bytes()):08x}"'
        if if_none_match and etag in if_none_match:
            return 304, {"ETag": etag}, b""
        headers["ETag"] = etag
        encoding = ""
        if headers.get("Content-Type", "").startswith("text/html"):
            host = urlsplit(url).hostname or ""
            if host in behaviour.brotli_hosts and "br" in accept:
                encoding = "br"
            elif "gzip" in accept:
                encoding = "gzip"
        if encoding:
            headers["Content-Encoding"] = encoding
        return page.get("status", 200), headers, self.body(url, page["file"], encoding)

    def body(self, url: str, file: str, encoding: str) -> bytes:
        with self._lock:
            cached = self._encoded.get((url, encoding))
        if cached is not None:
            return cached
        body = (self.root / file).read_bytes()
        if encoding == "br":
            body = brotli.compress(body, quality=5)
        elif encoding == "gzip":
            body = gzip.compress(body, compresslevel=6)
        with self._lock:
            self._encoded[(url, encoding)] = body
        return body

    def handler_class(self) -> type[BaseHTTPRequestHandler]:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                host = (self.headers.get("Host") or "").split(":")[0]
                url = f"https://{host}{self.path}"
                came = time.monotonic()
                validator = self.headers.get("If-None-Match", "")
                status, headers, body = site.answer(url, self.headers.get("Accept-Encoding", ""),
                                                    validator)
                with site._lock:
                    site.hits.append(Hit(url, came, headers.get("Content-Encoding", ""), status,
                                         bool(validator)))
                try:
                    self.send_response(status)
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (OSError, ssl.SSLError):
                    self.close_connection = True  # the client gave up (the hanging page)

            def log_message(self, format: str, *args: Any) -> None:
                pass  # the hits list is the log

        return Handler


@implementer(IResolverSimple)
class LoopbackResolver:
    """Scrapy DNS resolver of the test crawls: every host name is the test server's address
    (environment variable `TEST_SITES_ADDRESS`), so no name ever reaches a real DNS server."""

    def __init__(self, address: str) -> None:
        self.address = address
        self.reactor: Any = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> LoopbackResolver:
        resolver = cls(os.environ[ADDRESS_ENV])
        resolver.reactor = reactor
        return resolver

    def install_on_reactor(self) -> None:
        self.reactor.installResolver(self)

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        return defer.succeed(self.address)


def resolver_settings() -> list[str]:
    """`-s` settings that send a crawl's every host name to the test server."""
    from scrapy.settings import default_settings

    name = "TWISTED_DNS_RESOLVER" if hasattr(default_settings, "TWISTED_DNS_RESOLVER") \
        else "DNS_RESOLVER"
    return [f"{name}=tests.online.server.LoopbackResolver"]

