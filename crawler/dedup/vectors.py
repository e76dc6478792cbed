"""Packed event vectors: each story's heaviest features as one row of `hash << 32 | float32
weight` in hash order (`unit_vectors`, `article_vector` for a single article), and the cosine
of pairs of rows (`pair_similarity`). `crawler.dedup.cluster` weighs the features and says
which rows to compare.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from crawler.dedup.arrays import run_rank
from crawler.dedup.parallel import balanced_bounds, fork_map

_PARALLEL_PAIRS = 400_000  # fewer pairs than this are not worth a process
_SIM_CHUNK = 4096  # pairs per pass of `pair_similarity`: its 4 MB block stays in cache
_PAD_HASH = np.uint32(0xFFFFFFFF)
PAD = np.uint64(_PAD_HASH) << np.uint64(32)
"""An empty slot of a packed event vector: hash 0xFFFFFFFF, weight 0."""
_HIGH = 1 if sys.byteorder == "little" else 0  # the uint32 half of a uint64 with the high bits


@dataclass(frozen=True)
class Weights:
    """Normalised feature weights in the features' CSR layout (article `i` owns
    `ptr[i]:ptr[i+1]`, hash order); features under `event_min_df` have weight 0."""

    ptr: np.ndarray
    hashes: np.ndarray
    values: np.ndarray

    def row(self) -> np.ndarray:
        return np.repeat(np.arange(len(self.ptr) - 1), np.diff(self.ptr))


def unit_vectors(weights: Weights, chosen: np.ndarray, unit_of: np.ndarray, n_units: int,
                 width: int) -> np.ndarray:
    """Each unit's (copy cluster's) event vector from its members' entries `chosen` (in entry
    order): the mean of the members' rows, cut to its `width` heaviest features and
    L2-normalised, packed as `(n_units, width)` uint64 `hash << 32 | float32 weight`, in hash
    order, padded with `PAD` (hash 0xFFFFFFFF, weight 0).

    A single article's unit is its own row. Copies of one article are near-identical, so the
    mean stands for each of them and the event level compares each story once, not every pair
    of its copies.
    """
    row = weights.row()[chosen]
    unit = unit_of[row]
    hashes = weights.hashes[chosen].astype(np.uint64)
    values = weights.values[chosen]
    size = np.bincount(unit_of, minlength=n_units)
    many = size[unit] > 1
    if many.any():
        # Sum the members' weights per (unit, hash); the mean's scale goes with normalising.
        key = (unit[many].astype(np.uint64) << np.uint64(32)) | hashes[many]
        order = np.argsort(key, kind="stable")
        key, summed = key[order], values[many][order]
        first = np.flatnonzero(np.concatenate(([True], key[1:] != key[:-1])))
        summed = np.add.reduceat(summed, first)
        key = key[first]
        m_unit = (key >> np.uint64(32)).astype(np.int64)
        # The `width` heaviest per unit (ties: smaller hash), back in hash order.
        rank_order = np.lexsort((key, -summed, m_unit))
        keep = np.sort(rank_order[run_rank(m_unit[rank_order]) < width])
        unit = np.concatenate((unit[~many], m_unit[keep]))
        hashes = np.concatenate((hashes[~many], key[keep] & np.uint64(0xFFFFFFFF)))
        values = np.concatenate((values[~many], summed[keep]))
        # Both parts are in (unit, hash) order: a stable sort on the unit merges them.
        order = np.argsort(unit, kind="stable")
        unit, hashes, values = unit[order], hashes[order], values[order]
    norms = np.sqrt(np.bincount(unit, weights=values * values, minlength=n_units))
    norms[norms == 0] = 1.0
    starts = np.zeros(n_units + 1, dtype=np.int64)
    np.cumsum(np.bincount(unit, minlength=n_units), out=starts[1:])
    position = np.arange(len(unit)) - starts[unit]
    if len(position) and position.max() >= width:
        raise ValueError("more entries per unit than width")
    packed = np.full((n_units, width), PAD, dtype=np.uint64)
    bits = (values / norms[unit]).astype(np.float32).view(np.uint32).astype(np.uint64)
    packed[unit, position] = (hashes << np.uint64(32)) | bits
    return packed


def top_features(weights: np.ndarray, keep: int) -> np.ndarray:
    """Indices, in entry order, of one article's `keep` heaviest positive entries (ties: the
    earlier entry, that is the smaller hash): `feature_ranks` for a single article, without the
    batch machinery that a one-article call would pay for many times over."""
    w32 = weights.astype(np.float32)
    order = np.lexsort((np.arange(len(w32)), -w32))
    order = order[w32[order] > 0][:keep]
    order.sort()
    return order


def article_vector(hashes: np.ndarray, weights: np.ndarray, width: int) -> np.ndarray:
    """One article's event vector from its raw entry weights, as `normalised` and
    `unit_vectors` make the row of a single-article unit (the same arithmetic, so the same
    float32 bits), without the padding: its `width` heaviest features, L2-normalised,
    `hash << 32 | float32 weight` in hash order."""
    one = np.zeros(len(weights), dtype=np.int64)
    norm = np.sqrt(np.bincount(one, weights=weights * weights, minlength=1))[0] or 1.0
    chosen = top_features(weights, width)
    values = weights[chosen] / norm
    norm = np.sqrt(np.bincount(one[: len(chosen)], weights=values * values, minlength=1))[0]
    bits = (values / (norm or 1.0)).astype(np.float32).view(np.uint32).astype(np.uint64)
    return (hashes[chosen].astype(np.uint64) << np.uint64(32)) | bits


def unpack(row: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A packed event vector's hashes (increasing) and float weights, padding left out."""
    hashes = (row >> np.uint64(32)).astype(np.uint32)
    weights = (row & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32).astype(float)
    keep = hashes != _PAD_HASH
    return hashes[keep], weights[keep]


