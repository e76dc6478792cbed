import numpy as np
import pytest
from datasketch import MinHash, MinHashLSH

from crawler.dedup.signatures import band_pairs, bulk_minhash, lean_minhash, lsh_params


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
