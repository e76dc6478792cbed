"""Copy detection survives what aggregators do to an article (property-style, seeded)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.dedup import DedupIndex, DedupOptions, Document

OPTIONS = DedupOptions(workers=1)
FILLER = ("Baca", "juga:", "Harga", "emas", "Antam", "hari", "ini", "naik", "lagi,", "cek",
          "rinciannya", "di", "sini")


def aggregator_copy(title: str, body: str, seed: int, edit_rate: float, cut: float,
                    inserts: int, retitle: bool) -> tuple[str, str]:
    """`body` as an aggregator republishes it: `inserts` "Baca juga" lines, a new headline,
    the last `cut` of the text dropped, `edit_rate` of the words replaced."""
    rng = random.Random(seed)
    words = body.split(" ")
    for i in rng.sample(range(len(words)), int(len(words) * edit_rate)):
        words[i] = rng.choice(["yakni", "disebut", "pula", "sekitar", "tegas", "ujar"])
    lines = " ".join(words).split("\n")
    lines = lines[: max(1, round(len(lines) * (1 - cut)))]
    for _ in range(inserts):
        lines.insert(rng.randrange(len(lines) + 1), " ".join(rng.sample(FILLER, 7)))
    return ("Heboh! " + title[::-1] if retitle else title), "\n".join(lines)


def clusters(*docs: tuple[str, str]) -> dict[str, str]:
    index = DedupIndex(OPTIONS)
    index.add_many(Document(f"doc{i}", t, b) for i, (t, b) in enumerate(docs))
    return {k: a.copy_cluster for k, a in index.assignments().items()}


edits = st.fixed_dictionaries({
    "seed": st.integers(0, 10_000),
    "edit_rate": st.floats(0.01, 0.03),
    "cut": st.floats(0.0, 0.25),
    "inserts": st.integers(0, 3),
    "retitle": st.booleans(),
})


@settings(max_examples=25, deadline=None, derandomize=True)
@given(edits)
def test_copy_of_jakarta365_seed_is_found(jakarta365_seed, change):
    title, body = jakarta365_seed
    found = clusters((title, body), aggregator_copy(title, body, **change))
    assert found["doc0"] == found["doc1"]


@settings(max_examples=25, deadline=None, derandomize=True)
@given(edits)
def test_copy_of_etindonesia_seed_is_found(etindonesia_seed, change):
    title, body = etindonesia_seed
    found = clusters((title, body), aggregator_copy(title, body, **change))
    assert found["doc0"] == found["doc1"]


def test_different_articles_are_not_copies(etindonesia_seed, jakarta365_seed):
    found = clusters(etindonesia_seed, jakarta365_seed)
    assert found["doc0"] != found["doc1"]


def test_every_copy_joins_one_cluster_named_after_the_original(etindonesia_seed):
    title, body = etindonesia_seed
    copies = [aggregator_copy(title, body, seed, 0.02, 0.1, 2, True) for seed in range(4)]
    index = DedupIndex(OPTIONS)
    index.add(Document("original", title, body, published=100.0))
    for i, (t, b) in enumerate(copies):
        index.add(Document(f"copy{i}", t, b, published=200.0 + i, original=False))
    final = index.assignments()
    assert {a.copy_cluster for a in final.values()} == {"original"}
