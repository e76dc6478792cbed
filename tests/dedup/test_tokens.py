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


def test_words_share_the_stem_of_their_first_five_characters():
    batch = tokenize(["Minister Ministerin ministers Thüringen Thüringer Trump Trump's Trum "
                      "Menteri menteri"])
    s = batch.stems.tolist()
    assert s[0] == s[1] == s[2] and batch.hashes[0] != batch.hashes[1]
    assert s[3] == s[4]  # five characters, the "ü" two bytes of them
    assert s[5] == s[6] != s[8]  # "Trump" whole, "'s" its own token; "Trum" is shorter
    assert s[9] == s[10]
    # A token no longer than its stem is its own stem.
    assert s[5] == batch.hashes[5] and s[8] == batch.hashes[8]


def test_a_stem_does_not_depend_on_what_follows_the_word():
    batch = tokenize(["Berlin“ und Berlin. Berlins"])
    s = batch.stems.tolist()
    assert s[0] == s[2] == s[3]


def test_words_of_multibyte_scripts_keep_their_whole_hash():
    batch = tokenize(["सरकार सरकारी 政府工作报告 政府工作"])
    assert np.array_equal(batch.stems, batch.hashes)
    assert len(set(batch.stems.tolist())) == 4


def test_a_word_in_the_lead_counts_twice_and_its_stem_is_one_feature():
    from crawler.dedup.features import extract_features, feature_hashes

    text = "Vulkan Lewotobi meletus lagi. " + "abu " * 8 + "Warga mengungsi. Vulkan vulkanik"
    batch = tokenize([text])
    vulkan = int(feature_hashes(batch)[0])
    for lead, expected in ((0, 3), (3, 4), (100, 6)):
        f = extract_features(batch, 128, lead=lead)
        tf = dict(zip(f.hashes.tolist(), f.tf.tolist(), strict=True))
        # "Vulkan" twice and "vulkanik" once (one stem); the first in the lead counts again.
        assert tf[vulkan] == expected
