"""From signatures and features to copy clusters and event clusters (bulk, order-independent).

Every function here takes documents in one canonical order (the index sorts them by key) and
gives integer labels, each the smallest member position of its cluster; nothing depends on the
order the documents arrived in.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from crawler.dedup import rules
from crawler.dedup.arrays import run_rank
from crawler.dedup.features import FeatureBatch
from crawler.dedup.graph import components
from crawler.dedup.options import DedupOptions
from crawler.dedup.signatures import band_pairs, bulk_minhash, lsh_params
from crawler.dedup.vectors import PAD, Weights, pair_similarity, unit_vectors

_PAIR_CHUNK = 200_000


def copy_clusters(
    signatures: np.ndarray, lengths: np.ndarray, options: DedupOptions
) -> np.ndarray:
    """Copy labels from shingle signatures and shingle counts.

    Candidates share an LSH band; a candidate is a copy when its estimated Jaccard reaches
    `copy_threshold`, or when the shorter text is estimated to be contained in the longer (a
    shortened ending) with Jaccard at least `copy_min_jaccard`. Texts without shingles have no
    copies.
    """
    n = len(signatures)
    rows = np.flatnonzero(lengths > 0)
    bands, band_rows = lsh_params(options.copy_lsh_threshold, options.copy_num_perm)
    pairs = rows[band_pairs(signatures[rows], bands, band_rows, options.max_bucket)]
    if len(pairs):
        same = np.zeros(len(pairs))
        for lo in range(0, len(pairs), _PAIR_CHUNK):
            p = pairs[lo : lo + _PAIR_CHUNK]
            same[lo : lo + len(p)] = (signatures[p[:, 0]] == signatures[p[:, 1]]).mean(axis=1)
        pairs = pairs[rules.is_copy(same, lengths[pairs[:, 0]], lengths[pairs[:, 1]], options)]
    return components(n, pairs)


def feature_weights(
    features: FeatureBatch, options: DedupOptions, copy_labels: np.ndarray | None = None
) -> Weights:
    """L2-normalised `rules.feature_weights` of every feature entry, document frequencies
    counted in copy clusters (`copy_labels`; each article its own without them)."""
    n = len(features)
    units = np.arange(n) if copy_labels is None else copy_labels
    df = document_frequency(features, units)
    n_units = int(np.count_nonzero(np.bincount(units, minlength=n)))
    weight = rules.feature_weights(features.tf, df, features.flags, n_units, options)
    return normalised(features.ptr, features.hashes, weight)


def lead_features(features: FeatureBatch) -> FeatureBatch:
    """The articles' leads alone: the entries said in the lead, each with its lead term
    frequency (`lead_tf`) as its tf."""
    keep = features.lead_tf > 0
    n = len(features)
    row = np.repeat(np.arange(n), np.diff(features.ptr))
    ptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(row[keep], minlength=n), out=ptr[1:])
    lead_tf = features.lead_tf[keep]
    return FeatureBatch(ptr, features.hashes[keep], lead_tf, features.flags[keep], lead_tf)


def normalised(ptr: np.ndarray, hashes: np.ndarray, weight: np.ndarray) -> Weights:
    """`Weights` of the CSR rows `ptr` with each row's weights scaled to unit length."""
    n = len(ptr) - 1
    row = np.repeat(np.arange(n), np.diff(ptr))
    norms = np.sqrt(np.bincount(row, weights=weight * weight, minlength=n))
    norms[norms == 0] = 1.0
    return Weights(ptr, hashes, weight / norms[row])


