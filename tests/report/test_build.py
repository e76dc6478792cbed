from __future__ import annotations

from typing import Any

from crawler.report import build_clusters
from tests.report.conftest import SEED_EVENT


def record(url: str, **fields: Any) -> dict[str, Any]:
    return {"url": url, "site": url.split("/")[2], "title": url, "body": "", **fields}


def test_fixture_clustering_follows_the_cluster_ids(
    fixture_records: list[dict[str, Any]], truth: dict[str, Any]
) -> None:
    document = build_clusters(fixture_records)
    assert len(document.events) == len(truth["events"]) == 16
    assert document.article_count == 61
    for event in document.events:
        assert sorted(m.url for m in event.members) == sorted(truth["events"][event.id])
        for copy in event.copies:
            assert all(truth["articles"][m.url]["copy_of"] == copy.id for m in copy.members)


def test_the_original_represents_its_copies(fixture_records: list[dict[str, Any]]) -> None:
    document = build_clusters(fixture_records)
    seed = next(e for e in document.events if e.id == SEED_EVENT)
    for copy in seed.copies:
        assert copy.representative.url == copy.id
        assert copy.representative.similarity == 1.0
        assert all(0.5 < m.similarity <= 1.0 for m in copy.members)
    # Two outlets' own write-ups: shingles would give ~0, shared vocabulary ~0.2 (DESIGN.md).
    assert seed.copies[0].similarity == 1.0
    assert 0.1 < seed.copies[1].similarity < 0.5
    assert seed.representative.site == "tribunnews.com"  # published first (05:47)


def test_without_a_named_member_the_earliest_represents() -> None:
    document = build_clusters([
        record("https://b.example/2", copy_cluster="c1", published="2025-01-02T00:00:00+07:00"),
        # Later on the clock, earlier in time: offsets count.
        record("https://a.example/1", copy_cluster="c1", published="2025-01-02T01:00:00+09:00"),
        record("https://c.example/3", copy_cluster="c1"),
    ])
    (event,) = document.events
    assert [m.url for m in event.copies[0].members] == [
        "https://a.example/1", "https://b.example/2", "https://c.example/3"]
    assert event.id == "c1"


def test_unclustered_records_are_singletons_and_duplicates_are_dropped() -> None:
    document = build_clusters([
        record("https://a.example/1"), record("https://a.example/1", title="again"),
        record("https://b.example/2"),
    ])
    assert [e.id for e in document.events] == ["https://a.example/1", "https://b.example/2"]
    assert document.events[0].representative.title == "https://a.example/1"


def test_given_similarities_are_used_and_named(fixture_records: list[dict[str, Any]]) -> None:
    given = {r["url"]: 0.5 for r in fixture_records}
    document = build_clusters(fixture_records, given)
    assert document.similarity.copy == "dedup"
    seed = next(e for e in document.events if e.id == SEED_EVENT)
    assert [m.similarity for m in seed.copies[0].members] == [1.0, 0.5, 0.5]
    assert seed.copies[1].similarity == 0.5


def test_same_input_same_document(fixture_records: list[dict[str, Any]]) -> None:
    shuffled = fixture_records[::-1]
    assert build_clusters(fixture_records) == build_clusters(shuffled)


def test_progress_reaches_the_total(fixture_records: list[dict[str, Any]]) -> None:
    calls: list[tuple[str, int, int]] = []
    build_clusters(fixture_records, progress=lambda s, d, t: calls.append((s, d, t)))
    assert calls[-1] == ("clusters", 16, 16)
    assert len(calls) == 16
