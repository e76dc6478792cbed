"""Provisional, one-at-a-time assignment for `DedupIndex.add`, on datasketch's MinHashLSH.

Candidates come from two in-memory `MinHashLSH` indexes (copy signatures; MinHash of salient
event features) fed with `LeanMinHash` objects over the stored signatures. Verification uses the
same rules as the bulk clustering, but against the index as it stands, so an answer can differ
from the final `assignments()`; the pipeline rewrites ids at the end of the crawl when it does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

import numpy as np
from datasketch import LeanMinHash, MinHashLSH

from crawler.dedup.analyse import Analysed
from crawler.dedup.features import NAME, NUMBER
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.signatures import bulk_minhash, lean_minhash, lsh_params


class Incremental:
    """Query structures and provisional ids for the documents added so far."""

    def __init__(self, options: DedupOptions) -> None:
        self.options = options
        self.copy_lsh = MinHashLSH(
            num_perm=options.copy_num_perm,
            params=lsh_params(options.copy_lsh_threshold, options.copy_num_perm),
        )
        self.event_lsh = MinHashLSH(
            num_perm=options.event_num_perm, params=(options.event_bands, options.event_rows)
        )
        self.df: Counter[int] = Counter()
        self.ids: dict[int, tuple[str, str]] = {}
        self.keys: Sequence[str] = []
        self.alive: Mapping[str, int] = {}

    def load(self, data: Analysed, ids: Mapping[int, tuple[str, str]], keys: Sequence[str]) -> None:
        """Index the rows of `ids` (row -> (copy id, event id)) from `data`."""
        self.keys = keys
        for row in ids:
            self.df.update(self._features(data, row)[0].tolist())
        with self.copy_lsh.insertion_session() as copies, \
                self.event_lsh.insertion_session() as events:
            for row, pair in ids.items():
                self.ids[row] = pair
                if data.lengths[row] > 0:
                    copies.insert(row, lean_minhash(data.signatures[row], self.options.seed))
                events.insert(row, self._event_minhash(data, row))

    def add(self, row: int, data: Analysed, published: np.ndarray) -> Assignment:
        """Assign the just-stored `row` against the documents indexed before it."""
        key = self.keys[row]
        self.df.update(self._features(data, row)[0].tolist())
        copy_of = self._copy_match(row, data)
        event_of = copy_of if copy_of is not None else self._event_match(row, data, published)
        copy_id = key if copy_of is None else self.ids[copy_of][0]
        event_id = key if event_of is None else self.ids[event_of][1]
        self.ids[row] = (copy_id, event_id)
        if data.lengths[row] > 0:
            self.copy_lsh.insert(row, lean_minhash(data.signatures[row], self.options.seed),
                                 check_duplication=False)
        self.event_lsh.insert(row, self._event_minhash(data, row), check_duplication=False)
        return Assignment(key, copy_id, event_id)

    def _live(self, rows: list[int], exclude: int) -> list[int]:
        """Candidates still current (not replaced by a later add of the same key), key order."""
        live = [r for r in rows if r != exclude and self.alive.get(self.keys[r]) == r]
        return sorted(live, key=self.keys.__getitem__)

    def _copy_match(self, row: int, data: Analysed) -> int | None:
        o = self.options
        if data.lengths[row] == 0:
            return None
        sig = data.signatures[row]
        best: tuple[float, int] | None = None
        for cand in self._live(self.copy_lsh.query(lean_minhash(sig, o.seed)), row):
            j = float(np.mean(sig == data.signatures[cand]))
            la, lb = float(data.lengths[row]), float(data.lengths[cand])
            containment = j * (la + lb) / (1.0 + j) / max(min(la, lb), 1.0)
            copy = j >= o.copy_threshold or (
                containment >= o.copy_containment and j >= o.copy_min_jaccard
            )
            if copy and (best is None or j > best[0]):
                best = (j, cand)
        return None if best is None else best[1]

    def _event_match(self, row: int, data: Analysed, published: np.ndarray) -> int | None:
        o = self.options
        mine = self._weights(data, row)
        if not mine:
            return None
        cands = self._live(self.event_lsh.query(self._event_minhash(data, row)), row)
        if o.event_window_days > 0:
            gap = np.abs(published[cands] - published[row]) if cands else np.zeros(0)
            cands = [c for c, g in zip(cands, gap.tolist(), strict=True)
                     if not g > o.event_window_days * 86400.0]
        sims = [sum(w * mine.get(h, 0.0) for h, w in self._weights(data, c).items())
                for c in cands]
        if not sims:
            return None
        top = sorted(sims, reverse=True)[: o.event_neighbours]
        typical = max(sum(top) / o.event_neighbours, o.event_scale_floor)
        best = max(range(len(sims)), key=lambda i: (sims[i], -i))
        return cands[best] if sims[best] / typical >= o.event_threshold else None

    def _features(self, data: Analysed, row: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        f = data.features
        lo, hi = f.ptr[row], f.ptr[row + 1]
        return f.hashes[lo:hi], f.tf[lo:hi], f.flags[lo:hi]

    def _weights(self, data: Analysed, row: int) -> dict[int, float]:
        """Normalised feature weights under the current document frequencies."""
        o = self.options
        n = max(len(self.alive), 1)
        hashes, tf, flags = self._features(data, row)
        out: dict[int, float] = {}
        for h, t, fl in zip(hashes.tolist(), tf.tolist(), flags.tolist(), strict=True):
            df = self.df.get(h, 0)
            if df < o.event_min_df:
                continue
            kind = max(o.event_name_weight, 1.0) if fl & NAME else (
                o.event_number_weight if fl & NUMBER else 1.0)
            out[h] = t ** o.event_tf_power * np.log((n + 1) / df) ** o.event_idf_power * kind
        norm = float(np.sqrt(sum(w * w for w in out.values()))) or 1.0
        return {h: w / norm for h, w in out.items()}

    def _event_minhash(self, data: Analysed, row: int) -> LeanMinHash:
        weights = self._weights(data, row)
        top = sorted(weights, key=lambda h: (-weights[h], h))[: self.options.event_salient]
        hashes = np.array(sorted(top), dtype=np.uint32)
        sig = bulk_minhash(hashes, np.zeros(len(hashes), dtype=np.int64), 1,
                           self.options.event_num_perm, self.options.seed + 1)
        return lean_minhash(sig[0], self.options.seed + 1)
