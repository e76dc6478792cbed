"""Provisional, one-at-a-time assignment for `DedupIndex.add`.

Candidates come from a datasketch `MinHashLSH` over the copy signatures (fed with `LeanMinHash`
objects over the stored signatures) and from band tables over the MinHash of each article's
salient event features. Verification uses the same rules as the bulk clustering, but against
the index as it stands, so an answer can differ from the final `assignments()`; the pipeline
rewrites ids at the end of the crawl when it does.

Where the index lives is the LSH storage config (`incremental_for`): in this process
(`Incremental`, the default, `{"type": "dict"}`), or in Redis under a fixed basename
(`crawler.dedup.shared.SharedIncremental`, `{"type": "redis", "basename": b"<job>:dedup",
"redis": {...}}`), where every worker of a distributed crawl adds to and queries one index. Both
decide with the functions of this module, so on an index that starts empty the same sequence
of adds gives the same answers (unless a key is added again: its stale band entries are
handled differently). On an opened index they differ: here the documents it held
keep their dates and their ids are resolved (`LazyIds`, a full clustering) only when a new
document first matches one, and their weights are computed when first needed; in Redis,
`SharedIncremental.load` clusters at once (it writes the ids with the documents), computes
their weights then, and stores them without a date (`published` NaN), so the event date window
never excludes them.

Cost per `add` is kept well under a millisecond here: each article's data is held per row (no
concatenation of the whole index per call), a row's normalised weights are computed once, with
the document frequencies of that moment, then reused when it is a candidate, its event band
keys are computed once in its own `add`, and the one-document event MinHash is a single small
numpy expression. That drift only affects the provisional answer; `assignments()` recomputes
everything.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any, TypeVar

import numpy as np
from datasketch import MinHashLSH

from crawler.dedup.analyse import Analysed
from crawler.dedup.cluster import feature_ranks, feature_weights
from crawler.dedup.features import NAME, NUMBER
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.signatures import (
    bulk_minhash,
    fmix32,
    lean_minhash,
    lsh_params,
    permutations,
)

_Features = tuple[np.ndarray, np.ndarray, np.ndarray]
Ids = tuple[str, str]
T = TypeVar("T", bound=Hashable)

# NAME and NUMBER as plain ints: numpy scalars cost ~1 us per op.
_NAME = int(NAME)
_NUMBER = int(NUMBER)


def incremental_for(options: DedupOptions, storage_config: Mapping[str, Any] | None = None
                    ) -> Incremental:
    """The `Incremental` for an LSH storage config: None or `{"type": "dict"}` keeps the index
    in this process; `{"type": "redis", "basename": b"...", "redis": {...}}` shares it in
    Redis (see `crawler.dedup.shared`)."""
    kind = (storage_config or {}).get("type", "dict")
    if kind == "dict":
        return Incremental(options)
    if kind == "redis":
        from crawler.dedup.shared import SharedIncremental  # redis is only needed here

        assert storage_config is not None
        return SharedIncremental(options, storage_config)
    raise ValueError(f"unknown dedup index storage type {kind!r} (expected 'dict' or 'redis')")


class LazyIds(Mapping[int, Ids]):
    """Row -> (copy id, event id) for the rows of an opened index, resolved by `resolve` (a full
    clustering) the first time one is looked up, not when the index is opened."""

    def __init__(self, rows: Sequence[int], resolve: Callable[[], Mapping[int, Ids]]) -> None:
        self._rows = rows
        self._resolve = resolve
        self._ids: Mapping[int, Ids] | None = None

    def __getitem__(self, row: int) -> Ids:
        if self._ids is None:
            self._ids = self._resolve()
        return self._ids[row]

    def __iter__(self) -> Iterator[int]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def resolved(self) -> bool:
        return self._ids is not None


# --- decisions, shared by the in-process and the Redis index ---------------------------------


def copy_verdict(signature: np.ndarray, length: int,
                 candidates: Iterable[tuple[T, np.ndarray, int]], options: DedupOptions
                 ) -> T | None:
    """The candidate (in the given order; the first of equal Jaccards wins) that is a copy of
    the document, by estimated Jaccard or containment, or None."""
    o = options
    best: tuple[float, T] | None = None
    la = float(length)
    for cand, theirs, their_length in candidates:
        j = float(np.count_nonzero(signature == theirs)) / len(signature)
        lb = float(their_length)
        containment = j * (la + lb) / (1.0 + j) / max(min(la, lb), 1.0)
        copy = j >= o.copy_threshold or (
            containment >= o.copy_containment and j >= o.copy_min_jaccard
        )
        if copy and (best is None or j > best[0]):
            best = (j, cand)
    return None if best is None else best[1]


def doc_weights(hashes: Sequence[int], tf: Sequence[int], flags: Sequence[int],
                df: Sequence[int], n: int, options: DedupOptions) -> dict[int, float]:
    """A document's `event_similarity_features` heaviest features (hash -> weight), normalised,
    under document frequencies `df` (aligned with `hashes`) in an index of `n` documents."""
    o = options
    out: dict[int, float] = {}
    name_weight = max(o.event_name_weight, 1.0)
    top_n = float(n + 1)
    for h, t, fl, d in zip(hashes, tf, flags, df, strict=True):
        if d < o.event_min_df:
            continue
        kind = name_weight if fl & _NAME else (o.event_number_weight if fl & _NUMBER else 1.0)
        out[h] = t ** o.event_tf_power * math.log(top_n / d) ** o.event_idf_power * kind
    top = sorted(out, key=lambda h: (-out[h], h))[: o.event_similarity_features]
    norm = math.sqrt(sum(out[h] * out[h] for h in top)) or 1.0
    return {h: out[h] / norm for h in top}


def event_band_keys(weights: Mapping[int, float], options: DedupOptions) -> list[bytes]:
    """The event LSH band keys of a document: the MinHash of its `event_salient` heaviest
    features (the values `bulk_minhash` gives for one document), cut into bands."""
    o = options
    if not weights:
        return []
    top = sorted(weights, key=lambda h: (-weights[h], h))[: o.event_salient]
    a, b = permutations(o.event_num_perm, o.seed + 1)
    with np.errstate(over="ignore"):
        mixed = fmix32(np.array(top, dtype=np.uint32))
        sig = (a[:, None] * mixed[None, :] + b[:, None]).min(axis=1)
    return band_keys(sig, o)


def band_keys(signature: np.ndarray, options: DedupOptions) -> list[bytes]:
    r = options.event_rows
    raw = signature[: options.event_bands * r].tobytes()
    step = 4 * r
    return [raw[i : i + step] for i in range(0, len(raw), step)]


def rank_event_candidates(hits: Counter[int], options: DedupOptions) -> list[int]:
    """The `event_candidates` rows sharing the most bands (ties: smaller row, added earlier)."""
    ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
    return [c for c, _ in ranked[: options.event_candidates]]


def event_verdict(mine: Mapping[int, float], candidates: Sequence[T],
                  weights: Sequence[Mapping[int, float]], options: DedupOptions) -> T | None:
    """The candidate (in the given order, already in the date window) of the same event, by
    locally scaled similarity, or None."""
    o = options
    sims = []
    for theirs in weights:
        # The shared features by a set intersection in C: few, against 64 lookups each.
        sims.append(sum(mine[h] * theirs[h] for h in mine.keys() & theirs.keys()))
    if not sims:
        return None
    top = sorted(sims, reverse=True)[: o.event_neighbours]
    typical = max(sum(top) / o.event_neighbours, o.event_scale_floor)
    best = max(range(len(sims)), key=lambda i: (sims[i], -i))
    if sims[best] < o.event_min_similarity:
        return None
    return candidates[best] if sims[best] / typical >= o.event_threshold else None


def in_window(mine: float, theirs: float, options: DedupOptions) -> bool:
    """False when both dates are known and further apart than the event window."""
    if options.event_window_days <= 0:
        return True
    return not abs(theirs - mine) > options.event_window_days * 86400.0


def copy_lsh_params(options: DedupOptions) -> tuple[int, int]:
    return lsh_params(options.copy_lsh_threshold, options.copy_num_perm)


# --- the in-process index --------------------------------------------------------------------


class Incremental:
    """Query structures and provisional ids for the documents added so far, in this process."""

    def __init__(self, options: DedupOptions) -> None:
        self.options = options
        self.copy_lsh = MinHashLSH(num_perm=options.copy_num_perm,
                                   params=copy_lsh_params(options))
        # Event bands in plain dicts rather than a MinHashLSH, to count shared bands per
        # candidate and keep the best ones.
        self.event_tables: list[dict[bytes, list[int]]] = [{} for _ in range(options.event_bands)]
        self.df: Counter[int] = Counter()
        self.ids: dict[int, Ids] = {}
        self.loaded: Mapping[int, Ids] = {}
        self.keys: Sequence[str] = []
        self.alive: Mapping[str, int] = {}
        self.signature: dict[int, np.ndarray] = {}
        self.length: dict[int, int] = {}
        self.features: dict[int, _Features] = {}
        self.weights: dict[int, dict[int, float]] = {}

    def load(self, data: Analysed, ids: Mapping[int, Ids], keys: Sequence[str]) -> None:
        """Index the rows of `ids` (row -> (copy id, event id), a `LazyIds` to cluster only
        when needed) from `data`, in bulk."""
        self.keys = keys
        self.loaded = ids
        rows = np.fromiter(ids, dtype=np.int64, count=len(ids))
        for row in rows.tolist():
            self._store(row, data.signatures[row], int(data.lengths[row]),
                        self._slice(data, row))
        hashes = np.concatenate([self.features[r][0] for r in rows.tolist()]) if len(rows) \
            else np.zeros(0, dtype=np.uint32)
        unique, count = np.unique(hashes, return_counts=True)
        self.df.update(dict(zip(unique.tolist(), count.tolist(), strict=True)))
        sigs, has_features = self.bulk_event_signatures(data, self.options)
        with self.copy_lsh.insertion_session() as copies:
            for row in rows.tolist():
                if data.lengths[row] > 0:
                    copies.insert(row, lean_minhash(data.signatures[row], self.options.seed))
                if has_features[row]:
                    self._insert_event(row, band_keys(sigs[row], self.options))

    @staticmethod
    def bulk_event_signatures(data: Analysed, options: DedupOptions
                              ) -> tuple[np.ndarray, np.ndarray]:
        """The event MinHash of every row at once, as the bulk clustering makes it, and which
        rows have event features at all."""
        weights = feature_weights(data.features, options)
        chosen, _ = feature_ranks(weights, options.event_salient)
        row_of = weights.row()[chosen]
        sigs = bulk_minhash(weights.hashes[chosen], row_of, len(data), options.event_num_perm,
                            options.seed + 1)
        has_features = np.zeros(len(data), dtype=bool)
        has_features[row_of] = True
        return sigs, has_features

    def add(self, row: int, data: Analysed, published: Sequence[float]) -> Assignment:
        """Assign `row`, whose analysis is the single-article `data`, against the documents
        indexed before it."""
        key = self.keys[row]
        self._store(row, data.signatures[0], int(data.lengths[0]), self._slice(data, 0))
        self.df.update(self.features[row][0].tolist())
        event_keys = event_band_keys(self._weights(row), self.options)
        copy_of = self._copy_match(row)
        event_of = (copy_of if copy_of is not None
                    else self._event_match(row, event_keys, published))
        copy_id = key if copy_of is None else self._ids(copy_of)[0]
        event_id = key if event_of is None else self._ids(event_of)[1]
        self.ids[row] = (copy_id, event_id)
        if self.length[row] > 0:
            self.copy_lsh.insert(row, lean_minhash(self.signature[row], self.options.seed),
                                 check_duplication=False)
        self._insert_event(row, event_keys)
        return Assignment(key, copy_id, event_id)

    def _ids(self, row: int) -> Ids:
        ids = self.ids.get(row)
        return ids if ids is not None else self.loaded[row]

    def _store(self, row: int, signature: np.ndarray, length: int, features: _Features) -> None:
        self.signature[row] = signature
        self.length[row] = length
        self.features[row] = features
        self.weights.pop(row, None)

    @staticmethod
    def _slice(data: Analysed, i: int) -> _Features:
        f = data.features
        lo, hi = f.ptr[i], f.ptr[i + 1]
        return f.hashes[lo:hi], f.tf[lo:hi], f.flags[lo:hi]

    def _live(self, rows: Iterable[int], exclude: int) -> list[int]:
        """Candidates still current (not replaced by a later add of the same key), key order."""
        live = [r for r in rows if r != exclude and self.alive.get(self.keys[r]) == r]
        return sorted(live, key=self.keys.__getitem__)

    def _copy_match(self, row: int) -> int | None:
        if self.length[row] == 0:
            return None
        sig = self.signature[row]
        cands = self._live(self.copy_lsh.query(lean_minhash(sig, self.options.seed)), row)
        return copy_verdict(sig, self.length[row],
                            ((c, self.signature[c], self.length[c]) for c in cands),
                            self.options)

    def _event_match(self, row: int, event_keys: list[bytes], published: Sequence[float]
                     ) -> int | None:
        mine = self._weights(row)
        if not mine:
            return None
        cands = self._live(self._event_candidates(event_keys), row)
        when = published[row]
        cands = [c for c in cands if in_window(when, published[c], self.options)]
        return event_verdict(mine, cands, [self._weights(c) for c in cands], self.options)

    def _event_candidates(self, keys: list[bytes]) -> list[int]:
        """The `event_candidates` rows sharing the most of the event LSH band `keys` (ties:
        smaller row), as the bulk clustering bounds them; a band shared by chance with many
        articles would otherwise cost a similarity each. Of a bucket bigger than
        `event_max_bucket` only its latest members count (news about one event is recent)."""
        if not keys:
            return []
        hits: Counter[int] = Counter()
        cap = self.options.event_max_bucket
        for table, key in zip(self.event_tables, keys, strict=True):
            members = table.get(key)
            if members:
                hits.update(members[-cap:])
        return rank_event_candidates(hits, self.options)

    def _insert_event(self, row: int, keys: list[bytes]) -> None:
        if not keys:
            return
        for table, key in zip(self.event_tables, keys, strict=True):
            table.setdefault(key, []).append(row)

    def _weights(self, row: int) -> dict[int, float]:
        """The row's `event_similarity_features` heaviest features, normalised, under the
        document frequencies of the first time they were asked for."""
        cached = self.weights.get(row)
        if cached is None:
            hashes, tf, flags = self.features[row]
            h = hashes.tolist()
            df = self.df
            cached = self.weights[row] = doc_weights(
                h, tf.tolist(), flags.tolist(), [df.get(x, 0) for x in h],
                max(len(self.alive), 1), self.options)
        return cached
