"""The one-at-a-time index (`crawler.dedup.incremental`) over the in-process store."""

from __future__ import annotations

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.analyse import analyse
from crawler.dedup.incremental import Incremental
from crawler.dedup.index import store_for
from crawler.dedup.store import LazyIds, MemoryStore

OPTIONS = DedupOptions(workers=1)


def test_the_default_storage_is_in_process():
    assert type(store_for(OPTIONS, None)) is MemoryStore
    assert type(store_for(OPTIONS, {"type": "dict"})) is MemoryStore


def test_lazy_ids_resolve_once_on_first_lookup():
    calls = []

    def resolve():
        calls.append(1)
        return {"a": ("a", "a"), "b": ("a", "b")}

    ids = LazyIds(["a", "b"], resolve)
    assert list(ids) == ["a", "b"] and len(ids) == 2 and not ids.resolved and not calls
    assert ids["b"] == ("a", "b") and ids["a"] == ("a", "a")
    assert calls == [1]


def story_docs(stories):
    docs = [Document(s["id"], s["title"], "\n".join(s["body"])) for s in stories]
    docs += [Document("copy-of-" + s["id"], s["title"], "\n".join(s["body"][:-1]),
                      original=False) for s in stories[::3]]
    return docs


def analysed(doc: Document):
    return analyse([doc.title], [doc.body], OPTIONS)


def test_an_opened_index_is_clustered_only_when_a_new_article_matches_an_old_one(corpus_stories):
    docs = story_docs(corpus_stories)
    old = [d for d in docs if not d.key.startswith("copy-of-")]
    final = DedupIndex(OPTIONS)
    final.add_many(old)
    assigned = final.assignments()
    resolved = []

    def resolve():
        resolved.append(1)
        return {k: (a.copy_cluster, a.event_cluster) for k, a in assigned.items()}

    keys = [d.key for d in old]
    incremental = Incremental(OPTIONS, MemoryStore(OPTIONS))
    incremental.load(analyse([d.title for d in old], [d.body for d in old], OPTIONS), keys,
                     [float("nan")] * len(old), LazyIds(keys, resolve))
    stranger = Document("stranger", "Resep nasi goreng", "Bawang merah diiris tipis. " * 40)
    incremental.add(stranger.key, analysed(stranger), float("nan"))
    assert not resolved
    copy = next(d for d in docs if d.key.startswith("copy-of-"))
    assignment = incremental.add(copy.key, analysed(copy), float("nan"))
    assert resolved == [1]
    assert assignment.copy_cluster == assigned[copy.key.removeprefix("copy-of-")].copy_cluster


def test_provisional_ids_find_copies_one_at_a_time(corpus_stories):
    docs = story_docs(corpus_stories)
    index = DedupIndex(OPTIONS)
    given = {d.key: index.add(d) for d in docs}
    for key, assignment in given.items():
        if key.startswith("copy-of-"):
            assert assignment.copy_cluster == key.removeprefix("copy-of-")
    assert index.assignments().keys() == given.keys()
