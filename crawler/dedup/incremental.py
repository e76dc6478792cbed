"""Provisional, one-at-a-time assignment for `DedupIndex.add`: one algorithm over a `Store`.

An article is judged against the index as it stands, with the rules and the array functions of
the bulk clustering (`crawler.dedup.rules`, `crawler.dedup.cluster`), so its answer differs from
the final `assignments()` only because the index does not yet hold what comes later (a crawl
rewrites the ids that changed at its end):

1. Copy: the copy LSH's candidates, verified by `rules.is_copy`; the best Jaccard wins.
2. Otherwise, event: the articles posted under the article's salient features (its
   `event_salient` heaviest, which the bulk path bands for its event LSH), the
   `event_candidates` sharing the most (`rules.best_per_group`), those in the date window
   (`rules.within_window`), compared by the cosines of their event vectors and of their lead
   vectors (`pair_similarity`, mixed by `rules.raw_similarity`) and locally scaled
   (`rules.typical_similarity`, `scaled_similarity`, `event_scores`). The article joins the
   event whose average score over all its articles (absent pairs count 0, each candidate
   weighed by its copies) is the highest and reaches `event_threshold`: average link between
   the article and that event, as the bulk path merges clusters.

Document frequencies count copy clusters, as in the bulk path: a copy adds nothing to them, an
article that starts a copy cluster counts once (in the frequencies of its features, and of its
lead's features in the leads' own, which weigh the lead vectors). A candidate's vectors are
weighed again, under the frequencies of the moment, when the index has grown by
`REWEIGH_GROWTH` since they were weighed: the first articles of an index, weighed when nothing
was shared yet, would otherwise never match. An article is posted under the features it could
share with a later one: its heaviest features as if one more article held each of them (a
feature only it has is then as rare as one two articles share). Only the first article of a
copy cluster is posted: the event level compares stories, not each copy of one (as the bulk
path compares copy clusters).

One simplification remains: a candidate's typical similarity is taken to be the new
article's (the bulk path uses each end's own); both are floored at `event_scale_floor`.

Adding a key again replaces its record and takes back what the old one counted for.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import replace

import numpy as np

from crawler.dedup import rules
from crawler.dedup.analyse import Analysed
from crawler.dedup.cluster import (
    copy_clusters,
    document_frequency,
    feature_ranks,
    feature_weights,
    lead_features,
    lead_vectors,
    normalised,
)
from crawler.dedup.features import FeatureBatch
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.signatures import lean_minhash
from crawler.dedup.store import Context, Features, Ids, Loaded, Record, Store
from crawler.dedup.vectors import PAD, article_vector, pair_similarity, top_features, unit_vectors

REWEIGH_GROWTH = 0.5
"""Growth of the copy-cluster count after which a stored event vector is weighed again: rare
enough to cost little on a large index, often enough that frequencies are never far off."""


class Incremental:
    """Provisional ids of articles added one at a time to `store` (see the module docstring)."""

    def __init__(self, options: DedupOptions, store: Store) -> None:
        self.options = options
        self.store = store

    def load(self, data: Analysed, keys: Sequence[str], published: Sequence[float],
             ids: Mapping[str, Ids]) -> None:
        """Put the articles of an opened index (`data` row `i` is `keys[i]`, in the order they
        were added) into the store, their ids given by `ids` (a `LazyIds` to cluster them only
        when first needed)."""
        if len(keys):
            self.store.load(prepare_load(data, keys, published, ids, self.options))

    def add(self, key: str, data: Analysed, published: float) -> Assignment:
        """Assign the article `key`, whose analysis is the single-article `data`, against the
        articles added before it, and add it."""
        o = self.options
        signature, length = data.signatures[0], int(data.lengths[0])
        f = data.features
        mine = Features(f.hashes, f.tf, f.flags, f.lead_tf)
        minhash = lean_minhash(signature, o.seed) if length > 0 else None
        look = self.store.lookup(key, minhash, mine.hashes)
        df, lead_df, units = look.df, look.lead_df, look.units
        previous = look.previous
        if previous is not None and previous.postings is not None:
            # The record this add replaces counted in them: not any more.
            df = df - shares(mine.hashes, previous.features.hashes)
            lead_df = lead_df - shares(mine.hashes, previous.features.lead())
            units -= 1
        # Weighed as a new copy cluster (one more holds each of its features), which it is
        # unless it turns out to be a copy.
        weights = self.weights(mine, df + 1, units + 1)
        salient = mine.hashes[top_features(weights, o.event_salient)]
        found = self.store.candidates(key, look.copy_candidates, salient)
        copy_of = self._copy_of(signature, length, look.copy_candidates, found.records)
        reweighed: dict[str, Record] = {}
        if copy_of is not None:
            ids = self.store.ids(copy_of, found.records[copy_of])
            # Its copy cluster already holds its features: weighed as the index stands.
            vector = self.vector(mine, self.weights(mine, df, max(units, 1)))
            lead = self.lead_vector(mine, lead_df, max(units, 1))
            vector_units, postings = units, None
        else:
            vector, vector_units = self.vector(mine, weights), units + 1
            lead = self.lead_vector(mine, lead_df + 1, units + 1)
            event_id = self._event_of(key, vector, lead, mine, units + 1, published,
                                      found.event, previous, reweighed)
            ids = (key, event_id or key)
            could = self.weights(mine, df + 2, units + 2)
            postings = mine.hashes[top_features(could, o.event_salient)]
        record = Record(signature, length, published, mine, vector, lead, vector_units, ids,
                        postings)
        self.store.write(key, record, minhash, look.order, previous, reweighed)
        return Assignment(key, *ids)

    def weights(self, features: Features, df: np.ndarray, units: int) -> np.ndarray:
        """One article's raw feature weights under `df` and `units` (`rules.feature_weights`)."""
        return rules.feature_weights(features.tf, df, features.flags, units, self.options)

    def vector(self, features: Features, weights: np.ndarray) -> np.ndarray:
        """One article's event vector (`Record.vector`) from its raw feature weights."""
        return article_vector(features.hashes, weights, self.options.event_similarity_features)

    def lead_vector(self, features: Features, lead_df: np.ndarray, units: int) -> np.ndarray:
        """One article's lead vector (`Record.lead_vector`) under the leads' document
        frequencies `lead_df`, as `cluster.lead_vectors` weighs it (features not in the lead
        weigh 0); empty when the lead is not mixed in."""
        if self.options.event_lead_weight <= 0:
            return np.zeros(0, dtype=np.uint64)
        weights = rules.feature_weights(features.lead_tf, lead_df, features.flags, units,
                                        self.options)
        return self.vector(features, weights)

    def _copy_of(self, signature: np.ndarray, length: int, keys: Sequence[str],
                 records: Mapping[str, Record]) -> str | None:
        """The candidate with the highest Jaccard among those `rules.is_copy` accepts (the
        first in key order among equals), or None."""
        live = [k for k in keys if k in records and records[k].length > 0]
        if not live:
            return None
        theirs = np.stack([records[k].signature for k in live])
        jaccard = (theirs == signature).mean(axis=1)
        lengths = np.array([records[k].length for k in live])
        copies = rules.is_copy(jaccard, np.full(len(live), length), lengths, self.options)
        if not copies.any():
            return None
        return live[int(np.argmax(np.where(copies, jaccard, -1.0)))]

    def _ranked(self, hits: Sequence[tuple[str, int, int]]) -> list[str]:
        """The `event_candidates` hits sharing the most features (the earlier first among
        equals), in key order."""
        shared = np.array([n for _, n, _ in hits], dtype=np.int64)
        by_order = np.argsort(np.array([when for _, _, when in hits], dtype=np.int64),
                              kind="stable")
        kept = by_order[rules.best_per_group(np.zeros(len(hits), dtype=np.int64),
                                             shared[by_order], np.arange(len(hits)),
                                             self.options.event_candidates)]
        return sorted(hits[i][0] for i in kept)

    def _event_of(self, key: str, vector: np.ndarray, lead: np.ndarray, mine: Features,
                  units: int,
                  published: float, hits: Sequence[tuple[str, int, int]],
                  previous: Record | None, reweighed: dict[str, Record]) -> str | None:
        """The event the article joins (see the module docstring), or None, judged without
        `previous`, the record it replaces. Candidates whose vectors were weighed again go
        into `reweighed`."""
        o = self.options
        if not len(vector) or not hits:
            return None
        records = self.store.records(self._ranked(hits))
        keys = list(records)
        dates = np.array([records[k].published for k in keys], dtype=float)
        keys = [k for k, ok in zip(keys, rules.within_window(published, published, dates, dates,
                                                              o), strict=True) if ok]
        if not keys:
            return None
        ids = {k: self.store.ids(k, records[k]) for k in keys}
        stale = [k for k in keys if not len(records[k].vector)
                 or units >= records[k].vector_units * (1 + REWEIGH_GROWTH)]
        stale_hashes = (np.unique(np.concatenate([records[k].features.hashes for k in stale]))
                        if stale else np.zeros(0, dtype=np.uint32))
        context = self.store.context(stale_hashes, sorted({i[0] for i in ids.values()}),
                                     sorted({i[1] for i in ids.values()}))
        if previous is not None:
            without(context, self.store.ids(key, previous), previous)
        mine_lead = mine.lead()
        for k in stale:
            theirs = records[k].features
            # The new article counts among the copy clusters holding the features it has.
            wanted = theirs.hashes.tolist()
            their_df = np.array([context.df.get(h, 0) for h in wanted], dtype=np.int64)
            their_df += shares(theirs.hashes, mine.hashes)
            their_lead_df = np.array([context.lead_df.get(h, 0) for h in wanted],
                                     dtype=np.int64)
            their_lead_df += shares(theirs.hashes, mine_lead)
            records[k] = reweighed[k] = replace(
                records[k], vector=self.vector(theirs, self.weights(theirs, their_df, units)),
                lead_vector=self.lead_vector(theirs, their_lead_df, units), vector_units=units)
        pairs = np.stack((np.zeros(len(keys), dtype=np.int64), np.arange(1, len(keys) + 1)),
                         axis=1)
        sims = pair_similarity(self._packed(vector, [records[k].vector for k in keys]), pairs)
        if o.event_lead_weight > 0:
            leads = self._packed(lead, [records[k].lead_vector for k in keys])
            sims = rules.raw_similarity(sims, pair_similarity(leads, pairs), o)
        top_sum = np.sort(sims)[::-1][: o.event_neighbours].sum()
        typical = rules.typical_similarity(np.array([top_sum]), o)
        scores = rules.event_scores(sims, rules.scaled_similarity(sims, typical, typical), o)
        # Average link of the article with each event: its summed scores to the event's
        # copy clusters, each counted once per copy, over the event's articles.
        total: defaultdict[str, float] = defaultdict(float)
        for k, score in zip(keys, scores.tolist(), strict=True):
            copy_id, event_id = ids[k]
            total[event_id] += score * max(context.copies.get(copy_id, 0), 1)
        average = {e: s / max(context.members.get(e, 0), 1) for e, s in total.items()}
        best = min(average, key=lambda e: (-average[e], e))
        return best if average[best] >= o.event_threshold else None

    def _packed(self, mine: np.ndarray, theirs: Sequence[np.ndarray]) -> np.ndarray:
        """`mine` and `theirs` as rows of padded vectors (`vectors.unit_vectors`' layout)."""
        vectors = np.full((len(theirs) + 1, self.options.event_similarity_features), PAD,
                          dtype=np.uint64)
        for i, row in enumerate((mine, *theirs)):
            vectors[i, : len(row)] = row
        return vectors


