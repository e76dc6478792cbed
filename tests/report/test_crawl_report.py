"""The end of a crawl: its report explains every article, lists the pages it did not keep (with
a filter by reason that works in the browser), and its final ids obey DEDUP_DECISIONS."""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING

import pytest

from crawler.report import ClusterDocument
from tests.conftest import CrawlRun, run_crawl
from tests.report.browser import open_page

if TYPE_CHECKING:
    from playwright.sync_api import Browser

pytestmark = pytest.mark.slow

ETINDONESIA = ("https://www.etindonesia.com/2025/02/13/trump-dan-putin-berbicara-via-telepon-"
               "sepakat-berunding-soal-gencatan-senjata-as-rusia-kembali-adakan/")
TRIBUNNEWS = ("https://www.tribunnews.com/internasional/2025/02/13/trump-telepon-putin-rusia-siap-"
              "nego-akhiri-perang-di-ukraina-bagaimana-dengan-zelensky")


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    folder = tmp_path_factory.mktemp("crawl-report")
    decisions = folder / "decisions.json"
    decisions.write_text(json.dumps({
        "schema": "news-crawler/decisions", "version": 1, "decisions": [
            {"kind": "not-this-event", "url": ETINDONESIA, "others": [TRIBUNNEWS]},
            {"kind": "same-event", "url": "https://gone.example/1",
             "others": ["https://gone.example/2"]}]}), encoding="utf-8")
    return run_crawl("all", folder, f"DEDUP_DECISIONS={decisions}")


def test_the_crawls_final_ids_obey_its_decisions(crawl: CrawlRun) -> None:
    ids = {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in crawl.articles}
    assert ids[ETINDONESIA][1] == ETINDONESIA != ids[TRIBUNNEWS][1]
    assert ("decisions: 1 obeyed, 1 about articles no longer in the corpus "
            "(https://gone.example/1 is not in the corpus)") in crawl.log


def test_the_crawls_report_explains_and_lists_its_rejects(crawl: CrawlRun) -> None:
    report = crawl.out_dir / "report"
    document = ClusterDocument.from_json((report / "clusters.json").read_bytes())
    assert {m.url for e in document.events for m in e.members if m.explanation} == {
        a["url"] for a in crawl.articles}
    html = (report / "report.html").read_text(encoding="utf-8")
    [block] = re.findall(r'<script type="application/json" id="review">(.*?)</script>', html)
    listed = json.loads(block)["rejects"]
    assert listed == [{k: r[k] for k in ("url", "outcome", "reason")} for r in crawl.rejects]
    assert {r["outcome"] for r in listed} >= {"rejected", "missed"}


def test_rejects_filter_by_reason_in_the_browser(crawl: CrawlRun, browser: Browser) -> None:
    page = open_page(browser, (crawl.out_dir / "report" / "report.html").as_uri(), 1400)
    rows = page.locator("#lost-list .lost-row")
    assert rows.count() == len(crawl.rejects)
    page.select_option("#lost-reason", "missed/no-fixture")
    misses = [r for r in crawl.rejects if r["reason"].startswith("no-fixture")]
    assert 0 < rows.count() == len(misses) < len(crawl.rejects)
    assert set(rows.locator("a").evaluate_all("links => links.map(a => a.href)")) == {
        r["url"] for r in misses}
    assert "reason=missed%2Fno-fixture" in page.url
    page.close()
