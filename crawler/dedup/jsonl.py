"""Cluster a JSONL file of article records: the work behind `scrapy cluster`, without Scrapy."""

from __future__ import annotations

import codecs
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from crawler.dedup.analyse import Analysed, analyse, worker_count
from crawler.dedup.heap import large_heap
from crawler.dedup.index import DedupIndex
from crawler.dedup.options import DedupOptions
from crawler.dedup.parallel import balanced_bounds, fork_map
from crawler.dedup.records import Assignment, Document
from crawler.files import replace_atomically

WRITE_BATCH = 4096
"""Output lines per write call."""


class NoRecords(ValueError):
    """The input holds lines, but not one article record: it is no JSON-lines file of
    articles (nothing is written)."""


@dataclass
class ClusterReport:
    """What a run did: counts, and the input lines that were skipped with the reason."""

    records: int = 0
    copy_clusters: int = 0
    event_clusters: int = 0
    skipped: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class _Part:
    """What a worker makes of a run of input lines: the usable records' line index, key, date,
    original flag and whether ids can be appended to the line as it is; the skipped lines; the
    analysis of the usable records."""

    lines: list[int]
    keys: list[str]
    published: list[float | None]
    original: list[bool]
    appendable: list[bool]
    skipped: list[tuple[int, str]]
    analysed: Analysed


def cluster_jsonl(
    src: str | os.PathLike[str],
    dst: str | os.PathLike[str],
    options: DedupOptions | None = None,
    index: DedupIndex | None = None,
) -> ClusterReport:
    """Read article records from `src`, write them to `dst` with `copy_cluster` and
    `event_cluster` added (other fields kept as they are, in input order), and return a report.

    When `index` is given the records join what it already holds (and stay in it).

    The forked workers parse the JSON as well as analyse the texts: this process holds the file
    as one bytes buffer and never builds the records, so parsing is parallel too and a child
    shares the buffer without copying it.
    """
    report = ClusterReport()
    index = index if index is not None else DedupIndex(options)
    options = index.options
    data = Path(src).read_bytes()
    # A byte order mark some editors put first: not part of the first record.
    data = data.removeprefix(codecs.BOM_UTF8)
    with large_heap():
        newline = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
        starts = np.concatenate(([0], newline + 1))
        ends = np.append(newline, len(data))
        if starts[-1] == len(data):  # no line after the final newline
            starts, ends = starts[:-1], ends[:-1]
        bounds = balanced_bounds(ends - starts + 1, worker_count(len(starts), options))
        parts = fork_map(lambda lo, hi: _read_part(data, starts, ends, lo, hi, options), bounds)
        for part in parts:
            report.skipped.extend(part.skipped)
            index.add_analysed(part.keys, part.published, part.original, part.analysed)
        assigned = index.assignments()
    kept = [(line, key, ok) for part in parts
            for line, key, ok in zip(part.lines, part.keys, part.appendable, strict=True)]
    if not kept and report.skipped:
        number, reason = min(report.skipped)
        raise NoRecords(f"{src} holds no article records ({len(report.skipped)} lines skipped; "
                        f"line {number}: {reason})")
    _write(dst, data, starts, ends, kept, assigned)
    report.records = len(kept)
    report.copy_clusters = len({assigned[k].copy_cluster for _, k, _ in kept})
    report.event_clusters = len({assigned[k].event_cluster for _, k, _ in kept})
    report.skipped.sort()
    return report


def _read_part(data: bytes, starts: np.ndarray, ends: np.ndarray, lo: int, hi: int,
               options: DedupOptions) -> _Part:
    part = _Part([], [], [], [], [], [], analyse([], [], options))
    titles: list[str] = []
    bodies: list[str] = []
    for i in range(lo, hi):
        raw = data[starts[i] : ends[i]]
        if not raw.strip():
            continue
        try:
            record = json.loads(raw)
        except json.JSONDecodeError as exc:
            part.skipped.append((i + 1, f"not JSON: {exc.msg}"))
            continue
        except UnicodeDecodeError:
            part.skipped.append((i + 1, "not UTF-8"))
            continue
        if not isinstance(record, dict):
            part.skipped.append((i + 1, "not a JSON object"))
            continue
        try:
            doc = Document.from_record(record)
        except ValueError as exc:
            part.skipped.append((i + 1, str(exc)))
            continue
        part.lines.append(i)
        part.keys.append(doc.key)
        part.published.append(doc.published)
        part.original.append(doc.original)
        part.appendable.append("copy_cluster" not in record and "event_cluster" not in record
                               and raw.rstrip().endswith(b"}"))
        titles.append(doc.title)
        bodies.append(doc.body)
    part.analysed = analyse(titles, bodies, options)
    return part


def _write(dst: str | os.PathLike[str], data: bytes, starts: np.ndarray, ends: np.ndarray,
           kept: list[tuple[int, str, bool]], assigned: dict[str, Assignment]) -> None:
    quoted: dict[str, bytes] = {}  # an id is quoted once however many members it has
    # Atomically: a run killed while writing leaves the previous output, not half of one.
    with replace_atomically(dst) as out:
        for lo in range(0, len(kept), WRITE_BATCH):
            # One write per batch of lines: a write per line cost most of a second at 100k.
            out.write(b"".join(
                _with_clusters(data[starts[line]:ends[line]], appendable, assigned[key], quoted)
                for line, key, appendable in kept[lo : lo + WRITE_BATCH]
            ))


def _with_clusters(raw: bytes, appendable: bool, a: Assignment, quoted: dict[str, bytes]) -> bytes:
    """The record's line with the two ids added. Appending to the original text, rather than
    re-serialising, keeps every other field byte for byte and saves a second of a 100k run."""
    if not appendable:
        merged = {**json.loads(raw), "copy_cluster": a.copy_cluster,
                  "event_cluster": a.event_cluster}
        try:
            return json.dumps(merged, ensure_ascii=False).encode("utf-8") + b"\n"
        except UnicodeEncodeError:  # a lone surrogate, from an escape: kept as its escape
            return json.dumps(merged).encode("ascii") + b"\n"
    copy_id, event_id = _quoted(a.copy_cluster, quoted), _quoted(a.event_cluster, quoted)
    head = raw.rstrip()[:-1].rstrip()
    sep = b"" if head.endswith(b"{") else b", "
    return b"%s%s\"copy_cluster\": %s, \"event_cluster\": %s}\n" % (head, sep, copy_id, event_id)


def _quoted(value: str, cache: dict[str, bytes]) -> bytes:
    """`value` as a JSON string, as `json.dumps(value, ensure_ascii=False)` writes it."""
    text = cache.get(value)
    if text is None:
        text = cache[value] = json.dumps(value, ensure_ascii=False).encode("utf-8")
    return text
