"""From signatures and features to copy clusters and event clusters (bulk, order-independent).

Every function here takes documents in one canonical order (the index sorts them by key) and
gives integer labels, each the smallest member position of its cluster; nothing depends on the
order the documents arrived in.
"""

from __future__ import annotations

import heapq
from collections.abc import Sequence

import numpy as np
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from crawler.dedup.features import NAME, NUMBER, FeatureBatch
from crawler.dedup.options import DedupOptions
from crawler.dedup.signatures import band_pairs, bulk_minhash, lsh_params

_PAIR_CHUNK = 200_000


def components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected components of the pair graph, labelled by their smallest member."""
    graph = sparse.coo_matrix(
        (np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(n, n)
    )
    _, raw = connected_components(graph, directed=False)
    smallest = np.full(raw.max() + 1 if n else 0, n, dtype=np.int64)
    np.minimum.at(smallest, raw, np.arange(n))
    return smallest[raw]


def copy_clusters(
    signatures: np.ndarray, lengths: np.ndarray, options: DedupOptions
) -> tuple[np.ndarray, np.ndarray]:
    """Copy labels, and the verified copy pairs, from shingle signatures and shingle counts.

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
        pairs = pairs[_is_copy(same, lengths[pairs[:, 0]], lengths[pairs[:, 1]], options)]
    return components(n, pairs), pairs


def _is_copy(
    jaccard: np.ndarray, len_a: np.ndarray, len_b: np.ndarray, options: DedupOptions
) -> np.ndarray:
    union = (len_a + len_b) / (1.0 + jaccard)
    containment = jaccard * union / np.maximum(np.minimum(len_a, len_b), 1)
    by_containment = (containment >= options.copy_containment) & (
        jaccard >= options.copy_min_jaccard
    )
    return (jaccard >= options.copy_threshold) | by_containment


