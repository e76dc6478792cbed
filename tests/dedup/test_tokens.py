import numpy as np

from crawler.dedup.tokens import shingle_hashes, tokenize


def test_tokens_are_case_folded_and_split_on_unicode_punctuation():
    batch = tokenize(["Presiden “Trump”—Putin", "presiden trump putin"])
    first, second = batch.hashes[batch.doc == 0], batch.hashes[batch.doc == 1]
    assert np.array_equal(first, second)
    assert batch.capital.tolist() == [True, True, True, False, False, False]


def test_sentence_starts_and_digits():
    batch = tokenize(["Kata Jokowi. Lalu 2025 datang\nBaru"])
    assert batch.sentence_start.tolist() == [True, False, True, False, False, True]
    assert batch.digit.tolist() == [False, False, False, True, False, False]


def test_hashes_do_not_depend_on_the_batch():
    alone = tokenize(["Gunung Lewotobi meletus"]).hashes
    together = tokenize(["lain", "Gunung Lewotobi meletus"])
    assert np.array_equal(alone, together.hashes[together.doc == 1])


def test_short_texts_give_one_shingle_and_empty_ones_none():
    batch = tokenize(["a b", "", "a b c d e f"])
    hashes, doc = shingle_hashes(batch.hashes, batch.doc, batch.n_docs, 5)
    assert doc.tolist() == [0, 2, 2]
    assert len(set(hashes.tolist())) == 3


def test_long_tokens_hash_all_their_bytes():
    a = "Pemberantasan" * 5 + "x"
    b = "Pemberantasan" * 5 + "y"
    batch = tokenize([a, b, a.upper(), "pemberantasan"])
    h = batch.hashes.tolist()
    assert h[0] != h[1] and h[0] == h[2] and len(set(h)) == 3
    assert batch.length.tolist() == [66, 66, 66, 13]
