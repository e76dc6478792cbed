"""Per-article analysis: text -> compact copy signature and event features (no corpus state).

This is the expensive, embarrassingly parallel step, so `analyse_many` splits it over worker
processes; everything that needs the whole corpus (document frequencies, clustering) happens
later in `crawler.dedup.cluster`.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from crawler.dedup.features import FeatureBatch, extract_features
from crawler.dedup.options import DedupOptions
from crawler.dedup.signatures import bulk_minhash
from crawler.dedup.tokens import shingle_hashes, tokenize

_CHUNK = 2000  # articles per worker task: big enough for numpy, small enough to balance


@dataclass(frozen=True)
class Analysed:
    """Copy signatures `(n, copy_num_perm)` uint32, shingle counts, and event features."""

    signatures: np.ndarray
    lengths: np.ndarray
    features: FeatureBatch

    def __len__(self) -> int:
        return len(self.lengths)


@cache
def _drop_lines(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern + r".*$\n?", re.IGNORECASE | re.MULTILINE)


def copy_text(title: str, body: str, options: DedupOptions) -> str:
    """The text whose shingles identify an article: the body without aggregator furniture
    lines, or the title when the body is empty (a headline-only record)."""
    cleaned = _drop_lines(options.drop_line_pattern).sub("", body) if body else ""
    return cleaned if cleaned.strip() else title


def analyse(titles: Sequence[str], bodies: Sequence[str], options: DedupOptions) -> Analysed:
    """Signatures and features of one batch of articles, in process."""
    if len(titles) != len(bodies):
        raise ValueError("titles and bodies must have the same length")
    n = len(bodies)
    copy_tokens = tokenize([copy_text(t, b, options) for t, b in zip(titles, bodies, strict=True)])
    hashes, doc = shingle_hashes(copy_tokens, options.shingle_size)
    signatures = bulk_minhash(hashes, doc, n, options.copy_num_perm, options.seed)
    lengths = np.bincount(doc, minlength=n).astype(np.int32)
    event_tokens = tokenize([f"{t}\n{b}" for t, b in zip(titles, bodies, strict=True)])
    return Analysed(signatures, lengths, extract_features(event_tokens, options.event_max_features))


def _analyse_task(args: tuple[list[str], list[str], DedupOptions]) -> Analysed:
    return analyse(*args)


def analyse_many(
    titles: Sequence[str], bodies: Sequence[str], options: DedupOptions, chunk: int = _CHUNK
) -> Analysed:
    """`analyse` over `options.workers` processes, `chunk` articles a task, in input order."""
    if chunk < 1:
        raise ValueError("chunk must be at least 1")
    n = len(bodies)
    tasks = [
        (list(titles[lo : lo + chunk]), list(bodies[lo : lo + chunk]), options)
        for lo in range(0, n, chunk)
    ]
    if options.workers == 1 or len(tasks) <= 1:
        parts = [_analyse_task(task) for task in tasks]
    else:
        # fork: workers inherit the imported modules, so a task costs only its texts.
        with multiprocessing.get_context("fork").Pool(options.workers) as pool:
            parts = pool.map(_analyse_task, tasks, chunksize=1)
    return concat(parts, options)


def concat(parts: Sequence[Analysed], options: DedupOptions) -> Analysed:
    """One `Analysed` from several, in order."""
    if not parts:
        empty = np.zeros(0, dtype=np.int64)
        return Analysed(
            np.zeros((0, options.copy_num_perm), dtype=np.uint32),
            np.zeros(0, dtype=np.int32),
            FeatureBatch(np.zeros(1, dtype=np.int64), empty.astype(np.uint32),
                         empty.astype(np.uint8), empty.astype(np.uint8)),
        )
    ptrs, offset = [np.zeros(1, dtype=np.int64)], 0
    for part in parts:
        ptrs.append(part.features.ptr[1:] + offset)
        offset += part.features.ptr[-1]
    features = FeatureBatch(
        np.concatenate(ptrs),
        np.concatenate([p.features.hashes for p in parts]),
        np.concatenate([p.features.tf for p in parts]),
        np.concatenate([p.features.flags for p in parts]),
    )
    return Analysed(
        np.concatenate([p.signatures for p in parts]),
        np.concatenate([p.lengths for p in parts]),
        features,
    )


def take(analysed: Analysed, rows: np.ndarray) -> Analysed:
    """The rows `rows` of `analysed`, in that order."""
    f = analysed.features
    counts = np.diff(f.ptr)[rows]
    ptr = np.concatenate(([0], np.cumsum(counts)))
    idx = np.repeat(f.ptr[rows], counts) + (np.arange(ptr[-1]) - np.repeat(ptr[:-1], counts))
    return Analysed(
        analysed.signatures[rows],
        analysed.lengths[rows],
        FeatureBatch(ptr, f.hashes[idx], f.tf[idx], f.flags[idx]),
    )
