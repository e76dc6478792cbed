"""Same input -> same clusters and ids; order and batching do not matter; saving is atomic."""

from __future__ import annotations

import random

import numpy as np
import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document, IndexMismatchError
from crawler.dedup.analyse import analyse, analyse_many

OPTIONS = DedupOptions(workers=1)


@pytest.fixture(scope="module")
def docs(ecb_records) -> list[Document]:
    # Two topics' worth of ECB+ plus a republished copy, enough for both levels to act.
    chosen = [r for r in ecb_records if r["topic"] in (1, 2, 3)]
    out = [Document.from_record(r) for r in chosen]
    first = out[0]
    out.append(Document("copy-of-" + first.key, "Other headline", first.body, original=False))
    return out


def run(batches: list[list[Document]], tmp_path=None, options=OPTIONS):
    index = DedupIndex(options)
    for i, batch in enumerate(batches):
        index.add_many(batch)
        if tmp_path is not None:
            path = tmp_path / f"index-{i}.npz"
            index.save(path)
            index = DedupIndex.load(path, options)
    return index.assignments()


def test_same_input_same_clusters_and_ids(docs):
    assert run([docs]) == run([docs])


def test_invariant_under_input_order(docs):
    shuffled = docs[:]
    random.Random(5).shuffle(shuffled)
    assert run([docs]) == run([shuffled])


def test_two_persisted_batches_equal_one_batch(docs, tmp_path):
    shuffled = docs[:]
    random.Random(9).shuffle(shuffled)
    half = len(shuffled) // 2
    assert run([shuffled[:half], shuffled[half:]], tmp_path) == run([docs])


def test_incremental_adds_end_in_the_batch_clustering(docs, tmp_path):
    index = DedupIndex(OPTIONS)
    index.add_many(docs[:10])
    index.save(tmp_path / "index.npz")
    index = DedupIndex.open(tmp_path / "index.npz", OPTIONS)
    provisional = [index.add(d) for d in docs[10:]]
    assert [p.key for p in provisional] == [d.key for d in docs[10:]]
    assert index.assignments() == run([docs])


def test_copy_gets_the_original_as_id(docs):
    final = run([docs])
    assert final["copy-of-" + docs[0].key].copy_cluster == docs[0].key
    assert final["copy-of-" + docs[0].key].event_cluster == final[docs[0].key].event_cluster


def test_adding_a_key_again_replaces_it(docs):
    index = DedupIndex(OPTIONS)
    index.add_many(docs)
    index.add(Document(docs[0].key, "Something else", "entirely different words here"))
    assert len(index) == len(docs)
    final = index.assignments()
    assert final["copy-of-" + docs[0].key].copy_cluster != final[docs[0].key].copy_cluster


def test_save_is_atomic_and_reset_starts_afresh(docs, tmp_path):
    path = tmp_path / "sub" / "index.npz"
    index = DedupIndex(OPTIONS)
    index.add_many(docs[:5])
    index.save(path)
    assert [p.name for p in path.parent.iterdir()] == ["index.npz"]  # no temp file left
    assert len(DedupIndex.open(path, OPTIONS)) == 5
    assert len(DedupIndex.open(path, OPTIONS, reset=True)) == 0


def test_index_built_with_other_signatures_is_refused(docs, tmp_path):
    index = DedupIndex(OPTIONS)
    index.add_many(docs[:3])
    index.save(tmp_path / "index.npz")
    with pytest.raises(IndexMismatchError):
        DedupIndex.load(tmp_path / "index.npz", DedupOptions(copy_num_perm=32, workers=1))
    # The lead changes the stored term counts.
    with pytest.raises(IndexMismatchError):
        DedupIndex.load(tmp_path / "index.npz",
                        DedupOptions(event_lead_tokens=0, event_lead_weight=0.0, workers=1))


def test_parallel_analysis_equals_in_process(docs):
    titles, bodies = [d.title for d in docs], [d.body for d in docs]
    alone = analyse(titles, bodies, OPTIONS)
    pooled = analyse_many(titles, bodies, DedupOptions(workers=2), chunk=7)
    assert np.array_equal(alone.signatures, pooled.signatures)
    assert np.array_equal(alone.lengths, pooled.lengths)
    for name in ("ptr", "hashes", "tf", "flags"):
        assert np.array_equal(getattr(alone.features, name), getattr(pooled.features, name))


def test_index_is_small_per_article(docs):
    index = DedupIndex(OPTIONS)
    index.add_many(docs)
    arrays = index._arrays()
    assert sum(a.nbytes for a in arrays.values()) / len(docs) < 2048
