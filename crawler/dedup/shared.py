"""The dedup index shared in Redis: every worker of a distributed crawl adds to and queries one
index, so provisional ids are computed against all workers' articles.

Storage config (datasketch's, plus a fixed `basename` per index)::

    {"type": "redis", "basename": b"<job>:dedup", "redis": {"host": ..., "port": ...}}

(`storage_config(url, job)` makes it from a Redis URL; `index_basename(job)` is the basename).
Keys under the basename:

- `<basename>:copy…`: the copy-level datasketch `MinHashLSH` (its own layout: `_keys`, and one
  `_bucket_<band>` hash and set per bucket; keys pickled, `prepickle`);
- `<basename>:event:<band><band key>`: sorted set of article keys whose event MinHash has that
  band, scored by the order they were added (`<basename>:seq`);
- `<basename>:docs`: hash article key -> what verifying a candidate needs (copy signature,
  shingle count, publication time (NaN for the documents of an opened index, see `load`),
  normalised event weights, provisional ids);
- `<basename>:df`: hash feature hash -> document frequency.

One `add` is three or four round trips of one pipeline each (copy buckets, document frequencies
and a sequence number; candidate records and event buckets; event candidates' records when no
copy was found; then every write), about a dozen commands in all: a copy query is one `SUNION`
and each multi-key write one server-side script, instead of datasketch's one round trip per
command (about 76 per insert and 37 per query at the default 37 bands). The decisions are those of
`crawler.dedup.incremental`, so adds in the same order to an empty index give the same ids as
the in-process index (an opened index differs: see `crawler.dedup.incremental`). Two workers
adding at the same instant may not see each other's article: that only affects the provisional
ids, which the merge step replaces.
"""

from __future__ import annotations

import math
import pickle
import struct
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import redis
from datasketch import LeanMinHash, MinHashLSH

from crawler.dedup.analyse import Analysed
from crawler.dedup.incremental import (
    Ids,
    Incremental,
    band_keys,
    copy_lsh_params,
    copy_verdict,
    doc_weights,
    event_band_keys,
    event_verdict,
    in_window,
)
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.signatures import lean_minhash

_HEADER = struct.Struct("<diHHH")  # published, length, weights, copy id bytes, event id bytes


class SharedIndexUnavailable(ConnectionError):
    """The Redis server holding the shared dedup index cannot be reached."""


SHARED_INDEX_LOST = (SharedIndexUnavailable, redis.ConnectionError, redis.TimeoutError)
"""What an `add` on a shared index raises when its Redis is gone (callers stop or drop cleanly
rather than show a traceback)."""


def index_basename(job: str) -> bytes:
    """The basename (Redis key prefix) of job `job`'s shared dedup index."""
    return f"{job}:dedup".encode()


def storage_config(url: str, job: str, **params: Any) -> dict[str, Any]:
    """The LSH storage config of job `job`'s shared index on the Redis at `url`."""
    redis_params = redis.connection.parse_url(url)
    redis_params.setdefault("socket_connect_timeout", 5)
    redis_params.setdefault("socket_timeout", 10)
    return {"type": "redis", "basename": index_basename(job),
            "redis": {**redis_params, **params}}


def delete_index(client: redis.Redis, basename: bytes) -> int:
    """Delete every key of the shared index `basename`; returns how many there were."""
    keys = list(client.scan_iter(match=basename.replace(b"*", b"\\*") + b"*", count=1000))
    for lo in range(0, len(keys), 1000):
        client.delete(*keys[lo : lo + 1000])
    return len(keys)


@dataclass(frozen=True)
class Record:
    """What the shared index keeps of one article."""

    signature: np.ndarray
    length: int
    published: float
    weights: dict[int, float]
    ids: Ids

    def pack(self) -> bytes:
        copy_id, event_id = (i.encode("utf-8") for i in self.ids)
        hashes = np.fromiter(self.weights.keys(), dtype=np.uint32, count=len(self.weights))
        values = np.fromiter(self.weights.values(), dtype=np.float64, count=len(self.weights))
        return b"".join((
            _HEADER.pack(self.published, self.length, len(hashes), len(copy_id), len(event_id)),
            self.signature.astype(np.uint32, copy=False).tobytes(), hashes.tobytes(),
            values.tobytes(), copy_id, event_id,
        ))

    @classmethod
    def unpack(cls, raw: bytes, num_perm: int) -> Record:
        published, length, k, nc, ne = _HEADER.unpack_from(raw)
        at = _HEADER.size
        signature = np.frombuffer(raw, dtype=np.uint32, count=num_perm, offset=at)
        at += 4 * num_perm
        hashes = np.frombuffer(raw, dtype=np.uint32, count=k, offset=at).tolist()
        at += 4 * k
        values = np.frombuffer(raw, dtype=np.float64, count=k, offset=at).tolist()
        at += 8 * k
        copy_id = raw[at : at + nc].decode("utf-8")
        event_id = raw[at + nc : at + nc + ne].decode("utf-8")
        return cls(signature, length, published, dict(zip(hashes, values, strict=True)),
                   (copy_id, event_id))