def document_frequency(features: FeatureBatch, units: np.ndarray) -> np.ndarray:
    """For each feature entry, how many units (copy clusters) have its hash."""
    m = len(features.hashes)
    if not m:
        return np.zeros(0, dtype=np.int64)
    # Sort (hash, entry) packed in one integer: a plain sort instead of an argsort; the runs of
    # equal hashes are the document frequencies, written back to the entries by their index.
    index_bits = max(int(m - 1).bit_length(), 1)
    if index_bits > 32:
        raise ValueError("too many features for one index")
    key = (features.hashes.astype(np.uint64) << np.uint64(32)) | np.arange(m, dtype=np.uint64)
    key.sort()
    hashes = key >> np.uint64(32)
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(hashes[1:], hashes[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    df = np.diff(np.append(starts, m))
    # Several copies of one article count once: subtract repeats of (hash, unit).
    sizes = np.bincount(units, minlength=len(units))
    row = np.repeat(np.arange(len(units)), np.diff(features.ptr))
    shared = np.flatnonzero(sizes[units[row]] > 1)
    if len(shared):
        pair = (features.hashes[shared].astype(np.uint64) << np.uint64(32)) \
            | units[row[shared]].astype(np.uint64)
        pair.sort()
        repeat = pair[1:][pair[1:] == pair[:-1]] >> np.uint64(32)
        if len(repeat):
            run = np.searchsorted(hashes[starts], repeat)
            df -= np.bincount(run, minlength=len(df))
    out = np.empty(m, dtype=np.int64)
    run_length = np.diff(np.append(starts, m))
    out[(key & np.uint64(0xFFFFFFFF)).astype(np.int64)] = np.repeat(df, run_length)
    return out


def feature_ranks(weights: Weights, keep: int) -> tuple[np.ndarray, np.ndarray]:
    """Each article's `keep` heaviest positive entries (ties: smaller hash): their indices in
    entry order, and each one's rank within its article (0 = heaviest). One ranking serves
    every smaller cut: the top `k` are the entries of rank below `k`."""
    counts = np.diff(weights.ptr)
    n, m = len(counts), len(weights.values)
    if not m:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    positive = weights.values > 0
    row = weights.row()
    pos = np.arange(m) - np.repeat(weights.ptr[:-1], counts)
    row_bits = max(int(n - 1).bit_length(), 1)
    pos_bits = max(int(max(counts.max(), 1) - 1).bit_length(), 1)
    weight_bits = min(31, 64 - row_bits - pos_bits)
    if weight_bits < 16:
        order = np.lexsort((pos, -weights.values, row))
        order = order[positive[order]]
        ranked_row = row[order]
    else:
        # (article, heaviest first, entry) in one integer. Positive float32 bit patterns sort
        # like the numbers; the low bits dropped to fit only turn near-ties into exact ties.
        bits = weights.values.astype(np.float32).view(np.uint32).astype(np.uint64)
        bits >>= np.uint64(31 - weight_bits)
        inverted = np.uint64((1 << weight_bits) - 1) - bits
        key = (row.astype(np.uint64) << np.uint64(weight_bits + pos_bits)) \
            | (inverted << np.uint64(pos_bits)) | pos.astype(np.uint64)
        key = key[positive]
        key.sort()
        ranked_row = (key >> np.uint64(weight_bits + pos_bits)).astype(np.int64)
        order = weights.ptr[ranked_row] + (key & np.uint64((1 << pos_bits) - 1)).astype(np.int64)
    rank = run_rank(ranked_row)
    chosen = rank < keep
    # Back to entry order, the rank riding along in the low bits of one sortable integer.
    rank_bits = max(int(keep).bit_length(), 1)
    packed = (order[chosen].astype(np.uint64) << np.uint64(rank_bits)) \
        | rank[chosen].astype(np.uint64)
    packed.sort()
    return ((packed >> np.uint64(rank_bits)).astype(np.int64),
            (packed & np.uint64((1 << rank_bits) - 1)).astype(np.int64))


def salient_pairs(weights: Weights, chosen: np.ndarray, options: DedupOptions) -> np.ndarray:
    """Candidate event pairs: MinHash LSH over each article's salient features, the entries
    `chosen` (in entry order)."""
    n = len(weights.ptr) - 1
    row = weights.row()[chosen]
    sig = bulk_minhash(weights.hashes[chosen], row, n, options.event_num_perm, options.seed + 1)
    rows = np.flatnonzero(np.bincount(row, minlength=n))
    found = band_pairs(sig[rows], options.event_bands, options.event_rows, options.event_max_bucket,
                       options.event_min_bands, options.event_candidates)
    return rows[found]


def story_vectors(weights: Weights, keep: int, unit_of: np.ndarray, n_units: int
                  ) -> np.ndarray:
    """The units' vectors (`unit_vectors`) from their articles' `keep` heaviest entries, as
    narrow as the fullest row: padding columns every row has cost `pair_similarity` time and
    add nothing (a lead of 60 tokens has some 30-50 features, not 64)."""
    if len(weights.values) and np.diff(weights.ptr).max() <= keep:
        # No article has more entries than `keep`: all its positive ones rank under it.
        chosen = np.flatnonzero(weights.values > 0)
    else:
        ranked, rank = feature_ranks(weights, keep)
        chosen = ranked[rank < keep]
    vectors = unit_vectors(weights, chosen, unit_of, n_units, keep)
    used = int((vectors != PAD).sum(axis=1).max(initial=1))
    return np.ascontiguousarray(vectors[:, :used])


def raw_similarity(vectors: np.ndarray, leads: np.ndarray | None, pairs: np.ndarray,
                   options: DedupOptions) -> np.ndarray:
    """The raw similarity of each pair of units (`rules.raw_similarity`): the cosine of their
    full `vectors` mixed with that of their lead vectors `leads` (None when
    `event_lead_weight` is 0: the full cosine alone)."""
    full = pair_similarity(vectors, pairs, options.workers)
    if leads is None:
        return full
    return rules.raw_similarity(full, pair_similarity(leads, pairs, options.workers), options)


def scaled_similarity(
    pairs: np.ndarray, sims: np.ndarray, n: int, options: DedupOptions
) -> np.ndarray:
    """Similarities divided by the geometric mean of both ends' typical neighbour similarity.

    A document's typical similarity is the mean of its `event_neighbours` best candidates
    (missing ones count 0), floored at `event_scale_floor`. Short or terse articles have low
    similarities to everything, long ones on a busy story high ones; scaling lets one threshold
    serve both. The result is capped at 1.
    """
    k = options.event_neighbours
    ends = np.concatenate((pairs[:, 0], pairs[:, 1]))
    both = np.concatenate((sims, sims))
    # (end, best first) packed in one integer; non-negative float32 bit patterns sort like the
    # numbers, and the order among equal similarities does not change the sum.
    bits = np.maximum(both, 0.0).astype(np.float32).view(np.uint32).astype(np.uint64)
    key = (ends.astype(np.uint64) << np.uint64(32)) | (np.uint64(0xFFFFFFFF) - bits)
    key.sort()
    sorted_ends = (key >> np.uint64(32)).astype(np.int64)
    value = (np.uint64(0xFFFFFFFF) - (key & np.uint64(0xFFFFFFFF))).astype(np.uint32)
    top = run_rank(sorted_ends) < k
    typical = rules.typical_similarity(
        np.bincount(sorted_ends[top], weights=value[top].view(np.float32), minlength=n), options)
    return rules.scaled_similarity(sims, typical[pairs[:, 0]], typical[pairs[:, 1]])


def lead_vectors(features: FeatureBatch, copy_labels: np.ndarray, unit_of: np.ndarray,
                 n_units: int, options: DedupOptions) -> np.ndarray | None:
    """The units' lead vectors, or None when `event_lead_weight` is 0: the leads' features
    (`lead_features`) weighed as the full ones are, their rarity counted among the leads (a
    word common in leads says less of one story's than a word common only further down), and
    cut to `event_similarity_features`."""
    if options.event_lead_weight <= 0:
        return None
    weights = feature_weights(lead_features(features), options, copy_labels)
    return story_vectors(weights, options.event_similarity_features, unit_of, n_units)


def _units_within_window(published: np.ndarray, unit_of: np.ndarray, n_units: int,
                         pairs: np.ndarray, options: DedupOptions) -> np.ndarray:
    """Unit pairs that may share an event by date (`rules.within_window`): a unit's range runs
    from its first to its last known date, and a unit with an undated member is open."""
    if not len(pairs):
        return np.ones(0, dtype=bool)
    unknown = np.isnan(published)
    first = np.full(n_units, np.inf)
    last = np.full(n_units, -np.inf)
    np.minimum.at(first, unit_of, np.where(unknown, np.inf, published))
    np.maximum.at(last, unit_of, np.where(unknown, -np.inf, published))
    open_ended = np.bincount(unit_of, weights=unknown, minlength=n_units) > 0
    first[open_ended] = np.nan
    last[open_ended] = np.nan
    a, b = pairs[:, 0], pairs[:, 1]
    return rules.within_window(first[a], last[a], first[b], last[b], options)


def representatives(labels: np.ndarray, rank: Sequence[np.ndarray]) -> np.ndarray:
    """For each document, the position of its cluster's representative: the member first in
    `np.lexsort(rank)` order (the last key in `rank` is the primary one)."""
    order = np.lexsort(tuple(rank))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    best = np.full(len(labels), len(labels), dtype=np.int64)
    np.minimum.at(best, labels, position)
    return order[best[labels]]
