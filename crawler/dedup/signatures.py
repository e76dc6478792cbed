"""MinHash signatures in bulk and LSH banding.

`one_permutation_minhash` makes the copy-level signatures: one hash per shingle, binned, so
its cost does not grow with the signature length. `bulk_minhash` (event level) gives, for each
document, exactly the hash values of `datasketch.MinHash(num_perm, seed, scheme="affine32",
hashfunc=int)` updated with the same 32-bit input hashes (the permutations are taken from
datasketch itself), but for thousands of documents in a few numpy passes. `band_pairs` finds the
pairs that share a band, as `MinHashLSH` would with the same `(b, r)`, by sorting instead of a
dict of sets, so it needs no per-article objects.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from crawler.dedup import rules
from crawler.dedup.tokens import fmix64

if TYPE_CHECKING:
    from datasketch import LeanMinHash

# datasketch is imported where it is used: it pulls in scipy (half a second), and the
# extraction workers, which compute copy signatures, never need it.

SCHEME = "affine32"
_MAX = np.uint32(0xFFFFFFFF)
_BLOCK = 1 << 12  # input hashes per numpy pass: the (perm x hash) block fits in L2 cache
_BAND_BLOCK = 1 << 14  # band keys (bands x documents) per numpy pass of `band_pairs`


@cache
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters `(a, b)` for this size and seed."""
    from datasketch import MinHash

    a, b = MinHash(num_perm=num_perm, seed=seed, scheme=SCHEME).permutations
    return np.asarray(a, dtype=np.uint32), np.asarray(b, dtype=np.uint32)


@cache
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """Bands and rows that datasketch's optimiser picks for `threshold`."""
    from datasketch import MinHashLSH

    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    return lsh.b, lsh.r


