"""Fallback for pages where trafilatura's fast pass finds no article paragraphs.

Its main pass reads <p>-like elements; a CMS printing the story as text separated by <br><br>
in one <div>, or as a run of text-only <div>s, gives it nothing, and it falls back to the whole
page as one paragraph. The full cascade (readability, jusText) costs a second extraction; the
block readability would pick is found far cheaper here: every block's own text (not link text,
not text of nested blocks) is a paragraph, each paragraph scores its parent in full and its
grandparent by half, and the best-scored element is read as lines.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property
from itertools import repeat
from typing import TYPE_CHECKING

from crawler.extract.lines import Line, is_unspaced

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from crawler.extract.walk import LinkIndex

BLOCK_TAGS = frozenset(
    [
        "p",
        "div",
        "ul",
        "ol",
        "li",
        "table",
        "tbody",
        "tr",
        "td",
        "th",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "figure",
        "figcaption",
        "section",
        "article",
        "header",
        "footer",
        "aside",
        "nav",
        "form",
        "dl",
        "dt",
        "dd",
        "pre",
        "hr",
        "iframe",
        "video",
        "audio",
        "main",
        "center",
        "address",
        "details",
    ]
)
INVISIBLE_TAGS = frozenset({"script", "style", "noscript", "template", "button", "select"})
_NOT_TEXT_TAGS = INVISIBLE_TAGS | {"head", "title", "meta", "link", "svg", "iframe", "textarea"}
_LINE_KINDS = {
    "h1": "head",
    "h2": "head",
    "h3": "head",
    "h4": "head",
    "h5": "head",
    "h6": "head",
    "li": "item",
    "dt": "item",
    "tr": "row",
    "blockquote": "quote",
    "pre": "code",
}
_CELLS = frozenset({"td", "th"})
"""Cells of a row are one line, as in trafilatura's output ("Penulis | : Name")."""
_MIN_PARAGRAPH_CHARS = 25
"""Readability's floor: shorter runs (labels, dates, menu entries) score nothing."""
MIN_BLOCK_CHARS = 400
"""Below this much paragraph text in the best block the page has no article the cheap way."""
UNSPACED_CHAR_WEIGHT = 3
"""A character of a script written without spaces (Chinese, Japanese, Thai) holds about as much
text as three of a spaced one (a word of two characters against a word and its space of six):
a story of 260 Chinese characters is one of 130 words, over the floor above."""


def _body(tree: HtmlElement) -> HtmlElement | None:
    """The page's first <body> (what `//body` finds first): a walk in page order that stops
    there, past the few elements of <head>, where the XPath searched the whole tree."""
    return next(tree.getroottree().getroot().iter("body"), None)


def skipped(tree: HtmlElement, prune: list[str]) -> set[HtmlElement]:
    nodes: set[HtmlElement] = set()
    for expression in prune:
        try:
            nodes.update(node for node in tree.xpath(expression) if hasattr(node, "tag"))
        except Exception:  # a broken site rule must not break extraction
            continue
    return nodes


def densest_block(tree: HtmlElement, skip: set[HtmlElement]) -> tuple[HtmlElement | None, float]:
    """The element whose paragraphs (children in full, grandchildren by half) hold the most
    non-link text, and that score."""
    root = _body(tree)
    if root is None:
        return None, 0.0
    own: dict[HtmlElement, int] = {}
    if root in skip:
        return None, 0.0
    if root.text and (size := len(root.text.strip())):
        own[root] = size
    # (node, block owning the text around it), from <body>'s children on; children pushed as
    # one zip (in C), and the order of the walk kept: the first of equal scores wins. The tag
    # sets are local names: the loop runs once per element. A link is not entered: its text
    # and everything in it is link text (its tail is not)
    stack: list[tuple[HtmlElement, HtmlElement]] = [*zip(root, repeat(root))]
    pop, push = stack.pop, stack.extend
    not_text, blocks = _NOT_TEXT_TAGS, BLOCK_TAGS
    while stack:
        node, outer = pop()
        tail = node.tail
        if tail:
            size = len(tail.strip())
            if size:
                own[outer] = own.get(outer, 0) + size
        tag = node.tag
        if tag.__class__ is not str or tag in not_text or tag == "a" or node in skip:
            continue
        block = node if tag in blocks else outer
        text = node.text
        if text:
            size = len(text.strip())
            if size:
                own[block] = own.get(block, 0) + size
        if len(node):
            push(zip(node, repeat(block)))
    scores: dict[HtmlElement, float] = {}
    for block, size in own.items():
        if size < _MIN_PARAGRAPH_CHARS:
            continue
        parent = block.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + size
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + size / 2
    if not scores:
        return None, 0.0
    best = max(scores, key=scores.__getitem__)
    return best, scores[best]


