"""Explanations of the clustering: drawn from the graph the clustering agglomerates, so they
cannot tell another story than the one decided."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.cluster import copy_clusters
from crawler.dedup.event_graph import (
    DECLINED,
    NOT_A_CANDIDATE,
    ONE_COPY_CLUSTER,
    OVER_THE_CUT,
    THROUGH_OTHERS,
    UNDER_THE_CUT,
    event_graph,
)
from crawler.dedup.explain import explain, left_out_of_copies
from tests.conftest import PROJECT_ROOT


def indexed(docs: list[Document], options: DedupOptions) -> DedupIndex:
    index = DedupIndex(options)
    index.add_many(docs)
    return index


def graph_agrees(index: DedupIndex) -> None:
    corpus, options = index.corpus(), index.options
    data = corpus.analysed
    copies = copy_clusters(data.signatures, data.lengths, options)
    graph = event_graph(data.features, copies, corpus.published, options)
    # the same partition as the events the index gives its articles (named by their ids there)
    assigned = index.assignments()
    events = [assigned[key].event_cluster for key in corpus.keys]
    labels = graph.labels(options).tolist()
    assert len(set(zip(labels, events, strict=True))) == len(set(labels)) == len(set(events))


def test_the_explained_graph_is_the_one_the_clustering_agglomerates(
    fixture_documents: list[Document],
) -> None:
    graph_agrees(indexed(fixture_documents, DedupOptions(workers=1)))


def test_the_explained_graph_agrees_on_ecb(ecb_records: list[dict]) -> None:
    docs = [Document(r["id"], r["title"], r["body"]) for r in ecb_records]
    graph_agrees(indexed(docs, DedupOptions(workers=1)))


@pytest.fixture(scope="module")
def explained(fixture_documents: list[Document]) -> tuple[DedupIndex, dict]:
    options = DedupOptions(workers=1)
    index = indexed(fixture_documents, options)
    texts = {d.key: (d.title, d.body) for d in fixture_documents}
    return index, explain(index.corpus(), index.assignments(), texts, options,
                          features_shown=1000)


def test_a_storys_features_add_up_to_its_score_and_it_reaches_the_threshold(
    explained: tuple[DedupIndex, dict],
) -> None:
    index, explanations = explained
    assignments = index.assignments()
    stories = [e for e in explanations.values() if e.event is not None]
    assert len(stories) == len({a.copy_cluster for a in assignments.values()})
    for story in stories:
        event = story.event
        assert story.key not in {link.key for link in event.links}  # never itself
        if not event.links:
            continue
        # Average link joined two-story events on this very score.
        if len(event.links) == 1:
            assert event.score >= event.threshold
        assert sum(f.contribution for f in event.features) == pytest.approx(event.score,
                                                                           rel=1e-4)
        assert all(f.text and not f.text.startswith("#") for f in event.features)


def test_the_seed_story_is_tied_by_the_names_both_outlets_use(
    explained: tuple[DedupIndex, dict],
) -> None:
    _, explanations = explained
    etindonesia = next(e for k, e in explanations.items() if "etindonesia.com/2025/02/13" in k)
    names = {f.text for f in etindonesia.event.features if f.kind == "name"}
    assert {"Putin", "Ukraina"} <= names
    # One stem, written "Zelensky" by one outlet and "Zelenskyy" by the other.
    assert names & {"Zelensky", "Zelenskyy"}
    [link] = etindonesia.event.links
    assert link.candidate and link.articles == 3 and link.key.startswith(
        "https://www.tribunnews.com/internasional/2025/02/13/")


def test_every_copy_is_explained_by_the_copy_rule(explained: tuple[DedupIndex, dict]) -> None:
    index, explanations = explained
    copies = [e for e in explanations.values() if e.copy is not None]
    assignments = index.assignments()
    assert len(copies) == sum(1 for a in assignments.values() if a.copy_cluster != a.key)
    for explanation in copies:
        copy = explanation.copy
        assert copy.of == assignments[explanation.key].copy_cluster
        assert copy.is_copy or copy.via is not None
        assert 0 < copy.jaccard <= 1 and 0 < copy.containment <= 1


def test_a_story_alone_gets_its_nearest_candidate(fixture_documents: list[Document]) -> None:
    options = DedupOptions(workers=1, event_threshold=0.99)
    index = indexed(fixture_documents, options)
    texts = {d.key: (d.title, d.body) for d in fixture_documents}
    explanations = explain(index.corpus(), index.assignments(), texts, options)
    alone = [e.event for e in explanations.values() if e.event is not None and not e.event.links]
    assert alone and all(e.nearest is None or e.nearest.score < 0.99 for e in alone)
    assert any(e.nearest is not None for e in alone)


def test_furniture_lines_are_known_as_left_out_of_copies() -> None:
    left_out = left_out_of_copies(DedupOptions())
    assert left_out("Baca juga: Harga emas naik") and left_out("Editor: Anto")
    assert not left_out("Harga emas naik lagi hari ini.")


def test_scrapy_cluster_explains_an_article(tmp_path: Path, etindonesia_seed: tuple[str, str]
                                            ) -> None:
    title, body = etindonesia_seed
    lines = [{"url": "https://a.example/1", "title": title, "body": body,
              "published": "2025-02-13T09:30:00+07:00"},
             {"url": "https://b.example/2", "title": title, "source": "a.example",
              "site": "b.example", "body": "Baca juga: berita lain\n" + body,
              "published": "2025-02-13T10:30:00+07:00"}]
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(r) + "\n" for r in lines), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "cluster", str(src), "-o", str(tmp_path / "out.jsonl"),
         "--explain", "https://b.example/2", "--explain", "https://nowhere.example/",
         "-s", "DEDUP_WORKERS=1"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1  # one URL was not in the input
    assert "no article https://nowhere.example/" in done.stderr
    assert "a copy of https://a.example/1" in done.stdout
    assert "+ Baca juga: berita lain   [left out of the comparison]" in done.stdout


def test_why_two_articles_share_an_event_or_not(fixture_documents: list[Document]) -> None:
    options = DedupOptions(workers=1)
    corpus = indexed(fixture_documents, options).corpus()
    data = corpus.analysed
    copies = copy_clusters(data.signatures, data.lengths, options)
    graph = event_graph(data.features, copies, corpus.published, options)
    labels = graph.labels(options)
    a, b = np.triu_indices(len(labels), k=1)
    why = graph.why(a, b, options)
    score = {(int(x), int(y)): float(s) for (x, y), s in zip(graph.pairs, graph.scores,
                                                              strict=True)}
    cut = options.event_threshold
    for i, j, reason in zip(a.tolist(), b.tolist(), why, strict=True):
        unit_i, unit_j = int(graph.unit_of[i]), int(graph.unit_of[j])
        s = score.get((min(unit_i, unit_j), max(unit_i, unit_j)))
        if copies[i] == copies[j]:
            expected = ONE_COPY_CLUSTER
        elif labels[i] == labels[j]:
            expected = OVER_THE_CUT if s is not None and s >= cut else THROUGH_OTHERS
        else:
            expected = NOT_A_CANDIDATE if s is None else UNDER_THE_CUT if s < cut else DECLINED
        assert reason == expected
    # The fixture corpus has copies, stories of several articles and unrelated articles.
    assert {ONE_COPY_CLUSTER, OVER_THE_CUT, NOT_A_CANDIDATE} <= set(why)
