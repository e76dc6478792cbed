"""Event features: per article, the tokens that survive rewording, with counts and kinds.

Kept per article: name-like tokens (capitalised where a sentence does not start), tokens with
digits, and other words that are not function words; words by their stem (the first characters,
`crawler.dedup.tokens`), numbers whole. All three work the same in Indonesian and
English. Which of them are *rare* is decided later, by document frequency over the whole index,
so that adding articles in another order or in two batches gives the same weights.

Grouping is done by sorting one packed uint64 key per token (article, hash, kind bits) rather
than `np.lexsort` or `np.unique(..., return_inverse=True)`: numpy sorts plain integers with SIMD,
several times faster than it computes a sorting permutation.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

from crawler.dedup.stopwords import STOPWORDS
from crawler.dedup.tokens import TokenBatch, tokenize

NAME = np.uint8(1)
NUMBER = np.uint8(2)
_TF_CAP = 255
_U64 = np.uint64
_MAX_DOCS = 1 << 20  # article bits left in the packed keys below


@cache
def stopword_hashes() -> np.ndarray:
    """32-bit feature hashes of the stopwords, sorted."""
    return np.unique(tokenize([" ".join(sorted(STOPWORDS))]).hashes >> _U64(32)).astype(np.uint32)


@dataclass(frozen=True)
class FeatureBatch:
    """Features of a batch of articles in CSR layout: article `i` owns `ptr[i]:ptr[i+1]`, in
    increasing hash order."""

    ptr: np.ndarray
    hashes: np.ndarray
    tf: np.ndarray
    """How often the article says the feature, a lead token counting twice (capped at 255)."""
    flags: np.ndarray
    lead_tf: np.ndarray
    """How many of those tokens are in the lead (capped at 255): the lead's own term
    frequency, which weighs the article's lead vector (`cluster.lead_vectors`)."""

    def __len__(self) -> int:
        return len(self.ptr) - 1


def feature_hashes(batch: TokenBatch) -> np.ndarray:
    """The 32-bit feature hash of each token: its stem's, or for a number its whole hash (the
    digits are what a number says)."""
    whole = np.where(batch.digit, batch.hashes, batch.stems)
    return (whole >> _U64(32)).astype(np.uint32)


def extract_features(batch: TokenBatch, max_features: int, keep: np.ndarray | None = None,
                     lead: int = 0) -> FeatureBatch:
    """Aggregate `batch`'s tokens (those where `keep` is set, when given) into per-article
    features, at most `max_features` each. A token among the first `lead` of its article (the
    title, then the start of the body) counts twice: the lead says what the story is, while
    the end of a page gathers its outlet's furniture (newsletter and social links, photo
    credits, press contacts).

    When an article has more, names and numbers are kept first, then the most frequent words;
    ties are broken by hash, so the choice does not depend on anything but the text.
    """
    if batch.n_docs > _MAX_DOCS:
        raise ValueError(f"at most {_MAX_DOCS} articles per feature batch")
    h32 = (batch.hashes >> _U64(32)).astype(np.uint32)
    stops = stopword_hashes()
    pos = np.minimum(np.searchsorted(stops, h32), len(stops) - 1)
    mask = stops[pos] != h32
    # Single letters ("s" of "it's") link nothing in particular; single digits are kept, as
    # every number is (a count of 3 is part of what the story says: dropping them lowered the
    # SemEval monolingual tuning pairs' F1 from 0.824 to 0.809).
    mask &= (batch.length > 1) | batch.digit
    if keep is not None:
        mask &= keep
    doc = batch.doc[mask].astype(_U64)
    name = batch.capital[mask] & ~batch.sentence_start[mask]
    flags = name.astype(_U64) | (batch.digit[mask].astype(_U64) << _U64(1))
    # Tokens are numbered from their article's first (`doc` is sorted).
    first = np.searchsorted(batch.doc, np.arange(batch.n_docs))
    in_lead = (np.arange(len(batch.doc)) - first[batch.doc] < lead)[mask].astype(_U64)
    # Group equal (article, hash) tokens: article in the high bits, then hash, then kind, then
    # whether the token is in the lead. Stopwords are told by the whole word, features by
    # `feature_hashes`.
    key = (doc << _U64(35)) | (feature_hashes(batch)[mask].astype(_U64) << _U64(3)) \
        | (flags << _U64(1)) | in_lead
    key.sort()
    group = key >> _U64(3)
    new = np.empty(len(key), dtype=bool)
    new[:1] = True
    np.not_equal(group[1:], group[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    tf = np.diff(np.append(starts, len(key)))
    if len(starts):
        lead_tf = np.add.reduceat(key & _U64(1), starts).astype(tf.dtype)
        tf += lead_tf
        kinds = np.bitwise_or.reduceat((key >> _U64(1)) & _U64(3), starts)
    else:
        lead_tf = tf
        kinds = key[:0]
    udoc, uh = group[starts] >> _U64(32), group[starts] & _U64(0xFFFFFFFF)
    return _cap_per_doc(udoc, uh.astype(np.uint32), np.minimum(tf, _TF_CAP).astype(np.uint8),
                        kinds.astype(np.uint8), np.minimum(lead_tf, _TF_CAP).astype(np.uint8),
                        max_features, batch.n_docs)


def _cap_per_doc(doc: np.ndarray, h: np.ndarray, tf: np.ndarray, flags: np.ndarray,
                 lead_tf: np.ndarray, cap: int, n_docs: int) -> FeatureBatch:
    """The `cap` features each article keeps (names and numbers, then higher tf, then smaller
    hash), in hash order. The entries come in (article, hash) order."""
    counts = np.bincount(doc.astype(np.int64), minlength=n_docs)
    if len(counts) and counts.max() > cap:
        # (article, plain words last, higher tf first, kind, entry) in one integer: the entry's
        # index breaks ties as its hash would (entries are in hash order within an article)
        # and tells, once the kept ones are sorted back, where each came from. It fits: 20
        # article bits (`_MAX_DOCS`), 11 and the entry's leave 33 bits of entries.
        m = len(doc)
        bits = max(int(m - 1).bit_length(), 1)
        plain = (flags == 0).astype(_U64)
        key = ((doc.astype(_U64) << _U64(bits + 11)) | (plain << _U64(bits + 10))
               | ((_U64(_TF_CAP) - tf.astype(_U64)) << _U64(bits + 2))
               | (flags.astype(_U64) << _U64(bits)) | np.arange(m, dtype=_U64))
        key.sort()
        index = (key & _U64((1 << bits) - 1)).astype(np.int64)
        first = np.repeat(np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
        kept = np.sort(index[(np.arange(m) - first) < cap])
        doc, h, tf, flags, lead_tf = doc[kept], h[kept], tf[kept], flags[kept], lead_tf[kept]
        counts = np.bincount(doc.astype(np.int64), minlength=n_docs)
    ptr = np.zeros(n_docs + 1, dtype=np.int64)
    np.cumsum(counts, out=ptr[1:])
    return FeatureBatch(ptr, h, tf, flags, lead_tf)
