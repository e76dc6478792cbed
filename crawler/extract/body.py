"""Article text: trafilatura picks the main block, our line rules clean it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from lxml.etree import XPath

from crawler.extract import lines as rules
from crawler.extract.choose import Candidate, Evidence, choose, extends, frames
from crawler.extract.chunks import chunks_of
from crawler.extract.dense import Blocks, lead_block, skipped
from crawler.extract.edges import merge_datelines, trim_edges
from crawler.extract.images import article_container
from crawler.extract.lines import Line
from crawler.extract.links import is_cited_address, is_link_list, is_own_address, is_own_link
from crawler.extract.prepare import (
    NOT_BODY_XPATH,
    mark_not_body,
    unnest_paragraphs,
    unwrap_embedded_posts,
    wrap_loose_text,
)
from crawler.extract.segments import Segment, main_segment
from crawler.extract.sentences import ends_as_sentence
from crawler.extract.tables import foster_stray_content
from crawler.extract.walk import LinkIndex, to_lines, trafilatura_body

if TYPE_CHECKING:
    from lxml.html import HtmlElement

    from crawler.extract.options import ExtractOptions
    from crawler.extract.sites import SiteRules

_TITLE_SLACK_WORDS = 5
_MIN_TITLE_WORDS = 4
"""Shorter headlines ("Update", "Opinion") may open a paragraph by chance."""
_FLAT_MAX_LINES = 2
_FLAT_WORDS = 200
HUGE_TEXT_CHARS = 1_000_000
"""A page with more text than this (a 9 MB paragraph, 60,000 short ones) is read by the densest
block alone: trafilatura's passes grow faster than the text there (a paragraph of 90,000 inline
elements takes it minutes), and a browser shows that block."""


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
    container: HtmlElement | None = field(default=None, compare=False)
    """The smallest element holding the body's first and last paragraph, when extraction looked
    for it (`article_container`): the scope of the images, authors and tags."""

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


# --- line rules -------------------------------------------------------------------------------


@dataclass(frozen=True)
class LineContext:
    """What the line rules need to know about the page."""

    title_key: str
    site: SiteRules
    options: ExtractOptions
    host: str = ""
    """The page's host without `www.`: a line that is only a link to this site is a share box."""
    title_words: int = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "title_words", self.title_key.count(" ") + 1)


def _keep(line: Line, context: LineContext) -> bool:
    text = line.text
    if rules.is_boilerplate(line) or context.site.is_boilerplate(text):
        return False
    if context.host and is_own_address(text, context.host):
        return False
    if not context.title_key or line.words > context.title_words + _TITLE_SLACK_WORDS:
        return True
    # the headline repeated in the body, alone or as "Headline - Site"
    key = rules.normalise(text)
    repeated = key.startswith(context.title_key) and line.kind == "head"
    return not (key == context.title_key or repeated)


def clean(raw: list[Line], context: LineContext) -> Body:
    body = Body()
    segments = [Segment()]
    gap = 0
    # the link lines since the last kept line, when nothing else came between: the article's
    # own that are not teasers, when the article goes on after them before they make a link
    # list of their own
    run: list[Line] | None = None
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
        cited = is_cited_address(line.text, context.host)
        if is_link_list(line, context.options) and not cited:
            if run is not None:
                run.append(line)
            gap += 1
            continue
        links_before, run = run, None
        if rules.is_comments_heading(line):
            segments.append(Segment(widget=True, comments=True))
            gap = 0
        elif rules.is_widget_heading(line):
            segments.append(Segment(widget=True))
            gap = 0
        elif _keep(line, context):
            if gap >= context.options.segment_gap_lines and segments[-1].lines:
                segments.append(Segment())
            elif gap >= context.options.segment_gap_lines:
                segments[-1].widget = False  # the widget was only a link list
            elif links_before:
                segments[-1].lines.extend(
                    link
                    for link in links_before
                    if is_own_link(link, context.options) and _keep(link, context)
                )
            segments[-1].lines.append(line)
            gap = 0
            run = []
    body.credited = [host for _, host in sorted(credits, key=lambda credit: credit[0])]
    kept = merge_datelines(main_segment(segments, context.options))
    if context.options.trim_edges:
        kept = trim_edges(kept, context.options, context.host)
    body.lines = [line.text for line in kept]
    return body


