"""The graph the event level of the clustering agglomerates (`event_graph`), kept for explaining
it (`crawler.dedup.explain`): the candidate pairs, similarities, scaled scores and the stories'
feature vectors. `event_clusters`, the clustering's event step, is average link over it
(`EventGraph.labels`), so the explanation is of the graph that was clustered;
`tests/dedup/test_explain.py` checks the graph's labels against the index's final events, on
the fixture corpus and on ECB+.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from crawler.dedup import rules
from crawler.dedup.arrays import sorted_unique, unique_pairs
from crawler.dedup.cluster import (
    _units_within_window,
    feature_ranks,
    feature_weights,
    lead_vectors,
    raw_similarity,
    salient_pairs,
    scaled_similarity,
)
from crawler.dedup.features import FeatureBatch
from crawler.dedup.graph import average_link
from crawler.dedup.options import DedupOptions
from crawler.dedup.vectors import unit_vectors

# Why two articles share an event (the first three) or do not (the last three): `EventGraph.why`.
ONE_COPY_CLUSTER = "one copy cluster"
OVER_THE_CUT = "a candidate pair over the cut"
THROUGH_OTHERS = "joined through other articles"
NOT_A_CANDIDATE = "never a candidate"
UNDER_THE_CUT = "a candidate pair under the cut"
DECLINED = "over the cut, average link declined"
REASONS = (ONE_COPY_CLUSTER, OVER_THE_CUT, THROUGH_OTHERS, NOT_A_CANDIDATE, UNDER_THE_CUT,
           DECLINED)


@dataclass(frozen=True)
class EventGraph:
    """The graph `event_clusters` agglomerates: one node per unit (copy cluster, each
    labelled by its smallest member position), candidate `pairs` (unit indices, lo < hi) with
    their raw `similarity` (`cluster.raw_similarity`), `scaled` similarity and `scores`, the
    units' event `vectors` and lead vectors `leads` (None when the lead is not mixed in) and
    their `size` in articles."""

    unit_label: np.ndarray
    unit_of: np.ndarray
    pairs: np.ndarray
    similarity: np.ndarray
    scaled: np.ndarray
    scores: np.ndarray
    vectors: np.ndarray
    leads: np.ndarray | None
    size: np.ndarray

    def labels(self, options: DedupOptions) -> np.ndarray:
        """The event labels average link gives over this graph (the clustering's own)."""
        merged = average_link(np.arange(len(self.unit_label)), self.pairs, self.scores,
                              options.event_threshold, self.size)
        return self.unit_label[merged[self.unit_of]]

    def raw(self, pairs: np.ndarray, options: DedupOptions) -> np.ndarray:
        """The raw similarity of any unit pairs, candidates or not (`cluster.raw_similarity`)."""
        return raw_similarity(self.vectors, self.leads, pairs.reshape(-1, 2), options)

    def why(self, a: np.ndarray, b: np.ndarray, options: DedupOptions) -> list[str]:
        """Why each pair of articles `(a[i], b[i])` (positions) shares an event or not, as far
        as the graph tells: one of `REASONS`. Where a clustering goes wrong this says which step
        to change: the copy level, the candidates, the score or the agglomeration."""
        units = self.unit_of
        merged = self.labels(options)
        lo = np.minimum(units[a], units[b])
        hi = np.maximum(units[a], units[b])
        m = len(self.unit_label)
        code = lo * m + hi
        codes = self.pairs[:, 0] * m + self.pairs[:, 1]  # increasing: the pairs are sorted
        found = np.zeros(len(code), dtype=bool)
        over = np.zeros(len(code), dtype=bool)
        if len(codes):
            at = np.minimum(np.searchsorted(codes, code), len(codes) - 1)
            found = codes[at] == code
            over = found & (self.scores[at] >= options.event_threshold)
        out = []
        for one, cand, high, together in zip((lo == hi).tolist(), found.tolist(),
                                             over.tolist(), (merged[a] == merged[b]).tolist(),
                                             strict=True):
            if one:
                out.append(ONE_COPY_CLUSTER)
            elif together:
                out.append(OVER_THE_CUT if high else THROUGH_OTHERS)
            else:
                out.append(NOT_A_CANDIDATE if not cand else
                           UNDER_THE_CUT if not high else DECLINED)
        return out


def event_graph(features: FeatureBatch, copy_labels: np.ndarray, published: np.ndarray,
                options: DedupOptions) -> EventGraph:
    """The event graph `event_clusters` agglomerates, step by step."""
    o = options
    weights = feature_weights(features, o, copy_labels)
    chosen, rank = feature_ranks(weights, max(o.event_salient, o.event_similarity_features))
    unit_label = sorted_unique(copy_labels)
    unit_of = np.searchsorted(unit_label, copy_labels)
    m = len(unit_label)
    found = unit_of[salient_pairs(weights, chosen[rank < o.event_salient], o)]
    found = found[found[:, 0] != found[:, 1]]
    pairs = unique_pairs(np.sort(found, axis=1), m)
    pairs = pairs[_units_within_window(published, unit_of, m, pairs, o)]
    vectors = unit_vectors(weights, chosen[rank < o.event_similarity_features], unit_of, m,
                           o.event_similarity_features)
    leads = lead_vectors(features, copy_labels, unit_of, m, o)
    sims = raw_similarity(vectors, leads, pairs, o)
    scaled = scaled_similarity(pairs, sims, m, o)
    scores = rules.event_scores(sims, scaled, o)
    size = np.bincount(unit_of, minlength=m).astype(float)
    return EventGraph(unit_label, unit_of, pairs, sims, scaled, scores, vectors, leads, size)


def event_clusters(features: FeatureBatch, copy_labels: np.ndarray, published: np.ndarray,
                   options: DedupOptions) -> np.ndarray:
    """Event labels: unions of copy clusters, by average link over scaled feature similarity.

    The work is done on units, one per copy cluster (the mean of its members' vectors, see
    `unit_vectors`): a candidate pair of articles is a candidate pair of their units, and
    average link weighs each unit by its number of copies, as if every copy were compared.
    The graph is the one `explain` shows, so the explanation cannot drift from the clustering.
    """
    return event_graph(features, copy_labels, published, options).labels(options)
