"""Event ids that stay put: grow, merge and split (`crawler.dedup.ids`), and a corpus clustered
in batches through a persisted index, whose current ids give the one-run clusters."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from itertools import pairwise
from pathlib import Path

import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document, parse_published
from crawler.dedup.ids import EventIds

ROOT = Path(__file__).resolve().parents[2]
OPTIONS = DedupOptions(workers=1)


def committed(ids: EventIds, events: dict[str, list[str]]) -> dict[str, str]:
    names, changes = ids.name(events)
    ids.commit(events, names, changes)
    return names


def test_an_event_that_grows_keeps_its_id_and_a_new_one_takes_its_representative():
    ids = EventIds()
    assert committed(ids, {"a": ["a", "b"]}) == {"a": "a"}
    # "0" is now the representative (an earlier article joined), and a new event appears.
    names = committed(ids, {"0": ["0", "a", "b"], "x": ["x"]})
    assert names == {"0": "a", "x": "x"}
    assert ids.of == {"0": "a", "a": "a", "b": "a", "x": "x"}
    assert ids.log == []


def test_a_merge_keeps_the_older_id_and_logs_the_other():
    ids = EventIds()
    committed(ids, {"m": ["m", "n"]})
    committed(ids, {"m": ["m", "n"], "b": ["b", "c"]})  # "b" is younger than "m"
    names = committed(ids, {"b": ["b", "c", "m", "n"]})
    assert names == {"b": "m"}
    assert [(c.change, c.id, c.into, c.articles) for c in ids.log] == [("merged", "b", "m", 2)]
    # A retired id is never given again to a new event.
    assert committed(ids, {"b": ["b", "c", "m", "n"], "z": ["z"]})["b"] == "m"
    names = committed(ids, {"m": ["m", "n", "c"], "b": ["b"]})
    assert names["m"] == "m" and names["b"] == "b~2"
    assert ids.log[-1].as_dict() == {"clustering": 5, "change": "split", "id": "b~2",
                                      "into": "m", "articles": 1}


def test_a_split_gives_the_new_part_a_new_id():
    ids = EventIds()
    committed(ids, {"a": ["a", "b", "c"]})
    # The part holding the article the id is named after keeps it, however small.
    names = committed(ids, {"a": ["a"], "b": ["b", "c"]})
    assert names == {"a": "a", "b": "b"}
    assert [(c.change, c.id, c.into) for c in ids.log] == [("split", "b", "a")]
    # A merge and a split at once: "x" stays with its own article, merged into the older "b";
    # the rest of x's event is new.
    committed(ids, {"b": ["b", "c"], "x": ["x", "y", "z"]})
    names = committed(ids, {"b": ["b", "c", "x"], "y": ["y", "z"]})
    assert names == {"b": "b", "y": "y"}
    assert [(c.change, c.id, c.into) for c in ids.log[1:]] == [("merged", "x", "b"),
                                                               ("split", "y", "x")]


def test_ids_and_log_survive_a_save():
    ids = EventIds()
    committed(ids, {"a": ["a"], "b": ["b"]})
    committed(ids, {"a": ["a", "b"], "c": ["c"]})
    keys = ["a", "b", "c", "d"]  # "d" was added after the last clustering
    again = EventIds.from_arrays(keys, ids.arrays(keys))
    assert again.of == ids.of and again.log == ids.log
    assert again.clusterings == ids.clusterings
    assert again.born == ids.born | {"b": 2}  # the retired id, from the log
    assert again.name({"d": ["d"], "b": ["a", "b", "c"]}) == ids.name({"d": ["d"],
                                                                        "b": ["a", "b", "c"]})


def partition(labels: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = defaultdict(set)
    for key, label in labels.items():
        groups[label].add(key)
    return {frozenset(g) for g in groups.values()}


@pytest.fixture(params=["fixture stories", "ECB+"])
def corpus(request) -> list[Document]:
    """A dated Indonesian corpus, and an undated English one of 772 documents."""
    if request.param == "ECB+":
        return sorted((Document.from_record(r) for r in request.getfixturevalue("ecb_records")),
                      key=lambda d: d.key)
    stories = request.getfixturevalue("corpus_stories")
    return [Document(s["id"], s["title"], "\n".join(s["body"]), parse_published(s["published"]))
            for s in sorted(stories, key=lambda s: s["id"])]


def test_batches_through_an_index_give_the_one_run_clusters_and_grown_events_keep_ids(
    tmp_path, corpus
):
    docs = corpus
    one = DedupIndex(OPTIONS)
    one.add_many(docs)
    one_run = {k: a.event_cluster for k, a in one.assignments().items()}
    path = tmp_path / "index.npz"
    seen: list[dict[str, str]] = []
    for batch in (docs[0::3], docs[1::3], docs[2::3]):
        index = DedupIndex.open(path, OPTIONS)
        index.add_many(batch)
        seen.append({k: a.event_cluster for k, a in index.assignments().items()})
        index.save(path)
    current = {k: a.event_cluster for k, a in DedupIndex.load(path, OPTIONS).assignments().items()}
    assert current == seen[-1]
    assert partition(current) == partition(one_run)
    # An event whose articles all stayed together at the next clustering, alone (it only
    # grew), keeps its id. (Over two clusterings an event can merge and split off again,
    # having not only grown: its part gets a new id.)
    grown = 0
    for earlier, later in pairwise(seen):
        for members in partition(earlier):
            finals = {later[k] for k in members}
            others = {k for k, e in later.items() if e in finals} - members
            if len(finals) == 1 and not any(k in earlier for k in others):
                assert finals == {earlier[next(iter(members))]}
                grown += 1
    assert grown >= 10
    log = DedupIndex.load(path, OPTIONS).event_log()
    assert all(c["id"] not in set(current.values()) for c in log if c["change"] == "merged")


def cluster(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", "cluster", *args,
                           "-s", "DEDUP_WORKERS=1"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120, check=False)


def test_current_ids_command_rewrites_earlier_outputs(tmp_path, corpus_stories):
    stories = sorted(corpus_stories, key=lambda s: s["id"])
    index = tmp_path / "index.npz"
    outputs = []
    for n, batch in enumerate((stories[0::2], stories[1::2])):
        src, dst = tmp_path / f"in{n}.jsonl", tmp_path / f"out{n}.jsonl"
        src.write_text("".join(json.dumps({"id": s["id"], "title": s["title"],
                                           "body": "\n".join(s["body"]),
                                           "published": s["published"]}) + "\n"
                               for s in batch), encoding="utf-8")
        assert cluster(str(src), "-o", str(dst), "--index", str(index)).returncode == 0
        outputs.append(dst)
    ids = tmp_path / "ids.jsonl"
    result = cluster("--index", str(index), "--current-ids", str(ids),
                     "--rewrite", *map(str, outputs), "--event-log", str(tmp_path / "log.jsonl"))
    assert result.returncode == 0, result.stderr
    current = {r["id"]: r["event_cluster"]
               for r in map(json.loads, ids.read_text(encoding="utf-8").splitlines())}
    assert len(current) == len(stories)
    rewritten = {r["id"]: r["event_cluster"] for out in outputs
                 for r in map(json.loads, out.read_text(encoding="utf-8").splitlines())}
    assert rewritten == current
    assert partition(current) == partition({s["id"]: s["event"] for s in stories})
    assert (tmp_path / "log.jsonl").exists()
    assert cluster("--current-ids", str(ids)).returncode != 0  # no index named
