"""Where the one-at-a-time index (`crawler.dedup.incremental`) keeps what it knows of each
article: the `Store` protocol, its records, and `MemoryStore`, the store in this process.

The algorithm is one; where the index lives is the store, picked by the LSH storage config as
datasketch picks its own (`{"type": "dict"}` here, `{"type": "redis", …}` for one index that
every worker of a distributed crawl shares: `crawler.dedup.shared.RedisStore`). A store
answers in steps, so that a remote one sends each step as one round trip: `lookup` (copy
candidates, document frequencies), `candidates` (the copy candidates' records and the event
candidates), `records`, `context` (counts the event verdict needs), then `write`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from crawler.dedup.options import DedupOptions
from crawler.dedup.signatures import lean_minhash, lsh_params

if TYPE_CHECKING:
    from datasketch import LeanMinHash

Ids = tuple[str, str]
"""(copy cluster id, event cluster id)."""


class IndexMismatchError(ValueError):
    """An index (a saved file, or the shared one on Redis) was built with options or a record
    format that change what it holds; reset it to rebuild. Defined with the stores, which both
    the saved index and the shared one raise it from."""


@dataclass(frozen=True)
class Features:
    """One article's event features (`crawler.dedup.features`), in hash order."""

    hashes: np.ndarray
    tf: np.ndarray
    flags: np.ndarray
    lead_tf: np.ndarray

    def lead(self) -> np.ndarray:
        """The hashes of the features said in the lead."""
        return self.hashes[self.lead_tf > 0]


@dataclass(frozen=True)
class Record:
    """What the index keeps of one article to judge later ones against it."""

    signature: np.ndarray
    """Copy-level MinHash, `copy_num_perm` uint32."""
    length: int
    """Shingle count (0: no text to compare)."""
    published: float
    """Publication time as POSIX seconds, NaN when unknown."""
    features: Features
    vector: np.ndarray
    """Event vector, uint64 `hash << 32 | float32 weight` in hash order, as
    `crawler.dedup.vectors.unit_vectors` packs a row, without its padding."""
    lead_vector: np.ndarray
    """Its lead vector, packed as `vector` (empty when `event_lead_weight` is 0)."""
    vector_units: int
    """Copy clusters in the index when `vector` was weighed (it is weighed again when the
    index has grown enough since, `crawler.dedup.incremental`)."""
    ids: Ids | None
    """Its (copy id, event id); None for an article of an opened index whose ids are only
    worked out when needed (`Store.ids`)."""
    postings: np.ndarray | None
    """The features it is posted under, for the first article of a copy cluster (it counts in
    the document frequencies and the copy-cluster count); None for a copy."""


@dataclass(frozen=True)
class Lookup:
    """The first step of an add: what the index holds that the article's verdicts need."""

    copy_candidates: list[str]
    """Keys sharing a copy LSH band with the article (itself excluded), in key order."""
    df: np.ndarray
    """Copy clusters holding each of the article's features (in the order asked)."""
    lead_df: np.ndarray
    """Copy clusters whose lead holds each of the article's features (in the order asked)."""
    units: int
    """Copy clusters in the index."""
    order: int
    """The article's place in the order of adds: among equals, earlier articles rank first."""
    previous: Record | None
    """The record an add of the same key left, which this one replaces."""


@dataclass(frozen=True)
class Found:
    """The second step: the copy candidates' records, and the event candidates."""

    records: dict[str, Record]
    event: list[tuple[str, int, int]]
    """`(key, shared features, order)` of the articles posted under the features asked for
    (only the latest `event_max_bucket` of each feature count)."""


@dataclass(frozen=True)
class Context:
    """Counts for the event verdict (each missing key counts 0)."""

    df: dict[int, int]
    """Copy clusters holding each feature asked for."""
    lead_df: dict[int, int]
    """Copy clusters whose lead holds each feature asked for."""
    copies: dict[str, int]
    """Articles per copy cluster id asked for."""
    members: dict[str, int]
    """Articles per event cluster id asked for."""


