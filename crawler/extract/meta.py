"""What the page says about itself: <meta>, <link>, JSON-LD, <html lang>, read in one pass."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml.etree import XPath, _Element
from lxml.html import HtmlElement

_JSON_LD = XPath("//script[@type='application/ld+json']/text()")
_ARTICLE_TYPES = re.compile(r"article|posting|report|newsarticle", re.IGNORECASE)


@dataclass
class PageMeta:
    """Declared metadata; every list is in page order."""

    values: dict[str, list[str]] = field(default_factory=dict)
    """<meta> content by lower-cased name/property/itemprop."""
    canonical: str | None = None
    lang: str | None = None
    ld: dict[str, Any] = field(default_factory=dict)
    """The JSON-LD object describing the article (NewsArticle, BlogPosting…), if any."""

    def first(self, *keys: str) -> str | None:
        for key in keys:
            for value in self.values.get(key, ()):
                if value.strip():
                    return value.strip()
        return None

    def all(self, key: str) -> list[str]:
        return [v.strip() for v in self.values.get(key, ()) if v.strip()]


def read_meta(tree: HtmlElement) -> PageMeta:
    meta = PageMeta()
    # walks in C over the document's elements (what "//meta[@content]" and the canonical
    # <link>'s XPath found, in the same order) instead of an XPath each: a fifth to a third less
    root = tree.getroottree().getroot()
    for node in root.iter("meta"):
        content = node.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = node.get(attr)
            if key:
                meta.values.setdefault(key.strip().lower(), []).append(content)
    canonical = [
        href
        for link in root.iter("link")
        if link.get("rel") == "canonical" and (href := link.get("href")) is not None
    ]
    meta.canonical = canonical[0].strip() if canonical else None
    meta.lang = tree.get("lang") or tree.get("xml:lang")
    meta.ld = _article_ld(tree)
    return meta


def _objects(data: Any) -> Iterator[dict[str, Any]]:
    """Every JSON object in a JSON-LD document, @graph and lists included."""
    if isinstance(data, list):
        for item in data:
            yield from _objects(item)
    elif isinstance(data, dict):
        yield data
        if "@graph" in data:
            yield from _objects(data["@graph"])


def _type_names(obj: dict[str, Any]) -> str:
    kind = obj.get("@type", "")
    return " ".join(kind) if isinstance(kind, list) else str(kind)


_OG_TYPE = XPath("//meta[@property='og:type']/@content")


def declares_article(tree: _Element) -> bool:
    """Whether the page says it is an article: `og:type` "article" or a JSON-LD object of the
    schema.org Article family (NewsArticle, ReportageNewsArticle, BlogPosting…)."""
    if any(str(kind).strip().lower() == "article" for kind in _OG_TYPE(tree)):
        return True
    for script in _JSON_LD(tree):
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue
        if any(_ARTICLE_TYPES.search(_type_names(obj)) for obj in _objects(data)):
            return True
    return False


def _article_ld(tree: HtmlElement) -> dict[str, Any]:
    fallback: dict[str, Any] = {}
    for script in _JSON_LD(tree):
        try:
            data = json.loads(script, strict=False)
        except ValueError:
            continue  # broken JSON-LD is common and never fatal
        for obj in _objects(data):
            if _ARTICLE_TYPES.search(_type_names(obj)):
                return obj
            if not fallback and ("datePublished" in obj or "headline" in obj):
                fallback = obj
    return fallback


def ld_names(value: Any) -> list[str]:
    """Names from a JSON-LD person/keyword field: a string, an object, or a list of either."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return ld_names(value.get("name"))
    if isinstance(value, list):
        return [name for item in value for name in ld_names(item)]
    return []


def ld_urls(value: Any) -> list[str]:
    """URLs from a JSON-LD image field: a string, an ImageObject, or a list of either."""
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, dict):
        return ld_urls(value.get("url") or value.get("contentUrl"))
    if isinstance(value, list):
        return [url for item in value for url in ld_urls(item)]
    return []
