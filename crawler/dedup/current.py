"""The current ids of what an index holds, for people who clustered a corpus in batches: one
JSON-lines file of every article's ids, earlier output files rewritten with them, and the log
of event merges and splits. The work behind `scrapy cluster --index PATH --current-ids FILE`."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Mapping
from pathlib import Path

from crawler.dedup.records import Assignment
from crawler.files import replace_atomically


def write_current_ids(dst: str | os.PathLike[str], assigned: Mapping[str, Assignment]) -> None:
    """One line per article, in key order: `{"id", "copy_cluster", "event_cluster"}`."""
    with replace_atomically(dst) as out:
        out.write(b"".join(
            (json.dumps({"id": a.key, "copy_cluster": a.copy_cluster,
                         "event_cluster": a.event_cluster}, ensure_ascii=False) + "\n")
            .encode("utf-8") for a in assigned.values()))


def write_event_log(dst: str | os.PathLike[str], log: Iterable[Mapping[str, object]]) -> None:
    """The merges and splits, one JSON object per line, oldest first."""
    with replace_atomically(dst) as out:
        out.write(b"".join((json.dumps(dict(change), ensure_ascii=False) + "\n").encode("utf-8")
                           for change in log))


def rewrite_ids(path: Path, assigned: Mapping[str, Assignment]) -> tuple[int, int]:
    """Give the records of an earlier output file (JSON lines) their current ids, in place and
    atomically; a record is found by its `id`, else its `url`, as the index keys it. Lines
    whose ids are current, and lines that are no record of the index, are kept byte for byte.
    Returns (lines changed, records not in the index)."""
    changed = unknown = 0
    with replace_atomically(path) as out, path.open("rb") as lines:
        for line in lines:
            record = _record(line)
            key = None if record is None else record.get("id") or record.get("url")
            a = assigned.get(str(key)) if key is not None else None
            if record is None or a is None:
                unknown += record is not None
                out.write(line)
                continue
            if (record.get("copy_cluster"), record.get("event_cluster")) == (a.copy_cluster,
                                                                              a.event_cluster):
                out.write(line)
                continue
            record["copy_cluster"], record["event_cluster"] = a.copy_cluster, a.event_cluster
            try:
                out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            except UnicodeEncodeError:  # a lone surrogate, from an escape: kept as its escape
                out.write((json.dumps(record) + "\n").encode("ascii"))
            changed += 1
    return changed, unknown


def _record(line: bytes) -> dict | None:
    try:
        record = json.loads(line)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    return record if isinstance(record, dict) else None
