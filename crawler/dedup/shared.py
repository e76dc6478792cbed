"""The dedup index shared in Redis: `RedisStore`, a `crawler.dedup.store.Store` that every worker
of a distributed crawl adds to and queries, so provisional ids are computed against all
workers' articles with the one algorithm of `crawler.dedup.incremental`.

Storage config (datasketch's, plus a fixed `basename` per index)::

    {"type": "redis", "basename": b"<job>:dedup", "redis": {"host": ..., "port": ...}}

(`storage_config(url, job)` makes it from a Redis URL; `index_basename(job)` is the basename).
Keys under the basename:

- `<basename>:copy…`: the copy-level datasketch `MinHashLSH` (its own layout: `_keys`, and one
  `_bucket_<band>` hash and set per bucket; keys pickled, `prepickle`);
- `<basename>:event:<feature hash>`: sorted set of the article keys posted under that event
  feature, scored by the order they were added (`<basename>:seq`);
- `<basename>:docs`: hash article key -> its `Record` (copy signature, shingle count,
  publication time, event features, vector and lead vector, postings, provisional ids);
- `<basename>:df`: hash feature hash -> copy clusters holding it; `<basename>:leaddf`: the
  same for the copy clusters whose lead holds it; `<basename>:units`: how many
  copy clusters there are; `<basename>:copies` and `<basename>:members`: hashes copy id and
  event id -> how many articles carry it;
- `<basename>:format`: the format of the records (`RECORD_FORMAT`); an index whose records are
  in another is refused (`IndexMismatchError`), as a saved index of another format is.

Each step of an add is one pipelined round trip (`lookup`, `candidates`, then, for an article
that is no copy, `records` and `context`, and `write`): a copy query is one `SUNION`, the event
candidates one server-side script, and each multi-key write one script, instead of
datasketch's one round trip per command (about 76 per insert and 37 per query at the default
37 bands). Adds in the same order to an empty index give the same ids as the in-process store.
Two workers adding at the same instant may not see each other's article: that only affects the
provisional ids, which the merge step replaces.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import redis
from datasketch import LeanMinHash

from crawler.dedup.options import DedupOptions
from crawler.dedup.redis_lsh import RedisLSH
from crawler.dedup.shared_records import RECORD_FORMAT, held_format, other_format, pack, unpack
from crawler.dedup.signatures import lean_minhash
from crawler.dedup.store import (
    Context,
    Found,
    Ids,
    Loaded,
    Lookup,
    Record,
    cluster_sizes,
    copy_lsh_params,
)

_LOAD_BATCH = 1000  # articles per pipeline when an opened index is loaded


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


# KEYS: sorted sets; ARGV: score, member -> `ZADD` the member with that score to each set.
_ZADD_ALL = "for _, k in ipairs(KEYS) do redis.call('ZADD', k, ARGV[1], ARGV[2]) end return 1"
# KEYS: the posting sets of an article's salient features; ARGV: how many of the latest members
# of each count, and the article's own key, which takes no place among them. Replies
# `member, shared, score` for each member met: the candidates' shared feature counts in one
# small reply (ranked by the caller, `crawler.dedup.rules`).
_EVENT_HITS = """
local cap, own = tonumber(ARGV[1]), ARGV[2]
local hits, order, names = {}, {}, {}
for _, k in ipairs(KEYS) do
  local got = redis.call('ZRANGE', k, -cap - 1, -1, 'WITHSCORES')
  -- the latest cap members other than the article itself
  local first, owned = 1, false
  for i = 1, #got, 2 do
    if got[i] == own then owned = true end
  end
  if not owned and #got > 2 * cap then first = 3 end
  for i = first, #got, 2 do
    local m = got[i]
    if m ~= own then
      if hits[m] == nil then
        hits[m] = 0
        order[m] = got[i + 1]
        names[#names + 1] = m
      end
      hits[m] = hits[m] + 1
    end
  end
end
local out = {}
for _, m in ipairs(names) do
  out[#out + 1] = m
  out[#out + 1] = hits[m]
  out[#out + 1] = order[m]
end
return out
"""
# KEYS: a hash; ARGV: a step, then fields -> `HINCRBY` each field by the step.
_HINCR_ALL = """
for i = 2, #ARGV do redis.call('HINCRBY', KEYS[1], ARGV[i], ARGV[1]) end
return 1
"""
# KEYS: sorted sets; ARGV: a member -> `ZREM` it from each set.
_ZREM_ALL = "for _, k in ipairs(KEYS) do redis.call('ZREM', k, ARGV[1]) end return 1"


class RedisStore:
    """The store of an index shared in Redis (see the module docstring)."""

    def __init__(self, options: DedupOptions, config: Mapping[str, Any]) -> None:
        basename = config.get("basename")
        if not isinstance(basename, bytes) or not basename:
            raise ValueError("a shared dedup index needs a fixed bytes 'basename' (b'<job>:dedup')")
        params = dict(config.get("redis", {}))
        self.options = options
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
        self.lead_df_key = basename + b":leaddf"
        self.units_key = basename + b":units"
        self.copies_key = basename + b":copies"
        self.members_key = basename + b":members"
        self.seq = basename + b":seq"
        self.event_prefix = basename + b":event:"
        self._zadd_all = self.client.register_script(_ZADD_ALL)
        self._event_hits = self.client.register_script(_EVENT_HITS)
        self._hincr_all = self.client.register_script(_HINCR_ALL)
        self._zrem_all = self.client.register_script(_ZREM_ALL)
        self._check_format()

    def _check_format(self) -> None:
        """Stamp a new index with `RECORD_FORMAT`; refuse one whose records are in another:
        they would be read wrongly."""
        written = held_format(self.client, self.basename)
        if written is None:
            self.client.setnx(self.basename + b":format", RECORD_FORMAT)
        elif written != RECORD_FORMAT:
            raise other_format(self.basename, written)

    def posting_key(self, feature: int) -> bytes:
        return self.event_prefix + _field(feature)

    def lookup(self, key: str, minhash: LeanMinHash | None, hashes: np.ndarray) -> Lookup:
        pipe = self.client.pipeline(transaction=False)
        if minhash is not None:
            self.copies.queue_query(pipe, minhash)
        if len(hashes):
            fields = [_field(h) for h in hashes.tolist()]
            pipe.hmget(self.df_key, fields)
            pipe.hmget(self.lead_df_key, fields)
        pipe.get(self.units_key)
        pipe.incr(self.seq)
        pipe.hget(self.docs, key.encode("utf-8"))
        got = self._execute(pipe)
        copies = sorted(self.copies.collect(got.pop(0)) - {key}) if minhash is not None else []
        df, lead_df = ([[int(d or 0) for d in got.pop(0)] for _ in range(2)] if len(hashes)
                       else ([], []))
        units, seq, previous = got
        return Lookup(copies, np.array(df, dtype=np.int64), np.array(lead_df, dtype=np.int64),
                      int(units or 0), int(seq) - 1,
                      None if previous is None else unpack(previous, self.options.copy_num_perm))

    def candidates(self, key: str, copy_keys: Sequence[str], features: np.ndarray) -> Found:
        if not copy_keys and not len(features):
            return Found({}, [])
        pipe = self.client.pipeline(transaction=False)
        if copy_keys:
            pipe.hmget(self.docs, [k.encode("utf-8") for k in copy_keys])
        if len(features):
            self._event_hits(keys=[self.posting_key(h) for h in features.tolist()],
                             args=[self.options.event_max_bucket, key.encode("utf-8")],
                             client=pipe)
        got = self._execute(pipe)
        records = self._records(copy_keys, got.pop(0)) if copy_keys else {}
        flat = got.pop(0) if len(features) else []
        hits = [(flat[i].decode("utf-8"), int(flat[i + 1]), int(float(flat[i + 2])))
                for i in range(0, len(flat), 3)]
        return Found(records, [hit for hit in hits if hit[0] != key])

    def records(self, keys: Sequence[str]) -> dict[str, Record]:
        if not keys:
            return {}
        pipe = self.client.pipeline(transaction=False)
        pipe.hmget(self.docs, [k.encode("utf-8") for k in keys])
        return self._records(keys, self._execute(pipe)[0])

    def ids(self, key: str, record: Record) -> Ids:
        assert record.ids is not None  # every record here is written with its ids
        return record.ids

    def context(self, hashes: np.ndarray, copy_ids: Sequence[str],
                event_ids: Sequence[str]) -> Context:
        h = hashes.tolist()
        pipe = self.client.pipeline(transaction=False)
        features = [_field(x) for x in h]
        for name, fields in ((self.df_key, features), (self.lead_df_key, features),
                             (self.copies_key, [c.encode("utf-8") for c in copy_ids]),
                             (self.members_key, [e.encode("utf-8") for e in event_ids])):
            if fields:
                pipe.hmget(name, fields)
        got = self._execute(pipe)
        counts = [[int(c or 0) for c in got.pop(0)] if keys else []
                  for keys in (h, h, copy_ids, event_ids)]
        return Context(dict(zip(h, counts[0], strict=True)),
                       dict(zip(h, counts[1], strict=True)),
                       dict(zip(copy_ids, counts[2], strict=True)),
                       dict(zip(event_ids, counts[3], strict=True)))

    def write(self, key: str, record: Record, minhash: LeanMinHash | None, order: int,
              previous: Record | None, reweighed: Mapping[str, Record]) -> None:
        assert record.ids is not None  # an add knows its ids
        pipe = self.client.pipeline(transaction=False)
        if previous is not None:
            assert previous.ids is not None  # written with its ids here
            self._queue_counts(pipe, key, previous, previous.ids, -1)
        self._queue_record(pipe, key, record, record.ids, minhash)
        self._queue_counts(pipe, key, record, record.ids, 1, order)
        for k, r in reweighed.items():
            assert r.ids is not None
            pipe.hset(self.docs, k.encode("utf-8"), pack(r, r.ids))
        self._execute(pipe)

    def load(self, loaded: Loaded) -> None:
        """Add an opened index's articles, in pipelines of `_LOAD_BATCH`. Their ids are
        resolved now (a `LazyIds` clusters here), as they are written with the records."""
        n = len(loaded.keys)
        ids = {key: loaded.ids[key] for key in loaded.keys}
        copies, members = cluster_sizes(ids)
        pipe = self.client.pipeline(transaction=False)
        for name, df in ((self.df_key, loaded.df), (self.lead_df_key, loaded.lead_df)):
            for h, count in df.items():
                pipe.hincrby(name, _field(h), count)
        for name, counts in ((self.copies_key, copies), (self.members_key, members)):
            for k, count in counts.items():
                pipe.hincrby(name, k.encode("utf-8"), count)
        pipe.incrby(self.units_key, loaded.units)
        pipe.incrby(self.seq, n)
        last = int(self._execute(pipe)[-1])
        seed = self.options.seed
        for lo in range(0, n, _LOAD_BATCH):
            pipe = self.client.pipeline(transaction=False)
            for i in range(lo, min(lo + _LOAD_BATCH, n)):
                key, record = loaded.keys[i], loaded.records[i]
                minhash = lean_minhash(record.signature, seed) if record.length > 0 else None
                self._queue_record(pipe, key, record, ids[key], minhash)
                if record.postings is not None and len(record.postings):
                    self._queue_postings(pipe, key, record.postings, last - n + i)
            self._execute(pipe)

    def _queue_record(self, pipe: Any, key: str, record: Record, ids: Ids,
                      minhash: LeanMinHash | None) -> None:
        kb = key.encode("utf-8")
        pipe.hset(self.docs, kb, pack(record, ids))
        if minhash is not None:
            self.copies.queue_insert(pipe, [(key, minhash)])

    def _queue_postings(self, pipe: Any, key: str, postings: np.ndarray, order: int) -> None:
        self._zadd_all(keys=[self.posting_key(h) for h in postings.tolist()],
                       args=[order, key.encode("utf-8")], client=pipe)

    def _queue_counts(self, pipe: Any, key: str, record: Record, ids: Ids, step: int,
                      order: int = 0) -> None:
        """Add (`step` 1) or take away (-1) what `record` counts for (`MemoryStore._count`)."""
        pipe.hincrby(self.copies_key, ids[0].encode("utf-8"), step)
        pipe.hincrby(self.members_key, ids[1].encode("utf-8"), step)
        if record.postings is None:
            return
        pipe.incrby(self.units_key, step)
        for name, hashes in ((self.df_key, record.features.hashes),
                             (self.lead_df_key, record.features.lead())):
            if len(hashes):
                self._hincr_all(keys=[name], args=[step, *(_field(h) for h in hashes.tolist())],
                                client=pipe)
        if not len(record.postings):
            return
        if step > 0:
            self._queue_postings(pipe, key, record.postings, order)
        else:
            self._zrem_all(keys=[self.posting_key(h) for h in record.postings.tolist()],
                           args=[key.encode("utf-8")], client=pipe)

    def _records(self, keys: Sequence[str], raws: Sequence[bytes | None]) -> dict[str, Record]:
        num_perm = self.options.copy_num_perm
        return {k: unpack(raw, num_perm) for k, raw in zip(keys, raws, strict=True)
                if raw is not None}

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
