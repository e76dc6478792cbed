"""The public event similarity (`crawler.dedup.similarity`) scores pairs as the clustering does."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.similarity import feature_hash

OPTIONS = DedupOptions(workers=1)


@pytest.fixture(scope="module")
def ecb_index(ecb_records):
    index = DedupIndex(OPTIONS)
    index.add_many(Document.from_record(r) for r in ecb_records if r["topic"] <= 6)
    return index


def test_pair_scores_are_the_clusterings_and_members_reach_the_threshold(ecb_index):
    model = ecb_index.event_similarity()
    final = ecb_index.assignments()
    events: dict[str, list[str]] = {}
    for key, a in final.items():
        events.setdefault(a.event_cluster, []).append(key)
    g = model.graph
    keys = sorted(final)
    # Every candidate pair's score, asked for by key, is the one average link was given.
    first_of_unit = {int(u): keys[int(g.unit_label[u])] for u in range(len(g.unit_label))}
    for (a, b), score in list(zip(g.pairs.tolist(), g.scores.tolist(), strict=True))[:200]:
        p = model.pair(first_of_unit[a], first_of_unit[b])
        assert p.candidate
        assert p.score == pytest.approx(score, abs=1e-9)
    # A member's average score against the rest of a multi-article event is positive; against
    # another topic's event it is lower.
    big = [m for m in events.values() if len(m) >= 5]
    assert len(big) >= 4
    inside = [model.member(m[0], m) for m in big]
    outside = [model.member(m[0], [m[0], *other]) for m, other in itertools.pairwise(big)]
    assert min(inside) > 0
    assert np.mean(inside) > 3 * np.mean(outside)


def test_member_features_add_up_to_the_member_score(ecb_index):
    model = ecb_index.event_similarity()
    events: dict[str, list[str]] = {}
    for key, a in ecb_index.assignments().items():
        events.setdefault(a.event_cluster, []).append(key)
    checked = 0
    for members in events.values():
        for key in members:
            others = [m for m in members if m != key]
            pairs = [model.pair(key, m) for m in others]
            if not others or any(p.score >= 1 and p.raw < 1 for p in pairs):
                continue  # a capped score: its features would add up to more
            ties = model.member_shared(key, members)
            assert sum(c for _, c in ties) == pytest.approx(model.member(key, members), rel=1e-4)
            assert all(x[1] >= y[1] for x, y in itertools.pairwise(ties))
            checked += 1
    assert checked >= 10


def test_shared_features_add_up_to_the_cosine_and_can_be_named(ecb_index):
    model = ecb_index.event_similarity()
    keys = sorted(ecb_index.assignments())
    a, b = keys[0], keys[1]
    shared = model.shared(a, b)
    assert sum(c for _, c in shared) == pytest.approx(model.pair(a, b).raw, abs=1e-5)
    assert all(x[1] >= y[1] for x, y in itertools.pairwise(shared))
    assert feature_hash("Reid") == feature_hash("reid")  # features are lower-cased
    with pytest.raises(ValueError):
        feature_hash("two words")
