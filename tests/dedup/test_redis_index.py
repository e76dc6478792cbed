"""The dedup index shared in Redis (`crawler.dedup.shared`) against a real redis_server.

Each test works under its own key prefix and deletes its keys. Without a server the tests
skip, except under CI (env `CI` set), where a missing server is a failure.
"""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
import redis

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.index import IndexMismatchError, store_for
from crawler.dedup.shared import SharedIndexUnavailable, delete_index, storage_config
from tests.conftest import REDIS_URL

OPTIONS = DedupOptions(workers=1)




@pytest.fixture
def config(redis_server: redis.Redis) -> Iterator[dict[str, Any]]:
    config = storage_config(REDIS_URL, f"test-{uuid.uuid4().hex}")
    try:
        yield config
    finally:
        delete_index(redis_server, config["basename"])
        assert not list(redis_server.scan_iter(match=config["basename"] + b"*"))


def corpus(stories: list[dict]) -> list[Document]:
    """The fixture stories, plus a republication of every other one (a paragraph cut, a
    credit line added) so there are copies to find."""
    docs = []
    for story in stories:
        body = "\n".join(story["body"])
        docs.append(Document(story["id"], story["title"], body))
    for story in stories[::2]:
        body = "\n".join([*story["body"][:-1], "Sumber : example.com"])
        docs.append(Document("copy-of-" + story["id"], story["title"], body, original=False))
    docs.sort(key=lambda d: d.key)
    return docs


def indexes(n: int, config: dict[str, Any] | None) -> list[DedupIndex]:
    return [DedupIndex(OPTIONS, storage_config=config) for _ in range(n)]


def add_interleaved(docs: list[Document], workers: list[DedupIndex]) -> list[tuple[str, str]]:
    return [
        (a.copy_cluster, a.event_cluster)
        for i, doc in enumerate(docs)
        for a in [workers[i % len(workers)].add(doc)]
    ]


def test_two_workers_on_one_basename_match_one_embedded_index(corpus_stories, config):
    docs = corpus(corpus_stories)
    embedded = add_interleaved(docs, indexes(1, None))
    shared = add_interleaved(docs, indexes(2, config))
    copies = sum(copy != doc.key for (copy, _), doc in zip(embedded, docs, strict=True))
    assert copies >= len(corpus_stories) // 2  # every republication found its original
    assert [c for c, _ in shared] == [c for c, _ in embedded]
    assert [e for _, e in shared] == [e for _, e in embedded]


def test_each_worker_alone_misses_the_other_half(corpus_stories, config):
    docs = corpus(corpus_stories)
    embedded = add_interleaved(docs, indexes(1, None))
    separate = add_interleaved(docs, indexes(2, None))
    assert separate != embedded  # what sharing the index fixes


def test_a_plain_datasketch_lsh_reads_the_shared_copy_index(corpus_stories, config):
    from datasketch import MinHashLSH

    from crawler.dedup.analyse import analyse
    from crawler.dedup.signatures import lean_minhash
    from crawler.dedup.store import copy_lsh_params

    docs = corpus(corpus_stories)
    add_interleaved(docs, indexes(2, config))
    lsh = MinHashLSH(num_perm=OPTIONS.copy_num_perm, params=copy_lsh_params(OPTIONS),
                     storage_config={**config, "basename": config["basename"] + b":copy"})
    doc = next(d for d in docs if d.key.startswith("copy-of-"))
    signature = analyse([doc.title], [doc.body], OPTIONS).signatures[0]
    found = lsh.query(lean_minhash(signature, OPTIONS.seed))
    assert {doc.key, doc.key.removeprefix("copy-of-")} <= set(found)


def test_adding_a_key_again_replaces_it(corpus_stories, config):
    docs = corpus(corpus_stories)
    (worker,) = indexes(1, config)
    first = worker.add(docs[0])
    again = worker.add(docs[0])
    assert again == first
    assert redis.Redis.from_url(REDIS_URL).hlen(config["basename"] + b":docs") == 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_unreachable_redis_is_a_clear_error():
    config = storage_config(f"redis://127.0.0.1:{free_port()}/0", "nowhere")
    with pytest.raises(SharedIndexUnavailable, match=r"Cannot reach Redis at 127\.0\.0\.1:\d+"):
        store_for(OPTIONS, config)


def test_a_shared_index_of_another_record_format_is_refused(redis_server, config):
    """Records written by another version would be read wrongly (the lead vectors changed
    them): refused, with what to do."""
    store_for(OPTIONS, config)  # stamps the new index
    store_for(OPTIONS, config)
    basename = config["basename"]
    redis_server.set(basename + b":format", 1)
    with pytest.raises(IndexMismatchError, match=r"format 1, not 2.*SCHEDULER_FLUSH_ON_START"):
        store_for(OPTIONS, config)
    # Written before the stamp: records and no stamp.
    redis_server.delete(basename + b":format")
    redis_server.hset(basename + b":docs", b"a", b"old")
    with pytest.raises(IndexMismatchError, match="format 1"):
        store_for(OPTIONS, config)


def test_a_shared_index_needs_a_fixed_basename():
    with pytest.raises(ValueError, match="basename"):
        store_for(OPTIONS, {"type": "redis", "redis": {}})
    with pytest.raises(ValueError, match="storage type"):
        store_for(OPTIONS, {"type": "cassandra"})


def test_an_opened_index_and_adds_again_answer_the_same_on_redis(corpus_stories, config):
    """The one algorithm over either store: an index that holds articles before its first add
    (an opened one), then new articles and an article added again."""
    docs = corpus(corpus_stories)
    answers = []
    for storage in (None, config):
        index = DedupIndex(OPTIONS, storage_config=storage)
        index.add_many(docs[: len(docs) // 2])
        answers.append([index.add(d) for d in [*docs[len(docs) // 2 :], docs[-1], docs[0]]])
    assert answers[0] == answers[1]
    assert any(a.copy_cluster != a.key for a in answers[0])
