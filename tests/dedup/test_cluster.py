"""Event-level building blocks: unit vectors, pair similarity, weighted average link, window."""

from __future__ import annotations

import numpy as np

from crawler.dedup import DedupOptions
from crawler.dedup.cluster import _units_within_window
from crawler.dedup.graph import average_link
from crawler.dedup.vectors import Weights, pair_similarity, unit_vectors


def _weights(rows: list[dict[int, float]]) -> Weights:
    ptr = np.zeros(len(rows) + 1, dtype=np.int64)
    ptr[1:] = np.cumsum([len(r) for r in rows])
    hashes = np.array([h for r in rows for h in sorted(r)], dtype=np.uint32)
    values = np.array([r[h] for r in rows for h in sorted(r)], dtype=float)
    return Weights(ptr, hashes, values)


def _dense(rows: list[dict[int, float]]) -> np.ndarray:
    out = np.zeros((len(rows), 16))
    for i, r in enumerate(rows):
        for h, v in r.items():
            out[i, h] = v
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return out / np.where(norms == 0, 1, norms)


def test_pair_similarity_is_the_cosine_of_unit_vectors():
    rng = np.random.default_rng(0)
    rows = [{int(h): float(rng.random()) for h in rng.choice(16, rng.integers(0, 9), False)}
            for _ in range(30)]
    weights = _weights(rows)
    vectors = unit_vectors(weights, np.arange(len(weights.values)), np.arange(30), 30, 8)
    pairs = np.array([(i, j) for i in range(30) for j in range(i + 1, 30)])
    dense = _dense(rows)
    expected = (dense[pairs[:, 0]] * dense[pairs[:, 1]]).sum(axis=1)
    assert np.allclose(pair_similarity(vectors, pairs), expected, atol=1e-6)


def test_unit_vector_of_copies_is_their_mean_cut_to_width():
    rows = [{1: 1.0, 2: 1.0}, {1: 1.0, 3: 0.5}, {4: 1.0}]
    weights = _weights(rows)
    vectors = unit_vectors(weights, np.arange(len(weights.values)), np.array([0, 0, 1]), 2, 2)
    # Summed: {1: 2, 2: 1, 3: 0.5}; the two heaviest, normalised.
    assert (vectors[0] >> np.uint64(32)).tolist() == [1, 2]
    values = (vectors[0] & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32)
    assert np.allclose(values, np.array([2, 1]) / np.sqrt(5))
    assert (vectors[1] >> np.uint64(32)).tolist() == [4, 0xFFFFFFFF]


def test_weighted_average_link_equals_expanded_copies():
    """A unit of weight 3 with similarity s to another behaves as 3 identical members."""
    # Units 0 (3 copies), 1, 2. Expanded: members 0-2 (unit 0), 3 (unit 1), 4 (unit 2).
    unit_pairs = np.array([[0, 1], [1, 2], [0, 2]])
    sims = np.array([0.9, 0.8, 0.1])
    weights = np.array([3.0, 1.0, 1.0])
    for threshold in (0.3, 0.5, 0.6, 0.85, 0.95):
        by_unit = average_link(np.arange(3), unit_pairs, sims, threshold, weights)
        member_unit = np.array([0, 0, 0, 1, 2])
        members = np.array([(i, j) for i in range(5) for j in range(i + 1, 5)
                            if member_unit[i] != member_unit[j]])
        member_sims = np.array([dict(zip(map(tuple, unit_pairs.tolist()), sims, strict=True))
                                [(member_unit[i], member_unit[j])] for i, j in members])
        by_member = average_link(np.array([0, 0, 0, 3, 4]), members, member_sims, threshold)
        first = np.array([0, 3, 4])
        assert np.array_equal(first[by_unit][member_unit], by_member), threshold


def test_units_within_window_use_date_ranges():
    day = 86400.0
    published = np.array([0.0, 5 * day, 9 * day, np.nan, 20 * day])
    unit_of = np.array([0, 0, 1, 2, 3])  # unit 0 spans days 0-5, unit 2 has no date
    pairs = np.array([[0, 1], [0, 3], [1, 3], [2, 3], [0, 2]])

    def window(days: float) -> list[bool]:
        options = DedupOptions(event_window_days=days)
        return _units_within_window(published, unit_of, 4, pairs, options).tolist()

    assert window(3.0) == [False, False, False, True, True]
    assert window(4.0)[0]
    assert all(window(0.0))


def test_one_article_vector_is_the_bulk_row_of_its_unit():
    """`article_vector` (the incremental path's) gives the float32 bits `normalised` and
    `unit_vectors` give a single-article unit, ties included."""
    from crawler.dedup.cluster import feature_ranks, normalised
    from crawler.dedup.vectors import PAD, article_vector, top_features

    rng = np.random.default_rng(4)
    for size in (0, 1, 5, 40, 128):
        hashes = np.sort(rng.choice(2**31, size, replace=False)).astype(np.uint32)
        raw = rng.choice([0.0, 0.5, 1.0, 1.7], size) * rng.random(size).round(1)
        weights = normalised(np.array([0, size]), hashes, raw)
        chosen, rank = feature_ranks(weights, 16)
        assert top_features(raw, 16).tolist() == chosen[rank < 16].tolist()
        row = unit_vectors(weights, chosen[rank < 16], np.zeros(1, dtype=np.int64), 1, 16)[0]
        assert article_vector(hashes, raw, 16).tolist() == row[row != PAD].tolist()
