from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.report import Assignment, ClusterDocument, build_clusters, write_report


def test_json_round_trip_gives_the_same_document(fixture_records: list[dict[str, Any]]) -> None:
    document = build_clusters(fixture_records)
    assert ClusterDocument.from_json(document.to_json()) == document


def test_written_file_gives_back_the_records_clustering(
    tmp_path: Path, fixture_records: list[dict[str, Any]]
) -> None:
    paths = write_report(tmp_path, fixture_records, build_clusters(fixture_records))
    read = ClusterDocument.from_json(paths.clusters_json.read_bytes())
    assert read.assignments() == {
        r["url"]: Assignment(r["url"], r["copy_cluster"], r["event_cluster"])
        for r in fixture_records
    }


def test_json_carries_the_documented_fields(fixture_records: list[dict[str, Any]]) -> None:
    data = json.loads(build_clusters(fixture_records).to_json())
    assert data["schema"] == "news-crawler/clusters" and data["version"] == 2
    assert data["counts"] == {"articles": 61, "copy_clusters": 29, "event_clusters": 16}
    event = data["events"][0]
    assert set(event) == {"id", "representative", "size", "sites", "first_published",
                          "last_published", "copy_clusters"}
    copy = event["copy_clusters"][0]
    assert set(copy) == {"id", "representative", "similarity", "members"}
    assert set(copy["members"][0]) == {"url", "site", "source", "title", "published",
                                       "similarity"}
    assert event["representative"] == copy["representative"] == copy["members"][0]["url"]


@pytest.mark.parametrize("change", [
    {"schema": "other"}, {"version": 3}, {"version": None}, {"events": [{"id": "x"}]},
    {"events": [{"id": "x", "representative": "u", "copy_clusters": []}]},
])
def test_foreign_or_broken_documents_are_refused(
    fixture_records: list[dict[str, Any]], change: dict[str, Any]
) -> None:
    data = {**build_clusters(fixture_records).to_dict(), **change}
    with pytest.raises(ValueError):
        ClusterDocument.from_dict(data)


def test_a_version_1_file_is_read_without_explanations(
    fixture_records: list[dict[str, Any]],
) -> None:
    document = build_clusters(fixture_records)
    old = {**document.to_dict(), "version": 1}
    assert ClusterDocument.from_dict(old) == document


def test_explanations_travel_with_their_members(fixture_records: list[dict[str, Any]]) -> None:
    url = fixture_records[0]["url"]
    why = {"event": {"score": 0.5, "threshold": 0.45, "stories": 0, "links": [],
                     "features": [], "nearest": None}}
    document = build_clusters(fixture_records, explanations={url: why})
    data = json.loads(document.to_json())
    members = [m for e in data["events"] for c in e["copy_clusters"] for m in c["members"]]
    assert [m["explanation"] for m in members if "explanation" in m] == [why]
    assert ClusterDocument.from_json(document.to_json()) == document
