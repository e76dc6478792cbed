"""trafilatura's pick of the main block, flattened into `Line`s, and how much of a line is link
text (`LinkIndex`)."""

from __future__ import annotations

import re
from bisect import bisect_left
from copy import copy
from functools import cache
from typing import TYPE_CHECKING

from lxml.etree import _Element
from trafilatura.core import bare_extraction
from trafilatura.settings import Extractor

from crawler.extract.lines import Line

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from crawler.extract.options import ExtractOptions

_LINE_TAGS = frozenset({"p", "head", "quote", "item", "row", "code"})
_BREAK_TAGS = (*_LINE_TAGS, "lb", "cell", "graphic", "list", "table")
"""Elements that end a line or hold lines of their own: a paragraph holding none of them is one
line."""
_MENU_SEPARATORS = "\u00b7|\u2022\u00bb/"
_MENU_SEPARATOR_RE = re.compile(rf"\s*[{re.escape(_MENU_SEPARATORS)}]\s*")
_DROP_SEPARATORS = str.maketrans("", "", _MENU_SEPARATORS)
"""Deletes the separators: the length it takes off a line counts them in one C call."""


def trafilatura_body(
    tree: HtmlElement, url: str, options: ExtractOptions, prune: list[str], fast: bool
) -> _Element | None:
    """Main-content XML (p, head, list/item, quote, table, ref…) or None when nothing was found."""
    # a copy of a prepared Extractor: building one reads its config anew, a tenth of a small
    # page's extraction; trafilatura copies it again before it changes a setting
    extractor = copy(_extractor(options.favor_precision, fast))
    extractor.url = url
    extractor.source = url and url.encode("utf-8", "replace").decode("utf-8")  # as trafilatura
    try:
        document = bare_extraction(tree, options=extractor, prune_xpath=prune or None)
    except Exception:  # trafilatura's cascade can fail deep inside on odd markup
        return None
    if document is None:
        return None
    body: _Element | None = getattr(document, "body", None)
    return body


@cache
def _extractor(precision: bool, fast: bool) -> Extractor:
    return Extractor(
        output_format="txt",  # bare_extraction serialises "python" output: text we never read
        comments=False,
        links=False,  # resolving every link target costs more than the rest of our rules
        images=False,  # captions come with images and are not article text
        precision=precision,
        fast=fast,
    )


# --- trafilatura XML -> lines -----------------------------------------------------------------


class _Walker:
    """Flattens trafilatura's XML into `Line`s; <lb/> (a <br>) also ends a line."""

    def __init__(self, links: LinkIndex) -> None:
        self.lines: list[Line] = []
        self._parts: list[str] = []
        self._kind = "p"
        self._links = links

    def flush(self) -> None:
        text = " ".join("".join(self._parts).split())
        if text:
            self.lines.append(Line.of(text, self._kind, self._links.link_chars(text)))
        self._parts.clear()

    def visit(self, node: _Element) -> None:
        tag = node.tag
        if tag == "lb":
            self.flush()
        elif tag in _LINE_TAGS and (
            len(node) == 0 or next(node.iterdescendants(*_BREAK_TAGS), None) is None
        ):
            # the common case, a paragraph without <br> or nested blocks: no recursion needed
            self.flush()
            self._parts.extend(node.itertext())
            outer_kind, self._kind = self._kind, str(tag)
            self.flush()
            self._kind = outer_kind
        elif tag != "graphic":
            outer_kind = self._kind
            if tag in _LINE_TAGS:
                self.flush()
                self._kind = str(tag)
            if node.text:
                self._parts.append(node.text)
            for child in node:
                self.visit(child)
            if tag == "cell":
                self._parts.append(" ")
            if tag in _LINE_TAGS:
                self.flush()
                self._kind = outer_kind
        if node.tail:
            self._parts.append(node.tail)


def to_lines(body: _Element, links: LinkIndex) -> list[Line]:
    walker = _Walker(links)
    for child in body:
        walker.visit(child)
    walker.flush()
    return walker.lines


class LinkIndex:
    """Texts of the page's links, to tell how much of an extracted line was link text."""

    def __init__(self, tree: HtmlElement) -> None:
        texts: set[str] = set()
        plain = 0
        for a in tree.iter("a"):
            if len(a):
                texts.add(" ".join(a.text_content().split()))
            elif a.text:
                plain += len(a.text)
                texts.add(" ".join(a.text.split()))
        self.plain_chars = plain
        """Characters of the links without markup inside, as the page has them."""
        self._texts = frozenset(t for t in texts if len(t) > 1)
        self._by_length = sorted((len(t), t) for t in self._texts)

    def link_chars(self, line: str) -> int:
        """Length of the longest link text inside `line` (all of it for a link-only line).

        Only links at least half the line long are looked for: shorter ones cannot make a
        line link-dense, and the search stays cheap.
        """
        if line in self._texts:
            return len(line)
        # menus flattened into one line: "Blog · Forum · Karir", "Home | News | Sport"
        separators = len(line) - len(line.translate(_DROP_SEPARATORS))
        segments = _MENU_SEPARATOR_RE.split(line) if separators >= 2 else ()
        if len(segments) > 2:
            # the separators between links are part of the menu: what is not a link's text
            # is the segments that are no link
            own = sum(len(seg) for seg in segments if seg.strip() not in self._texts)
            if own * 2 <= len(line):
                return len(line) - own
        low = bisect_left(self._by_length, (len(line) // 2, ""))
        high = bisect_left(self._by_length, (len(line), ""))
        for size, text in reversed(self._by_length[low:high]):
            if text in line:
                return size
        return 0