def extract_body(
    tree: HtmlElement, url: str, context: LineContext, evidence: Evidence, source_chars: int
) -> Body:
    """Clean article text of a parsed page; empty when no main text was found. `source_chars`
    is the size of the page's markup (a bound on its text)."""
    # in place: moving a malformed table's stray paragraphs out of it (as a browser does) and
    # wrapping loose text in <p>; metadata is read before this, and the article container found
    # after it (the scope of images, authors, tags and credits) is then the one a browser would
    # show; trafilatura works on its own copy anyway; fostered text may be loose text, so that
    # goes first
    foster_stray_content(tree)
    unnest_paragraphs(tree)
    unwrap_embedded_posts(tree)
    wrap_loose_text(tree, context.options.loose_text_min_chars)
    marked, slides = mark_not_body(tree)
    site_prune = list(context.site.prune_xpath)
    prune = [NOT_BODY_XPATH, *site_prune] if marked else site_prune
    # the elements the page walks below skip: the ones just marked and the site's pruned ones
    links = LinkIndex(tree)
    blocks = Blocks(tree, marked | skipped(tree, site_prune) if site_prune else marked, links)
    if source_chars > HUGE_TEXT_CHARS and _is_huge(tree):
        return clean(blocks.dense_lines(), context)
    # trafilatura's fast pass finds the article on most pages at two thirds of the cost; when it
    # fell back to flattening the whole page into one long paragraph (the story is
    # <br>-separated text or text-only <div>s, which its main pass does not read), the densest
    # text block is read instead
    xml = trafilatura_body(tree, url, context.options, prune, fast=True)
    raw = to_lines(xml, links) if xml is not None else []
    if raw and len(raw) <= _FLAT_MAX_LINES:
        raw = _unless_links(raw, blocks)
    dense: list[Line] | None = None
    if _flattened(raw):
        dense = blocks.dense_lines()
        raw = dense or raw
    first = clean(raw, context) if raw else Body()
    if not evidence.doubts(first.text) and not _more_text_around(blocks, first, source_chars):
        body = _framed_block(tree, first, blocks, evidence, context) or first
        return _with_slides(_whole_of_chunks(tree, body, blocks, context), slides, blocks, context)
    # a second look when the body is empty, not about what the page's metadata says its article
    # is about, or a small part of the page's densest text: the other readings of the page, the
    # best supported one wins (or the one that holds the body and goes on with more prose); the
    # cheap ones first, trafilatura's full cascade (a second extraction) only when none found
    # text
    bodies = {"first": first}
    if dense is None:
        bodies["dense"] = clean(blocks.dense_lines(), context)
    lead = lead_block(tree, blocks.skip, evidence.leads) if evidence.lead else None
    if lead is not None:
        bodies["lead"] = clean(blocks.lines(lead), context)
    if (
        not context.options.fast
        and not any(body.lines for body in bodies.values())
        and blocks.densest[1] >= NO_ARTICLE_CHARS
    ):
        xml = trafilatura_body(tree, url, context.options, prune, fast=False)
        bodies["full"] = clean(to_lines(xml, links), context) if xml is not None else Body()
    if evidence.body_text:
        declared = [Line.of(line) for line in evidence.body_text.splitlines()]
        bodies["declared"] = clean(declared, context)
    candidates = [Candidate(name, body.text, _words(body)) for name, body in bodies.items()]
    # the page's declared text only when no block of the page holds an article
    chosen = choose([c for c in candidates if c.name != "declared"], evidence) or choose(
        [c for c in candidates if c.name == "declared"], evidence
    )
    body = bodies[chosen.name] if chosen is not None else first
    return _with_slides(_whole_of_chunks(tree, body, blocks, context), slides, blocks, context)


def _with_slides(
    body: Body, slides: list[HtmlElement], blocks: Blocks, context: LineContext
) -> Body:
    """The body with the text of the page's slide show after it (`prepare._slides`): the
    readings leave the slides out as captions, and the story is told there."""
    if not slides or not body.lines:
        return body
    shown = set(body.lines)
    told = clean([line for slide in slides for line in blocks.slide_lines(slide)], context)
    return replace(body, lines=body.lines + [line for line in told.lines if line not in shown])


def _framed_block(
    tree: HtmlElement, first: Body, blocks: Blocks, evidence: Evidence, context: LineContext
) -> Body | None:
    """The first reading cut to the article's block when it is that block framed by page
    furniture (`frames`): trafilatura took the block's container, with a byline, the headline
    again, a reprint note, a print-and-close row, a site's address or the teasers after the
    story. The block is the one around the page's lead (the paragraph its description repeats),
    else the densest. The furniture is around the block, so a reading whose first and last
    lines both end as sentences is not looked at again: most readings do, and finding the
    blocks costs walks of the page."""
    if not first.lines:
        return None
    if ends_as_sentence(first.lines[0]) and ends_as_sentence(first.lines[-1]):
        return None
    outer = Candidate("first", first.text, _words(first))
    lead = lead_block(tree, blocks.skip, evidence.leads) if evidence.lead else None
    if lead is not None:
        inner = clean(blocks.lines(lead), context)
        if frames(outer, Candidate("lead", inner.text, _words(inner))):
            return _cut_to(first, inner)
    inner = clean(blocks.dense_lines(), context)
    if frames(outer, Candidate("dense", inner.text, _words(inner))):
        return _cut_to(first, inner)
    return None


