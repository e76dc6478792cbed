"""The event similarity of one pair of articles, or of one member against its event, exactly as
the bulk clustering weighs it: for explanations ("why is this article in that event?") and for
measuring other signals against ours.

    model = index.event_similarity()           # one bulk pass over the index
    model.pair(a, b)                           # PairSimilarity(raw, score, candidate)
    model.member(key, members)                 # the average-link term of `key` and the others
    model.shared(a, b)                         # [(feature hash, contribution)], heaviest first
    model.member_shared(key, members)          # the same, adding up to `member(key, members)`

A pair's `score` is what average link compares with `event_threshold` (absent pairs count 0:
`candidate` says whether the clustering compared them at all); its `raw` cosine is the sum of
the `shared` contributions. `feature_hash(word)` gives the hash a word's feature has, so a
caller holding the text can name the features.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from crawler.dedup import rules
from crawler.dedup.analyse import Analysed
from crawler.dedup.cluster import PAD, EventGraph, copy_clusters, event_graph, pair_similarity
from crawler.dedup.options import DedupOptions
from crawler.dedup.tokens import tokenize


@dataclass(frozen=True)
class PairSimilarity:
    raw: float
    """Cosine of the two articles' event vectors (their copy clusters' means)."""
    score: float
    """The locally scaled score average link uses (`rules.event_scores`)."""
    candidate: bool
    """Whether the clustering compared the pair (else it counted 0 for it)."""


def feature_hash(word: str) -> int:
    """The 32-bit hash under which a word is an event feature (`crawler.dedup.features`)."""
    hashes = tokenize([word]).hashes
    if len(hashes) != 1:
        raise ValueError(f"{word!r} is not one token")
    return int(hashes[0] >> np.uint64(32))


class EventSimilarity:
    """Scores of article pairs under one clustering of a set of articles (see the module
    docstring). Keys are the index's document keys."""

    def __init__(self, keys: Sequence[str], graph: EventGraph, options: DedupOptions) -> None:
        self.options = options
        self.graph = graph
        self.position = {k: i for i, k in enumerate(keys)}
        self.candidates = {(int(a), int(b)) for a, b in graph.pairs.tolist()}

    @classmethod
    def build(cls, keys: Sequence[str], analysed: Analysed, published: np.ndarray,
              options: DedupOptions) -> EventSimilarity:
        """From the analysis of the documents `keys` (rows in that order) and their dates, as
        the bulk clustering of them sees it (`DedupIndex.event_similarity` gives the index's)."""
        copy_labels = copy_clusters(analysed.signatures, analysed.lengths, options)
        return cls(keys, event_graph(analysed.features, copy_labels, published, options), options)

    def _unit(self, key: str) -> int:
        return int(self.graph.unit_of[self.position[key]])

    def pair(self, a: str, b: str) -> PairSimilarity:
        ua, ub = self._unit(a), self._unit(b)
        if ua == ub:  # copies of one article
            return PairSimilarity(1.0, 1.0, True)
        raw = float(pair_similarity(self.graph.vectors, np.array([[ua, ub]]))[0])
        typical = self.graph.typical
        scaled = rules.scaled_similarity(np.array([raw]), typical[[ua]], typical[[ub]])
        score = float(rules.event_scores(np.array([raw]), scaled, self.options)[0])
        candidate = (min(ua, ub), max(ua, ub)) in self.candidates
        return PairSimilarity(raw, score, candidate)

    def member(self, key: str, members: Sequence[str]) -> float:
        """The mean score of `key` against the other `members` (absent pairs 0, a copy of `key`
        1): the average-link similarity of the article and the rest of its event."""
        others = [m for m in members if m != key]
        if not others:
            return 0.0
        total = 0.0
        for other in others:
            p = self.pair(key, other)
            total += p.score if p.candidate else 0.0
        return total / len(others)

    def shared(self, a: str, b: str) -> list[tuple[int, float]]:
        """The features both articles' vectors hold, with each one's share of the cosine
        (weight product), heaviest first; the shares add up to `pair(a, b).raw`."""
        va, vb = (self.graph.vectors[self._unit(k)] for k in (a, b))
        va, vb = va[va != PAD], vb[vb != PAD]
        ha, hb = (va >> np.uint64(32)), (vb >> np.uint64(32))
        common, ia, ib = np.intersect1d(ha, hb, assume_unique=True, return_indices=True)
        wa = (va[ia] & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32)
        wb = (vb[ib] & np.uint64(0xFFFFFFFF)).astype(np.uint32).view(np.float32)
        share = wa.astype(np.float64) * wb
        order = np.argsort(-share, kind="stable")
        return [(int(common[i]), float(share[i])) for i in order]

    def member_shared(self, key: str, members: Sequence[str]) -> list[tuple[int, float]]:
        """The features that tie `key` to the other `members`, heaviest first: each pair's
        `shared` contributions scaled as its score scales its cosine, summed over the pairs
        the clustering compared and divided by their number, so that they add up to
        `member(key, members)` (up to the cap of a score at 1, and a copy's 1)."""
        others = [m for m in members if m != key]
        total: dict[int, float] = {}
        for other in others:
            p = self.pair(key, other)
            if not p.candidate or p.raw <= 0:
                continue
            factor = p.score / p.raw / len(others)
            for h, share in self.shared(key, other):
                total[h] = total.get(h, 0.0) + share * factor
        return sorted(total.items(), key=lambda item: (-item[1], item[0]))