def fmix32(x: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finaliser, as datasketch applies it before permuting."""
    x = x ^ (x >> np.uint32(16))
    x *= np.uint32(0x85EBCA6B)
    x ^= x >> np.uint32(13)
    x *= np.uint32(0xC2B2AE35)
    x ^= x >> np.uint32(16)
    return x


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
    a_col, b_col = a[:, None], b[:, None]
    # One reused (perm x hash) block, permutation-major: the min-reduction then runs along
    # contiguous memory (about 8x faster than across rows), the block stays in cache, and no
    # large temporary is allocated per pass.
    buf = np.empty((num_perm, _BLOCK), dtype=np.uint32)
    new = np.empty(len(doc), dtype=bool)
    new[:1] = True
    np.not_equal(doc[1:], doc[:-1], out=new[1:])
    with np.errstate(over="ignore"):
        mixed = fmix32(hashes.astype(np.uint32))
        for lo in range(0, len(mixed), _BLOCK):
            part = mixed[lo : lo + _BLOCK]
            block = buf[:, : len(part)]
            np.multiply(a_col, part[None, :], out=block)
            block += b_col
            first = np.flatnonzero(new[lo : lo + _BLOCK])
            if not len(first) or first[0] != 0:
                first = np.concatenate(([0], first))
            mins = np.minimum.reduceat(block, first, axis=1).T
            rows = doc[lo + first]
            np.minimum(sig[rows], mins, out=mins)
            sig[rows] = mins
    return sig


def one_permutation_minhash(
    hashes: np.ndarray, doc: np.ndarray, n_docs: int, num_bins: int, seed: int
) -> np.ndarray:
    """One-permutation MinHash signatures `(n_docs, num_bins)` uint32 of 64-bit `hashes`.

    Each hash is mixed once (with the seed); its top bits pick a bin and its low 32 bits are the
    value; a bin keeps its minimum. The fraction of equal bins estimates the Jaccard similarity
    as a `num_bins`-permutation MinHash does (a little better: sampling without replacement),
    for one pass over the hashes instead of one per permutation (20x faster here). Empty bins
    borrow from the next non-empty bin to the right, mixed with the distance (densification by
    rotation, Shrivastava and Li 2014), so short texts compare too. A document without hashes
    gets all 0xFFFFFFFF.
    """
    if len(hashes) != len(doc):
        raise ValueError("hashes and doc must have the same length")
    flat = np.full(n_docs * num_bins, _MAX, dtype=np.uint32)
    if not len(hashes):
        return flat.reshape(n_docs, num_bins)
    with np.errstate(over="ignore"):
        mixed = fmix64(hashes.astype(np.uint64) ^ np.uint64(_seed_key(seed)))
        bins = ((mixed >> np.uint64(32)) * np.uint64(num_bins)) >> np.uint64(32)
        slot = doc.astype(np.int64) * num_bins + bins.astype(np.int64)
        np.minimum.at(flat, slot, (mixed & np.uint64(0xFFFFFFFF)).astype(np.uint32))
        sig = flat.reshape(n_docs, num_bins)
        filled = np.zeros(n_docs, dtype=bool)
        filled[doc] = True
        holes = np.flatnonzero(filled & (sig == _MAX).any(axis=1))
        if len(holes):
            sig[holes] = _densify(sig[holes])
    return sig


def _seed_key(seed: int) -> int:
    return (seed * 0x9E3779B97F4A7C15 + 0x632BE59BD9B4E019) & 0xFFFFFFFFFFFFFFFF


def _densify(rows: np.ndarray) -> np.ndarray:
    """Fill each empty bin (0xFFFFFFFF) from the next non-empty bin to the right, circularly,
    mixed with the distance so that a borrowed value only matches the same borrowing."""
    width = rows.shape[1]
    doubled = np.concatenate((rows, rows), axis=1)
    position = np.where(doubled != _MAX, np.arange(2 * width), 2 * width)
    source = np.minimum.accumulate(position[:, ::-1], axis=1)[:, ::-1][:, :width]
    distance = (source - np.arange(width)).astype(np.uint32)
    borrowed = np.take_along_axis(doubled, np.minimum(source, 2 * width - 1), axis=1)
    out = rows.copy()
    empty = rows == _MAX
    with np.errstate(over="ignore"):
        out[empty] = fmix32(borrowed[empty] ^ (distance[empty] * np.uint32(0x9E3779B9)))
    # fmix32 is a bijection, so only a true empty value could map back to the empty marker.
    out[empty & (out == _MAX)] = _MAX - np.uint32(1)
    return out


def lean_minhash(signature: np.ndarray, seed: int) -> LeanMinHash:
    """A datasketch LeanMinHash over a stored signature, for `MinHashLSH` queries."""
    from datasketch import LeanMinHash

    return LeanMinHash(seed=seed, hashvalues=signature, scheme=SCHEME)


def band_keys(signatures: np.ndarray, first: int, stop: int, rows: int) -> np.ndarray:
    """Keys `(stop - first, n_docs)` uint64 of bands `first:stop`, one per band and document:
    equal bands give equal keys, and the high bits are as good as the whole key."""
    n, count = len(signatures), stop - first
    cols = signatures[:, first * rows : stop * rows].reshape(n, count, rows)
    if rows == 1:
        # In the high half, where `_bucket_pairs` looks.
        return np.ascontiguousarray(cols[:, :, 0].T).astype(np.uint64) << np.uint64(32)
    acc = np.empty((count, n), dtype=np.uint64)
    acc[:] = np.arange(first + 1, stop + 1, dtype=np.uint64)[:, None]
    with np.errstate(over="ignore"):
        for r in range(rows):
            acc ^= cols[:, :, r].T
            acc *= np.uint64(0x100000001B3)
    return acc


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
    n = len(signatures)
    # Several bands per numpy pass when documents are few (a crawl's end-of-run clustering of a
    # few hundred articles): per band, numpy's call overhead would cost more than the work.
    step = max(1, _BAND_BLOCK // max(n, 1))
    found = [
        _bucket_pairs(band_keys(signatures, first, min(first + step, bands), rows), max_bucket)
        for first in range(0, bands, step)
    ]
    codes = np.concatenate(found) if found else np.zeros(0, dtype=np.int64)
    if not len(codes):
        return np.zeros((0, 2), dtype=np.int64)
    # Pairs as one int64 code each: sorting plain integers is several times faster than
    # np.unique(axis=0) on rows.
    codes.sort()
    new = np.empty(len(codes), dtype=bool)
    new[0] = True
    np.not_equal(codes[1:], codes[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    count = np.diff(np.append(starts, len(codes)))
    code = codes[starts]
    keep = count >= min_bands
    code, count = code[keep], count[keep]
    out = np.stack((code // n, code % n), axis=1)
    if per_row is not None:
        out = out[_best_per_row(out, count, per_row)]
    return out


def _best_per_row(pairs: np.ndarray, score: np.ndarray, per_row: int) -> np.ndarray:
    """Mask of pairs among the `per_row` best-scored of either end (`rules.best_per_group`;
    pairs are in lexicographic order, so among one row's pairs a smaller index is a smaller
    partner)."""
    m = len(pairs)
    index = np.arange(m)
    chosen = rules.best_per_group(np.concatenate((pairs[:, 0], pairs[:, 1])),
                                  np.concatenate((score, score)),
                                  np.concatenate((index, index)), per_row)
    keep = np.zeros(m, dtype=bool)
    keep[chosen] = True
    return keep


def _bucket_pairs(keys: np.ndarray, max_bucket: int) -> np.ndarray:
    """Codes `i * n + j` (i < j) of the rows sharing a key within a band, for keys
    `(bands, n)`; a pair found in several bands is given once per band."""
    n = keys.shape[1]
    bits = max(int(n - 1).bit_length(), 1)
    # The key's high bits and the row in the low bits, sorted together: a plain integer sort
    # instead of an argsort. Dropping the key's low bits can only merge buckets by chance
    # (1 in 2**(64 - bits) per pair), which verification afterwards removes.
    packed = ((keys >> np.uint64(bits)) << np.uint64(bits)) | np.arange(n, dtype=np.uint64)
    packed.sort(axis=1)
    order = (packed & np.uint64((1 << bits) - 1)).astype(np.int64).ravel()
    sorted_keys = packed >> np.uint64(bits)
    # A bucket starts at every band's first row and wherever the key changes; buckets never
    # run from one band into the next.
    starts_here = np.ones(sorted_keys.shape, dtype=bool)
    np.not_equal(sorted_keys[:, 1:], sorted_keys[:, :-1], out=starts_here[:, 1:])
    boundary = np.append(np.flatnonzero(starts_here), sorted_keys.size)
    sizes = np.diff(boundary)
    out = []
    for size in np.unique(sizes[sizes > 1]):
        starts = boundary[:-1][sizes == size]
        members = order[starts[:, None] + np.arange(size)[None, :]]
        if size > max_bucket:
            # Sorted order puts the smallest row first: the star's centre.
            left = np.repeat(members[:, :1], size - 1, axis=1)
            right = members[:, 1:]
        else:
            i, j = _pair_indices(int(size))
            left, right = members[:, i], members[:, j]
        out.append((np.minimum(left, right) * n + np.maximum(left, right)).ravel())
    return np.concatenate(out) if out else np.zeros(0, dtype=np.int64)


@cache
def _pair_indices(size: int) -> tuple[np.ndarray, np.ndarray]:
    """`np.triu_indices(size, k=1)`: every pair of a bucket of `size` members. Made once per
    size: buckets come in a few small sizes, asked for in every band (hundreds of times per
    clustering), and numpy takes longer to build these than to use them."""
    i, j = np.triu_indices(size, k=1)
    i.flags.writeable = False
    j.flags.writeable = False
    return i, j
