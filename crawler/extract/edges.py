"""The edges of the article's lines: furniture gathered before the first paragraph and after the
last one is trimmed, and a dateline on a line of its own opens the paragraph after it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crawler.extract import lines as rules
from crawler.extract.lines import Line
from crawler.extract.links import is_cited_address
from crawler.extract.segments import is_paragraph
from crawler.extract.sentences import ends_as_sentence

if TYPE_CHECKING:
    from crawler.extract.options import ExtractOptions

_LIST_RUN = 4
"""This many short lines in a row (not headings) are a list of the article, not furniture."""
_SENTENCE_HEAD_WORDS = 12
"""A heading this long that ends as a sentence ends is text, not a label."""
_POST_SIGNATURE_RE = re.compile(r"^[\u2014\u2013-]\s*[^()\n]{1,80}\(@\w{1,15}\)")
"""The line Twitter's embed markup signs a quoted post with: "— Name (@handle) November 18,
2019"; the date is in the page's language."""
_QUOTE_SOURCE_RE = re.compile(r"^\[[^\[\]]{1,80}\]$")
"""A quoted passage's source, in brackets on the line under it: "[Ni'matul Ukhuwah hal. 41]",
"[HR. Muslim no. 2564]"."""
_CLOSING_QUOTE_RE = re.compile(r"[\"\u201d\u00bb]\s*$")
_NUMBERED_RE = re.compile(r"^\s*(\d{1,3})[.)]\s")
"""A point of a numbered list written as paragraphs: "7. Holiday earrings, Kohl's, $7"."""


def trim_edges(lines: list[Line], options: ExtractOptions, host: str = "") -> list[Line]:
    """Drop furniture gathered at the edges of the main block.

    Before the first paragraph: section labels ("FOKUS DUNIA", "NEWS"), the headline and
    standfirst, bylines. After the last sentence: widget headings, "Comments", copyright lines.
    A trailing list or a short closing sentence is kept.
    """
    start = next(
        (i for i, line in enumerate(lines) if is_paragraph(line, options) and not _is_byline(line)),
        None,
    )
    if start is None:
        return []  # headings and labels without a single paragraph are not an article
    start = min(start, _first_list_run(lines[:start]))
    # a list whose first point long enough to be a paragraph is not its first: the points
    # before it are the same list ("What you'll need: Cloche, Planter saucer, small shallow
    # dish or desired platform, …")
    while start and lines[start].kind == "item" and lines[start - 1].kind == "item":
        start -= 1
    # a short sentence opening the story ("It's official.") is the article's own: labels,
    # headlines and bylines do not end in a full stop
    while start and _is_short_sentence(lines[start - 1]):
        start -= 1
    last = max(i for i, line in enumerate(lines) if is_paragraph(line, options))
    sentence_heads = any(_is_sentence_head(line) for line in lines[start:last])
    end = len(lines)
    while end > start + 1 and _is_trailing_furniture(
        lines[end - 1], lines[end - 2], options, sentence_heads, host
    ):
        end -= 1
    return lines[start:end]


_MIN_SENTENCE_WORDS = 2
_MAX_BYLINE_WORDS = 20
_BYLINE_RE = re.compile(
    r"(?:^\W*|[/|\u2013\u2014-]\s*|(?i:posted|written|published|publicado|publi\u00e9|escrito)\s+)"
    r"(?i:by|por|par|von|oleh)\s*:?\s+[A-Z\u00c0-\u00de]|(?:\u4f5c\u8005|\u8bb0\u8005)\s*[:\uff1a]"
)
"""Who wrote the story, as a byline words it: "By Maggie Haberman, Mark Landler and Edward Wong",
"by Duncan Bell / January 19, 2017", "05/10/2018 - Publicado por: Clarissa Borba - Categoria:
Saúde", "2019-09-26 12:11来源\uff1a证券时报网作者\uff1a李在山"."""


def _is_byline(line: Line) -> bool:
    """A byline long enough to pass for a paragraph (names, a date, a section, the source) is
    still furniture before the article: it names its writer and does not end as a sentence.
    The marker opens the line or one of its fields ("Tested by: John Milbank RRP: £23.99", a
    review's details, is the article's)."""
    return (
        line.words <= _MAX_BYLINE_WORDS
        and not ends_as_sentence(line.text)
        and bool(_BYLINE_RE.search(line.text))
    )


def _is_short_sentence(line: Line) -> bool:
    return (
        line.kind in ("p", "quote")
        and line.words >= _MIN_SENTENCE_WORDS
        and ends_as_sentence(line.text)
    )


def _first_list_run(lines: list[Line]) -> int:
    """Start of the first run of `_LIST_RUN` non-heading lines (a schedule, a list of steps),
    or the number of lines when there is none."""
    run = 0
    for i, line in enumerate(lines):
        run = 0 if line.kind == "head" else run + 1
        if run == _LIST_RUN:
            return i + 1 - _LIST_RUN
    return len(lines)


def _is_sentence_head(line: Line) -> bool:
    return (
        line.kind == "head"
        and line.words >= _SENTENCE_HEAD_WORDS
        and ends_as_sentence(line.text)
    )


def _is_trailing_furniture(
    line: Line, before: Line, options: ExtractOptions, sentence_heads: bool, host: str
) -> bool:
    """Whether the last line left is furniture to trim. A line that is the article's own stops
    the trim, and the lines before it stay with it: the signature of a post the article quotes
    last (a short line, its author's), an address the article gives in full (a press release's
    contacts, a list's last shop link), the source of a passage the article quotes last (in
    brackets under the closing quote mark; a photo credit in brackets follows the article's
    own sentence), the last point of a list numbered in paragraphs (a short line, "7. Holiday
    earrings, Kohl's, $7", after the "6." one; a "Most read" box numbers its headlines too)."""
    if _POST_SIGNATURE_RE.match(line.text) or is_cited_address(line.text, host):
        return False
    if _QUOTE_SOURCE_RE.match(line.text) and _CLOSING_QUOTE_RE.search(before.text):
        return False
    if line.kind != "head" and _continues_numbering(before.text, line.text):
        return False  # numbered headings are the listicle rule's, below
    if line.kind == "head":
        # a widget heading is a label ("More from Sports"); on a page whose article writes its
        # points as headings that are sentences (a listicle), the last points are such headings
        # too, while teasers' summaries after another story are not the article's style
        return not (sentence_heads and _is_sentence_head(line))
    return (
        line.kind == "p"
        and line.words < options.short_line_words
        and not ends_as_sentence(line.text)
    )


def _continues_numbering(before: str, line: str) -> bool:
    """Whether `line` is the next point of the numbered list that `before` is a point of."""
    this, previous = _NUMBERED_RE.match(line), _NUMBERED_RE.match(before)
    return this is not None and previous is not None and int(this[1]) == int(previous[1]) + 1


def merge_datelines(lines: list[Line]) -> list[Line]:
    """ "ISTANBUL, 23 Februari 2016 (Antara) --" on its own line opens the next paragraph."""
    merged: list[Line] = []
    for line in lines:
        if merged and rules.is_dateline(merged[-1]) and line.kind == "p":
            head = merged.pop()
            line = Line.of(f"{head.text} {line.text}", line.kind, line.link_chars + head.link_chars)
        merged.append(line)
    return merged
