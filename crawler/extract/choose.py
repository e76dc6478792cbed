"""Which of several candidate bodies is the article, judged by what the page says of itself.

One heuristic fails somewhere: trafilatura's pass takes a list of teasers for the article, or
finds nothing in a table layout; the densest text block takes a comment thread. The page's own
metadata says what its article is about: the JSON-LD `articleBody` is the text itself, and
`og:description` (or the description meta) is its lead or summary. A candidate is checked
against that evidence, and when it fails the check the other candidates are tried and the best
supported one wins.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.extract.sentences import ends_as_sentence

if TYPE_CHECKING:
    from crawler.extract.meta import PageMeta

_WORD_RE = re.compile(r"\w+")
_UNSPACED_RE = re.compile(r"[\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_MIN_TERM_CHARS = 4
"""Shorter words ("the", "dan", "und") are in every text: they say nothing of which one."""
_MIN_LEAD_TERMS = 5
"""A description with fewer content words ("Read the latest news") is no evidence."""
_MIN_BODY_TERMS = 40
"""An `articleBody` with fewer is a teaser of the article, read as a lead."""
LOW_LEAD_SUPPORT = 0.35
"""Below this share of the lead's content words in the body, the body is about something else
(a teaser list, an event box, another story)."""
LEAD_SHARE = 0.6
"""A paragraph holding this share of the description's terms is the lead the description
repeats (the headline holds fewer: it is passed over anyway)."""
LOW_BODY_SUPPORT = 0.6
"""Below this share of the declared `articleBody`'s words, the body misses most of the text."""
_LOOKED_UP_TERMS = 40
"""Evidence with at most this many terms is looked up in a body, more is intersected."""
CLEARLY_BETTER = 0.25
"""A candidate whose support is this much higher than the primary's is the article: a teaser
list shares a few words with the lead, the article most of them."""



def terms(text: str) -> frozenset[str]:
    """Content terms of a text: lower-cased words of 4+ characters; for scripts written
    without spaces (CJK, Thai, Burmese) and Hangul, character pairs."""
    found: set[str] = set()
    for word in _WORD_RE.findall(text.lower()):
        if _UNSPACED_RE.search(word):
            found.update(word[i : i + 2] for i in range(len(word) - 1))
        elif len(word) >= _MIN_TERM_CHARS and not word.isdigit():
            found.add(word)
    return frozenset(found)


@dataclass(frozen=True)
class Evidence:
    """What the page's metadata says its article holds."""

    body: frozenset[str] = frozenset()
    """Terms of the JSON-LD `articleBody`, when it is the text (long enough)."""
    lead: frozenset[str] = frozenset()
    """Terms of `og:description` / the description meta (or a short `articleBody`)."""
    body_text: str = ""
    """The JSON-LD `articleBody` itself: the last candidate when no block of the page holds
    the article."""

    @classmethod
    def of(cls, meta: PageMeta) -> Evidence:
        declared: Any = meta.ld.get("articleBody")
        body_text = declared.strip() if isinstance(declared, str) else ""
        body = terms(body_text)
        description = meta.first("og:description", "description", "twitter:description") or ""
        lead = terms(description)
        if len(body) < _MIN_BODY_TERMS:
            lead, body, body_text = lead | body, frozenset(), ""
        return cls(body, lead if len(lead) >= _MIN_LEAD_TERMS else frozenset(), body_text)

    def support(self, text: str) -> float | None:
        """Share of the evidence's terms found in `text`; None when the page gives none."""
        evidence = self.body or self.lead
        if not evidence:
            return None
        if len(evidence) > _LOOKED_UP_TERMS:
            return len(evidence & terms(text)) / len(evidence)
        # a description's few terms are looked up in the text (C substring searches) rather than
        # the text split into terms: a tenth of the cost on a long body
        lowered = text.lower()
        return sum(term in lowered for term in evidence) / len(evidence)

    def leads(self, paragraph: str) -> bool:
        """Whether a paragraph is the page's lead: it holds most of the description's terms."""
        return bool(self.lead) and len(self.lead & terms(paragraph)) >= LEAD_SHARE * len(self.lead)

    def doubts(self, text: str) -> bool:
        """Whether a body needs a second look: empty, or not about what the page says its
        article is about."""
        if not text:
            return True
        support = self.support(text)
        if support is None:
            return False
        return support < (LOW_BODY_SUPPORT if self.body else LOW_LEAD_SUPPORT)