class Store(Protocol):
    """The storage of an incremental index; see the module docstring."""

    def lookup(self, key: str, minhash: LeanMinHash | None, hashes: np.ndarray) -> Lookup: ...

    def candidates(self, key: str, copy_keys: Sequence[str], features: np.ndarray) -> Found: ...

    def records(self, keys: Sequence[str]) -> dict[str, Record]: ...

    def ids(self, key: str, record: Record) -> Ids: ...

    def context(self, hashes: np.ndarray, copy_ids: Sequence[str],
                event_ids: Sequence[str]) -> Context: ...

    def write(self, key: str, record: Record, minhash: LeanMinHash | None, order: int,
              previous: Record | None, reweighed: Mapping[str, Record]) -> None:
        """Store `record` under `key`, in place of `previous` (whose contributions to the
        counts and postings go), and the candidates' records whose vectors were weighed
        again."""

    def load(self, loaded: Loaded) -> None: ...


@dataclass(frozen=True)
class Loaded:
    """The articles of an opened index, prepared in bulk for a store (`Incremental.load`)."""

    keys: Sequence[str]
    records: Sequence[Record]
    """One per key, `ids` None: `ids` gives them."""
    ids: Mapping[str, Ids]
    """Key -> ids, a `LazyIds` when they are worked out only when first needed."""
    df: Mapping[int, int]
    """Feature hash -> copy clusters holding it."""
    lead_df: Mapping[int, int]
    """Feature hash -> copy clusters whose lead holds it."""
    units: int
    """Copy clusters."""


class LazyIds(Mapping[str, Ids]):
    """Key -> (copy id, event id) for the articles of an opened index, resolved by `resolve` (a
    full clustering) the first time one is looked up, not when the index is opened."""

    def __init__(self, keys: Sequence[str], resolve: Callable[[], Mapping[str, Ids]]) -> None:
        self._keys = keys
        self._resolve = resolve
        self._ids: Mapping[str, Ids] | None = None

    def __getitem__(self, key: str) -> Ids:
        if self._ids is None:
            self._ids = self._resolve()
        return self._ids[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)

    @property
    def resolved(self) -> bool:
        return self._ids is not None


def copy_lsh_params(options: DedupOptions) -> tuple[int, int]:
    """Bands and rows of the copy-level LSH, as every store bands it."""
    return lsh_params(options.copy_lsh_threshold, options.copy_num_perm)


def cluster_sizes(ids: Mapping[str, Ids]) -> tuple[Counter[str], Counter[str]]:
    """Articles per copy cluster and per event cluster."""
    copies: Counter[str] = Counter()
    members: Counter[str] = Counter()
    for copy_id, event_id in ids.values():
        copies[copy_id] += 1
        members[event_id] += 1
    return copies, members


