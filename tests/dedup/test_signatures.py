import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from crawler.dedup.signatures import (
    _densify,
    band_pairs,
    bulk_minhash,
    lean_minhash,
    lsh_params,
    one_permutation_minhash,
)


def test_bulk_minhash_equals_datasketch_update_batch():
    rng = np.random.default_rng(0)
    hashes = rng.integers(0, 1 << 32, 3000, dtype=np.uint64).astype(np.uint32)
    doc = np.sort(rng.integers(0, 9, 3000))
    signatures = bulk_minhash(hashes, doc, 10, 64, seed=3)
    for d in range(10):
        expected = MinHash(num_perm=64, seed=3, scheme="affine32", hashfunc=int)
        if (doc == d).any():
            expected.update_batch(hashes[doc == d].tolist())
        assert np.array_equal(signatures[d], expected.hashvalues)


def test_band_pairs_are_minhashlsh_candidates():
    rng = np.random.default_rng(1)
    base = rng.integers(0, 1 << 32, (5, 64), dtype=np.uint64).astype(np.uint32)
    signatures = np.repeat(base, 4, axis=0)
    signatures[rng.random(signatures.shape) < 0.5] = 7  # partial agreement
    bands, rows = lsh_params(0.3, 64)
    lsh = MinHashLSH(num_perm=64, params=(bands, rows))
    for i, sig in enumerate(signatures):
        lsh.insert(i, lean_minhash(sig, 1))
    expected = {(min(i, j), max(i, j)) for i, sig in enumerate(signatures)
                for j in lsh.query(lean_minhash(sig, 1)) if i != j}
    found = {tuple(p) for p in band_pairs(signatures, bands, rows, max_bucket=1000).tolist()}
    assert found == expected


def test_band_pairs_checks_arguments():
    with pytest.raises(ValueError):
        band_pairs(np.zeros((3, 8), dtype=np.uint32), 3, 3, 10)
    with pytest.raises(ValueError):
        band_pairs(np.zeros((3, 8), dtype=np.uint32), 2, 2, 10, min_bands=3)


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b)


def test_one_permutation_minhash_estimates_jaccard():
    rng = np.random.default_rng(2)
    base = rng.integers(0, 1 << 63, 600, dtype=np.uint64)
    other = base.copy()
    other[:200] = rng.integers(0, 1 << 63, 200, dtype=np.uint64)  # Jaccard 400 / 800 = 0.5
    hashes = np.concatenate((base, other))
    doc = np.repeat([0, 1], 600)
    sig = one_permutation_minhash(hashes, doc, 2, 256, seed=1)
    estimate = (sig[0] == sig[1]).mean()
    assert abs(estimate - _jaccard(set(base.tolist()), set(other.tolist()))) < 0.08
    # Deterministic, and independent of the other documents in the batch.
    alone = one_permutation_minhash(base, np.zeros(600, dtype=np.int64), 1, 256, seed=1)
    assert np.array_equal(alone[0], sig[0])
    assert not np.array_equal(one_permutation_minhash(base, np.zeros(600, dtype=np.int64), 1,
                                                      256, seed=2)[0], sig[0])


def test_densification_fills_empty_bins_consistently():
    """A short text leaves most bins empty; densified, equal texts still agree in every bin,
    disjoint ones in (almost) none, and no bin is left at the empty value."""
    rng = np.random.default_rng(3)
    short = rng.integers(0, 1 << 63, 5, dtype=np.uint64)
    unrelated = rng.integers(0, 1 << 63, 5, dtype=np.uint64)
    hashes = np.concatenate((short, short, unrelated))
    doc = np.repeat([0, 1, 2], 5)
    sig = one_permutation_minhash(hashes, doc, 4, 128, seed=1)
    empty = np.uint32(0xFFFFFFFF)
    assert not (sig[:3] == empty).any()
    assert np.array_equal(sig[0], sig[1])
    assert (sig[0] == sig[2]).mean() < 0.1
    assert (sig[3] == empty).all()  # a document without hashes stays empty


def test_densify_borrows_from_the_right_mixed_with_distance():
    empty = np.uint32(0xFFFFFFFF)
    rows = np.array([[empty, 5, empty, empty], [7, empty, empty, empty]], dtype=np.uint32)
    out = _densify(rows)
    assert out[0, 1] == 5 and out[1, 0] == 7  # filled bins are kept
    assert not (out == empty).any()
    # Two empty bins borrowing the same value at different distances differ.
    assert len({int(v) for v in out[1, 1:]}) == 3
    assert np.array_equal(_densify(rows), out)


@pytest.mark.parametrize("rows", [1, 3])
@pytest.mark.parametrize("n", [2, 61, 700])
def test_band_pairs_are_the_same_in_blocks_of_bands_as_band_by_band(monkeypatch, n, rows):
    import crawler.dedup.signatures as signatures

    rng = np.random.default_rng(n + rows)
    bands = 20
    # Few distinct values per column: buckets of every size, some over max_bucket.
    sig = rng.integers(0, 4, (n, bands * rows), dtype=np.uint64).astype(np.uint32)
    sig[rng.random(sig.shape) < 0.5] = rng.integers(0, 1 << 32, dtype=np.uint32)
    sig[-1, : 2 * rows] = sig[0, : 2 * rows]  # two bands shared, whatever chance gives
    runs = []
    for block in (1, 1 << 14):
        monkeypatch.setattr(signatures, "_BAND_BLOCK", block)
        runs.append([
            band_pairs(sig, bands, rows, max_bucket=5),
            band_pairs(sig, bands, rows, max_bucket=50, min_bands=2, per_row=3),
        ])
    assert len(runs[0][0]) > 0
    for band_by_band, blocked in zip(*runs, strict=True):
        assert np.array_equal(band_by_band, blocked)
