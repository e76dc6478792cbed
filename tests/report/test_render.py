from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from crawler.report import build_clusters, write_report
from crawler.report.render import event_detail, script_json
from tests.report.conftest import SEED_EVENT
from tests.report.hostile import BODY, SHARED, TITLE, hostile_records


def test_script_json_cannot_close_its_element() -> None:
    text = script_json({"t": "</script><!-- & -->"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"t": "</script><!-- & -->"}


def test_report_is_one_file_without_network(
    tmp_path: Path, fixture_records: list[dict[str, Any]], crawl_summary: dict[str, Any]
) -> None:
    paths = write_report(tmp_path, fixture_records, build_clusters(fixture_records), crawl_summary)
    html = paths.report_html.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["clusters.json", "report.html"]
    # No external asset: nothing to load by src/href, no stylesheet link, no fetch.
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", html)
    assert "<link" not in html and "fetch(" not in html and "innerHTML" not in html
    # The list's index, the review data (rejects, decisions) and one block per event.
    assert html.count('type="application/json"') == 2 + 16


def test_hostile_text_stays_inside_its_json(tmp_path: Path) -> None:
    records = hostile_records()
    paths = write_report(tmp_path, records, build_clusters(records))
    html = paths.report_html.read_text(encoding="utf-8")
    assert len(re.findall(r"<script[\s>]", html)) == 4 and html.count("</script>") == 4
    assert "<img" not in html and "<b>" not in html and "<i>" not in html
    assert TITLE not in html and BODY not in html


def test_highlights_are_utf16_offsets_of_the_shared_passage(
    fixture_records: list[dict[str, Any]],
) -> None:
    records = hostile_records()
    event = build_clusters(records).events[0]
    copy = event_detail(event, {r["url"]: r["body"] for r in records})["copies"][0]
    member = copy["members"][1]
    body16 = member["body"].encode("utf-16-le")
    [[start, end]] = member["marks"]
    assert body16[2 * start : 2 * end].decode("utf-16-le") == SHARED


def test_seed_copy_highlights_what_it_took(fixture_records: list[dict[str, Any]]) -> None:
    document = build_clusters(fixture_records)
    seed = next(e for e in document.events if e.id == SEED_EVENT)
    detail = event_detail(seed, {r["url"]: r["body"] for r in fixture_records})
    copy = next(m for m in detail["copies"][0]["members"] if m["site"] == "jakarta365.net")
    passages = [copy["body"][s:e] for s, e in copy["marks"]]
    assert any("percakapan ini berlangsung lebih dari satu jam" in p for p in passages)
