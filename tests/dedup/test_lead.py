"""The lead as a signal of its own (`DedupOptions.event_lead_weight`): two articles of one event
say it in their leads, two stories of one actor share the actor all through."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.cluster import copy_clusters
from crawler.dedup.event_graph import event_graph

DATA = Path(__file__).resolve().parent / "data" / "apple-recall-and-store.json"
OPTIONS = DedupOptions(workers=1)
FULL_COSINE_ONLY = replace(OPTIONS, event_lead_weight=0.0, event_threshold=0.5)
"""The clustering before the lead vectors (and its threshold)."""


def documents() -> list[Document]:
    """Two write-ups of an iPhone charger recall, an Apple store opening whose body repeats
    the same company background as one of them (Tim Cook, Cupertino, the quarter's revenue),
    and two pairs of other stories for the features' rarity."""
    stories = json.loads(DATA.read_text(encoding="utf-8"))
    return [Document(s["id"], s["title"], s["body"]) for s in stories]


def events(options: DedupOptions) -> dict[str, str]:
    index = DedupIndex(options)
    index.add_many(documents())
    return {key: a.event_cluster for key, a in index.assignments().items()}


def raw_similarity(options: DedupOptions, a: str, b: str) -> float:
    index = DedupIndex(options)
    index.add_many(documents())
    corpus = index.corpus()
    data = corpus.analysed
    graph = event_graph(data.features, copy_clusters(data.signatures, data.lengths, options),
                        corpus.published, options)
    at = {key: i for i, key in enumerate(corpus.keys)}
    units = graph.unit_of[[at[a], at[b]]]
    return float(graph.raw(units.reshape(1, 2), options)[0])


def test_a_story_of_the_same_actor_stays_out_of_an_event_its_lead_does_not_tell():
    final = events(OPTIONS)
    assert final["recall-reuters"] == final["recall-verge"]
    assert final["mumbai-store"] != final["recall-reuters"]
    assert final["storm"] == final["storm-2"] and final["football"] == final["football-2"]
    # The full cosine alone joins the store opening to the recall through the background.
    before = events(FULL_COSINE_ONLY)
    assert before["mumbai-store"] == before["recall-reuters"]


def test_the_lead_lowers_the_shared_actor_and_raises_the_shared_event():
    actor = ("mumbai-store", "recall-reuters")
    event = ("recall-reuters", "recall-verge")
    assert raw_similarity(OPTIONS, *actor) < raw_similarity(FULL_COSINE_ONLY, *actor) - 0.05
    assert raw_similarity(OPTIONS, *event) > raw_similarity(FULL_COSINE_ONLY, *event)


def provisional(options: DedupOptions) -> dict[str, str]:
    index = DedupIndex(options)
    return {doc.key: index.add(doc).event_cluster for doc in documents()}


def test_articles_added_one_at_a_time_weigh_the_lead_too():
    """The provisional ids of a crawl (the one-at-a-time path) weigh the lead as the final
    clustering does: at the same threshold, without the lead the store opening joins the
    recall there too."""
    given = provisional(OPTIONS)
    assert given["recall-verge"] == given["recall-reuters"]
    assert given["mumbai-store"] != given["recall-reuters"]
    without_lead = provisional(replace(OPTIONS, event_lead_weight=0.0))
    assert without_lead["mumbai-store"] == without_lead["recall-reuters"]
