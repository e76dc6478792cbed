"""An experiment, not part of the crawler: the lead's overlap as a signal of its own.

    python benchmarks/lead_signal.py [--weight 0.35] [--threshold 0.45]

Two stories about one actor share the actor's name all through, but only one event in their
leads; two articles of one event say it in their leads. Our event similarity counts the lead
twice inside one vector (`DedupOptions.event_lead_tokens`); here a second vector per copy
cluster holds the lead alone (the title and the body's first words up to
`event_lead_tokens` words, split on white space: an approximation of the tokeniser's count),
weighed and cut to `event_similarity_features` like the full one, and a pair's raw similarity
becomes `(1 - weight) * full + weight * lead` before the local scaling and average link of
`cluster.event_clusters` (same candidates, same scaling, same agglomeration). It prints F1 on
every part of the quality benchmark's corpora for the default options and for the mix.
"""

from __future__ import annotations

import argparse
from dataclasses import replace

import numpy as np
from event_corpora import Slice, available_slices
from event_methods import our_graph

from crawler.dedup import DedupOptions, rules
from crawler.dedup.analyse import analyse
from crawler.dedup.cluster import (
    feature_ranks,
    feature_weights,
    pair_similarity,
    scaled_similarity,
    unit_vectors,
)
from crawler.dedup.event_graph import EventGraph
from crawler.dedup.graph import average_link


def lead_similarity(piece: Slice, graph: EventGraph, order: list[int],
                    options: DedupOptions) -> np.ndarray:
    """The lead-only cosine of each candidate pair of `graph` (`order`: the record at each of
    the graph's article positions)."""
    titles, leads = [], []
    for at in order:
        record = piece.records[at]
        title = record.get("title") or ""
        room = max(options.event_lead_tokens - len(title.split()), 0)
        titles.append(title)
        leads.append(" ".join(record["body"].split()[:room]))
    features = analyse(titles, leads, options).features
    copies = graph.unit_label[graph.unit_of]
    weights = feature_weights(features, options, copies)
    keep = options.event_similarity_features
    chosen, rank = feature_ranks(weights, keep)
    vectors = unit_vectors(weights, chosen[rank < keep], graph.unit_of, len(graph.unit_label),
                           keep)
    return pair_similarity(vectors, graph.pairs, options.workers)


def labels_of(graph: EventGraph, raw: np.ndarray, options: DedupOptions) -> np.ndarray:
    """Article labels of `cluster.event_clusters`'s steps over `graph` with raw similarities
    `raw` in place of the graph's own."""
    m = len(graph.unit_label)
    scores = rules.event_scores(raw, scaled_similarity(graph.pairs, raw, m, options), options)
    merged = average_link(np.arange(m), graph.pairs, scores, options.event_threshold,
                          graph.size)
    return graph.unit_label[merged[graph.unit_of]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weight", type=float, default=0.35)
    parser.add_argument("--threshold", type=float, default=0.45)
    args = parser.parse_args()
    options = DedupOptions()
    mixed = replace(options, event_threshold=args.threshold)
    slices, missing = available_slices()
    for line in missing:
        print(f"skipped {line}")
    print(f"{'corpus / part':44} {'default':>8} {'lead mix':>8}   (weight {args.weight}, "
          f"threshold {args.threshold})")
    for piece in slices:
        built = our_graph(piece.records, options)
        graph, at = built.graph, built.at
        order = [0] * len(at)
        for record, article in enumerate(at.tolist()):
            order[article] = record
        lead = lead_similarity(piece, graph, order, options)
        raw = (1 - args.weight) * graph.similarity + args.weight * lead
        ours = [str(v) for v in graph.labels(options)[at]]
        mix = [str(v) for v in labels_of(graph, raw, mixed)[at]]
        for part, score in piece.parts.items():
            if part == "tune" and len(piece.parts) > 1:
                continue
            print(f"{piece.name + ' / ' + part:44} {score(ours).f1:8.3f} {score(mix).f1:8.3f}")


if __name__ == "__main__":
    main()