def pair_similarity(vectors: np.ndarray, pairs: np.ndarray, workers: int = 1) -> np.ndarray:
    """Cosine similarity of each pair of rows of `vectors` (as `unit_vectors` packs them), over
    `workers` processes when there are enough pairs.

    The two rows of a pair are concatenated and sorted, which merges their two hash-ordered
    runs; a feature both share is then two neighbours with equal hashes, and the cosine is the
    sum of their weights' products. This is 2x faster than multiplying sparse rows with scipy.
    """
    if workers > 1 and len(pairs) >= _PARALLEL_PAIRS:
        bounds = balanced_bounds(np.ones(len(pairs)), workers)
        parts = fork_map(lambda lo, hi: pair_similarity(vectors, pairs[lo:hi]), bounds)
        return np.concatenate(parts)
    width = vectors.shape[1]
    out = np.zeros(len(pairs))
    buf = np.empty((min(_SIM_CHUNK, len(pairs)), 2 * width), dtype=np.uint64)
    left_rows = np.ascontiguousarray(pairs[:, 0])
    right_rows = np.ascontiguousarray(pairs[:, 1])
    for lo in range(0, len(pairs), _SIM_CHUNK):
        a, b = left_rows[lo : lo + _SIM_CHUNK], right_rows[lo : lo + _SIM_CHUNK]
        block = buf[: len(a)]
        block[:, :width] = vectors[a]
        block[:, width:] = vectors[b]
        block.sort(axis=1, kind="stable")  # a merge of two sorted runs
        halves = block.view(np.uint32)
        hashes, values = halves[:, _HIGH::2], halves[:, 1 - _HIGH :: 2].view(np.float32)
        same = hashes[:, 1:] == hashes[:, :-1]
        same &= hashes[:, 1:] != _PAD_HASH  # padding matches padding, at weight 0
        r, c = np.divmod(np.flatnonzero(same), 2 * width - 1)
        products = values[r, c].astype(np.float64) * values[r, c + 1]
        out[lo : lo + len(a)] = np.bincount(r, weights=products, minlength=len(a))
    return out