def weight_matrix(
    features: FeatureBatch, options: DedupOptions, copy_labels: np.ndarray | None = None
) -> tuple[sparse.csr_matrix, np.ndarray]:
    """Rows of L2-normalised feature weights, tf**p * idf**a * (name or number weight), and the
    feature hash of each column.

    Document frequency counts copy clusters, not documents: otherwise every word of an article
    that was republished twice looks rare, and the article's salient features would be the
    ones only its own copies share.
    """
    n = len(features)
    row = np.repeat(np.arange(n), np.diff(features.ptr))
    units = np.arange(n) if copy_labels is None else copy_labels
    vocab, column = np.unique(features.hashes, return_inverse=True)
    unit_col = np.unique(units[row].astype(np.int64) * len(vocab) + column)
    df = np.bincount(unit_col % len(vocab), minlength=len(vocab)) if len(vocab) else column
    n_units = len(np.unique(units))
    # +1: with two documents a shared feature still counts (log(n/df) would be 0).
    idf = np.log((n_units + 1) / np.maximum(df, 1)) ** options.event_idf_power
    kind = np.ones(len(features.hashes))
    kind[(features.flags & NUMBER) > 0] = options.event_number_weight
    kind[(features.flags & NAME) > 0] = max(options.event_name_weight, 1.0)
    weight = features.tf.astype(float) ** options.event_tf_power * idf[column] * kind
    keep = df[column] >= options.event_min_df
    matrix = sparse.csr_matrix(
        (weight[keep], (row[keep], column[keep])), shape=(n, len(vocab))
    )
    norms = np.sqrt(np.asarray(matrix.multiply(matrix).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ matrix), vocab


def salient_pairs(
    matrix: sparse.csr_matrix, vocab: np.ndarray, options: DedupOptions
) -> np.ndarray:
    """Candidate event pairs: MinHash LSH over each article's `event_salient` heaviest features."""
    n = matrix.shape[0]
    salient = top_features(matrix, options.event_salient)
    row = np.repeat(np.arange(n), np.diff(salient.indptr))
    sig = bulk_minhash(
        vocab[salient.indices], row, n, options.event_num_perm, options.seed + 1
    )
    has = np.diff(matrix.indptr) > 0
    rows = np.flatnonzero(has)
    found = band_pairs(sig[rows], options.event_bands, options.event_rows, options.event_max_bucket,
                       options.event_min_bands, options.event_candidates)
    return rows[found]


def top_features(matrix: sparse.csr_matrix, keep: int) -> sparse.csr_matrix:
    """Each row cut to its `keep` heaviest entries (ties: smaller column), renormalised."""
    n = matrix.shape[0]
    row = np.repeat(np.arange(n), np.diff(matrix.indptr))
    order = np.lexsort((matrix.indices, -matrix.data, row))
    first = np.searchsorted(row[order], row[order], side="left")
    top = np.sort(order[(np.arange(len(order)) - first) < keep])
    cut = sparse.csr_matrix(
        (matrix.data[top], (row[top], matrix.indices[top])), shape=matrix.shape
    )
    norms = np.sqrt(np.asarray(cut.multiply(cut).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    return sparse.csr_matrix(sparse.diags(1.0 / norms) @ cut)


def pair_similarity(matrix: sparse.csr_matrix, pairs: np.ndarray) -> np.ndarray:
    """Cosine similarity of each pair of rows (rows are normalised)."""
    out = np.zeros(len(pairs))
    for lo in range(0, len(pairs), _PAIR_CHUNK):
        p = pairs[lo : lo + _PAIR_CHUNK]
        products = matrix[p[:, 0]].multiply(matrix[p[:, 1]])
        out[lo : lo + len(p)] = np.asarray(products.sum(axis=1)).ravel()
    return out


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
    order = np.lexsort((-both, ends))
    first = np.searchsorted(ends[order], ends[order], side="left")
    top = order[(np.arange(len(order)) - first) < k]
    typical = np.bincount(ends[top], weights=both[top], minlength=n) / k
    typical = np.maximum(typical, options.event_scale_floor)
    return np.minimum(sims / np.sqrt(typical[pairs[:, 0]] * typical[pairs[:, 1]]), 1.0)


def average_link(
    labels: np.ndarray, pairs: np.ndarray, sims: np.ndarray, threshold: float
) -> np.ndarray:
    """Average-link agglomeration of the initial clusters `labels` over a sparse similarity
    graph (absent pairs count 0), merging while the best average reaches `threshold`.

    Unlike connected components, a chain of weak links cannot join two stories: a merge needs
    the mean over all cross pairs. Ties break on the smaller label, so the result is a function
    of the inputs only.
    """
    size: dict[int, int] = {}
    for label in labels.tolist():
        size[label] = size.get(label, 0) + 1
    adj: dict[int, dict[int, float]] = {label: {} for label in size}
    a_lab, b_lab = labels[pairs[:, 0]], labels[pairs[:, 1]]
    cross = a_lab != b_lab
    for a, b, s in zip(a_lab[cross].tolist(), b_lab[cross].tolist(), sims[cross].tolist(),
                       strict=True):
        adj[a][b] = adj[a].get(b, 0.0) + s
        adj[b][a] = adj[b].get(a, 0.0) + s
    version = dict.fromkeys(size, 0)
    heap: list[tuple[float, int, int, int, int]] = []

    def push(a: int, b: int) -> None:
        a, b = min(a, b), max(a, b)
        avg = adj[a][b] / (size[a] * size[b])
        if avg >= threshold:
            heapq.heappush(heap, (-avg, a, b, version[a], version[b]))

    for a in sorted(adj):
        for b in sorted(adj[a]):
            if a < b:
                push(a, b)
    parent = {label: label for label in size}
    while heap:
        _, a, b, va, vb = heapq.heappop(heap)
        if a not in adj or b not in adj or version[a] != va or version[b] != vb:
            continue
        _merge(a, b, adj, size, version, parent)
        for c in sorted(adj[a]):
            push(a, c)
    return _resolve(labels, parent)


def _merge(
    a: int,
    b: int,
    adj: dict[int, dict[int, float]],
    size: dict[int, int],
    version: dict[int, int],
    parent: dict[int, int],
) -> None:
    """Merge cluster `b` into `a` (a < b), keeping the summed similarities to neighbours."""
    for c, s in adj.pop(b).items():
        adj[c].pop(b)
        if c != a:
            adj[a][c] = adj[a].get(c, 0.0) + s
            adj[c][a] = adj[a][c]
    size[a] += size.pop(b)
    version[a] += 1
    parent[b] = a


def _resolve(labels: np.ndarray, parent: dict[int, int]) -> np.ndarray:
    root = {}
    for label in parent:
        top = label
        while parent[top] != top:
            top = parent[top]
        root[label] = top
    return np.fromiter((root[x] for x in labels.tolist()), dtype=np.int64, count=len(labels))


def event_clusters(
    features: FeatureBatch,
    copy_labels: np.ndarray,
    copy_pairs: np.ndarray,
    published: np.ndarray,
    options: DedupOptions,
) -> np.ndarray:
    """Event labels: unions of copy clusters, by average link over scaled feature similarity."""
    n = len(features)
    matrix, vocab = weight_matrix(features, options, copy_labels)
    pairs = np.concatenate((salient_pairs(matrix, vocab, options), copy_pairs))
    pairs = np.unique(pairs, axis=0) if len(pairs) else pairs.reshape(0, 2).astype(np.int64)
    pairs = pairs[copy_labels[pairs[:, 0]] != copy_labels[pairs[:, 1]]]
    pairs = expand_to_copies(pairs, copy_labels)
    pairs = pairs[_within_window(published, pairs, options.event_window_days)]
    sims = pair_similarity(top_features(matrix, options.event_similarity_features), pairs)
    scaled = scaled_similarity(pairs, sims, n, options)
    return average_link(copy_labels, pairs, scaled, options.event_threshold)


def expand_to_copies(pairs: np.ndarray, copy_labels: np.ndarray, limit: int = 400) -> np.ndarray:
    """All member pairs of every two copy clusters that some candidate pair links.

    Average link compares clusters by the mean over all their cross pairs, with absent pairs as
    0; copies of one article are near-identical, so when LSH happened to pair only some of them
    the mean would be wrongly low. Cluster pairs with more than `limit` member pairs are left
    as they are.
    """
    if not len(pairs):
        return pairs
    order = np.argsort(copy_labels, kind="stable")
    starts = np.searchsorted(copy_labels[order], copy_labels[order], side="left")
    size = np.bincount(copy_labels, minlength=len(copy_labels))
    la, lb = copy_labels[pairs[:, 0]], copy_labels[pairs[:, 1]]
    wide = (size[la] > 1) | (size[lb] > 1)
    extra = []
    for a, b in np.unique(np.stack((la[wide], lb[wide]), axis=1), axis=0).tolist():
        if size[a] * size[b] > limit:
            continue
        ma = order[starts[np.searchsorted(copy_labels[order], a)]:][: size[a]]
        mb = order[starts[np.searchsorted(copy_labels[order], b)]:][: size[b]]
        grid = np.stack(np.meshgrid(ma, mb, indexing="ij"), axis=-1).reshape(-1, 2)
        extra.append(np.sort(grid, axis=1))
    if not extra:
        return pairs
    return np.unique(np.concatenate([pairs, *extra]), axis=0)


def _within_window(published: np.ndarray, pairs: np.ndarray, days: float) -> np.ndarray:
    """Pairs whose dates are unknown on either side or at most `days` apart."""
    if days <= 0 or not len(pairs):
        return np.ones(len(pairs), dtype=bool)
    gap = np.abs(published[pairs[:, 0]] - published[pairs[:, 1]])
    return ~(gap > days * 86400.0)  # NaN (unknown date) compares False: kept


def representatives(labels: np.ndarray, rank: Sequence[np.ndarray]) -> np.ndarray:
    """For each document, the position of its cluster's representative: the member first in
    `np.lexsort(rank)` order (the last key in `rank` is the primary one)."""
    order = np.lexsort(tuple(rank))
    position = np.empty(len(order), dtype=np.int64)
    position[order] = np.arange(len(order))
    best = np.full(len(labels), len(labels), dtype=np.int64)
    np.minimum.at(best, labels, position)
    return order[best[labels]]
