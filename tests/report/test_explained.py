"""The dedup's explanations in the report: every article explained, a copy with its diff, the
scores as the similarity fields, and `python -m crawler.report` taking rejects and decisions."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.report import ClusterDocument
from crawler.report.__main__ import main
from crawler.report.explained import explain_records, explanation_text, record_assignments
from tests.report.conftest import write_records

ETINDONESIA = ("https://www.etindonesia.com/2025/02/13/trump-dan-putin-berbicara-via-telepon-"
               "sepakat-berunding-soal-gencatan-senjata-as-rusia-kembali-adakan/")


@pytest.fixture(scope="module")
def explained(fixture_records: list[dict[str, Any]]) -> Any:
    index = DedupIndex(DedupOptions(workers=1))
    index.add_many(Document.from_record(r) for r in fixture_records)
    return explain_records(fixture_records, index)


def test_every_article_is_explained_a_copy_with_what_it_changed(
    explained: Any, fixture_records: list[dict[str, Any]],
) -> None:
    assert set(explained.by_url) == {r["url"] for r in fixture_records}
    copies = [r for r in fixture_records if r["copy_cluster"] != r["url"]]
    for record in copies:
        copy = explained.by_url[record["url"]]["copy"]
        assert copy["of"] == record["copy_cluster"] and "diff" in copy
        assert explained.similarities[record["url"]] == copy["jaccard"]
    # An aggregator that cut the ending: the diff says so.
    cut = [explained.by_url[r["url"]]["copy"]["diff"]["summary"]["cut_ending"] for r in copies]
    assert any(cut)


def test_a_story_scores_against_its_events_representative(
    explained: Any, fixture_records: list[dict[str, Any]],
) -> None:
    event = explained.by_url[ETINDONESIA]["event"]
    [link] = event["links"]
    assert explained.similarities[ETINDONESIA] == link["score"] == event["score"]
    titles = {r["url"]: r["title"] for r in fixture_records}
    record = next(r for r in fixture_records if r["url"] == ETINDONESIA)
    text = explanation_text(record, explained.by_url[ETINDONESIA], titles)
    threshold = f"{DedupOptions().event_threshold:.2f}".replace(".", "\\.")
    assert re.search(rf"event score 0\.\d\d >= threshold {threshold}", text)
    assert re.search(r"Putin +name", text)


def test_record_assignments_read_the_records_ids(fixture_records: list[dict[str, Any]]) -> None:
    found = record_assignments([*fixture_records, {"url": "https://x.example/", "body": "b"}])
    assert found["https://x.example/"].event_cluster == "https://x.example/"
    assert all(found[r["url"]].event_cluster == r["event_cluster"] for r in fixture_records)


def test_python_m_crawler_report_explains_and_lists_rejects_and_decisions(
    tmp_path: Path, fixture_records: list[dict[str, Any]], crawl_summary: dict[str, Any],
) -> None:
    articles = write_records(tmp_path / "articles.jsonl", fixture_records)
    rejects = tmp_path / "rejects.jsonl"
    lost = [{"url": "https://www.tribunnews.com/video/1", "outcome": "rejected",
             "reason": "no-body: the page has no article text"},
            {"url": "https://jakarta365.net/news/9", "outcome": "missed",
             "reason": "no-fixture: no saved page"}]
    write_records(rejects, lost)
    decisions = tmp_path / "decisions.json"
    decisions.write_text(json.dumps({"schema": "news-crawler/decisions", "version": 1,
                                     "decisions": [{"kind": "not-a-copy", "url": "a",
                                                    "others": ["b"]}]}), encoding="utf-8")
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(crawl_summary), encoding="utf-8")
    assert main([str(articles), str(tmp_path / "report"), "--summary", str(summary),
                 "--rejects", str(rejects), "--decisions", str(decisions)]) == 0
    html = (tmp_path / "report" / "report.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/json" id="review">(.*?)</script>', html)
    review = json.loads(block)
    assert review["rejects"] == lost
    assert review["decisions"] == [{"kind": "not-a-copy", "url": "a", "others": ["b"]}]
    document = ClusterDocument.from_json((tmp_path / "report" / "clusters.json").read_bytes())
    assert all(m.explanation for e in document.events for m in e.members)


def test_python_m_crawler_report_refuses_a_bad_decisions_file(
    tmp_path: Path, fixture_records: list[dict[str, Any]], capsys: pytest.CaptureFixture[str],
) -> None:
    articles = write_records(tmp_path / "articles.jsonl", fixture_records)
    (tmp_path / "d.json").write_text("{", encoding="utf-8")
    assert main([str(articles), str(tmp_path / "r"), "--decisions", str(tmp_path / "d.json")]) == 2
    assert capsys.readouterr().err.count("\n") == 1 and not (tmp_path / "r").exists()
