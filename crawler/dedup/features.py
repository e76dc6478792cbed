"""Event features: per article, the tokens that survive rewording, with counts and kinds.

Kept per article: name-like tokens (capitalised where a sentence does not start), tokens with
digits, and other words that are not function words. All three work the same in Indonesian and
English. Which of them are *rare* is decided later, by document frequency over the whole index,
so that adding articles in another order or in two batches gives the same weights.
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


@cache
def stopword_hashes() -> np.ndarray:
    """Token hashes of the stopwords, sorted, for `np.isin`."""
    return np.unique(tokenize([" ".join(sorted(STOPWORDS))]).hashes)


@dataclass(frozen=True)
class FeatureBatch:
    """Features of a batch of articles in CSR layout: article `i` owns `ptr[i]:ptr[i+1]`."""

    ptr: np.ndarray
    hashes: np.ndarray
    tf: np.ndarray
    flags: np.ndarray

    def __len__(self) -> int:
        return len(self.ptr) - 1


def extract_features(batch: TokenBatch, max_features: int) -> FeatureBatch:
    """Aggregate `batch`'s tokens into per-article features, at most `max_features` each.

    When an article has more, names and numbers are kept first, then the most frequent words;
    ties are broken by hash, so the choice does not depend on anything but the text.
    """
    keep = ~np.isin(batch.hashes, stopword_hashes())
    # Single letters and digits ("s" of "it's", "3") link nothing in particular.
    keep &= (batch.length > 1) | batch.digit
    doc, hashes = batch.doc[keep], batch.hashes[keep]
    name = batch.capital[keep] & ~batch.sentence_start[keep]
    flags = np.where(name, NAME, np.uint8(0)) | np.where(batch.digit[keep], NUMBER, np.uint8(0))
    h32 = (hashes >> np.uint64(32)).astype(np.uint32)
    order = np.lexsort((h32, doc))
    doc, h32, flags = doc[order], h32[order], flags[order]
    new = np.concatenate(([True], (doc[1:] != doc[:-1]) | (h32[1:] != h32[:-1])))
    starts = np.flatnonzero(new)
    tf = np.diff(np.append(starts, len(doc)))
    ufl = np.bitwise_or.reduceat(flags, starts) if len(starts) else flags[:0]
    udoc, uh = doc[starts], h32[starts]
    sel = _cap_per_doc(udoc, uh, tf, ufl, max_features)
    udoc, uh, tf, ufl = udoc[sel], uh[sel], tf[sel], ufl[sel]
    ptr = np.concatenate(([0], np.cumsum(np.bincount(udoc, minlength=batch.n_docs))))
    return FeatureBatch(ptr, uh, np.minimum(tf, _TF_CAP).astype(np.uint8), ufl.astype(np.uint8))


def _cap_per_doc(
    doc: np.ndarray, h: np.ndarray, tf: np.ndarray, flags: np.ndarray, cap: int
) -> np.ndarray:
    """Indices (in hash order within each article) of the features each article keeps."""
    order = np.lexsort((h, -tf, flags == 0, doc))
    sorted_doc = doc[order]
    first = np.searchsorted(sorted_doc, sorted_doc, side="left")
    rank = np.arange(len(order)) - first
    return np.sort(order[rank < cap])
