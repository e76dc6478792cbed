"""Provisional, one-at-a-time assignment for `DedupIndex.add`.

Candidates come from an in-memory datasketch `MinHashLSH` over the copy signatures (fed with
`LeanMinHash` objects over the stored signatures) and from band tables over the MinHash of each
article's salient event features. Verification uses the
same rules as the bulk clustering, but against the index as it stands, so an answer can differ
from the final `assignments()`; the pipeline rewrites ids at the end of the crawl when it does.

Cost per `add` is kept to about a millisecond: each article's data is held per row (no
concatenation of the whole index per call), and a candidate's normalised weights are computed
once, with the document frequencies of that moment, then reused. That drift only affects the
provisional answer; `assignments()` recomputes everything.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from datasketch import MinHashLSH

from crawler.dedup.analyse import Analysed
from crawler.dedup.cluster import feature_ranks, feature_weights
from crawler.dedup.features import NAME, NUMBER
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.signatures import bulk_minhash, lean_minhash, lsh_params

_Features = tuple[np.ndarray, np.ndarray, np.ndarray]


class Incremental:
    """Query structures and provisional ids for the documents added so far."""

    def __init__(self, options: DedupOptions) -> None:
        self.options = options
        self.copy_lsh = MinHashLSH(
            num_perm=options.copy_num_perm,
            params=lsh_params(options.copy_lsh_threshold, options.copy_num_perm),
        )
        # Event bands in plain dicts rather than a MinHashLSH, to count shared bands per
        # candidate and keep the best ones.
        self.event_tables: list[dict[bytes, list[int]]] = [{} for _ in range(options.event_bands)]
        self.df: Counter[int] = Counter()
        self.ids: dict[int, tuple[str, str]] = {}
        self.keys: Sequence[str] = []
        self.alive: Mapping[str, int] = {}
        self.signature: dict[int, np.ndarray] = {}
        self.length: dict[int, int] = {}
        self.features: dict[int, _Features] = {}
        self.weights: dict[int, dict[int, float]] = {}

    def load(self, data: Analysed, ids: Mapping[int, tuple[str, str]], keys: Sequence[str]) -> None:
        """Index the rows of `ids` (row -> (copy id, event id)) from `data`, in bulk."""
        self.keys = keys
        rows = np.fromiter(ids, dtype=np.int64, count=len(ids))
        for row in rows.tolist():
            self._store(row, data.signatures[row], int(data.lengths[row]),
                        self._slice(data, row))
        hashes = np.concatenate([self.features[r][0] for r in rows.tolist()]) if len(rows) \
            else np.zeros(0, dtype=np.uint32)
        unique, count = np.unique(hashes, return_counts=True)
        self.df.update(dict(zip(unique.tolist(), count.tolist(), strict=True)))
        # The event MinHash of every row at once, as the bulk clustering makes it.
        weights = feature_weights(data.features, self.options)
        chosen, _ = feature_ranks(weights, self.options.event_salient)
        row_of = weights.row()[chosen]
        sigs = bulk_minhash(weights.hashes[chosen], row_of, len(data), self.options.event_num_perm,
                            self.options.seed + 1)
        has_features = np.zeros(len(data), dtype=bool)
        has_features[row_of] = True
        with self.copy_lsh.insertion_session() as copies:
            for row in rows.tolist():
                self.ids[row] = ids[row]
                if data.lengths[row] > 0:
                    copies.insert(row, lean_minhash(data.signatures[row], self.options.seed))
                if has_features[row]:
                    self._insert_event(row, self._band_keys(sigs[row]))

    def add(self, row: int, data: Analysed, published: Sequence[float]) -> Assignment:
        """Assign `row`, whose analysis is the single-article `data`, against the documents
        indexed before it."""
        key = self.keys[row]
        self._store(row, data.signatures[0], int(data.lengths[0]), self._slice(data, 0))
        self.df.update(self.features[row][0].tolist())
        copy_of = self._copy_match(row)
        event_of = copy_of if copy_of is not None else self._event_match(row, published)
        copy_id = key if copy_of is None else self.ids[copy_of][0]
        event_id = key if event_of is None else self.ids[event_of][1]
        self.ids[row] = (copy_id, event_id)
        if self.length[row] > 0:
            self.copy_lsh.insert(row, lean_minhash(self.signature[row], self.options.seed),
                                 check_duplication=False)
        self._insert_event(row, self._event_keys(row))
        return Assignment(key, copy_id, event_id)

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

    def _live(self, rows: list[int], exclude: int) -> list[int]:
        """Candidates still current (not replaced by a later add of the same key), key order."""
        live = [r for r in rows if r != exclude and self.alive.get(self.keys[r]) == r]
        return sorted(live, key=self.keys.__getitem__)

    def _copy_match(self, row: int) -> int | None:
        o = self.options
        if self.length[row] == 0:
            return None
        sig = self.signature[row]
        best: tuple[float, int] | None = None
        for cand in self._live(self.copy_lsh.query(lean_minhash(sig, o.seed)), row):
            j = float(np.mean(sig == self.signature[cand]))
            la, lb = float(self.length[row]), float(self.length[cand])
            containment = j * (la + lb) / (1.0 + j) / max(min(la, lb), 1.0)
            copy = j >= o.copy_threshold or (
                containment >= o.copy_containment and j >= o.copy_min_jaccard
            )
            if copy and (best is None or j > best[0]):
                best = (j, cand)
        return None if best is None else best[1]

    def _event_match(self, row: int, published: Sequence[float]) -> int | None:
        o = self.options
        mine = self._weights(row)
        if not mine:
            return None
        cands = self._live(self._event_candidates(row), row)
        if o.event_window_days > 0:
            limit = o.event_window_days * 86400.0
            cands = [c for c in cands if not abs(published[c] - published[row]) > limit]
        sims = []
        for c in cands:
            theirs = self._weights(c)
            # The shared features by a set intersection in C: few, against 64 lookups each.
            sims.append(sum(mine[h] * theirs[h] for h in mine.keys() & theirs.keys()))
        if not sims:
            return None
        top = sorted(sims, reverse=True)[: o.event_neighbours]
        typical = max(sum(top) / o.event_neighbours, o.event_scale_floor)
        best = max(range(len(sims)), key=lambda i: (sims[i], -i))
        if sims[best] < o.event_min_similarity:
            return None
        return cands[best] if sims[best] / typical >= o.event_threshold else None

    def _event_candidates(self, row: int) -> list[int]:
        """The `event_candidates` rows sharing the most event LSH bands with `row` (ties:
        smaller row), as the bulk clustering bounds them; a band shared by chance with many
        articles would otherwise cost a similarity each. Of a bucket bigger than
        `event_max_bucket` only its latest members count (news about one event is recent)."""
        keys = self._event_keys(row)
        if not keys:
            return []
        hits: Counter[int] = Counter()
        cap = self.options.event_max_bucket
        for table, key in zip(self.event_tables, keys, strict=True):
            members = table.get(key)
            if members:
                hits.update(members[-cap:])
        ranked = sorted(hits.items(), key=lambda item: (-item[1], item[0]))
        return [r for r, _ in ranked[: self.options.event_candidates]]

    def _insert_event(self, row: int, keys: list[bytes]) -> None:
        if not keys:
            return
        for table, key in zip(self.event_tables, keys, strict=True):
            table.setdefault(key, []).append(row)

    def _event_keys(self, row: int) -> list[bytes]:
        weights = self._weights(row)
        top = sorted(weights, key=lambda h: (-weights[h], h))[: self.options.event_salient]
        hashes = np.array(sorted(top), dtype=np.uint32)
        sig = bulk_minhash(hashes, np.zeros(len(hashes), dtype=np.int64), 1,
                           self.options.event_num_perm, self.options.seed + 1)
        return self._band_keys(sig[0]) if len(hashes) else []

    def _band_keys(self, signature: np.ndarray) -> list[bytes]:
        r = self.options.event_rows
        raw = signature[: self.options.event_bands * r].tobytes()
        step = 4 * r
        return [raw[i : i + step] for i in range(0, len(raw), step)]

    def _weights(self, row: int) -> dict[int, float]:
        """The row's `event_similarity_features` heaviest features, normalised, under the
        document frequencies of the first time they were asked for."""
        cached = self.weights.get(row)
        if cached is not None:
            return cached
        o = self.options
        n = max(len(self.alive), 1)
        hashes, tf, flags = self.features[row]
        out: dict[int, float] = {}
        for h, t, fl in zip(hashes.tolist(), tf.tolist(), flags.tolist(), strict=True):
            df = self.df.get(h, 0)
            if df < o.event_min_df:
                continue
            kind = max(o.event_name_weight, 1.0) if fl & NAME else (
                o.event_number_weight if fl & NUMBER else 1.0)
            out[h] = t ** o.event_tf_power * float(np.log((n + 1) / df)) ** o.event_idf_power \
                * kind
        top = sorted(out, key=lambda h: (-out[h], h))[: o.event_similarity_features]
        norm = float(np.sqrt(sum(out[h] * out[h] for h in top))) or 1.0
        result = {h: out[h] / norm for h in top}
        self.weights[row] = result
        return result
