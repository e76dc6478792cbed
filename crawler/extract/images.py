"""Article images: the declared lead image, then the images around the article text."""

from __future__ import annotations

import re
from urllib.parse import urljoin

from lxml.html import HtmlElement

from crawler.extract.meta import PageMeta, ld_urls

_NOT_CONTENT_RE = re.compile(
    r"icon|logo|avatar|sprite|emoji|pixel|spacer|blank|placeholder|loading|lazy\.|preloader|"
    r"banner|badge|button|/ads?/|doubleclick|gravatar|1x1|tracking|share|social",
    re.IGNORECASE,
)
_FURNITURE_CLASS_RE = re.compile(
    r"related|terkait|baca-?juga|recommend|populer|popular|widget|sidebar|share|ads?\b|iklan|"
    r"comment|footer|header|nav|menu|author|avatar|logo",
    re.IGNORECASE,
)
_IMAGE_EXT_RE = re.compile(r"\.(?:svg|gif)(?:$|\?)", re.IGNORECASE)
_MIN_SIDE = 100
_SNIPPET = 40
_MAX_TRIES = 5
_LEAD_SIBLINGS = 3
"""A lead photo sits just before the text; farther back are teaser lists."""
_SRC_ATTRS = ("data-src", "data-lazy-src", "data-original", "src")


def _src(img: HtmlElement) -> str | None:
    for attr in _SRC_ATTRS:
        value = (img.get(attr) or "").strip()
        if value and not value.startswith("data:"):
            return value
    srcset = (img.get("srcset") or img.get("data-srcset") or "").strip()
    return srcset.split(",")[0].split()[0] if srcset else None


def _too_small(img: HtmlElement) -> bool:
    for attr in ("width", "height"):
        value = (img.get(attr) or "").strip().removesuffix("px")
        if value.isdigit() and int(value) < _MIN_SIDE:
            return True
    return False


def _content_images(node: HtmlElement) -> list[HtmlElement]:
    """<img> under `node`, skipping related-article, share, ad and author blocks."""
    # from each image up to `node` (a page has far fewer images than elements)
    found = []
    for img in node.iter("img"):
        ancestor = img.getparent() if img is not node else None
        while ancestor is not None and ancestor is not node:
            if _FURNITURE_CLASS_RE.search(f"{ancestor.get('class', '')} {ancestor.get('id', '')}"):
                break
            ancestor = ancestor.getparent()
        else:
            found.append(img)
    return found


def _common_ancestor(a: HtmlElement, b: HtmlElement | None) -> HtmlElement:
    ancestors = {id(node) for node in a.iterancestors()} | {id(a)}
    node: HtmlElement | None = b
    while node is not None and id(node) not in ancestors:
        node = node.getparent()
    return node if node is not None else a


def article_container(tree: HtmlElement, body_lines: list[str]) -> HtmlElement | None:
    """The smallest element holding the first and the last extracted paragraph."""
    if not body_lines:
        return None
    paragraphs = list(tree.getroottree().getroot().iter("p"))  # "//p", walked in C
    first = _first_holder(paragraphs, body_lines)
    if first is None:
        return None
    last = _first_holder(paragraphs[::-1], body_lines[::-1])
    return _common_ancestor(first, last) if last not in (None, first) else first.getparent()


def _first_holder(paragraphs: list[HtmlElement], body_lines: list[str]) -> HtmlElement | None:
    """The first <p> holding one of the first few lines (some lines are not from a <p>)."""
    snippets = [line[-_SNIPPET:] for line in body_lines[:_MAX_TRIES]]
    for para in paragraphs:
        text = " ".join(para.text_content().split())
        if any(snippet in text for snippet in snippets):
            return para
    return None


def _scope(container: HtmlElement | None) -> list[HtmlElement]:
    """The article container and the siblings before it, where a lead photo sits."""
    if container is None:
        return []
    parent = container.getparent()
    if parent is None:
        return [container]
    before = [sib for sib in container.itersiblings(preceding=True)][:_LEAD_SIBLINGS]
    return [*reversed(before), container]


def images_of(meta: PageMeta, container: HtmlElement | None, base: str) -> list[str]:
    """Lead image first (og:image, twitter:image, JSON-LD), then content images in page order."""
    lead = [
        *meta.all("og:image"),
        *meta.all("og:image:url"),
        *meta.all("twitter:image"),
        *ld_urls(meta.ld.get("image")),
    ][:1]
    found = list(lead)
    for node in _scope(container):
        if not isinstance(node.tag, str):
            continue
        for img in _content_images(node):
            src = _src(img)
            if not src or _NOT_CONTENT_RE.search(src) or _IMAGE_EXT_RE.search(src):
                continue
            if not _too_small(img):
                found.append(src)
    seen: set[str] = set()
    urls = []
    for src in found:
        url = urljoin(base, src)
        # the same photo is often served resized: "x.jpg" and "x.jpg?w=500"
        path = url.split("?", 1)[0]
        if url.startswith("http") and path not in seen:
            seen.add(path)
            urls.append(url)
    return urls