# datasketch's Redis layout for one insert (`MinHashLSH._insert`: the key's list of band
# hashes, then each band's bucket set), written by the server in one command for many keys.
# KEYS: the `_keys` storage name, then the b bucket storage names; ARGV: b, then per key its
# pickled key and its b band hashes.
_INSERT = """
local b = tonumber(ARGV[1])
local i = 2
while i <= #ARGV do
  local key = ARGV[i]
  local list = KEYS[1] .. key
  redis.call('HSET', KEYS[1], key, list)
  redis.call('DEL', list)
  -- one RPUSH of every band hash: a command per band cost a third of the script's time
  redis.call('RPUSH', list, unpack(ARGV, i + 1, i + b))
  for j = 1, b do
    local h = ARGV[i + j]
    local bucket = KEYS[j + 1] .. h
    redis.call('HSET', KEYS[j + 1], h, bucket)
    redis.call('SADD', bucket, key)
  end
  i = i + b + 1
end
return 1
"""
# KEYS: sorted sets; ARGV: score, member -> `ZADD` the member with that score to each set.
_ZADD_ALL = "for _, k in ipairs(KEYS) do redis.call('ZADD', k, ARGV[1], ARGV[2]) end return 1"
# KEYS: an article's event band sorted sets; ARGV: bucket cap, candidates kept. Replies the
# members (names only, at most `keep`) among the last `cap` of each set, most shared bands
# first (ties: lower score, added earlier): `Incremental._event_candidates` on the server, one
# small reply.
_EVENT_CANDIDATES = """
local cap, keep = -tonumber(ARGV[1]), tonumber(ARGV[2])
local hits, order, names = {}, {}, {}
for _, k in ipairs(KEYS) do
  local got = redis.call('ZRANGE', k, cap, -1, 'WITHSCORES')
  for i = 1, #got, 2 do
    local m = got[i]
    if hits[m] == nil then
      hits[m] = 0
      order[m] = tonumber(got[i + 1])
      names[#names + 1] = m
    end
    hits[m] = hits[m] + 1
  end
end
table.sort(names, function(x, y)
  if hits[x] ~= hits[y] then return hits[x] > hits[y] end
  return order[x] < order[y]
end)
local out = {}
for i = 1, math.min(keep, #names) do out[i] = names[i] end
return out
"""
_HINCR_ALL = "for _, f in ipairs(ARGV) do redis.call('HINCRBY', KEYS[1], f, 1) end return 1"


class RedisLSH:
    """A datasketch `MinHashLSH` on Redis (its storage config and key layout, so datasketch's
    own `query` reads it), fed and queried in few commands: an insert of any number of keys is
    one server-side script, a query one `SUNION` over its bands' buckets, both pipelined.
    Datasketch itself sends one command per round trip (about 76 per insert and 37 per query
    at the default 37 bands), and its `insertion_session` still one round trip per band
    table."""

    def __init__(self, client: redis.Redis, config: Mapping[str, Any], num_perm: int,
                 params: tuple[int, int]) -> None:
        self.client = client
        self.lsh = MinHashLSH(num_perm=num_perm, params=params, storage_config=dict(config))
        self.tables = self.lsh.hashtables
        self.names = [self.lsh.keys._name] + [t._name for t in self.tables]
        self._insert = client.register_script(_INSERT)

    def band_hashes(self, minhash: LeanMinHash) -> list[bytes]:
        hv = minhash.hashvalues
        return [self.lsh._H(hv[s:e]) for s, e in self.lsh.hashranges]

    def queue_query(self, pipe: Any, minhash: LeanMinHash) -> None:
        """Queue one query on `pipe`: its result is a set of pickled keys (`collect`)."""
        pipe.sunion([name + h for name, h in
                     zip(self.names[1:], self.band_hashes(minhash), strict=True)])

    @staticmethod
    def collect(found: set[bytes]) -> set[Any]:
        return {pickle.loads(k) for k in found}

    def queue_insert(self, pipe: Any, items: Iterable[tuple[Any, LeanMinHash]]) -> None:
        """Queue the insert (or replacement) of `items` on `pipe`, as one command."""
        args: list[Any] = [len(self.tables)]
        for key, minhash in items:
            args.append(pickle.dumps(key))
            args.extend(self.band_hashes(minhash))
        if len(args) > 1:
            self._insert(keys=self.names, args=args, client=pipe)

    def insert_many(self, items: Iterable[tuple[Any, LeanMinHash]], batch: int = 500) -> None:
        pipe = self.client.pipeline(transaction=False)
        chunk: list[tuple[Any, LeanMinHash]] = []
        for item in items:
            chunk.append(item)
            if len(chunk) == batch:
                self.queue_insert(pipe, chunk)
                chunk = []
        self.queue_insert(pipe, chunk)
        pipe.execute()

    def query_many(self, minhashes: Sequence[LeanMinHash]) -> list[set[Any]]:
        pipe = self.client.pipeline(transaction=False)
        for minhash in minhashes:
            self.queue_query(pipe, minhash)
        return [self.collect(found) for found in pipe.execute()]


