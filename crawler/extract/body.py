"""Article text: trafilatura picks the main block, our line rules clean it."""

from __future__ import annotations

import re
from bisect import bisect_left
from copy import copy
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

from lxml.etree import XPath, _Element
from lxml.html import HtmlElement
from trafilatura.core import bare_extraction
from trafilatura.settings import Extractor

from crawler.extract import lines as rules
from crawler.extract.dense import BLOCK_TAGS, INVISIBLE_TAGS, dense_lines
from crawler.extract.lines import Line
from crawler.extract.tables import foster_stray_content

if TYPE_CHECKING:
    from crawler.extract.options import ExtractOptions
    from crawler.extract.sites import SiteRules

_DATELINE_END_RE = re.compile(r"[-\u2013\u2014]\s*$")
_LINE_TAGS = frozenset({"p", "head", "quote", "item", "row", "code"})
_NESTED_BREAKS = XPath(
    "boolean(.//*[self::lb or self::p or self::head or self::quote or self::item or self::row "
    "or self::code or self::cell or self::graphic or self::list or self::table])"
)
_CONTAINERS_WITH_P = XPath("//*[p]")
_MENU_SEPARATORS = ("\u00b7", "|", "\u2022", "\u00bb", "/")
_MENU_SEPARATOR_RE = re.compile(r"\s*[\u00b7|\u2022\u00bb/]\s*")
_TITLE_SLACK_WORDS = 5
_ALL_LINK = 0.9
_LISTED_WORDS = 3
_MIN_TITLE_WORDS = 4
_FLAT_MAX_LINES = 2
_FLAT_WORDS = 200
_WIDGET_SHARE = 0.5
"""A run after a widget heading is teasers when it is less than this share of the text before;
a larger one is the article going on below a widget whose links were dropped."""
_LIST_RUN = 4
"""This many short lines in a row (not headings) are a list of the article, not furniture."""
"""Shorter headlines ("Update", "Opinion") may open a paragraph by chance."""
_SENTENCE_END_RE = re.compile(r"[.!?\u2026\"\u201d')\]]\s*$")
_MEDIA_CLASS_RE = re.compile(r"caption|photo|image|img|figure|gallery|credit|thumb|media", re.I)

# --- what is never body text, whatever the extractor thinks ----------------------------------

_PRUNE_MARK = "data-crawler-not-body"
_PRUNE_XPATH = f"//*[@{_PRUNE_MARK}]"
# candidates, found in one pass in C (string tests on every element's class are the cost);
# `_is_caption` and the style test decide in Python on the few found
_NOT_BODY_CANDIDATES = XPath(
    "//figcaption | //body//*[@hidden or @style or "
    "(@class and (contains(@class, 'aption') or contains(@class, 'redit')))]"
)
# a class token naming a caption or a photo credit: "wp-caption-text", "gallery-caption",
# "caption", "article__caption", "photo-credit", "media-credit"; not "has-caption" (a wrapper
# announcing that it holds one) nor "credit-card"
_CAPTION_TOKEN_RE = re.compile(
    r"(?:^|\s)(?!has[-_]|with[-_]|no[-_])(?:[\w-]*[-_])?(?:caption|credit)s?"
    r"(?:[-_](?:text|txt|wrap|wrapper|inner|content|container|body))?(?=\s|$)",
    re.IGNORECASE,
)
_MAX_CAPTION_CHARS = 1000
"""A caption is a sentence or two; a longer block with a caption-like class is something else."""
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_HIDDEN_SHARE = 0.5
"""A hidden block holding most of the page's text is an article revealed by script: kept."""


