"""Reading the documents news sites publish their articles in: robots.txt `Sitemap:` lines,
sitemap indexes, sitemaps, Google News sitemaps (gzip-compressed or not) and RSS 2.0 / Atom
feeds. Plain functions of a document's bytes and URL.

Nothing here walks XML itself: robots.txt is read with Scrapy's `sitemap_urls_from_robots`, gzip
with Scrapy's size-bounded `gunzip`, and every sitemap and feed format with
ultimate-sitemap-parser (`usp`), which knows Google News sitemaps (Scrapy's own `Sitemap` keeps
only the direct children of an `<url>`, so `news:publication_date` and `news:title` are lost
there) and RSS and Atom as well (a feed item with neither title nor description is no item to
it, as RSS 2.0 says). Relative links are resolved against the document's URL.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urljoin

from scrapy.utils.gz import gunzip
from scrapy.utils.sitemap import sitemap_urls_from_robots

logger = logging.getLogger(__name__)

INDEX, SITEMAP, NEWS_SITEMAP, FEED = "sitemap-index", "sitemap", "news-sitemap", "feed"
"""The kinds of document `read_document` tells apart."""
GZIP_MAGIC = b"\x1f\x8b\x08"
"""What a gzip stream starts with (`scrapy.utils.gz.gzip_magic_number` reads it off a response;
here there are only bytes)."""


class UnreadableDocument(ValueError):
    """A document that is no sitemap or feed: its reason is the reject's."""


@dataclass(frozen=True)
class Entry:
    """One URL a document lists."""

    url: str
    """Absolute."""
    lastmod: datetime | None = None
    """When the page last changed, if the document says."""
    published: datetime | None = None
    """When the article was published: a news sitemap's `news:publication_date`, a feed
    item's date."""
    title: str | None = None
    """A news sitemap's `news:title`, a feed item's title."""


@dataclass(frozen=True)
class Document:
    """A sitemap or feed, read: what it is and what it lists."""

    kind: str
    """`INDEX` (its entries are sitemaps), `SITEMAP`, `NEWS_SITEMAP` or `FEED` (its entries
    are pages: a news sitemap's and a feed's are articles)."""
    entries: list[Entry]
    damaged: bool = False
    """Its XML breaks off or is broken: `entries` are those read before the break."""


def sitemaps_in_robots(body: bytes, url: str) -> list[str]:
    """The absolute URLs of the `Sitemap:` lines of a robots.txt."""
    return list(sitemap_urls_from_robots(body, base_url=url))


def read_document(body: bytes, url: str, max_size: int = 0) -> Document:
    """The sitemap or feed `body` (fetched from `url`; gzip-compressed or not) as a `Document`.
    Raises `UnreadableDocument` for what is no sitemap or feed: HTML, broken XML, a `.gz` that is
    no gzip, a gzip larger than `max_size` once unpacked (0: no limit)."""
    from usp.objects.sitemap import (
        AbstractIndexSitemap,
        AbstractPagesSitemap,
        InvalidSitemap,
        PagesAtomSitemap,
        PagesRSSSitemap,
    )
    from usp.tree import sitemap_from_str

    text = _text(_unpacked(body, url, max_size))
    if not text.strip():
        raise UnreadableDocument("empty: the document holds nothing")
    if text.lstrip()[:200].lower().startswith(("<!doctype html", "<html")):
        raise UnreadableDocument("not-a-sitemap: the document is an HTML page")
    # usp logs each document it cannot parse as a warning: the reject carries the reason.
    usp_log = logging.getLogger("usp")
    level = usp_log.level
    usp_log.setLevel(logging.CRITICAL)
    try:
        parsed = sitemap_from_str(text)
    finally:
        usp_log.setLevel(level)
    if isinstance(parsed, InvalidSitemap):
        raise UnreadableDocument("not-a-sitemap: neither a sitemap nor an RSS or Atom feed")
    if isinstance(parsed, AbstractIndexSitemap):
        return Document(INDEX, [Entry(urljoin(url, s.url)) for s in parsed.sub_sitemaps])
    if not isinstance(parsed, AbstractPagesSitemap):
        raise UnreadableDocument(f"not-a-sitemap: {type(parsed).__name__}")
    entries = [
        Entry(urljoin(url, page.url), page.last_modified,
              page.news_story.publish_date if page.news_story else None,
              page.news_story.title if page.news_story else None)
        for page in parsed.pages
    ]
    xml = text.lstrip().startswith("<")
    damaged = xml and not _well_formed(text)
    if not entries and damaged:
        raise UnreadableDocument("unreadable: the sitemap's XML is broken")
    if not entries and not xml and text.strip():
        raise UnreadableDocument("not-a-sitemap: neither XML nor a list of URLs")
    feed = isinstance(parsed, PagesRSSSitemap | PagesAtomSitemap)
    news = any(page.news_story is not None for page in parsed.pages)
    return Document(FEED if feed else NEWS_SITEMAP if news else SITEMAP, entries, damaged)


def _unpacked(body: bytes, url: str, max_size: int) -> bytes:
    if body[:3] == GZIP_MAGIC:
        try:
            return gunzip(body, max_size=max_size)
        except (OSError, EOFError) as exc:  # not gzip after its magic; cut off
            raise UnreadableDocument(f"bad-gzip: cannot unpack the gzip data ({exc})") from exc
        except ValueError as exc:  # Scrapy's limit on the unpacked size
            raise UnreadableDocument(f"too-large: {exc}") from exc
    if url.lower().split("?")[0].endswith(".gz") and body[:1] != b"<":
        raise UnreadableDocument("bad-gzip: a .gz document that is no gzip data")
    return body


def _text(data: bytes) -> str:
    # XML declares its own encoding, and sitemaps are UTF-8 by the protocol; a byte that is
    # not would only spoil one title.
    return data.decode("utf-8", errors="replace")


def _well_formed(text: str) -> bool:
    import xml.parsers.expat

    parser = xml.parsers.expat.ParserCreate()
    try:
        parser.Parse(text, True)
    except xml.parsers.expat.ExpatError:
        return False
    return True