def block_lines(block: HtmlElement, skip: set[HtmlElement], links: LinkIndex) -> list[Line]:
    """The text of `block` as lines: every block element and every <br> ends one."""
    lines: list[Line] = []
    parts: list[str] = []
    kinds = ["p"]

    # characters of the line read inside <a>: links glued together without a separator
    # ("Section 1Section 2…") are a menu however long the line
    in_links = [0]
    link_depth = 0

    def flush() -> None:
        text = " ".join("".join(parts).split())
        parts.clear()
        if text:
            link_chars = max(in_links[0], links.link_chars(text))
            lines.append(Line.of(text, kinds[-1], link_chars))
        in_links[0] = 0

    def add(text: str) -> None:
        parts.append(text)
        if link_depth:
            in_links[0] += len(text.strip())

    # (node, closing): a closing entry ends the element's line and adds its tail
    stack: list[tuple[HtmlElement, bool]] = [(block, False)]
    while stack:
        node, closing = stack.pop()
        tag = node.tag
        if closing:
            if tag in _CELLS:
                parts.append(" ")
            elif tag in BLOCK_TAGS:
                flush()
                kinds.pop()
            elif tag == "a":
                link_depth -= 1
            if node is not block and node.tail:
                add(node.tail)
            continue
        if not isinstance(tag, str) or tag in _NOT_TEXT_TAGS or node in skip or tag == "br":
            if tag == "br":
                flush()
            if node is not block and node.tail:
                add(node.tail)
            continue
        if tag in BLOCK_TAGS and tag not in _CELLS:
            flush()
            kinds.append(_LINE_KINDS.get(tag, "p"))
        elif tag == "a":
            link_depth += 1
        if node.text:
            add(node.text)
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))
    flush()
    return lines


_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6", "title"})


def lead_block(
    tree: HtmlElement, skip: set[HtmlElement], covers: Callable[[str], bool]
) -> HtmlElement | None:
    """The block around the first paragraph that `covers` accepts (the page's lead, as its
    description meta gives it), widened to its ancestors until it holds `MIN_BLOCK_CHARS`;
    None when no paragraph does. Headings are passed over: the headline repeats the lead's
    words without being the article."""
    root = _body(tree)
    if root is None:
        return None
    for block in root.iter(*BLOCK_TAGS):
        if block in skip or block.tag in _HEADINGS:
            continue
        own = " ".join(
            text for text in (block.text, *(child.tail for child in block)) if text and text.strip()
        )
        if len(own) >= _MIN_PARAGRAPH_CHARS and covers(own):
            break
    else:
        return None
    while len(block.text_content()) < MIN_BLOCK_CHARS and block.getparent() is not None:
        if block is root:
            break
        block = block.getparent()
    return block


class Blocks:
    """One page's text blocks for the readings that walk the page itself: the elements pruned
    from them and the densest block, each found once however many readings ask (the check for
    more text around the body, the dense reading, the lead reading)."""

    def __init__(self, tree: HtmlElement, skip: set[HtmlElement], links: LinkIndex) -> None:
        self.tree = tree
        self.skip = skip
        self.links = links
        """The page's link texts, for the lines read from its blocks."""

    @cached_property
    def densest(self) -> tuple[HtmlElement | None, float]:
        """`densest_block` of the page and its score."""
        return densest_block(self.tree, self.skip)

    @cached_property
    def text_bound(self) -> int:
        """An upper bound on the densest block's score, without the walk: the characters of the
        page's text less those of its scripts, styles and links without markup inside (counted
        by `LinkIndex` as it reads them). The score counts each text of the body at most once (a
        block's text adds to its parent's score in full and to its grandparent's by half, and no
        element is both), stripped, outside links and scripts."""
        root = self.tree.getroottree().getroot()
        total = len(root.text_content()) - self.links.plain_chars
        for node in root.iter("script", "style"):
            total -= len(node.text or "")
        return total

    def lines(self, block: HtmlElement) -> list[Line]:
        """`block` read as lines, past the skipped elements."""
        return block_lines(block, self.skip, self.links)

    def slide_lines(self, slide: HtmlElement) -> list[Line]:
        """A slide's text as lines: it is one of the skipped elements."""
        return block_lines(slide, self.skip - {slide}, self.links)

    def dense_lines(self) -> list[Line]:
        """Lines of the densest block, or [] when no block holds enough text."""
        block, score = self.densest
        if block is None:
            return []
        # the block's text is counted again only for a score under the floor, and only when
        # unspaced text could lift it over
        if score < MIN_BLOCK_CHARS and not (
            score * UNSPACED_CHAR_WEIGHT >= MIN_BLOCK_CHARS and is_unspaced(block.text_content())
        ):
            return []
        return self.lines(block)
