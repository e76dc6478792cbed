"""Assemble an `Article` from one parsed page."""

from __future__ import annotations

from urllib.parse import urlsplit

from lxml.html import HtmlElement

from crawler.extract import dates, fields
from crawler.extract.body import LineContext, extract_body
from crawler.extract.choose import Evidence
from crawler.extract.document import parse
from crawler.extract.images import article_container, images_of
from crawler.extract.lines import normalise
from crawler.extract.meta import read_meta
from crawler.extract.notes import without_writer_note
from crawler.extract.options import ExtractOptions
from crawler.extract.sites import rules_for
from crawler.items import Article

DEFAULT_OPTIONS = ExtractOptions()
_UTC = "+00:00"


def site_of(url: str) -> str | None:
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        return None
    return host.removeprefix("www.") or None


def _is_indonesian(lang: str | None, site: str | None) -> bool:
    return lang in ("id", "ms") or (site or "").endswith(".id")


def _around(container: HtmlElement) -> HtmlElement:
    """Two levels above the article text: bylines, tag lists and credits sit this close."""
    parent = container.getparent()
    grandparent = parent.getparent() if parent is not None else None
    return grandparent if grandparent is not None else parent if parent is not None else container


def extract_article(
    html: bytes | str, url: str, options: ExtractOptions = DEFAULT_OPTIONS
) -> Article:
    """Extract one article page.

    Raises `ExtractionError` only when the input is not an HTML page at all; a page without
    article text gives an `Article` whose `body` is empty.
    """
    tree = parse(html)
    site = site_of(url)
    meta = read_meta(tree)
    title = fields.title_of(tree, meta, site)
    context = LineContext(normalise(title or ""), rules_for(site), options, site or "")
    body = extract_body(tree, url, context, Evidence.of(meta), len(html))
    lang = fields.lang_of(meta, body.text)
    offset = options.local_utc_offset if _is_indonesian(lang, site) else _UTC
    site_names = fields.site_names(meta, site)
    container = body.container
    if container is None:
        container = article_container(tree, body.lines)
    around = _around(container) if container is not None else tree
    authors = fields.authors_of(around, meta, site_names) or body.writers
    return Article(
        url=url,
        canonical_url=fields.absolute(meta.canonical or meta.first("og:url"), url),
        site=site,
        source=fields.credited_source(container, body.credited, site),
        title=title,
        body="\n".join(without_writer_note(body.lines, authors)),
        published=dates.published(tree, meta, url, offset),
        authors=authors,
        tags=fields.tags_of(around, meta, body.tag_lines),
        images=images_of(meta, container, url),
        lang=lang,
    )
