"""Tunable knobs of extraction, in one place (the alternative is a dozen keyword arguments)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractOptions:
    """How `extract_article` extracts; the defaults are what the benchmarks were measured with."""

    favor_precision: bool = False
    """trafilatura's precision mode (drops more borderline blocks)."""

    fast: bool = False
    """trafilatura without its readability/jusText comparison, always. By default that fast pass
    runs first; when it fell back to flattening the page into one paragraph (its sign of not
    finding the article's own paragraphs) the densest text block is read instead; when the body
    is then empty or not about what the page's description says, the densest block and the
    lead's block are compared with it, and only when none of them holds text does the full
    cascade run. With `fast` the full cascade never runs."""

    max_link_density: float = 0.5
    """A list item or short line with at least this share of link text is navigation."""

    short_line_words: int = 8
    """Lines with fewer words are not paragraphs: they never start or end the body."""

    segment_gap_lines: int = 3
    """This many link-list lines in a row split the text into separate runs."""

    min_segment_share: float = 0.3
    """Runs with fewer words than this share of the largest run are teasers or widgets."""

    trim_edges: bool = True
    """Drop short lines before the first and after the last paragraph."""

    loose_text_min_chars: int = 40
    """Loose text next to <p> siblings at least this long becomes its own paragraph."""

    local_utc_offset: str = "+07:00"
    """Offset assumed for a local time given without zone on an Indonesian page (WIB)."""