class SharedIncremental(Incremental):
    """`Incremental` on a Redis index shared by every worker (see the module docstring)."""

    def __init__(self, options: DedupOptions, config: Mapping[str, Any]) -> None:
        super().__init__(options)
        basename = config.get("basename")
        if not isinstance(basename, bytes) or not basename:
            raise ValueError("a shared dedup index needs a fixed bytes 'basename' (b'<job>:dedup')")
        params = dict(config.get("redis", {}))
        self.client = redis.Redis(**params)
        where = f"{params.get('host', 'localhost')}:{params.get('port', 6379)}"
        try:
            self.client.ping()
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise SharedIndexUnavailable(
                f"Cannot reach Redis at {where} for the shared dedup index "
                f"{basename.decode(errors='replace')!r} ({exc}). Start the server or fix the "
                f"Redis URL."
            ) from exc
        self.basename = basename
        self.copies = RedisLSH(self.client, {**config, "basename": basename + b":copy"},
                               options.copy_num_perm, copy_lsh_params(options))
        self.docs = basename + b":docs"
        self.df_key = basename + b":df"
        self.seq = basename + b":seq"
        self.event_prefix = basename + b":event:"
        self._zadd_all = self.client.register_script(_ZADD_ALL)
        self._candidates_script = self.client.register_script(_EVENT_CANDIDATES)
        self._hincr_all = self.client.register_script(_HINCR_ALL)

    def event_key(self, band: int, key: bytes) -> bytes:
        return self.event_prefix + band.to_bytes(2, "big") + key

    # --- bulk ------------------------------------------------------------------------------

    def load(self, data: Analysed, ids: Mapping[int, Ids], keys: Sequence[str]) -> None:
        """Add the rows of `ids` from `data` to the shared index, in one pipeline. Their ids are
        resolved now (a `LazyIds` clusters here), as they are written with the documents, and
        they are stored without a date (`published` NaN), so the event date window never
        excludes them."""
        o = self.options
        self.keys = keys
        rows = list(ids)
        if not rows:
            return
        f = data.features
        counts: Counter[int] = Counter()
        for row in rows:
            counts.update(f.hashes[f.ptr[row] : f.ptr[row + 1]].tolist())
        fields = list(counts)
        pipe = self.client.pipeline(transaction=False)
        for h in fields:
            pipe.hincrby(self.df_key, _field(h), counts[h])
        pipe.incrby(self.seq, len(rows))
        pipe.hlen(self.docs)
        *dfs, last, before = pipe.execute()
        df = dict(zip(fields, dfs, strict=True))
        n = max(int(before) + len(rows), 1)
        sigs, has_features = self.bulk_event_signatures(data, o)
        pipe = self.client.pipeline(transaction=False)
        for seq, row in enumerate(rows, start=int(last) - len(rows) + 1):
            key = keys[row]
            lo, hi = f.ptr[row], f.ptr[row + 1]
            hashes = f.hashes[lo:hi].tolist()
            weights = doc_weights(hashes, f.tf[lo:hi].tolist(), f.flags[lo:hi].tolist(),
                                  [df[h] for h in hashes], n, o)
            record = Record(data.signatures[row], int(data.lengths[row]), math.nan, weights,
                            ids[row])
            self._queue_write(pipe, key, record, band_keys(sigs[row], o) if has_features[row]
                              else [], seq)
        pipe.execute()

    # --- one at a time ---------------------------------------------------------------------

    def add(self, row: int, data: Analysed, published: Sequence[float]) -> Assignment:
        o = self.options
        key = self.keys[row]
        kb = key.encode("utf-8")
        signature, length = data.signatures[0], int(data.lengths[0])
        hashes, tf, flags = self._slice(data, 0)
        h = hashes.tolist()
        minhash = lean_minhash(signature, o.seed) if length > 0 else None
        # 1: copy buckets, document frequencies, index size, sequence number.
        pipe = self.client.pipeline(transaction=False)
        nb = 0
        if minhash is not None:
            self.copies.queue_query(pipe, minhash)
            nb = 1
        if h:
            pipe.hmget(self.df_key, [_field(x) for x in h])
        pipe.hexists(self.docs, kb)
        pipe.hlen(self.docs)
        pipe.incr(self.seq)
        first = self._execute(pipe)
        copy_cands = sorted(self.copies.collect(first[0]) - {key}) if nb else []
        dfs = [int(d or 0) + 1 for d in first[nb]] if h else []
        exists, size, seq = first[-3:]
        n = max(int(size) + (0 if exists else 1), 1)
        mine = doc_weights(h, tf.tolist(), flags.tolist(), dfs, n, o)
        event_keys = event_band_keys(mine, o)
        # 2: the copy candidates' records and the event buckets.
        pipe = self.client.pipeline(transaction=False)
        if copy_cands:
            pipe.hmget(self.docs, [c.encode("utf-8") for c in copy_cands])
        if event_keys:
            self._candidates_script(
                keys=[self.event_key(band, k) for band, k in enumerate(event_keys)],
                args=[o.event_max_bucket, o.event_candidates], client=pipe)
        second = self._execute(pipe) if copy_cands or event_keys else []
        records: dict[str, Record] = {}
        if copy_cands:
            records.update(self._records(copy_cands, second[0]))
            second = second[1:]
        buckets = second[0] if second else []
        copy_of = None
        if minhash is not None:
            live = [c for c in copy_cands if c in records]
            copy_of = copy_verdict(signature, length,
                                   ((c, records[c].signature, records[c].length) for c in live),
                                   o)
        event_of = copy_of
        if event_of is None and mine:
            ranked = [c for c in (m.decode("utf-8") for m in buckets) if c != key]
            missing = [c for c in ranked if c not in records]
            if missing:
                # 3: the event candidates' records.
                pipe = self.client.pipeline(transaction=False)
                pipe.hmget(self.docs, [c.encode("utf-8") for c in missing])
                records.update(self._records(missing, self._execute(pipe)[0]))
            when = published[row]
            cands = sorted(c for c in ranked
                           if c in records and in_window(when, records[c].published, o))
            event_of = event_verdict(mine, cands, [records[c].weights for c in cands], o)
        copy_id = key if copy_of is None else records[copy_of].ids[0]
        event_id = key if event_of is None else records[event_of].ids[1]
        # 4: every write.
        pipe = self.client.pipeline(transaction=False)
        if h:
            self._hincr_all(keys=[self.df_key], args=[_field(x) for x in h], client=pipe)
        record = Record(signature, length, float(published[row]), mine, (copy_id, event_id))
        self._queue_write(pipe, key, record, event_keys, int(seq), minhash=minhash)
        self._execute(pipe)
        return Assignment(key, copy_id, event_id)

    def _queue_write(self, pipe: Any, key: str, record: Record, event_keys: list[bytes],
                     seq: int, minhash: LeanMinHash | None = None) -> None:
        kb = key.encode("utf-8")
        pipe.hset(self.docs, kb, record.pack())
        if event_keys:
            self._zadd_all(keys=[self.event_key(band, k) for band, k in enumerate(event_keys)],
                           args=[seq, kb], client=pipe)
        if record.length > 0:
            if minhash is None:
                minhash = lean_minhash(record.signature, self.options.seed)
            self.copies.queue_insert(pipe, [(key, minhash)])

    def _records(self, keys: Sequence[str], raws: Sequence[bytes | None]) -> dict[str, Record]:
        num_perm = self.options.copy_num_perm
        return {k: Record.unpack(raw, num_perm)
                for k, raw in zip(keys, raws, strict=True) if raw is not None}

    def _execute(self, pipe: Any) -> list[Any]:
        try:
            return list(pipe.execute())
        except (redis.ConnectionError, redis.TimeoutError) as exc:
            raise SharedIndexUnavailable(
                f"Lost the Redis server of the shared dedup index "
                f"{self.basename.decode(errors='replace')!r} ({exc})"
            ) from exc


def _field(h: int) -> bytes:
    return h.to_bytes(4, "little")
