from __future__ import annotations

from crawler.report.similarity import (
    copy_similarity,
    event_similarity,
    shared_spans,
    utf16_spans,
    words,
)


def test_words_fold_case_and_skip_punctuation() -> None:
    assert words("“Trump,” kata TRUMP.") == ["trump", "kata", "trump"]


def test_copy_similarity_is_one_for_the_same_text_and_low_for_another() -> None:
    text = "satu dua tiga empat lima enam tujuh delapan sembilan sepuluh"
    assert copy_similarity(text, text) == 1.0
    assert copy_similarity(text, "sebelas dua belas tiga belas empat belas lima belas") == 0.0


def test_event_similarity_sees_shared_vocabulary_that_shingles_miss() -> None:
    left = "Trump menelepon Putin soal perang Ukraina"
    right = "Putin dan Trump bicara perang di Ukraina"
    assert copy_similarity(left, right) == 0.0
    assert event_similarity(left, right) > 0.4


def test_shared_spans_cover_runs_of_shared_words() -> None:
    reference = "Presiden Trump berbicara dengan Putin selama lebih dari satu jam kemarin."
    text = "Kabar: Presiden Trump berbicara dengan Putin selama lebih dari satu jam. Lain hal."
    spans = shared_spans(text, [reference], n=6)
    assert [text[s:e] for s, e in spans] == [
        "Presiden Trump berbicara dengan Putin selama lebih dari satu jam"
    ]


def test_shared_spans_ignore_runs_shorter_than_n() -> None:
    assert shared_spans("a b c d e", ["a b c d x"], n=6) == []


def test_utf16_spans_count_emoji_as_two_units() -> None:
    text = "😀 abc"
    assert utf16_spans(text, [(2, 5)]) == [(3, 6)]
    assert utf16_spans("abc", [(0, 3)]) == [(0, 3)]
