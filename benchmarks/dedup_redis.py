"""LSH inserts and queries per second: in memory versus on Redis, side by side in one run.

    python benchmarks/dedup_redis.py [--docs 5000] [--redis redis://127.0.0.1:6379/0]

Copy-level LSH as the dedup index uses it (`DedupOptions` defaults: 128 permutations, datasketch's
bands for Jaccard 0.3), over signatures of synthetic articles (10% near copies). Rows:

- memory: datasketch `MinHashLSH` in this process, one `insert` / `query` per document;
- redis, datasketch unbatched: the same `MinHashLSH` with `storage_config={'type': 'redis', …}`,
  one `insert` / `query` per document (a round trip per command);
- redis, datasketch insertion_session: its batched insert (a round trip per band table);
- redis, batched: `crawler.dedup.redis_lsh.RedisLSH`, same keys and layout, inserts as one
  server-side script per 500 documents and queries as one `SUNION` each, pipelined by 500;
- redis, shared add: `DedupIndex.add` per article on the Redis store, the whole provisional
  assignment (copy and event level, all per-article data in Redis) against the in-process
  store.

The target is Redis batched at least 0.3x memory. Keys live under a random prefix, deleted after.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
import uuid
from collections.abc import Callable

import numpy as np
import redis
from datasketch import MinHashLSH

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.analyse import analyse_many
from crawler.dedup.redis_lsh import RedisLSH
from crawler.dedup.shared import delete_index, storage_config
from crawler.dedup.signatures import lean_minhash
from crawler.dedup.store import copy_lsh_params

TARGET = 0.3
BATCH = 500


def articles(n: int, seed: int = 7) -> list[Document]:
    rng = np.random.default_rng(seed)
    vocab = [f"kata{i}" for i in range(20000)]
    p = 1.0 / np.arange(1, len(vocab) + 1)
    p /= p.sum()
    docs: list[Document] = []
    for i in range(n):
        if i % 10 == 9 and docs:
            src = docs[int(rng.integers(0, len(docs)))]
            words = src.body.split()
            cut = words[: max(20, int(len(words) * 0.9))]
            docs.append(Document(f"d{i:06d}", src.title, " ".join(cut) + " Baca juga: lain"))
            continue
        words = rng.choice(vocab, size=int(rng.integers(150, 400)), p=p).tolist()
        names = [f"Nama{int(x)}" for x in rng.integers(0, 3000, size=5)]
        docs.append(Document(f"d{i:06d}", " ".join(names), " ".join([*names, *words])))
    return docs


def rate(n: int, work: Callable[[], object]) -> float:
    start = time.perf_counter()
    work()
    return n / (time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--docs", type=int, default=5000)
    parser.add_argument("--unbatched-docs", type=int, default=500,
                        help="documents for the slow datasketch-on-Redis rows")
    parser.add_argument("--adds", type=int, default=1000, help="documents for the add rows")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    args = parser.parse_args(argv)
    options = DedupOptions(workers=1)
    docs = articles(args.docs)
    data = analyse_many([d.title for d in docs], [d.body for d in docs], options)
    minhashes = [lean_minhash(s, options.seed) for s in data.signatures]
    keys = [d.key for d in docs]
    n, small = len(docs), min(args.unbatched_docs, len(docs))
    params = copy_lsh_params(options)
    client = redis.Redis.from_url(args.redis)
    client.ping()
    job = f"bench-{uuid.uuid4().hex[:8]}"
    config = storage_config(args.redis, job)
    rows: list[tuple[str, float, float]] = []
    try:
        memory = MinHashLSH(num_perm=options.copy_num_perm, params=params)

        def memory_insert() -> None:
            for k, m in zip(keys, minhashes, strict=True):
                memory.insert(k, m, check_duplication=False)

        ins = rate(n, memory_insert)
        qry = rate(n, lambda: [memory.query(m) for m in minhashes])
        rows.append(("memory (datasketch dict)", ins, qry))

        plain_cfg = {**config, "basename": config["basename"] + b":plain"}
        plain = MinHashLSH(num_perm=options.copy_num_perm, params=params,
                           storage_config=plain_cfg)

        def plain_insert() -> None:
            for k, m in zip(keys[:small], minhashes[:small], strict=True):
                plain.insert(k, m, check_duplication=False)

        ins = rate(small, plain_insert)
        qry = rate(small, lambda: [plain.query(m) for m in minhashes[:small]])
        rows.append(("redis, datasketch unbatched", ins, qry))

        session_cfg = {**config, "basename": config["basename"] + b":session"}
        session_lsh = MinHashLSH(num_perm=options.copy_num_perm, params=params,
                                 storage_config=session_cfg)

        def session_insert() -> None:
            with session_lsh.insertion_session(buffer_size=BATCH * (params[0] + 1) * 2) as s:
                for k, m in zip(keys, minhashes, strict=True):
                    s.insert(k, m, check_duplication=False)

        rows.append(("redis, datasketch insertion_session", rate(n, session_insert),
                     float("nan")))

        batched = RedisLSH(client, {**config, "basename": config["basename"] + b":copy"},
                           options.copy_num_perm, params)

        def batched_insert() -> None:
            batched.insert_many(zip(keys, minhashes, strict=True), batch=BATCH)

        def batched_query() -> None:
            for lo in range(0, n, BATCH):
                batched.query_many(minhashes[lo : lo + BATCH])

        ins = rate(n, batched_insert)
        qry = rate(n, batched_query)
        rows.append((f"redis, batched ({BATCH}/pipeline)", ins, qry))
        check = batched.query_many(minhashes[:200])
        assert all(set(memory.query(m)) == c for m, c in zip(minhashes[:200], check, strict=True))

        adds = docs[: args.adds]
        embedded = DedupIndex(options)
        add_mem = rate(len(adds), lambda: [embedded.add(d) for d in adds])
        shared = DedupIndex(options, {**config, "basename": config["basename"] + b":adds"})
        shared.prepare()  # connect and register the scripts outside the timing
        add_redis = rate(len(adds), lambda: [shared.add(d) for d in adds])
    finally:
        removed = delete_index(client, config["basename"])

    base_ins, base_qry = rows[0][1], rows[0][2]
    print(f"copy LSH, {options.copy_num_perm} permutations, {params[0]} bands x {params[1]} rows;"
          f" {n} documents ({small} for the unbatched rows); Redis {args.redis}")
    print(f"{'':40} {'inserts/s':>11} {'x memory':>9} {'queries/s':>11} {'x memory':>9}")
    for name, ins, qry in rows:
        q = "-" if math.isnan(qry) else f"{qry:11.0f}"
        qr = "-" if math.isnan(qry) else f"{qry / base_qry:9.3f}"
        print(f"{name:40} {ins:11.0f} {ins / base_ins:9.3f} {q:>11} {qr:>9}")
    print(f"{'DedupIndex.add, memory (adds/s)':40} {add_mem:11.0f}")
    print(f"{'DedupIndex.add, shared on Redis':40} {add_redis:11.0f} {add_redis / add_mem:9.3f}")
    _, ins, qry = rows[3]
    ok = ins / base_ins >= TARGET and qry / base_qry >= TARGET
    print(f"target: Redis batched >= {TARGET}x memory: inserts {ins / base_ins:.2f}x, queries "
          f"{qry / base_qry:.2f}x -> {'met' if ok else 'NOT met'}  ({removed} keys deleted)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
