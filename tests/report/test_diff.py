"""What a copy changed of its original, as the report and `scrapy cluster --explain` show it."""

from __future__ import annotations

from crawler.dedup import DedupOptions
from crawler.dedup.explain import left_out_of_copies
from crawler.report.diff import copy_diff, summary_text

ORIGINAL = "\n".join([
    "Presiden bertemu menteri di istana pada Senin pagi.",
    "Pertemuan membahas harga beras yang naik sejak bulan lalu.",
    "Menteri berjanji menurunkan harga dalam dua minggu.",
    "Para pedagang pasar menyambut baik janji itu.",
    "Namun sebagian warga masih ragu.",
])
LEFT_OUT = left_out_of_copies(DedupOptions())


def test_an_aggregator_copy_reads_as_lines_added_edited_and_an_ending_cut() -> None:
    copy = "\n".join([
        "Presiden bertemu menteri di istana pada Senin pagi.",
        "Baca juga: Harga cabai turun",
        "Pertemuan membahas harga beras yang melonjak sejak bulan lalu.",
        "Menteri berjanji menurunkan harga dalam dua minggu.",
    ])
    diff = copy_diff(ORIGINAL, copy, LEFT_OUT, ("Harga beras", "Heboh! Harga beras"))
    ops = [c["op"] for c in diff["changes"]]
    assert ops == ["same", "added", "edited", "same", "removed", "removed"]
    assert diff["changes"][1] == {"op": "added", "text": "Baca juga: Harga cabai turun",
                                  "left_out": True}
    assert ["-", "naik"] in diff["changes"][2]["words"]
    assert ["+", "melonjak"] in diff["changes"][2]["words"]
    assert all(c["ending"] for c in diff["changes"][4:])
    assert diff["title"] == ["Harga beras", "Heboh! Harga beras"]
    assert summary_text(diff) == ("2 lines the same; 1 added (1 left out of the comparison); "
                                  "ending cut (2 lines); 1 line edited (1 word); new title")


def test_a_line_rewritten_whole_is_removed_and_added_not_edited() -> None:
    copy = ORIGINAL.replace("Namun sebagian warga masih ragu.",
                            "Sumber berita ini adalah kantor berita lain.")
    diff = copy_diff(ORIGINAL, copy, LEFT_OUT)
    assert [c["op"] for c in diff["changes"]] == ["same", "removed", "added"]
    assert not diff["changes"][1]["ending"] and not diff["changes"][2]["left_out"]


def test_an_exact_copy_has_no_change() -> None:
    diff = copy_diff(ORIGINAL, ORIGINAL, LEFT_OUT, ("a", "a"))
    assert diff["changes"] == [{"op": "same", "lines": 5}] and "title" not in diff
    assert summary_text(diff) == "5 lines the same"
