"""The report as a person sees it: rendered by headless Chromium, read back from its DOM."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from crawler.report import ClusterDocument, build_clusters, write_report
from tests.report.browser import (
    chromium_path,
    page_url,
    rendered_dom,
    screenshot,
    text,
)
from tests.report.conftest import SEED_EVENT
from tests.report.hostile import RTL_TITLE, SHARED, TITLE, hostile_records

# Crawls in a subprocess or drives a browser: `pytest -m "not slow"` leaves it out.
pytestmark = pytest.mark.slow

SEED_ORIGINALS = {
    "https://www.tribunnews.com/internasional/2025/02/13/trump-telepon-putin-rusia-siap-nego-"
    "akhiri-perang-di-ukraina-bagaimana-dengan-zelensky",
    "https://www.etindonesia.com/2025/02/13/trump-dan-putin-berbicara-via-telepon-sepakat-"
    "berunding-soal-gencatan-senjata-as-rusia-kembali-adakan/",
}


@pytest.fixture(scope="module")
def fixture_report(
    tmp_path_factory: pytest.TempPathFactory, fixture_records: list[dict[str, Any]],
    crawl_summary: dict[str, Any],
) -> tuple[Path, ClusterDocument]:
    document = build_clusters(fixture_records)
    directory = tmp_path_factory.mktemp("fixture-report")
    return write_report(directory, fixture_records, document, crawl_summary).report_html, document


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    """A fresh browser profile; checks first that Chromium is there (skip, or fail under CI)."""
    chromium_path()
    return tmp_path / "chromium-profile"


def artifact_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    wanted = os.environ.get("REPORT_ARTIFACTS_DIR")
    if wanted:
        Path(wanted).mkdir(parents=True, exist_ok=True)
        return Path(wanted)
    folder = tmp_path_factory.getbasetemp() / "report-artifacts"
    folder.mkdir(exist_ok=True)
    return folder


def test_seed_event_shows_both_stories_side_by_side(
    fixture_report: tuple[Path, ClusterDocument], truth: dict[str, Any], profile: Path,
    tmp_path_factory: pytest.TempPathFactory, capsys: pytest.CaptureFixture[str],
) -> None:
    report, _ = fixture_report
    url = page_url(report, f"#open={SEED_EVENT}")
    dom = rendered_dom(url, profile)

    assert text(dom.get_element_by_id("stat-events")) == "16"
    assert text(dom.get_element_by_id("result-count")) == "Showing 1\u201316 of 16 event clusters"
    assert len(dom.find_class("event")) == 16

    (event,) = dom.xpath(f'//section[@data-id="{SEED_EVENT}"]')
    cards = event.find_class("card")
    assert {c.get("data-url") for c in cards} == set(truth["events"][SEED_EVENT])
    originals = {c.get("data-url") for c in cards if "original" in c.get("class").split()}
    assert originals == SEED_ORIGINALS
    copy = next(c for c in cards if c.get("data-url").startswith("https://jakarta365.net/"))
    assert re.search(r"similarity to original: [01]\.\d\d", text(copy))
    marks = [text(m) for m in copy.iter("mark")]
    assert any("percakapan ini berlangsung lebih dari satu jam" in m for m in marks)
    assert event.xpath('.//svg[@class="timeline"]//circle'), "no timeline"
    labels = event.xpath('.//svg[@class="timeline"]//*[@class="outlet"]')
    outlets = [text(label) for label in labels]
    hosts = {c.get("data-url").split("/")[2].removeprefix("www.") for c in cards}
    assert len(outlets) == len(set(outlets)) == len(hosts), "one timeline row per outlet"

    shot = screenshot(url, profile, artifact_dir(tmp_path_factory) / "report-seed-event.png")
    with capsys.disabled():
        print(f"\nreport screenshot: {shot}")


def test_filter_by_outlet_and_search_text(
    fixture_report: tuple[Path, ClusterDocument], profile: Path,
) -> None:
    report, document = fixture_report
    dom = rendered_dom(page_url(report, "?site=etindonesia.com"), profile)
    expected = [e.id for e in document.events if "etindonesia.com" in e.sites]
    assert 0 < len(expected) < 16
    assert [s.get("data-id") for s in dom.find_class("event")] == expected
    assert dom.get_element_by_id("site-filter").value == "etindonesia.com"
    assert text(dom.get_element_by_id("result-count")).endswith(
        f"of {len(expected)} event clusters matching the filter (of 16)")

    # "Hegseth" is in the Tribunnews seed's body, not in any title: search reads the text too.
    dom = rendered_dom(page_url(report, "#q=hegseth"), profile)
    ids = [s.get("data-id") for s in dom.find_class("event")]
    assert SEED_EVENT in ids and len(ids) < 4
    assert dom.get_element_by_id("search").value == "hegseth"


def test_hostile_text_renders_as_text(tmp_path: Path, profile: Path) -> None:
    records = hostile_records()
    report = write_report(tmp_path / "report", records, build_clusters(records)).report_html
    dom = rendered_dom(page_url(report, "#open=%3C/script%3Eevent"), profile)

    assert dom.get("data-pwned") is None
    assert not dom.xpath('//img | //section[@id="clusters"]//*[self::b or self::i or self::script]')
    assert len(dom.xpath("//script[not(@type)]")) == 1
    cards = dom.find_class("card")
    assert [text(h) for c in cards for h in c.iter("h4")] == [TITLE, " ".join(RTL_TITLE.split())]
    assert all(h.get("dir") == "auto" for c in cards for h in c.iter("h4"))
    assert not dom.xpath('//a[starts-with(@href, "javascript")]')
    body = cards[0].find_class("text")[0]
    assert body.get("dir") == "auto" and "A" * 20_000 in body.text_content()
    assert [text(m) for m in cards[1].iter("mark")] == [SHARED]
    assert "<i>evil</i>.example" in text(dom.find_class("chips")[0])


def test_five_thousand_clusters_stay_usable(tmp_path: Path, profile: Path) -> None:
    records = [
        {"url": f"https://{site}.example/{n}", "site": f"{site}.example",
         "title": f"Berita nomor {n} dari {site}", "copy_cluster": f"https://a.example/{n}",
         "event_cluster": f"event-{n:04d}", "published": f"2025-01-{1 + n % 28:02d}T08:00:00+07:00",
         "body": f"Paragraf pembuka berita {n} tentang kejadian hari ini.\n" * 3}
        for n in range(5000) for site in ("a", "b")
    ]
    started = time.perf_counter()
    document = build_clusters(records)
    report = write_report(tmp_path, records, document).report_html
    assert time.perf_counter() - started < 20

    target = document.events[4321]
    started = time.perf_counter()
    dom = rendered_dom(page_url(report, f"#open={target.id}"), profile)
    assert time.perf_counter() - started < 20
    rows = dom.find_class("event")
    assert len(rows) == 50
    assert text(dom.get_element_by_id("stat-events")) == "5000"
    assert text(dom.get_element_by_id("result-count")) == (
        "Showing 4301\u20134350 of 5000 event clusters")
    (opened,) = dom.xpath(f'//section[@data-id="{target.id}"]')
    assert len(opened.find_class("card")) == 2
    assert len(dom.find_class("card")) == 2  # other clusters stay closed
