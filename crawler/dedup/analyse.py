"""Per-article analysis: text -> compact copy signature and event features (no corpus state).

This is the expensive, embarrassingly parallel step, so `analyse_many` splits it over forked
processes (`crawler.dedup.parallel`); everything that needs the whole corpus (document
frequencies, clustering) happens later in `crawler.dedup.cluster`.

Each article is tokenised once, as two texts (title, body) in one buffer with all the others:
the event features use both, the copy shingles the body without aggregator furniture lines (or
the title, for a record without body text).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np

from crawler.dedup.features import FeatureBatch, extract_features
from crawler.dedup.heap import large_heap
from crawler.dedup.options import DedupOptions
from crawler.dedup.parallel import balanced_bounds, fork_map
from crawler.dedup.signatures import one_permutation_minhash
from crawler.dedup.tokens import encode_texts, shingle_hashes, tokenize_buffer

_CHUNK = 2000  # articles per numpy pass: big enough to amortise calls, small enough for cache
_MIN_PARALLEL = 4000  # fewer articles than this are not worth a process


@dataclass(frozen=True)
class Analysed:
    """Copy signatures `(n, copy_num_perm)` uint32, shingle counts, and event features."""

    signatures: np.ndarray
    lengths: np.ndarray
    features: FeatureBatch

    def __len__(self) -> int:
        return len(self.lengths)


@dataclass(frozen=True)
class ArticleAnalysis:
    """An article's analysis made elsewhere (in an extraction worker), with what it was made
    from, so that its user can tell whether it still stands for the article."""

    options: DedupOptions
    title: str
    body: str
    analysed: Analysed

    @classmethod
    def of(cls, title: str, body: str, options: DedupOptions) -> ArticleAnalysis:
        return cls(options, title, body, analyse([title], [body], options))

    def valid_for(self, title: str, body: str, options: DedupOptions) -> Analysed | None:
        """The analysis, if it was made with `options` from this title and body."""
        if options == self.options and title == self.title and body == self.body:
            return self.analysed
        return None


@cache
def drop_line_regex(pattern: str) -> re.Pattern[bytes]:
    """The drop-line pattern as a bytes regex anchored on the newline before a line.

    Python's `re` tries a `^`-anchored multiline pattern at every byte (about 11 ns a byte);
    starting the pattern with a literal newline lets it jump from line to line, 10x faster.
    The tokenised buffer starts every text on a new line, so nothing is missed; a leading `^`
    in the setting is implied.
    """
    body = pattern[1:] if pattern.startswith("^") else pattern
    return re.compile(b"\n(?:" + body.encode("utf-8") + b").*", re.IGNORECASE)


def analyse(titles: Sequence[str], bodies: Sequence[str], options: DedupOptions) -> Analysed:
    """Signatures and features of one batch of articles, in process."""
    if len(titles) != len(bodies):
        raise ValueError("titles and bodies must have the same length")
    data, offsets = _encode(titles, bodies)
    return _analyse_range(data, offsets, 0, len(bodies), options, _CHUNK)


def analyse_many(
    titles: Sequence[str], bodies: Sequence[str], options: DedupOptions, chunk: int = _CHUNK
) -> Analysed:
    """`analyse` over `options.workers` processes (this one and forked ones), in input order."""
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    if len(titles) != len(bodies):
        raise ValueError("titles and bodies must have the same length")
    n = len(bodies)
    with large_heap():
        data, offsets = _encode(titles, bodies)
        sizes = np.diff(np.append(offsets[0::2], len(data)))
        bounds = balanced_bounds(sizes, worker_count(n, options, chunk))
        parts = fork_map(lambda lo, hi: _analyse_range(data, offsets, lo, hi, options, chunk),
                         bounds)
        return concat(parts, options)


def worker_count(n: int, options: DedupOptions, chunk: int = _CHUNK) -> int:
    """Processes worth using for `n` articles: a process for fewer than `_MIN_PARALLEL`
    articles costs more than it saves."""
    return max(1, min(options.workers, n // max(min(chunk, _MIN_PARALLEL), 1)))


def _encode(titles: Sequence[str], bodies: Sequence[str]) -> tuple[bytes, np.ndarray]:
    """One buffer of title 0, body 0, title 1, ... and the start offset of each of them."""
    texts: list[str] = [""] * (2 * len(bodies))
    texts[0::2] = titles
    texts[1::2] = bodies
    return encode_texts(texts)


def _analyse_range(data: bytes, offsets: np.ndarray, lo: int, hi: int, options: DedupOptions,
                   chunk: int) -> Analysed:
    parts = [_analyse_chunk(data, offsets, a, min(a + chunk, hi), options)
             for a in range(lo, hi, chunk)]
    return concat(parts, options)


def _analyse_chunk(data: bytes, offsets: np.ndarray, lo: int, hi: int, options: DedupOptions
                   ) -> Analysed:
    """Analysis of articles `lo:hi`, whose title and body are texts `2 lo : 2 hi` of `data`."""
    n = hi - lo
    first = int(offsets[2 * lo])
    last = int(offsets[2 * hi]) if 2 * hi < len(offsets) else len(data)
    view = memoryview(data)[first:last]
    tokens = tokenize_buffer(view, offsets[2 * lo : 2 * hi] - first)
    body = (tokens.doc & 1).astype(bool)
    article = tokens.doc >> 1
    copy = body & ~_in_dropped_lines(view, tokens.start, options.drop_line_pattern)
    # A record without body text is identified by its title.
    no_body = np.bincount(article[copy], minlength=n) == 0
    copy |= ~body & no_body[article]
    hashes, doc = shingle_hashes(tokens.hashes[copy], article[copy], n, options.shingle_size)
    signatures = one_permutation_minhash(hashes, doc, n, options.copy_num_perm, options.seed)
    lengths = np.bincount(doc, minlength=n).astype(np.int32)
    features = extract_features(replace(tokens, doc=article, n_docs=n), options.event_max_features,
                                lead=options.event_lead_tokens)
    return Analysed(signatures, lengths, features)


def _in_dropped_lines(view: memoryview, starts: np.ndarray, pattern: str) -> np.ndarray:
    """Mask of the tokens (by start offset) that lie on lines the drop-line pattern matches."""
    spans = np.array([m.span() for m in drop_line_regex(pattern).finditer(view)],
                     dtype=np.int64).reshape(-1, 2)
    inside = np.zeros(len(starts) + 1, dtype=np.int32)
    np.add.at(inside, np.searchsorted(starts, spans[:, 0]), 1)
    np.add.at(inside, np.searchsorted(starts, spans[:, 1]), -1)
    return np.cumsum(inside[:-1]) > 0


def concat(parts: Sequence[Analysed], options: DedupOptions) -> Analysed:
    """One `Analysed` from several, in order."""
    if len(parts) == 1:
        return parts[0]
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Analysed(
            np.zeros((0, options.copy_num_perm), dtype=np.uint32),
            np.zeros(0, dtype=np.int32),
            FeatureBatch(np.zeros(1, dtype=np.int64), empty.astype(np.uint32),
                         empty.astype(np.uint8), empty.astype(np.uint8), empty.astype(np.uint8)),
        )
    ptrs, offset = [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        ptrs.append(part.features.ptr[1:] + offset)
        offset += part.features.ptr[-1]
    features = FeatureBatch(
        np.concatenate(ptrs),
        np.concatenate([p.features.hashes for p in parts]),
        np.concatenate([p.features.tf for p in parts]),
        np.concatenate([p.features.flags for p in parts]),
        np.concatenate([p.features.lead_tf for p in parts]),
    )
    return Analysed(
        np.concatenate([p.signatures for p in parts]),
        np.concatenate([p.lengths for p in parts]),
        features,
    )


def take(analysed: Analysed, rows: np.ndarray) -> Analysed:
    """The rows `rows` of `analysed`, in that order."""
    f = analysed.features
    if len(rows) == len(analysed) and np.array_equal(rows, np.arange(len(rows))):
        return analysed
    counts = np.diff(f.ptr)[rows]
    ptr = np.concatenate(([0], np.cumsum(counts)))
    idx = np.repeat(f.ptr[rows] - ptr[:-1], counts) + np.arange(ptr[-1])
    return Analysed(
        analysed.signatures[rows],
        analysed.lengths[rows],
        FeatureBatch(ptr, f.hashes[idx], f.tf[idx], f.flags[idx], f.lead_tf[idx]),
    )
