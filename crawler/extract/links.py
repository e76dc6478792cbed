"""Link lines: which are navigation and teasers for other pages, and which are the article's own
text with a link in it or on it (a sentence linking to earlier coverage, a product or a source
named by its link)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from crawler.extract.lines import word_count
from crawler.extract.sentences import ends_as_clause, ends_as_sentence

if TYPE_CHECKING:
    from crawler.extract.lines import Line
    from crawler.extract.options import ExtractOptions

_ALL_LINK = 0.9
_LISTED_WORDS = 3


def is_link_list(line: Line, options: ExtractOptions) -> bool:
    """Navigation, related-article and tag lists: mostly link text, few words of their own."""
    if line.link_density < options.max_link_density:
        return False
    if line.link_density >= _ALL_LINK:
        return True  # a paragraph that is one link is a teaser for another page
    if _is_linked_sentence(line):
        return False
    # a list item may be a headline link plus its summary; longer than that it is prose
    listed = line.kind in ("item", "row", "head")
    return line.words <= options.short_line_words * (_LISTED_WORDS if listed else 2)


_LINKED_SENTENCE_WORDS = 10
_LINKED_SENTENCE_SHARE = 0.75


def _is_linked_sentence(line: Line) -> bool:
    """A sentence of the article with a link in it ("The suspect, <a>Michael Webb, was convicted
    and sentenced to life</a> last Thursday."): a paragraph of ten words or more that ends as a
    sentence (or a clause introducing a quote) ends, a quarter of it or more its own words. A
    teaser is a headline, all link, with at most a label ("RELATED:", "[Video]") of its own."""
    return (
        line.kind == "p"
        and line.words >= _LINKED_SENTENCE_WORDS
        and line.link_density < _LINKED_SENTENCE_SHARE
        and ends_as_clause(line.text)
    )


_LABEL_WORDS = 3
"""A teaser's label before its colon: "RELATED:", "SEE MORE:", "For more, read:"."""
_TEASER_WORDS = 4
"""A label followed by a linked headline this long, or a line this long all in capitals, is a
teaser ("RELATED: …", "CO-FOUNDER 'PROUD' OF …"); a label with a short link after it is the
article's ("Account: @name", "My guess: $25,000,000")."""


def is_own_link(line: Line, options: ExtractOptions) -> bool:
    """Whether a link line standing alone between two lines of the article is the article's own:
    a product, a source or a section named by its link ("Beachbody Performance Energize",
    "[ Engadget ]", a heading linking to the section's page), which trafilatura keeps and a reader
    reads as text. A teaser for another story is a headline: a paragraph as long as a sentence
    that does not end as one, a line after a label ("RELATED:"), or a line in capitals. The line
    rules still judge the line as any other ("Baca juga: …" is furniture however it is linked)."""
    headline = (
        line.kind != "head"
        and line.words >= options.short_line_words
        and not ends_as_sentence(line.text)
    )
    return not (headline or _is_labelled_teaser(line) or _is_shouted(line))


def _is_labelled_teaser(line: Line) -> bool:
    label, colon, rest = line.text.partition(":")
    if not colon or word_count(label) > _LABEL_WORDS:
        return False
    rest = rest.strip()
    return word_count(rest) >= _TEASER_WORDS and line.link_chars >= _ALL_LINK * len(rest)


def _is_shouted(line: Line) -> bool:
    return line.words >= _TEASER_WORDS and line.text.upper() == line.text


# a line that is nothing but an address (with its scheme, or "www.…"): the host
_URL_LINE_RE = re.compile(r"^\s*(?:https?://(?:www\.)?|www\.)([^/\s:?#]+)\S*\s*$", re.IGNORECASE)


def is_cited_address(text: str, host: str) -> bool:
    """A line that is nothing but the address of another site ("http://amzn.to/2iJFhRj",
    "www.twitter.com/name"): a source, reference or shop link the article gives in full. It is
    all link text, yet no teaser (a teaser names its story) and no share box (that gives the
    page's own address)."""
    if "://" not in text[:8] and "www." not in text[:8].lower():
        return False
    match = _URL_LINE_RE.match(text)
    return match is not None and match.group(1).lower() != host


def is_own_address(text: str, host: str) -> bool:
    """A line that is nothing but a URL on the page's own site: the share or print box's copy of
    the page's address (written with its scheme). A URL elsewhere (an affiliate or source link)
    may be the article's."""
    if "://" not in text[:8]:
        return False
    match = _URL_LINE_RE.match(text)
    return match is not None and match.group(1).lower() == host
