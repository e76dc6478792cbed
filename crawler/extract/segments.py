"""Runs of kept lines, and which of them are the article: the line rules cut the extracted text
into runs at link lists and widget headings, and the article is the largest run with the runs
that belong to it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from crawler.extract.sentences import ends_as_sentence

if TYPE_CHECKING:
    from crawler.extract.lines import Line
    from crawler.extract.options import ExtractOptions

_WIDGET_SHARE = 0.5
"""A run after a widget heading is teasers when it is less than this share of the text before;
a larger one is the article going on below a widget whose links were dropped."""
_PROSE_LINES = 3
"""A run of at least this many paragraphs, every one a sentence, is prose (see `_goes_on`)."""


def is_paragraph(line: Line, options: ExtractOptions) -> bool:
    return line.words >= options.short_line_words and line.kind != "head"


@dataclass
class Segment:
    """A run of kept lines; `widget` when it opened with a widget heading ("Top stories")."""

    lines: list[Line] = field(default_factory=list)
    widget: bool = False
    comments: bool = False
    """Opened by a comments heading: readers' comments, dropped after the article."""

    @property
    def words(self) -> int:
        return sum(line.words for line in self.lines)


def main_segment(segments: list[Segment], options: ExtractOptions) -> list[Line]:
    """Keep the largest run of article lines and runs nearly as large.

    When trafilatura falls back to most of the page, the article is one run of paragraphs and
    teasers and widgets are small runs, cut off from it by link lists or opened by a widget
    heading; a widget run after a larger run of text is dropped whatever its size. A run
    without a single paragraph (a standings table, a list of short headlines whose links were
    not recognised) is no article when another run has one, whatever its size: it would
    otherwise crowd out a short story and then be trimmed to nothing.
    """
    prose = [any(is_paragraph(line, options) for line in seg.lines) for seg in segments]
    sizes = [
        seg.words if has or not any(prose) else 0
        for seg, has in zip(segments, prose, strict=True)
    ]
    if not sizes:
        return []
    # the article is the largest run that is not readers' comments (a thread may be longer)
    article = max(size for seg, size in zip(segments, sizes, strict=True) if not seg.comments)
    floor = options.min_segment_share * max(sizes)
    kept: list[Line] = []
    largest_before = 0
    kept_before = False
    for i, (seg, size) in enumerate(zip(segments, sizes, strict=True)):
        if seg.comments and largest_before and largest_before >= article:
            break  # readers' comments after the article, however many: the rest is theirs
        teasers = seg.widget and size < _WIDGET_SHARE * largest_before
        large = size >= floor and not teasers
        keep = bool(size) and (
            large
            or _opens_article(segments, sizes, i, article)
            or _leads_into(segments, sizes, i, article, options)
            or (kept_before and _goes_on(seg, options))
        )
        if keep:
            kept.extend(seg.lines)
        kept_before = keep
        largest_before = max(largest_before, size)
    return kept


def _opens_article(segments: list[Segment], sizes: list[int], i: int, article: int) -> bool:
    """Whether run `i` is the article's beginning cut off by a box inside it: it is followed
    at once by a widget heading ("Related", "Read more") whose run is the article itself."""
    if i + 1 >= len(segments) or (i and sizes[i - 1]):
        return False
    following = segments[i + 1]
    return following.widget and not following.comments and sizes[i + 1] == article


_LEAD_LINES = 2
"""A lead cut off by a box of links is at least this many paragraphs (one gives the same figures
on the tuning sets; two is the narrower rule, a lone sentence before a link list being as much
a site's tagline as a lead)."""


def _leads_into(
    segments: list[Segment], sizes: list[int], i: int, article: int, options: ExtractOptions
) -> bool:
    """Whether run `i` is the article's lead cut off by a box of links inside it (a list of
    other stories' headlines without a heading, after the first paragraphs): the article's run
    follows at once, and this run is nothing but full paragraphs that end as sentences end (a
    standfirst, a dateline and its lead), where a run of teasers has headlines."""
    if i + 1 >= len(segments) or sizes[i + 1] != article:
        return False
    following, segment = segments[i + 1], segments[i]
    if following.widget or segment.widget or segment.comments or len(segment.lines) < _LEAD_LINES:
        return False
    return _all_sentences(segment, options)


def _all_sentences(segment: Segment, options: ExtractOptions) -> bool:
    return all(
        line.kind == "p"
        and line.words >= options.short_line_words
        and ends_as_sentence(line.text)
        for line in segment.lines
    )


def _goes_on(segment: Segment, options: ExtractOptions) -> bool:
    """Whether a run right after a kept one is the article going on past a box of links inside
    it ("Don't miss", "Read more" and their headlines): a small run, yet nothing but full
    paragraphs that end as sentences end. Teasers are headlines (no full stop) with their
    summaries, a comment thread has names and dates between its comments, a widget heading
    opens a run of its own."""
    if segment.widget or segment.comments or len(segment.lines) < _PROSE_LINES:
        return False
    return _all_sentences(segment, options)
