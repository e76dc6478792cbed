"""The dedup index: documents in, copy and event cluster ids out; persisted to one local file.

Two answers, on purpose:

- `DedupIndex.add(doc)` answers at once, for a pipeline that must label each item as it is
  scraped. The answer is *provisional*: it depends on what the index held at that moment.
- `DedupIndex.assignments()` clusters everything in the index from scratch, in key order, so it
  is a function of the set of documents only: the same whatever the order they were added in,
  and the same for one crawl over everything as for two crawls on a persisted index.
  A copy cluster's id is the key of its representative (an original rather than a credited
  republication, then the earliest published, then the smallest key). An event's id is its
  representative's key when it is first found, and then stays put as it grows, merges or
  splits (`crawler.dedup.ids`): each full clustering is matched to the ids of the last one, and
  the index keeps a log of merges and splits (`event_log`).
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from crawler.dedup.analyse import Analysed, analyse, analyse_many, concat, take
from crawler.dedup.cluster import copy_clusters, representatives
from crawler.dedup.event_graph import event_clusters
from crawler.dedup.features import FeatureBatch
from crawler.dedup.heap import large_heap
from crawler.dedup.ids import EventIds
from crawler.dedup.incremental import Incremental
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment, Document
from crawler.dedup.store import Ids, IndexMismatchError, LazyIds, MemoryStore, Store
from crawler.files import replace_atomically

if TYPE_CHECKING:
    from crawler.dedup.decisions import Decisions

FORMAT_VERSION = 4
# 2: token hashes from 8-byte words, one tokenisation per article; 3: stems; 4: each feature's
# lead term frequency (`lead_tf`), for the lead vectors


class IndexUnreadable(ValueError):
    """The file is no dedup index written by `DedupIndex.save` (empty, cut off, another
    format); reset it to start a new one."""


@dataclass(frozen=True)
class Corpus:
    """An index's documents as the bulk clustering takes them: `keys` in key order, their
    analysis row by row, and their publication times (POSIX seconds, NaN when unknown)."""

    keys: list[str]
    analysed: Analysed
    published: np.ndarray


class DedupIndex:
    """Copy and event clustering over a growing set of documents. See the module docstring."""

    def __init__(
        self,
        options: DedupOptions | None = None,
        storage_config: Mapping[str, Any] | None = None,
    ) -> None:
        self.storage_config = storage_config
        """Where the one-at-a-time LSH (`add`) lives: None in memory, or
        `crawler.dedup.shared.storage_config(...)` for one index shared by workers on Redis."""
        self.options = options or DedupOptions()
        self._keys: list[str] = []
        self._published: list[float] = []
        self._original: list[bool] = []
        self._parts: list[Analysed] = []
        self._row: dict[str, int] = {}
        self._incremental: Incremental | None = None
        self._event_ids = EventIds()
        self.decisions: Decisions | None = None
        """A reviewer's corrections (`crawler.dedup.decisions`), applied to every clustering of
        `assignments` after the rules have spoken; None: the rules alone."""

    def __len__(self) -> int:
        return len(self._row)

    def __contains__(self, key: object) -> bool:
        return key in self._row

    def add(self, doc: Document, analysed: Analysed | None = None) -> Assignment:
        """Index `doc` and return its provisional assignment (see `assignments` for the final
        one). Adding a key again replaces the earlier document. `analysed`: the document's
        `analyse([doc.title], [doc.body], options)` with this index's options, when it was
        made elsewhere (in an extraction worker)."""
        incremental = self._live_incremental()
        if analysed is None:
            analysed = analyse([doc.title], [doc.body], self.options)
        elif len(analysed) != 1:
            raise ValueError(f"the analysis of one document was expected, got {len(analysed)}")
        self._append([doc], analysed)
        return incremental.add(doc.key, analysed, self._published[-1])

    def prepare(self) -> None:
        """Build the query structures `add` uses now rather than at the first `add` (choosing
        the LSH bands alone takes datasketch some 16 ms), for a pipeline that opens before its
        first article."""
        self._live_incremental()

    def add_many(self, docs: Iterable[Document]) -> None:
        """Index many documents at once (signatures computed in parallel); no answer is given,
        call `assignments` afterwards."""
        batch = list(docs)
        if not batch:
            return
        analysed = analyse_many([d.title for d in batch], [d.body for d in batch], self.options)
        self._append(batch, analysed)
        self._incremental = None

    def assignments(self) -> dict[str, Assignment]:
        """The final clustering of every document in the index, keyed and ordered by key; its
        event ids become the index's current ones (saved with it), which the next clustering
        keeps for the events that carry on."""
        return self._assignments(list(self._row.values()), commit=True)

    def event_log(self) -> list[dict[str, object]]:
        """The merges and splits of events over this index's clusterings, oldest first, as
        plain dicts (`crawler.dedup.ids.EventChange`)."""
        return [change.as_dict() for change in self._event_ids.log]

    def _assignments(self, rows: Sequence[int], commit: bool = False) -> dict[str, Assignment]:
        """The clustering of the documents in `rows` alone, keyed and ordered by key."""
        with large_heap():
            keys, labels_copy, labels_event = self._cluster(rows)
        events: dict[str, list[str]] = {}
        for i, label in enumerate(labels_event.tolist()):
            events.setdefault(keys[label], []).append(keys[i])
        names, changes = self._event_ids.name(events)
        if commit:
            self._event_ids.commit(events, names, changes)
        return {
            keys[i]: Assignment(keys[i], keys[labels_copy[i]], names[keys[labels_event[i]]])
            for i in range(len(keys))
        }

    def _cluster(self, live: Sequence[int]) -> tuple[list[str], np.ndarray, np.ndarray]:
        rows = np.array(sorted(live, key=self._keys.__getitem__), dtype=np.int64)
        keys = [self._keys[r] for r in rows]
        data = take(self._data(), rows)
        published = self._published_array()[rows]
        copy_labels = copy_clusters(data.signatures, data.lengths, self.options)
        event_labels = event_clusters(data.features, copy_labels, published, self.options)
        if self.decisions is not None:
            copy_labels, event_labels = self.decisions.apply(keys, copy_labels, event_labels)
        rank = (
            np.arange(len(rows)),
            np.where(np.isnan(published), np.inf, published),
            ~np.array(self._original, dtype=bool)[rows],
        )
        return keys, representatives(copy_labels, rank), representatives(event_labels, rank)

    def corpus(self) -> Corpus:
        """What the bulk clustering reads, in the order it reads it (by key): for explaining
        its decisions (`crawler.dedup.explain`)."""
        rows = np.array(sorted(self._row.values(), key=self._keys.__getitem__), dtype=np.int64)
        return Corpus([self._keys[r] for r in rows], take(self._data(), rows),
                      self._published_array()[rows])

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index to `path` atomically (`crawler.files.replace_atomically`): a crash
        leaves the old index or the new one, never half of one."""
        arrays = self._arrays()
        with replace_atomically(path) as out:
            np.savez(out, **arrays)  # type: ignore[arg-type]

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        options: DedupOptions | None = None,
        storage_config: Mapping[str, Any] | None = None,
    ) -> DedupIndex:
        """Read an index written by `save`; raises IndexMismatchError when it was built with
        options that give different signatures."""
        index = cls(options, storage_config)
        try:
            with np.load(path, allow_pickle=False) as data:
                stamp = json.loads(bytes(data["stamp"]).decode("utf-8"))
                if stamp != index._stamp():
                    raise IndexMismatchError(
                        f"{path} was built with {stamp}, not {index._stamp()}")
                keys = json.loads(bytes(data["keys"]).decode("utf-8"))
                analysed = Analysed(
                    data["signatures"],
                    data["lengths"],
                    FeatureBatch(data["ptr"], data["hashes"], data["tf"], data["flags"],
                                 data["lead_tf"]),
                )
                published = data["published"].tolist()
                original = data["original"].tolist()
                # An index saved before event ids were kept has none: its next clustering
                # names every event afresh.
                event_ids = EventIds.from_arrays(keys, {name: data[name] for name in data.files
                                                        if name.startswith("event_")})
        except IndexMismatchError:
            raise
        except (OSError, EOFError, KeyError, TypeError, ValueError, zipfile.BadZipFile) as exc:
            # np.load raises any of these on an empty, cut-off or foreign file.
            raise IndexUnreadable(f"{path} is not a readable dedup index ({exc})") from exc
        if len(keys) != len(analysed) or len(published) != len(keys):
            raise IndexUnreadable(f"{path} is not a readable dedup index (its parts disagree)")
        index._keys, index._published, index._original = keys, published, original
        index._parts = [analysed]
        index._row = {key: i for i, key in enumerate(keys)}
        index._event_ids = event_ids
        return index

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        options: DedupOptions | None = None,
        reset: bool = False,
        storage_config: Mapping[str, Any] | None = None,
    ) -> DedupIndex:
        """The index saved at `path`, or a new one when there is none or `reset` is set."""
        if reset or not Path(path).exists():
            return cls(options, storage_config)
        return cls.load(path, options, storage_config)

    def _stamp(self) -> dict[str, object]:
        o = self.options
        pattern = hashlib.sha1(o.drop_line_pattern.encode("utf-8")).hexdigest()[:12]
        return {
            "format": FORMAT_VERSION,
            "signature": list(o.signature_params()),
            "max_features": o.event_max_features,
            "lead_tokens": o.event_lead_tokens,
            "drop_lines": pattern,
        }

    def _arrays(self) -> dict[str, np.ndarray]:
        rows = np.array(sorted(self._row.values()), dtype=np.int64)
        data = take(self._data(), rows)
        keys = [self._keys[r] for r in rows]
        blob = json.dumps(keys, ensure_ascii=False).encode("utf-8")
        stamp = json.dumps(self._stamp()).encode("utf-8")
        return {
            "stamp": np.frombuffer(stamp, dtype=np.uint8),
            "keys": np.frombuffer(blob, dtype=np.uint8),
            "published": self._published_array()[rows],
            "original": np.array(self._original, dtype=bool)[rows],
            "signatures": data.signatures,
            "lengths": data.lengths,
            "ptr": data.features.ptr,
            "hashes": data.features.hashes,
            "tf": data.features.tf,
            "flags": data.features.flags,
            "lead_tf": data.features.lead_tf,
            **self._event_ids.arrays(keys),
        }

    def _append(self, docs: Sequence[Document], analysed: Analysed) -> int:
        """Store `docs` (already analysed); returns the row of the last one."""
        for doc in docs:
            self._row[doc.key] = len(self._keys)
            self._keys.append(doc.key)
            self._published.append(math.nan if doc.published is None else doc.published)
            self._original.append(doc.original)
        self._parts.append(analysed)
        return len(self._keys) - 1

    def add_analysed(self, keys: Sequence[str], published: Sequence[float | None],
                     original: Sequence[bool], analysed: Analysed) -> None:
        """Index documents already analysed (`analysed` row `i` is `keys[i]`), given field by
        field as `crawler.dedup.jsonl` reads them; like `add_many`, no answer is given."""
        if not keys:
            return
        for key, when, first in zip(keys, published, original, strict=True):
            self._row[key] = len(self._keys)
            self._keys.append(key)
            self._published.append(math.nan if when is None else when)
            self._original.append(first)
        self._parts.append(analysed)
        self._incremental = None

    def _data(self) -> Analysed:
        if len(self._parts) != 1:
            self._parts = [concat(self._parts, self.options)]
        return self._parts[0]

    def _published_array(self) -> np.ndarray:
        return np.array(self._published, dtype=float)

    def _live_incremental(self) -> Incremental:
        """The one-at-a-time index `add` uses, built from everything indexed so far. Documents
        of an opened index get their final assignments as provisional ids: in memory they are
        clustered only when a new document first matches one of them (`LazyIds`), so opening
        an index stays cheap; a shared Redis index clusters them here, as it writes them with
        their ids."""
        if self._incremental is None:
            incremental = Incremental(self.options, store_for(self.options, self.storage_config))
            if self._row:
                rows = sorted(self._row.values())  # the order they were added in
                keys = [self._keys[r] for r in rows]

                def resolve() -> dict[str, Ids]:
                    # The index as it was opened, whatever was added since.
                    return {a.key: (a.copy_cluster, a.event_cluster)
                            for a in self._assignments(rows).values()}

                incremental.load(take(self._data(), np.array(rows, dtype=np.int64)), keys,
                                 self._published_array()[rows].tolist(), LazyIds(keys, resolve))
            self._incremental = incremental
        return self._incremental


def store_for(options: DedupOptions, storage_config: Mapping[str, Any] | None) -> Store:
    """The store an LSH storage config names: None or `{"type": "dict"}` keeps the index in
    this process; `{"type": "redis", "basename": b"...", "redis": {...}}` shares it in Redis
    (`crawler.dedup.shared`)."""
    kind = (storage_config or {}).get("type", "dict")
    if kind == "dict":
        return MemoryStore(options)
    if kind == "redis":
        from crawler.dedup.shared import RedisStore  # redis is only needed here

        assert storage_config is not None
        return RedisStore(options, storage_config)
    raise ValueError(f"unknown dedup index storage type {kind!r} (expected 'dict' or 'redis')")