def without(context: Context, ids: Ids, record: Record) -> None:
    """Take out of `context` what `record`, whose ids are `ids`, counts for."""
    for sizes, cluster in ((context.copies, ids[0]), (context.members, ids[1])):
        if cluster in sizes:
            sizes[cluster] -= 1
    if record.postings is not None:
        for counts, hashes in ((context.df, record.features.hashes),
                               (context.lead_df, record.features.lead())):
            for h in hashes.tolist():
                if h in counts:
                    counts[h] -= 1


def shares(hashes: np.ndarray, others: np.ndarray) -> np.ndarray:
    """Which of `hashes` are among `others` (both in increasing order, as features are)."""
    if not len(others):
        return np.zeros(len(hashes), dtype=bool)
    at = np.minimum(np.searchsorted(others, hashes), len(others) - 1)
    return others[at] == hashes


def prepare_load(data: Analysed, keys: Sequence[str], published: Sequence[float],
                 ids: Mapping[str, Ids], options: DedupOptions) -> Loaded:
    """The records and document frequencies of an opened index, computed in bulk with the
    functions the bulk clustering uses: what adding the articles one at a time would leave in
    the store, with every article already known."""
    o = options
    n = len(keys)
    f = data.features
    copy_labels = copy_clusters(data.signatures, data.lengths, o)
    df = document_frequency(f, copy_labels)
    units = int(np.count_nonzero(np.bincount(copy_labels, minlength=n)))
    weights = feature_weights(f, o, copy_labels)
    chosen, rank = feature_ranks(weights, o.event_similarity_features)
    vectors = unit_vectors(weights, chosen[rank < o.event_similarity_features], np.arange(n), n,
                           o.event_similarity_features)
    leads = lead_vectors(f, copy_labels, np.arange(n), n, o)
    no_lead = np.zeros(0, dtype=np.uint64)
    # Posted as `Incremental.add` posts a new copy cluster's first article.
    could = normalised(f.ptr, f.hashes,
                       rules.feature_weights(f.tf, df + 1, f.flags, units + 1, o))
    posted, posted_rank = feature_ranks(could, o.event_salient)
    posted = posted[posted_rank < o.event_salient]
    # Entry order is row order: row `r` owns `posted[starts[r]:starts[r + 1]]`.
    starts = np.searchsorted(could.row()[posted], np.arange(n + 1)).tolist()
    first_of_unit = (copy_labels == np.arange(n)).tolist()
    records = []
    for i in range(n):
        lo, hi = f.ptr[i], f.ptr[i + 1]
        postings = could.hashes[posted[starts[i] : starts[i + 1]]] if first_of_unit[i] else None
        records.append(Record(
            data.signatures[i], int(data.lengths[i]), float(published[i]),
            Features(f.hashes[lo:hi], f.tf[lo:hi], f.flags[lo:hi], f.lead_tf[lo:hi]),
            vectors[i][vectors[i] != PAD],
            no_lead if leads is None else leads[i][leads[i] != PAD], units, None, postings,
        ))
    return Loaded(keys, records, ids, _by_hash(f.hashes, df),
                  _by_hash(*_lead_df(f, copy_labels)), units)


def _lead_df(features: FeatureBatch, copy_labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The hashes of the leads' entries and each one's document frequency among the leads."""
    lead = lead_features(features)
    return lead.hashes, document_frequency(lead, copy_labels)


def _by_hash(hashes: np.ndarray, df: np.ndarray) -> dict[int, int]:
    """Feature hash -> document frequency, from entries and their frequencies."""
    unique, first = np.unique(hashes, return_index=True)
    return dict(zip(unique.tolist(), df[first].tolist(), strict=True))