@dataclass
class Body:
    """Cleaned article lines and the publisher credited in the lines that were removed."""

    lines: list[str] = field(default_factory=list)
    credited: list[str] = field(default_factory=list)
    """Hosts named in credit lines, in page order."""
    writers: list[str] = field(default_factory=list)
    """Names from "Penulis: …" / "Reporter: …" lines."""
    tag_lines: list[str] = field(default_factory=list)
    """ "Tag: #…" lines, for the tags field."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- before trafilatura: loose lead text ------------------------------------------------------


def _is_block(node: _Element) -> bool:
    return not isinstance(node.tag, str) or node.tag in BLOCK_TAGS or node.tag in INVISIBLE_TAGS


def _run_text(text: str | None, nodes: list[HtmlElement]) -> str:
    if not nodes:
        return " ".join(text.split()) if text else ""
    parts = [text or ""]
    for node in nodes:
        parts.append(node.text_content())
        parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def _wrap_run(parent: HtmlElement, index: int, text: str | None, nodes: list[HtmlElement]) -> None:
    """Move one run of loose text and inline nodes into a new <p> at `index`."""
    para = parent.makeelement("p", {})
    para.text = text
    for node in nodes:
        para.append(node)  # append moves the node, its tail comes along
    parent.insert(index, para)


def _merge_dateline(dateline: str, para: HtmlElement) -> None:
    """ "<strong>Jakarta</strong> - <p>Lead…" : the dateline belongs to the lead paragraph."""
    para.text = f"{dateline} {para.text or ''}"


def wrap_loose_text(tree: HtmlElement, min_chars: int) -> None:
    """Give loose text next to <p> siblings its own <p>, so extractors see the lead paragraph.

    News CMSs often print the lead as bare text after a bold dateline, followed by proper <p>
    paragraphs; readability-style extractors then keep the <p>s and drop the lead.
    """
    for parent in _CONTAINERS_WITH_P(tree):
        if parent.tag in ("p", "body", "html") or _MEDIA_CLASS_RE.search(_class_id(parent)):
            continue
        # the <p>s must hold text: next to image-only <p>s, loose text is a caption
        if any(len(p.text_content()) >= min_chars for p in parent.iterchildren("p")):
            _wrap_parent(parent, min_chars)


def _class_id(node: HtmlElement) -> str:
    return f"{node.get('class', '')} {node.get('id', '')}"


def _wrap_parent(parent: HtmlElement, min_chars: int) -> None:
    children = list(parent)
    runs: list[tuple[int, str | None, list[HtmlElement]]] = []
    nodes: list[HtmlElement] = []
    text, start = parent.text, 0
    for pos, child in enumerate(children):
        if _is_block(child):
            runs.append((start, text, nodes))
            text, nodes, start = child.tail, [], pos + 1
        else:
            nodes.append(child)
    runs.append((start, text, nodes))
    # right to left so earlier insert positions stay valid
    for start, text, nodes in reversed(runs):
        loose = _run_text(text, nodes)
        if not loose:
            continue
        following = children[start + len(nodes)] if start + len(nodes) < len(children) else None
        if (
            following is not None
            and following.tag == "p"
            and len(loose) <= 60
            and _DATELINE_END_RE.search(loose)
        ):
            _clear_run(parent, start, nodes)
            _merge_dateline(loose, following)
        elif len(loose) >= min_chars:
            _clear_run(parent, start, nodes)
            _wrap_run(parent, _insert_index(parent, start, children), text, nodes)


def _clear_run(parent: HtmlElement, start: int, nodes: list[HtmlElement]) -> None:
    if start == 0:
        parent.text = None
    else:
        prev = parent[start - 1] if start - 1 < len(parent) else None
        if prev is not None:
            prev.tail = None


def _insert_index(parent: HtmlElement, start: int, children: list[HtmlElement]) -> int:
    # `start` counts original children; nodes before it are unchanged by later-run edits
    return start if start <= len(parent) else len(parent)


def _is_caption(node: HtmlElement) -> bool:
    if node.tag != "figcaption" and not _CAPTION_TOKEN_RE.search(node.get("class", "")):
        return False
    return len(node.text_content()) <= _MAX_CAPTION_CHARS


def mark_not_body(tree: HtmlElement) -> list[str]:
    """Mark captions, photo credits and hidden elements; returns the XPath that prunes them from
    trafilatura's copy of the page (our own tree keeps them for dates, images and metadata).

    A caption describes a photo, never the story: the issue's "no caption in the body" holds for
    every site, and a photo gallery whose only text is captions has no body at all.
    """
    marked = False
    hidden = []
    for node in _NOT_BODY_CANDIDATES(tree):
        if _is_caption(node):
            node.set(_PRUNE_MARK, "caption")
            marked = True
        elif node.get("hidden") is not None or _HIDDEN_STYLE_RE.search(node.get("style", "")):
            hidden.append(node)
    if hidden:
        body = tree.find("body")
        total = len(body.text_content()) if body is not None else 0
        for node in hidden:
            if len(node.text_content()) <= _MAX_HIDDEN_SHARE * total:
                node.set(_PRUNE_MARK, "hidden")
                marked = True
    return [_PRUNE_XPATH] if marked else []


# --- trafilatura ------------------------------------------------------------------------------


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
        elif tag in _LINE_TAGS and (len(node) == 0 or _NESTED_BREAKS(node) is False):
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
        texts = {
            " ".join((a.text if len(a) == 0 else a.text_content()).split())
            for a in tree.iter("a")
            if len(a) or a.text
        }
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
        separators = sum(line.count(mark) for mark in _MENU_SEPARATORS)
        segments = _MENU_SEPARATOR_RE.split(line) if separators >= 2 else ()
        if len(segments) > 2:
            in_links = sum(len(seg) for seg in segments if seg.strip() in self._texts)
            if in_links * 2 >= len(line):
                return in_links
        low = bisect_left(self._by_length, (len(line) // 2, ""))
        high = bisect_left(self._by_length, (len(line), ""))
        for size, text in reversed(self._by_length[low:high]):
            if text in line:
                return size
        return 0


# --- line rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineContext:
    """What the line rules need to know about the page."""

    title_key: str
    site: SiteRules
    options: ExtractOptions
    title_words: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_words", self.title_key.count(" ") + 1)


def _is_link_list(line: Line, options: ExtractOptions) -> bool:
    """Navigation, related-article and tag lists: mostly link text, few words of their own."""
    if line.link_density < options.max_link_density:
        return False
    if line.link_density >= _ALL_LINK:
        return True  # a paragraph that is one link is a teaser for another page
    # a list item may be a headline link plus its summary; longer than that it is prose
    listed = line.kind in ("item", "row", "head")
    return line.words <= options.short_line_words * (_LISTED_WORDS if listed else 2)


def _keep(line: Line, context: LineContext) -> bool:
    text = line.text
    if rules.is_boilerplate(line) or context.site.is_boilerplate(text):
        return False
    if not context.title_key or line.words > context.title_words + _TITLE_SLACK_WORDS:
        return True
    # the headline repeated in the body, alone or as "Headline - Site"
    key = rules.normalise(text)
    repeated = key.startswith(context.title_key) and line.kind == "head"
    return not (key == context.title_key or repeated)


def _trim_edges(lines: list[Line], options: ExtractOptions) -> list[Line]:
    """Drop furniture gathered at the edges of the main block.

    Before the first paragraph: section labels ("FOKUS DUNIA", "NEWS"), the headline and
    standfirst, bylines. After the last sentence: widget headings, "Comments", copyright lines.
    A trailing list or a short closing sentence is kept.
    """
    start = next((i for i, line in enumerate(lines) if _is_paragraph(line, options)), None)
    if start is None:
        return []  # headings and labels without a single paragraph are not an article
    start = min(start, _first_list_run(lines[:start]))
    end = len(lines)
    while end > start + 1 and _is_trailing_furniture(lines[end - 1], options):
        end -= 1
    return lines[start:end]


def _first_list_run(lines: list[Line]) -> int:
    """Start of the first run of `_LIST_RUN` non-heading lines (a schedule, a list of steps),
    or the number of lines when there is none."""
    run = 0
    for i, line in enumerate(lines):
        run = 0 if line.kind == "head" else run + 1
        if run == _LIST_RUN:
            return i + 1 - _LIST_RUN
    return len(lines)


def _is_trailing_furniture(line: Line, options: ExtractOptions) -> bool:
    if line.kind == "head":
        return True
    return (
        line.kind == "p"
        and line.words < options.short_line_words
        and not _SENTENCE_END_RE.search(line.text)
    )


def _is_paragraph(line: Line, options: ExtractOptions) -> bool:
    return line.words >= options.short_line_words and line.kind != "head"


@dataclass
class _Segment:
    """A run of kept lines; `widget` when it opened with a widget heading ("Top stories")."""

    lines: list[Line] = field(default_factory=list)
    widget: bool = False

    @property
    def words(self) -> int:
        return sum(line.words for line in self.lines)


def _main_segment(segments: list[_Segment], options: ExtractOptions) -> list[Line]:
    """Keep the largest run of article lines and runs nearly as large.

    When trafilatura falls back to most of the page, the article is one run of paragraphs and
    teasers and widgets are small runs, cut off from it by link lists or opened by a widget
    heading; a widget run after a larger run of text is dropped whatever its size.
    """
    sizes = [seg.words for seg in segments]
    if not sizes:
        return []
    floor = options.min_segment_share * max(sizes)
    kept: list[Line] = []
    largest_before = 0
    for seg, size in zip(segments, sizes, strict=True):
        if size >= floor and not (seg.widget and size < _WIDGET_SHARE * largest_before):
            kept.extend(seg.lines)
        largest_before = max(largest_before, size)
    return kept


def _merge_datelines(lines: list[Line]) -> list[Line]:
    """ "ISTANBUL, 23 Februari 2016 (Antara) --" on its own line opens the next paragraph."""
    merged: list[Line] = []
    for line in lines:
        if merged and rules.is_dateline(merged[-1]) and line.kind == "p":
            head = merged.pop()
            line = Line.of(f"{head.text} {line.text}", line.kind, line.link_chars + head.link_chars)
        merged.append(line)
    return merged


def clean(raw: list[Line], context: LineContext) -> Body:
    body = Body()
    segments = [_Segment()]
    gap = 0
    credits: list[tuple[int, str]] = []
    for line in raw:
        if rules.is_credit_line(line) and (host := rules.credit_line_host(line.text)):
            credits.append((rules.credit_rank(line.text), host))
        if host := rules.trailing_credit_host(line.text):
            credits.append((0, host))
        if name := rules.writer_credit(line):
            body.writers.append(name)
        if rules.is_tag_line(line):
            body.tag_lines.append(line.text)
        text = rules.strip_inline_noise(line.text)
        if not text:
            continue
        if text != line.text:
            line = Line.of(text, line.kind, line.link_chars)
        if context.title_key and line.words > context.title_words >= _MIN_TITLE_WORDS:
            rest = rules.without_headline(line.text, context.title_key, context.title_words)
            # a credit line may quote the headline: it goes as a whole below
            if rest is not None and not rules.is_boilerplate(line):
                if not rest:
                    continue
                line = Line.of(rest, line.kind, line.link_chars)
        if _is_link_list(line, context.options):
            gap += 1
        elif rules.is_widget_heading(line):
            segments.append(_Segment(widget=True))
            gap = 0
        elif _keep(line, context):
            if gap >= context.options.segment_gap_lines and segments[-1].lines:
                segments.append(_Segment())
            elif gap >= context.options.segment_gap_lines:
                segments[-1].widget = False  # the widget was only a link list
            segments[-1].lines.append(line)
            gap = 0
    body.credited = [host for _, host in sorted(credits, key=lambda credit: credit[0])]
    kept = _merge_datelines(_main_segment(segments, context.options))
    if context.options.trim_edges:
        kept = _trim_edges(kept, context.options)
    body.lines = [line.text for line in kept]
    return body


def extract_body(tree: HtmlElement, url: str, context: LineContext) -> Body:
    """Clean article text of a parsed page; empty when no main text was found."""
    # in place: moving a malformed table's stray paragraphs out of it (as a browser does) and
    # wrapping loose text in <p>; metadata is read before this, and the article container found
    # after it (the scope of images, authors, tags and credits) is then the one a browser would
    # show; trafilatura works on its own copy anyway; fostered text may be loose text, so that
    # goes first
    foster_stray_content(tree)
    wrap_loose_text(tree, context.options.loose_text_min_chars)
    prune = [*mark_not_body(tree), *context.site.prune_xpath]
    links = LinkIndex(tree)
    # trafilatura's fast pass finds the article on most pages at two thirds of the cost; when it
    # found nothing, or fell back to flattening the whole page into one long paragraph (the
    # story is <br>-separated text or text-only <div>s, which its main pass does not read), the
    # densest text block is read instead, and only without one the full cascade (readability
    # and jusText compared) runs: a second extraction
    xml = trafilatura_body(tree, url, context.options, prune, fast=True)
    raw = to_lines(xml, links) if xml is not None else []
    if _flattened(raw):
        raw = dense_lines(tree, prune, links) or raw
        if not context.options.fast and _flattened(raw):
            xml = trafilatura_body(tree, url, context.options, prune, fast=False)
            raw = to_lines(xml, links) if xml is not None else []
    return clean(raw, context) if raw else Body()


def _flattened(raw: list[Line]) -> bool:
    """Nothing found, or the page's text run together into one or two huge lines."""
    return not raw or (
        len(raw) <= _FLAT_MAX_LINES and max(line.words for line in raw) >= _FLAT_WORDS
    )
