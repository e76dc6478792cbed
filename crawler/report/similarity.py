"""Word-level text similarity and shared passages, for when the dedup library gives no score.

Deterministic and dependency-free: the same two texts always give the same number and spans.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from typing import TypeVar

COPY_SHINGLE = 5
"""Words per shingle for copy similarity; 5 matches the dedup design (DESIGN.md)."""

SHARED_NGRAM = 6
"""Words a run must share to be highlighted: long enough that stock phrases ("kata dia kepada
wartawan") do not light up the whole text, short enough to catch an edited sentence's halves."""

_WORD = re.compile(r"\w+")

Span = tuple[int, int]
Ngram = tuple[str, ...]
T = TypeVar("T")


def words(text: str) -> list[str]:
    """The text's words, case-folded so "Trump" and "TRUMP" are the same word."""
    return [match.group().casefold() for match in _WORD.finditer(text)]


def ngrams(tokens: list[str], n: int) -> set[Ngram]:
    """All runs of `n` consecutive tokens; a text shorter than `n` gives itself as one run."""
    if 0 < len(tokens) < n:
        return {tuple(tokens)}
    return set(zip(*(tokens[i:] for i in range(n)), strict=False))


def jaccard(left: AbstractSet[T], right: AbstractSet[T]) -> float:
    """Intersection over union, rounded to 4 places so JSON stays stable; 0.0 for two empty sets."""
    union = len(left | right)
    return round(len(left & right) / union, 4) if union else 0.0


def copy_similarity(text: str, reference: str) -> float:
    """Jaccard of word 5-shingles: near 1 for a republished copy, near 0 for another write-up."""
    return jaccard(ngrams(words(text), COPY_SHINGLE), ngrams(words(reference), COPY_SHINGLE))


def event_similarity(text: str, reference: str) -> float:
    """Jaccard of word sets: shingles almost never match between two outlets' own write-ups of
    one event (DESIGN.md measures 0.001 on the seeds), shared vocabulary does (0.23)."""
    return jaccard(set(words(text)), set(words(reference)))


@dataclass(frozen=True)
class Passage:
    """A text's words with their positions, tokenized once for all the texts it is compared to."""

    text: str
    matches: list[re.Match[str]]
    grams: list[Ngram]

    @classmethod
    def of(cls, text: str, n: int = SHARED_NGRAM) -> Passage:
        matches = list(_WORD.finditer(text))
        tokens = [match.group().casefold() for match in matches]
        return cls(text, matches, list(zip(*(tokens[i:] for i in range(n)), strict=False)))

    def spans_shared_with(self, known: AbstractSet[Ngram]) -> list[Span]:
        """Character spans `[start, end)` covered by n-grams in `known`; overlapping and
        touching runs are merged into one span."""
        n = len(self.grams[0]) if self.grams else 0
        marked = [False] * len(self.matches)
        run = [True] * n
        for i, gram in enumerate(self.grams):
            if gram in known:
                marked[i : i + n] = run
        return _runs(self.matches, marked)


def shared_spans(text: str, references: Iterable[str], n: int = SHARED_NGRAM) -> list[Span]:
    """Character spans of `text` covered by word n-grams that also occur in any of
    `references`."""
    known: set[Ngram] = set()
    for reference in references:
        known.update(Passage.of(reference, n).grams)
    return Passage.of(text, n).spans_shared_with(known)


def _runs(matches: list[re.Match[str]], marked: list[bool]) -> list[Span]:
    spans: list[Span] = []
    previous = False
    for match, on in zip(matches, marked, strict=True):
        if on and previous:
            spans[-1] = (spans[-1][0], match.end())
        elif on:
            spans.append((match.start(), match.end()))
        previous = on
    return spans


def utf16_spans(text: str, spans: list[Span]) -> list[Span]:
    """The same spans counted in UTF-16 code units, which is how JavaScript indexes strings; they
    differ from Python's code points after any character outside the BMP (emoji)."""
    if text.isascii() or all(ord(char) < 0x10000 for char in text):
        return spans
    prefix = [0]
    for char in text:
        prefix.append(prefix[-1] + (2 if ord(char) >= 0x10000 else 1))
    return [(prefix[start], prefix[end]) for start, end in spans]
