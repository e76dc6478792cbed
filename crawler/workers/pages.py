"""The jobs an extraction worker runs on one page: decode its bytes, extract the article, read
its links and, when asked, make the article's dedup analysis. Plain functions of plain values,
so the crawl process can run them inline too; no Scrapy, datasketch or scipy (the workers import
this module before their first page)."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from w3lib.html import get_base_url

from crawler.dedup.analyse import ArticleAnalysis
from crawler.dedup.options import DedupOptions
from crawler.extract import ExtractionError, extract_article
from crawler.extract.encoding import decode_html
from crawler.extract.meta import declares_article
from crawler.items import Article, PageReject

WARM_UP_PAGE = "<html lang='id'><body><article><h1>Judul</h1><p>Teks berita.</p></article></body>"


@dataclass(frozen=True)
class PageLinks:
    """The link targets of a page: each `<a href>` as written, and the URL they are relative to."""

    hrefs: list[str]
    base_url: str
    """The page's `<base href>` made absolute, or the page's URL when it has none."""
    feeds: list[str] = field(default_factory=list)
    """The hrefs of the RSS and Atom feeds the page announces (`<link rel="alternate">`)."""
    declares_article: bool = False
    """The page says it is an article (`og:type`, JSON-LD; `crawler.extract.meta`)."""

    def absolute(self, href: str) -> str:
        """The href as Scrapy's `response.urljoin` makes it absolute."""
        href = href.strip()
        if href.startswith(("https://", "http://")) and not any(c in href for c in "?#;\t\r\n"):
            # Already absolute, and in the form urljoin would give it (it would only parse and
            # reassemble it): most links of a news page, spared that cost.
            return href
        return urljoin(self.base_url, href)


@dataclass(frozen=True)
class ExtractedPage:
    """What a worker gives back for an article page: its outcome and its links."""

    outcome: Article | PageReject
    """The article (with its dedup analysis in `Article.analysis` when it was asked for), or
    the reject."""
    links: PageLinks


def extract_page(
    body: bytes | str,
    url: str,
    content_type: str | None = None,
    dedup: DedupOptions | None = None,
) -> ExtractedPage:
    """The page's article (or a reject when the input is no readable HTML page), and its links.

    Bytes are decoded here (`crawler.extract.encoding`: the declared charset is checked against
    the bytes; `content_type` is the HTTP header), so the crawl process never decodes an article
    page. The links are read here too, beside the extraction, so that the crawl process does not
    parse the page a second time only to find them. With `dedup` options the article's dedup
    analysis comes along too (tokens, shingles, MinHash: a third of what clustering an article
    costs the crawl process).
    """
    html, encoding = decode_html(body, content_type) if isinstance(body, bytes) else (body, None)
    try:
        outcome: Article | PageReject = extract_article(html, url)
    except ExtractionError as exc:
        return rejected(url, f"unreadable: {exc}")
    if dedup is not None and isinstance(outcome, Article) and outcome.body:
        outcome.analysis = ArticleAnalysis.of(outcome.title or "", outcome.body, dedup)
    return ExtractedPage(outcome, page_links(html, url, encoding))


def rejected(url: str, reason: str) -> ExtractedPage:
    return ExtractedPage(PageReject(url, reason), PageLinks([], url))


def read_links(body: bytes, url: str, content_type: str | None = None) -> PageLinks:
    """The links of a page given as bytes, decoded as `extract_page` decodes them."""
    decoded = decode_html(body, content_type)
    return page_links(decoded.text, url, decoded.encoding)


def page_links(html: str, url: str, encoding: str | None = None) -> PageLinks:
    """The page's hrefs and base URL, as Scrapy's `response.xpath("//a/@href")` and
    `response.urljoin` read them (the `<base href>` within the first 4 KB, as Scrapy looks)."""
    base_url = get_base_url(html[:4096], url, encoding or "utf-8")
    root = parse_for_links(html)
    if root is None:
        return PageLinks([], base_url)
    return PageLinks([str(href) for href in root.xpath("//a/@href")], base_url,
                     [str(href) for href in root.xpath(FEED_LINKS)], declares_article(root))


FEED_LINKS = ("//link[contains(concat(' ', normalize-space(@rel), ' '), ' alternate ')]"
              "[@type='application/rss+xml' or @type='application/atom+xml'"
              " or @type='application/feed+json']/@href")
"""The feeds a page announces, as feed readers find them."""


def link_hrefs(html: str) -> list[str]:
    """The `href` of every `<a>`, in page order: what `response.xpath("//a/@href")` gives, read
    the way parsel builds a response's tree (`parsel.selector.create_root_node`: NUL characters
    dropped, UTF-8 bytes, so that an XML declaration naming another encoding is no error, and
    no depth limit, or a page nested 256 levels deep loses every link after that point).

    Plain lxml rather than parsel itself: a `Selector` wraps every result in an object, which
    made reading a listing page's links three times slower, and importing parsel would add to
    every worker's start.
    """
    root = parse_for_links(html)
    return [] if root is None else [str(href) for href in root.xpath("//a/@href")]


def parse_for_links(html: str) -> lxml.etree._Element | None:
    """The page's tree as `link_hrefs` reads it, or None when nothing parses."""
    data = html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    try:
        return lxml.etree.fromstring(data, parser)
    except (ValueError, lxml.etree.ParserError):
        return None


def warm_up() -> None:
    """Pay the extractor's one-time costs (trafilatura's stop lists; the dedup analysis's
    patterns and numpy's first calls) before the first page."""
    extract_page(WARM_UP_PAGE, "https://warm.up/", dedup=DedupOptions())


