"""The in-process provisional index (`crawler.dedup.incremental`)."""

from __future__ import annotations

import numpy as np

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.incremental import (
    Incremental,
    LazyIds,
    event_band_keys,
    incremental_for,
)
from crawler.dedup.signatures import bulk_minhash

OPTIONS = DedupOptions(workers=1)


def test_one_document_event_minhash_is_the_bulk_one():
    rng = np.random.default_rng(3)
    hashes = rng.integers(0, 2**32, size=40, dtype=np.uint64).astype(np.uint32)
    weights = {int(h): float(w) for h, w in zip(hashes, rng.random(40), strict=True)}
    top = sorted(weights, key=lambda h: (-weights[h], h))[: OPTIONS.event_salient]
    chosen = np.array(sorted(top), dtype=np.uint32)
    sig = bulk_minhash(chosen, np.zeros(len(chosen), dtype=np.int64), 1,
                       OPTIONS.event_num_perm, OPTIONS.seed + 1)[0]
    r = OPTIONS.event_rows
    raw = sig[: OPTIONS.event_bands * r].tobytes()
    assert event_band_keys(weights, OPTIONS) == [raw[i : i + 4 * r]
                                                 for i in range(0, len(raw), 4 * r)]
    assert event_band_keys({}, OPTIONS) == []


def test_the_default_storage_is_in_process():
    assert type(incremental_for(OPTIONS)) is Incremental
    assert type(incremental_for(OPTIONS, {"type": "dict"})) is Incremental


def test_lazy_ids_resolve_once_on_first_lookup():
    calls = []

    def resolve():
        calls.append(1)
        return {0: ("a", "a"), 1: ("a", "b")}

    ids = LazyIds([0, 1], resolve)
    assert list(ids) == [0, 1] and len(ids) == 2 and not ids.resolved and not calls
    assert ids[1] == ("a", "b") and ids[0] == ("a", "a")
    assert calls == [1]


def story_docs(stories):
    docs = [Document(s["id"], s["title"], "\n".join(s["body"])) for s in stories]
    docs += [Document("copy-of-" + s["id"], s["title"], "\n".join(s["body"][:-1]),
                      original=False) for s in stories[::3]]
    return docs


def test_opening_an_index_clusters_only_when_a_new_article_matches_an_old_one(corpus_stories):
    docs = story_docs(corpus_stories)
    old = [d for d in docs if not d.key.startswith("copy-of-")]
    index = DedupIndex(OPTIONS)
    index.add_many(old)
    final = index.assignments()
    rows = sorted(index._row.values(), key=index._keys.__getitem__)
    lazy = LazyIds(rows, lambda: {index._row[k]: (a.copy_cluster, a.event_cluster)
                                  for k, a in final.items()})
    incremental = Incremental(OPTIONS)
    incremental.load(index._data(), lazy, index._keys)
    incremental.alive = index._row
    index._incremental = incremental
    assert not lazy.resolved
    copy = next(d for d in docs if d.key.startswith("copy-of-"))
    assignment = index.add(copy)
    assert lazy.resolved
    assert assignment.copy_cluster == final[copy.key.removeprefix("copy-of-")].copy_cluster


def test_provisional_ids_find_copies_one_at_a_time(corpus_stories):
    docs = story_docs(corpus_stories)
    index = DedupIndex(OPTIONS)
    given = {d.key: index.add(d) for d in docs}
    for key, assignment in given.items():
        if key.startswith("copy-of-"):
            assert assignment.copy_cluster == key.removeprefix("copy-of-")
    assert index.assignments().keys() == given.keys()
