"""MinHash signatures in bulk and LSH banding, compatible with datasketch.

`bulk_minhash` gives, for each document, exactly the hash values of
`datasketch.MinHash(num_perm, seed, scheme="affine32", hashfunc=int)` updated with the same 32-bit
input hashes (the permutations are taken from datasketch itself), but for thousands of documents
in a few numpy passes. `band_pairs` finds the pairs that share a band, as `MinHashLSH` would with
the same `(b, r)`, by sorting instead of a dict of sets, so it needs no per-article objects.
"""

from __future__ import annotations

from functools import cache

import numpy as np
from datasketch import LeanMinHash, MinHash, MinHashLSH

SCHEME = "affine32"
_MAX = np.uint32(0xFFFFFFFF)
_BLOCK = 1 << 16  # input hashes per numpy pass: keeps the (perm x hash) block in cache


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters `(a, b)` for this size and seed."""
    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


@cache
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows that datasketch's optimiser picks for `threshold`."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    x = x ^ (x >> np.uint32(16))
    x = x * np.uint32(0x85EBCA6B)
    x = x ^ (x >> np.uint32(13))
    x = x * np.uint32(0xC2B2AE35)
    return x ^ (x >> np.uint32(16))


def bulk_minhash(
    hashes: np.ndarray, doc: np.ndarray, n_docs: int, num_perm: int, seed: int
) -> np.ndarray:
    """Signatures `(n_docs, num_perm)` uint32 of the 32-bit `hashes`, grouped by sorted `doc`.

    A document without hashes gets datasketch's empty value (all 0xFFFFFFFF).
    """
    if len(hashes) != len(doc):
        raise ValueError("hashes and doc must have the same length")
    a, b = permutations(num_perm, seed)
    sig = np.full((n_docs, num_perm), _MAX, dtype=np.uint32)
    if not len(hashes):
        return sig
    with np.errstate(over="ignore"):
        mixed = fmix32(hashes.astype(np.uint32))
        # Permutation-major layout: the min-reduction then runs along contiguous memory, which is
        # about 8x faster than reducing across rows.
        for lo in range(0, len(mixed), _BLOCK):
            part, part_doc = mixed[lo : lo + _BLOCK], doc[lo : lo + _BLOCK]
            block = a[:, None] * part[None, :]
            block += b[:, None]
            first = np.flatnonzero(np.concatenate(([True], part_doc[1:] != part_doc[:-1])))
            mins = np.minimum.reduceat(block, first, axis=1).T
            rows = part_doc[first]
            sig[rows] = np.minimum(sig[rows], mins)
    return sig


def lean_minhash(signature: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash over a stored signature, for `MinHashLSH` queries."""
    return LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """One uint64 key per (document, band): equal bands give equal keys."""
    n = len(signatures)
    keys = np.zeros((n, bands), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for band in range(bands):
            acc = np.full(n, np.uint64(band + 1), dtype=np.uint64)
            for col in signatures[:, band * rows : (band + 1) * rows].T:
                acc = (acc ^ col.astype(np.uint64)) * np.uint64(0x100000001B3)
            keys[:, band] = acc
    return keys


def band_pairs(
    signatures: np.ndarray,
    bands: int,
    rows: int,
    max_bucket: int,
    min_bands: int = 1,
    per_row: int | None = None,
) -> np.ndarray:
    """Pairs `(i, j)`, i < j, of rows sharing at least `min_bands` bands, as an `(m, 2)` int64
    array in lexicographic order.

    A bucket bigger than `max_bucket` contributes its first member paired with each other one,
    which keeps them connected without quadratic work. With `per_row`, each row keeps only its
    `per_row` partners sharing the most bands (ties: smaller partner), and a pair survives when
    either end keeps it; this bounds the pairs at `per_row` per row on any corpus.
    """
    if bands * rows > signatures.shape[1]:
        raise ValueError("bands * rows exceeds the signature length")
    if min_bands < 1 or min_bands > bands:
        raise ValueError("min_bands must be in [1, bands]")
    keys = band_keys(signatures, bands, rows)
    found = [_bucket_pairs(keys[:, band], max_bucket) for band in range(bands)]
    pairs = np.concatenate(found) if found else np.zeros((0, 2), dtype=np.int64)
    if not len(pairs):
        return pairs
    # One int64 per pair sorts several times faster than np.unique(axis=0) on rows.
    n = np.int64(max(len(signatures), 1))
    code, count = np.unique(pairs[:, 0] * n + pairs[:, 1], return_counts=True)
    keep = count >= min_bands
    code, count = code[keep], count[keep]
    out = np.stack((code // n, code % n), axis=1)
    if per_row is not None:
        out = out[_best_per_row(out, count, per_row)]
    return out


def _best_per_row(pairs: np.ndarray, score: np.ndarray, per_row: int) -> np.ndarray:
    """Mask of pairs among the `per_row` best-scored of either end."""
    ends = np.concatenate((pairs[:, 0], pairs[:, 1]))
    other = np.concatenate((pairs[:, 1], pairs[:, 0]))
    both = np.concatenate((score, score))
    order = np.lexsort((other, -both, ends))
    first = np.searchsorted(ends[order], ends[order], side="left")
    chosen = order[(np.arange(len(order)) - first) < per_row]
    keep = np.zeros(len(pairs), dtype=bool)
    keep[chosen % len(pairs)] = True
    return keep


def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    boundary = np.flatnonzero(np.concatenate(([True], sorted_keys[1:] != sorted_keys[:-1], [True])))
    sizes = np.diff(boundary)
    out = []
    for size in np.unique(sizes[sizes > 1]):
        starts = boundary[:-1][sizes == size]
        members = order[starts[:, None] + np.arange(size)[None, :]]
        if size > max_bucket:
            left = np.repeat(members[:, :1], size - 1, axis=1)
            right = members[:, 1:]
        else:
            i, j = np.triu_indices(size, k=1)
            left, right = members[:, i], members[:, j]
        out.append(np.stack((np.minimum(left, right).ravel(), np.maximum(left, right).ravel()), 1))
    return np.concatenate(out) if out else np.zeros((0, 2), dtype=np.int64)
