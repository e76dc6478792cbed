"""The records of a shared dedup index on Redis (`crawler.dedup.shared`): how each is packed in
the index's `docs` hash, and the stamp that says which format an index's records are in, so that
a worker of another version of the crawler is refused rather than reading them wrongly."""

from __future__ import annotations

import struct
from collections.abc import Mapping
from typing import Any

import numpy as np
import redis

from crawler.dedup.store import Features, Ids, IndexMismatchError, Record

_HEADER = struct.Struct("<diiHHHhHH")
"""published, length, vector_units, then the lengths of the features, vector, lead vector,
postings (-1: none), copy id and event id."""
RECORD_FORMAT = 2
"""The format of the `docs` records (`pack`); 2: with the lead term frequencies and the lead
vector. An index without the stamp but with records holds format 1."""


def pack(record: Record, ids: Ids) -> bytes:
    """A record as the `docs` hash keeps it."""
    copy_id, event_id = (i.encode("utf-8") for i in ids)
    f = record.features
    vector = record.vector.astype(np.uint64, copy=False)
    lead = record.lead_vector.astype(np.uint64, copy=False)
    postings = record.postings
    return b"".join((
        _HEADER.pack(record.published, record.length, record.vector_units, len(f.hashes),
                     len(vector), len(lead), -1 if postings is None else len(postings),
                     len(copy_id), len(event_id)),
        record.signature.astype(np.uint32, copy=False).tobytes(),
        f.hashes.astype(np.uint32, copy=False).tobytes(),
        f.tf.astype(np.uint8, copy=False).tobytes(), f.flags.astype(np.uint8, copy=False).tobytes(),
        f.lead_tf.astype(np.uint8, copy=False).tobytes(),
        vector.tobytes(), lead.tobytes(),
        b"" if postings is None else postings.astype(np.uint32, copy=False).tobytes(),
        copy_id, event_id,
    ))


def unpack(raw: bytes, num_perm: int) -> Record:
    published, length, vector_units, nf, nv, nl, np_, nc, ne = _HEADER.unpack_from(raw)
    at = _HEADER.size

    def take(dtype: type[np.generic], count: int) -> np.ndarray:
        nonlocal at
        out = np.frombuffer(raw, dtype=dtype, count=count, offset=at)
        at += out.nbytes
        return out

    signature = take(np.uint32, num_perm)
    features = Features(take(np.uint32, nf), take(np.uint8, nf), take(np.uint8, nf),
                        take(np.uint8, nf))
    vector = take(np.uint64, nv)
    lead = take(np.uint64, nl)
    postings = None if np_ < 0 else take(np.uint32, np_)
    ids = (raw[at : at + nc].decode("utf-8"), raw[at + nc : at + nc + ne].decode("utf-8"))
    return Record(signature, length, published, features, vector, lead, vector_units, ids,
                  postings)


def held_format(client: redis.Redis, basename: bytes) -> int | None:
    """The format of the records the shared index `basename` holds: its stamp, 1 for records
    written before indexes were stamped, None for an index that holds nothing yet."""
    pipe = client.pipeline(transaction=False)
    pipe.get(basename + b":format")
    pipe.exists(basename + b":docs")
    found, has_records = pipe.execute()
    if found is None:
        return 1 if has_records else None
    return int(found)


def other_format(basename: bytes, written: int) -> IndexMismatchError:
    return IndexMismatchError(
        f"the shared dedup index {basename.decode(errors='replace')!r} holds records of format "
        f"{written}, not {RECORD_FORMAT} (another version of the crawler wrote it); start the "
        f"job afresh (-s SCHEDULER_FLUSH_ON_START=True)")


def check_format(config: Mapping[str, Any]) -> None:
    """Refuse (`IndexMismatchError`) the shared index of `config` when it holds records of
    another format, before a worker joins its job: a refused worker leaves no trace in the
    job. A server that cannot be reached is left for the scheduler to report."""
    client = redis.Redis(**dict(config.get("redis", {})))
    try:
        written = held_format(client, config["basename"])
    except (redis.ConnectionError, redis.TimeoutError):
        return
    finally:
        client.close()
    if written not in (None, RECORD_FORMAT):
        raise other_format(config["basename"], written)
