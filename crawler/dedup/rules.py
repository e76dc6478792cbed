"""The decisions of both clustering levels, each written once, on arrays.

The bulk clustering (`crawler.dedup.cluster`) applies them to every candidate pair of a corpus
at once; the incremental one (`crawler.dedup.incremental`) to one new article against its
candidates. Either way the same function decides, so the provisional ids given during a crawl
and the final ones follow one set of rules (`tests/dedup/test_rules_agree.py` checks the two
paths against each other on real articles).

- copy: `is_copy`, estimated Jaccard or containment of the shorter text;
- event features: `feature_weights`, rarity counted in copy clusters (`df`, `n_units`);
- candidates: `best_per_group`, most shared LSH bands first;
- event similarity: `raw_similarity` (the full and the lead cosine mixed),
  `typical_similarity` and `scaled_similarity` (local scaling), then
  `event_scores`, the score compared with `event_threshold`;
- dates: `within_window`.
"""

from __future__ import annotations

import numpy as np

from crawler.dedup.features import NAME, NUMBER
from crawler.dedup.options import DedupOptions


def is_copy(
    jaccard: np.ndarray, len_a: np.ndarray, len_b: np.ndarray, options: DedupOptions
) -> np.ndarray:
    """Which pairs are copies, from their estimated shingle Jaccard and shingle counts: a
    Jaccard of at least `copy_threshold`, or the shorter text estimated to be contained in the
    longer (a shortened ending) to at least `copy_containment` with a Jaccard of at least
    `copy_min_jaccard`."""
    jaccard = np.asarray(jaccard, dtype=float)
    len_a = np.asarray(len_a, dtype=float)
    len_b = np.asarray(len_b, dtype=float)
    union = (len_a + len_b) / (1.0 + jaccard)
    containment = jaccard * union / np.maximum(np.minimum(len_a, len_b), 1)
    by_containment = (containment >= options.copy_containment) & (
        jaccard >= options.copy_min_jaccard
    )
    return (jaccard >= options.copy_threshold) | by_containment


def feature_weights(
    tf: np.ndarray, df: np.ndarray, flags: np.ndarray, n_units: int, options: DedupOptions
) -> np.ndarray:
    """Unnormalised weights `tf**p * idf**a * kind` of feature entries.

    `df` is each feature's document frequency counted in copy clusters, not documents, and
    `n_units` the number of copy clusters: otherwise every word of an article that was
    republished twice would count as shared, and its salient features would be the ones only
    its own copies have. Features under `event_min_df` cannot link two stories: weight 0.
    """
    df = np.asarray(df, dtype=np.int64)
    # +1: with two copy clusters a shared feature still counts (log(n/df) would be 0).
    idf = np.log((n_units + 1) / np.maximum(df, 1)) ** options.event_idf_power
    name_weight = max(options.event_name_weight, 1.0)
    kind = np.array([1.0, name_weight, options.event_number_weight, name_weight])
    weight = np.asarray(tf, dtype=float) ** options.event_tf_power * idf * kind[
        np.asarray(flags, dtype=np.uint8) & (NAME | NUMBER)
    ]
    weight[df < options.event_min_df] = 0.0
    return weight


def best_per_group(
    group: np.ndarray, score: np.ndarray, tiebreak: np.ndarray, keep: int
) -> np.ndarray:
    """The `tiebreak` values of the elements that rank under `keep` in their group, ranked by
    higher `score` first, then smaller `tiebreak`; in (group, rank) order.

    The candidate rule: an article keeps the `event_candidates` candidates sharing the most
    LSH bands with it, the earlier first among equals. All three inputs are non-negative
    integers.
    """
    m = len(group)
    if not m:
        return np.zeros(0, dtype=np.int64)
    group = np.asarray(group, dtype=np.uint64)
    score = np.asarray(score, dtype=np.uint64)
    tiebreak = np.asarray(tiebreak, dtype=np.uint64)
    group_bits = max(int(group.max()).bit_length(), 1)
    score_bits = max(int(score.max()).bit_length(), 1)
    tie_bits = max(int(tiebreak.max()).bit_length(), 1)
    if group_bits + score_bits + tie_bits > 64:
        order = np.lexsort((tiebreak, -score.astype(np.int64), group))
        ranked_group, ranked_tie = group[order], tiebreak[order]
    else:
        # (group, best score first, tiebreak) in one integer: a plain sort, no argsort.
        top = np.uint64((1 << score_bits) - 1)
        key = (group << np.uint64(tie_bits + score_bits)) \
            | ((top - score) << np.uint64(tie_bits)) | tiebreak
        key.sort()
        ranked_group = key >> np.uint64(tie_bits + score_bits)
        ranked_tie = key & np.uint64((1 << tie_bits) - 1)
    new = np.empty(m, dtype=bool)
    new[0] = True
    np.not_equal(ranked_group[1:], ranked_group[:-1], out=new[1:])
    first = np.maximum.accumulate(np.where(new, np.arange(m), 0))
    return ranked_tie[(np.arange(m) - first) < keep].astype(np.int64)


def raw_similarity(full: np.ndarray, lead: np.ndarray, options: DedupOptions) -> np.ndarray:
    """A pair's raw similarity from the cosines of its full and its lead vectors:
    `(1 - event_lead_weight) * full + event_lead_weight * lead`. Two articles of one event say
    it in their leads; two stories of one actor share the actor all through, not their leads."""
    w = options.event_lead_weight
    return (1.0 - w) * np.asarray(full, dtype=float) + w * np.asarray(lead, dtype=float)


def typical_similarity(top_sums: np.ndarray, options: DedupOptions) -> np.ndarray:
    """An article's typical similarity from the sum of its `event_neighbours` best candidate
    similarities (missing ones count 0), floored at `event_scale_floor` so that an article with
    only weak neighbours is not pulled in."""
    return np.maximum(np.asarray(top_sums, dtype=float) / options.event_neighbours,
                      options.event_scale_floor)


def scaled_similarity(
    sims: np.ndarray, typical_a: np.ndarray, typical_b: np.ndarray
) -> np.ndarray:
    """Similarities divided by the geometric mean of both ends' typical similarity, capped at 1.

    Short or terse articles have low similarities to everything, long ones on a busy story
    high ones; scaling lets one threshold serve both."""
    return np.minimum(np.asarray(sims, dtype=float) / np.sqrt(typical_a * typical_b), 1.0)


def event_scores(raw: np.ndarray, scaled: np.ndarray, options: DedupOptions) -> np.ndarray:
    """The score two articles (or copy clusters) are joined on when it reaches
    `event_threshold`: the scaled similarity, or 0 when the raw one is under
    `event_min_similarity` (a scaled similarity is high between two articles only weakly alike
    when both have nothing closer)."""
    return np.where(np.asarray(raw) < options.event_min_similarity, 0.0, scaled)


def within_window(
    first_a: np.ndarray | float,
    last_a: np.ndarray | float,
    first_b: np.ndarray | float,
    last_b: np.ndarray | float,
    options: DedupOptions,
) -> np.ndarray:
    """Which pairs may share an event by date: the gap between the two date ranges (POSIX
    seconds; NaN where a date is unknown, which never excludes) is at most
    `event_window_days`. A single article's range is its publication time at both ends."""
    days = options.event_window_days
    if days <= 0:
        return np.ones(np.broadcast(first_a, first_b).shape, dtype=bool)
    with np.errstate(invalid="ignore"):
        gap = np.maximum(np.subtract(first_b, last_a), np.subtract(first_a, last_b))
        return ~(gap > days * 86400.0)
