"""A datasketch `MinHashLSH` on Redis fed and queried in few commands: `RedisLSH`, the copy-level
LSH of the shared dedup index (`crawler.dedup.shared`)."""

from __future__ import annotations

import pickle
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import redis
from datasketch import LeanMinHash, MinHashLSH

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


def band_hash(band: np.ndarray) -> bytes:
    """The key of one band's bucket: its hash values, byte-swapped (datasketch's default)."""
    return bytes(band.byteswap().data)


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
        # datasketch hashes the byte-swapped band with `hashfunc`: the identity keeps its
        # default bucket keys (indexes written before stay readable) and lets `band_hash` compute
        # them without its private `_H`.
        self.lsh = MinHashLSH(num_perm=num_perm, params=params, storage_config=dict(config),
                              hashfunc=bytes)
        self.tables = self.lsh.hashtables
        # A storage's Redis key of the empty key is its name, the prefix of all its keys.
        self.names = [self.lsh.keys.redis_key(b"")] + [t.redis_key(b"") for t in self.tables]
        self._insert = client.register_script(_INSERT)

    def band_hashes(self, minhash: LeanMinHash) -> list[bytes]:
        hv = minhash.hashvalues
        return [band_hash(hv[s:e]) for s, e in self.lsh.hashranges]

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