def _cut_to(first: Body, block: Body) -> Body:
    """`first` without its lines before the first line it shares with the block and after the
    last: trafilatura's lines of the block are kept rather than the block's own walk, which
    reads what trafilatura left out inside it (a widget's labels, a text-size control)."""
    shown = set(block.lines)
    held = [i for i, line in enumerate(first.lines) if line in shown]
    return replace(first, lines=first.lines[held[0] : held[-1] + 1]) if held else first


_VISIBLE_TEXTS = XPath("//body//text()[not(ancestor::script or ancestor::style)]")


def _is_huge(tree: HtmlElement) -> bool:
    # all text first (one C call, scripts included), on pages whose markup is that large; only
    # a page with that much text is measured again without its scripts and styles
    if len(tree.text_content()) <= HUGE_TEXT_CHARS:
        return False
    return sum(len(text) for text in _VISIBLE_TEXTS(tree)) > HUGE_TEXT_CHARS


NO_ARTICLE_CHARS = 150
"""A page whose densest block holds less non-link paragraph text than this (a caption, an
"article removed" notice: a photo, gallery or video page, a deleted story) has no article for
trafilatura's full cascade to find: it would read the whole page's menus and teaser lists, which
the line rules then drop, at the cost of a second extraction. The shortest news briefs in the
development sets score 170 and more."""


MORE_TEXT = 2.0
"""A page whose densest block holds this many times the body's characters may have more of the
article than the fast pass read (the lead alone, a first section, the text before a figure, a
teaser box beside the story)."""


PARTIAL_CHARS = 5_000
"""A body this long is the article's own container read whole: the fast pass stops short on a
lead, a first section or the text before a figure, and those are shorter (the page is not
walked again for its densest block then, a tenth of the extraction's cost)."""


SMALL_PAGE_CHARS = 50_000
"""On a page with less markup than this, the bound on the densest block's score
(`Blocks.text_bound`, text counted in C) costs a tenth of the walk that finds the block; on larger
pages inline scripts make the text it counts long, and the walk is not much dearer."""


def _more_text_around(blocks: Blocks, body: Body, source_chars: int) -> bool:
    chars = sum(len(line) for line in body.lines)
    if chars >= PARTIAL_CHARS:
        return False
    # a page without twice the body's text outside links and scripts has no block holding it
    if source_chars < SMALL_PAGE_CHARS and blocks.text_bound < MORE_TEXT * chars:
        return False
    _, score = blocks.densest
    return score >= MORE_TEXT * chars


LINK_PAGE_SHARE = 0.5
"""A page whose text outside links is under this share of its flattened text is menus, a
sidebar and teaser lists (a photo or video page, a removed story): nothing of it is an article."""


def _unless_links(flat: list[Line], blocks: Blocks) -> list[Line]:
    """The fast pass's one or two lines, or nothing when they are mostly the text of the page's
    links: the whole page run together, they carry no link markup for the line rules to see."""
    chars = sum(len(line.text) for line in flat)
    return flat if blocks.text_bound >= LINK_PAGE_SHARE * chars else []


CHUNKS_WORDS = 1.1
"""The chunks read together are the article when they add a tenth to the body or more (a longer
reading must double it elsewhere: there nothing but its length says it is the same text)."""


def _whole_of_chunks(tree: HtmlElement, body: Body, blocks: Blocks, context: LineContext) -> Body:
    """The article read from all its chunks when the body is one of them (`chunks_of`) and the
    chunks hold its text and add prose to it (`extends`)."""
    if not body.lines or sum(len(line) for line in body.lines) >= PARTIAL_CHARS:
        return body
    container = body.container = article_container(tree, body.lines)
    chunks = chunks_of(container) if container is not None else []
    if container is None or not chunks:
        return body  # most pages: the body's words are not counted again
    words = _words(body)
    # the container is found from a few of the body's lines, which a teaser may repeat: it must
    # hold the body
    if rules.word_count(container.text_content()) < words:
        return body
    whole = clean([line for chunk in chunks for line in blocks.lines(chunk)], context)
    read = Candidate("chunks", whole.text, _words(whole))
    # the page's layout says the chunks are one text: any prose they add is the article's
    return whole if extends(read, Candidate("first", body.text, words), CHUNKS_WORDS) else body


def _words(body: Body) -> int:
    return sum(rules.word_count(line) for line in body.lines)


def _flattened(raw: list[Line]) -> bool:
    """Nothing found, or the page's text run together into one or two huge lines."""
    return not raw or (
        len(raw) <= _FLAT_MAX_LINES and max(line.words for line in raw) >= _FLAT_WORDS
    )