class MemoryStore:
    """The store in this process: a datasketch `MinHashLSH` over the copy signatures (fed with
    `LeanMinHash` objects over the stored ones), and posting lists per event feature in plain
    dicts, to count shared features per candidate."""

    def __init__(self, options: DedupOptions) -> None:
        from datasketch import MinHashLSH  # with scipy: not for the extraction workers

        self.options = options
        self.copy_lsh = MinHashLSH(num_perm=options.copy_num_perm,
                                   params=copy_lsh_params(options))
        self.postings: dict[int, list[str]] = {}
        self.order: dict[str, int] = {}
        self.stored: dict[str, Record] = {}
        self.loaded_ids: Mapping[str, Ids] = {}
        self.loaded_counted = True
        self.df: Counter[int] = Counter()
        self.lead_df: Counter[int] = Counter()
        self.units = 0
        self.copies: Counter[str] = Counter()
        self.members: Counter[str] = Counter()

    def lookup(self, key: str, minhash: LeanMinHash | None, hashes: np.ndarray) -> Lookup:
        copies = [] if minhash is None else sorted(k for k in self.copy_lsh.query(minhash)
                                                   if k != key)
        wanted = hashes.tolist()
        df, lead_df = self.df, self.lead_df
        return Lookup(copies, np.array([df.get(h, 0) for h in wanted], dtype=np.int64),
                      np.array([lead_df.get(h, 0) for h in wanted], dtype=np.int64),
                      self.units, len(self.order), self.stored.get(key))

    def candidates(self, key: str, copy_keys: Sequence[str], features: np.ndarray) -> Found:
        cap = self.options.event_max_bucket
        hits: Counter[str] = Counter()
        for h in features.tolist():
            members = self.postings.get(h)
            if members:
                # The latest others: a record this add replaces takes no place among them.
                latest = members[-cap - 1 :]
                hits.update((m for m in latest if m != key) if key in latest else latest[-cap:])
        hits.pop(key, None)
        order = self.order
        return Found(self.records(copy_keys), [(k, n, order[k]) for k, n in hits.items()])

    def records(self, keys: Sequence[str]) -> dict[str, Record]:
        stored = self.stored
        return {k: stored[k] for k in keys if k in stored}

    def ids(self, key: str, record: Record) -> Ids:
        return record.ids if record.ids is not None else self.loaded_ids[key]

    def context(self, hashes: np.ndarray, copy_ids: Sequence[str],
                event_ids: Sequence[str]) -> Context:
        self._count_loaded()
        wanted = hashes.tolist()
        df, lead_df = self.df, self.lead_df
        return Context({h: df.get(h, 0) for h in wanted}, {h: lead_df.get(h, 0) for h in wanted},
                       {c: self.copies.get(c, 0) for c in copy_ids},
                       {e: self.members.get(e, 0) for e in event_ids})

    def write(self, key: str, record: Record, minhash: LeanMinHash | None, order: int,
              previous: Record | None, reweighed: Mapping[str, Record]) -> None:
        if previous is not None:
            self._forget(key, previous)
        assert record.ids is not None  # an add knows its ids
        self.stored[key] = record
        self.stored.update(reweighed)
        self.order[key] = order
        if minhash is not None:
            self.copy_lsh.insert(key, minhash, check_duplication=False)
        self._count(key, record, record.ids, 1)

    def load(self, loaded: Loaded) -> None:
        self.loaded_ids = loaded.ids
        self.loaded_counted = not loaded.keys
        self.df.update(loaded.df)
        self.lead_df.update(loaded.lead_df)
        self.units += loaded.units
        seed = self.options.seed
        with self.copy_lsh.insertion_session() as copies:
            for key, record in zip(loaded.keys, loaded.records, strict=True):
                self.order[key] = len(self.order)
                self.stored[key] = record
                if record.length > 0:
                    copies.insert(key, lean_minhash(record.signature, seed))
                for h in (record.postings if record.postings is not None else ()):
                    self.postings.setdefault(int(h), []).append(key)

    def _count(self, key: str, record: Record, ids: Ids, step: int) -> None:
        """Add (`step` 1) or take away (-1) what `record` counts for."""
        self.copies[ids[0]] += step
        self.members[ids[1]] += step
        if record.postings is None:
            return
        self.units += step
        for h in record.features.hashes.tolist():
            self.df[h] += step
        for h in record.features.lead().tolist():
            self.lead_df[h] += step
        for h in record.postings.tolist():
            if step > 0:
                self.postings.setdefault(h, []).append(key)
            else:
                self.postings[h].remove(key)

    def _forget(self, key: str, previous: Record) -> None:
        if key in self.copy_lsh:
            self.copy_lsh.remove(key)
        self._count_loaded()
        self._count(key, previous, self.ids(key, previous), -1)

    def _count_loaded(self) -> None:
        """Count the cluster sizes of the opened index, whose ids are worked out here
        (`LazyIds`) when first needed."""
        if not self.loaded_counted:
            copies, members = cluster_sizes(self.loaded_ids)
            self.copies.update(copies)
            self.members.update(members)
            self.loaded_counted = True