@dataclass(frozen=True)
class Candidate:
    """One way of reading the article: its cleaned text and its size in words."""

    name: str
    text: str
    words: int


EXTENDS_SHARE = 0.8
"""A reading holding this share of a body's terms is the same text going on."""
EXTENDS_WORDS = 2.0
"""...and it must be at least this many times longer to be taken for the whole article."""


PROSE_SHARE = 0.6
"""The text a longer reading adds is the article's when this share of its words is in lines
that end as sentences end; a box of dates, a table or a list of headlines does not."""


FRAMED_SHARE = 1 / 3
"""A block inside a longer reading is the article framed by page furniture only when it is at
least this share of the reading: a post's intro block inside a reading that goes on with its
lists (a deals post's product features, a how-to's steps) is a fifth of it, a short story among
a promotion line and recommendation cards two fifths."""
FURNITURE_PROSE = 0.2
"""What a reading adds around the article is furniture when at most this share of its words is
in lines that end as sentences: a byline, the headline and its subtitle again, a reprint note,
a hotline, teasers (the article itself is prose, `PROSE_SHARE` of it and more)."""


def holds(longer: Candidate, short: Candidate) -> bool:
    """Whether `longer` holds nearly all of the short body's terms."""
    own = terms(short.text)
    return bool(own) and len(own & terms(longer.text)) >= EXTENDS_SHARE * len(own)


def _prose_share(lines: list[str]) -> float | None:
    """Share of the words of `lines` in lines that end as sentences end; None without words."""
    sizes = [(len(line.split()), ends_as_sentence(line)) for line in lines]
    total = sum(size for size, _ in sizes)
    return sum(size for size, prose in sizes if prose) / total if total else None


def _added(longer: Candidate, short: Candidate) -> list[str]:
    shown = set(short.text.split("\n"))
    return [line for line in longer.text.split("\n") if line not in shown]


def extends(longer: Candidate, short: Candidate, factor: float = EXTENDS_WORDS) -> bool:
    """Whether `longer` is the article that `short` is a part of: it holds nearly all of the
    short body's terms and much more text (`factor` times as many words), and what it adds is
    prose."""
    if longer.words < factor * short.words or not holds(longer, short):
        return False
    share = _prose_share(_added(longer, short))
    return share is not None and share >= PROSE_SHARE


def frames(longer: Candidate, block: Candidate) -> bool:
    """Whether `longer` is the article `block` with page furniture around it: it holds nearly
    all of the block's terms, the block is a good part of it (`FRAMED_SHARE`) and prose, and
    what it adds is not (`FURNITURE_PROSE`)."""
    if not FRAMED_SHARE * longer.words <= block.words < longer.words or not holds(longer, block):
        return False
    own, added = _prose_share(block.text.split("\n")), _prose_share(_added(longer, block))
    return own is not None and own >= PROSE_SHARE and added is not None and added <= FURNITURE_PROSE


def choose(candidates: list[Candidate], evidence: Evidence) -> Candidate | None:
    """The candidate to keep: the first (primary) one unless it is empty (then the best
    supported one, the longest among equals) or another is clearly better supported by the
    page's evidence (the article against a teaser list), or another holds the primary's text
    and adds at least as much prose again (`extends`). A candidate that is only longer does not
    win: the densest block and the full cascade add bylines, captions and comments around a
    short story more often than they find more of it."""
    present = [c for c in candidates if c.words]
    if not present:
        return None
    support = {c.name: evidence.support(c.text) or 0.0 for c in present}
    best = max(present, key=lambda c: (round(support[c.name], 1), c.words))
    primary = candidates[0]
    if not primary.words or support[best.name] - support[primary.name] >= CLEARLY_BETTER:
        return best
    # a body that is part of a longer reading is that reading's first block (the lead, a first
    # section, the text before a figure), unless the page's evidence speaks against the longer
    longer = [
        c
        for c in present
        if c is not primary
        and support[c.name] >= support[primary.name] - CLEARLY_BETTER / 5
        and extends(c, primary)
    ]
    return min(longer, key=lambda c: c.words) if longer else primary
