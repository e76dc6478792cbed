"""A review as a person does it, in headless Chromium driven by Playwright: read why an article
is in its event and what a copy changed, mark "not this event" and "same event", save the
decisions file from the page, and cluster the same input again with it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import pytest

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.report import build_clusters, write_report
from crawler.report.explained import explain_records
from tests.conftest import PROJECT_ROOT
from tests.report.browser import open_page
from tests.report.conftest import write_records
from tests.report.hostile import hostile_records
from tests.report.test_browser import artifact_dir

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

pytestmark = pytest.mark.slow

ETINDONESIA = ("https://www.etindonesia.com/2025/02/13/trump-dan-putin-berbicara-via-telepon-"
               "sepakat-berunding-soal-gencatan-senjata-as-rusia-kembali-adakan/")
BERITA247_COPY = "https://berita247.net/2025/02/13/trump-telepon-putin-begini-penjelasannya-48213.html"
SEED_EVENT = ("https://www.tribunnews.com/internasional/2025/02/13/trump-telepon-putin-rusia-siap-"
              "nego-akhiri-perang-di-ukraina-bagaimana-dengan-zelensky")
"""The seed story's event, named by its representative, Tribunnews's article."""
Ids = dict[str, tuple[str, str]]


def cluster(src: Path, dst: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`scrapy cluster` as a user runs it, from the project folder."""
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "cluster", str(src), "-o", str(dst), *args,
         "-s", "DEDUP_WORKERS=1"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    return done


def ids(path: Path) -> Ids:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {r["url"]: (r["copy_cluster"], r["event_cluster"]) for r in map(json.loads, lines)}


@pytest.fixture(scope="module")
def clustered(tmp_path_factory: pytest.TempPathFactory, fixture_records: list[dict[str, Any]]
              ) -> tuple[Path, Path, Path]:
    """The fixture articles without their ids, clustered by `scrapy cluster --report`: the
    input, the output and the report."""
    folder = tmp_path_factory.mktemp("review")
    plain = [{k: v for k, v in r.items() if k not in ("copy_cluster", "event_cluster")}
             for r in fixture_records]
    src = write_records(folder / "in.jsonl", plain)
    cluster(src, folder / "out.jsonl", "--report", str(folder / "report"))
    return src, folder / "out.jsonl", folder / "report" / "report.html"


def opened(browser: Browser, report: Path, width: int, event: str) -> Page:
    return open_page(browser, report.resolve().as_uri() + "#open=" + quote(event, safe=""),
                     width)


def card(page: Page, url: str) -> Any:
    return page.locator(f'.card[data-url="{url}"]')


def test_a_review_explains_corrects_and_the_next_run_obeys(
    clustered: tuple[Path, Path, Path], browser: Browser, tmp_path: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    src, out, report = clustered
    before = ids(out)
    page = opened(browser, report, 1400, SEED_EVENT)

    # Why ETIndonesia's own write-up is in the event: scored against the threshold, with the
    # names the two stories share, weighed.
    why = card(page, ETINDONESIA).locator(".why-event")
    threshold = f"threshold {DedupOptions().event_threshold:.2f}"
    assert "In this event: score" in why.inner_text() and threshold in why.inner_text()
    features = set(why.locator(".feature b").all_inner_texts())
    # "Zelensky" and "Zelenskyy" are one stem; the card shows its most frequent spelling.
    assert {"Putin", "Ukraina"} <= features and features & {"Zelensky", "Zelenskyy"}
    # The representative is explained by its ties to the others, never compared with itself.
    lead = page.locator(".card").first
    assert "Event representative" in lead.locator(".why-event").inner_text()
    assert SEED_EVENT not in lead.locator("ul.links").inner_text()
    assert "100% of the text" not in lead.locator(".shared").inner_text()

    # What the berita247 copy changed: its title and edited words, as a diff.
    copy = card(page, BERITA247_COPY)
    assert "A copy: shingle Jaccard" in copy.locator(".why-copy").inner_text()
    copy.locator("details.diff summary").click()
    diff = copy.locator(".diff-lines")
    assert diff.is_visible()
    assert diff.locator(".diff-title del").count() == 1
    assert diff.locator(".diff-edit ins").count() >= 3 and diff.locator(".diff-same").count()

    # Not this event: ETIndonesia's story (with its copy) leaves the seed event.
    card(page, ETINDONESIA).locator('button[data-action="not-this-event"]').click()
    assert "marked: not this event" in card(page, ETINDONESIA).inner_text().lower()
    # Same event: the two smallest events, two write-ups about meetings with Putin.
    first, second = sorted(set(e for _, e in before.values()),
                           key=lambda e: (sum(1 for i in before.values() if i[1] == e), e))[:2]
    page.locator(f'section.event[data-id="{first}"] .event-head').click()
    page.locator(f'section.event[data-id="{first}"] [data-action="same-event-start"]').click()
    page.locator(f'section.event[data-id="{second}"] .event-head').click()
    page.locator(f'section.event[data-id="{second}"] [data-action="same-event"]').click()
    for event in (first, second):
        tools = page.locator(f'section.event[data-id="{event}"] .event-tools')
        assert "marked: same event" in tools.inner_text().lower()
    assert page.locator("#review-count").inner_text() == "2 decisions (changes not saved yet)"
    shoot(page, page.locator(f'section.event[data-id="{SEED_EVENT}"] .cards'),
          artifact_dir(tmp_path_factory) / "reviewed-1400px.png")

    with page.expect_download() as download:
        page.locator("#review-save").click()
    decisions = tmp_path / "decisions.json"
    download.value.save_as(decisions)
    assert page.locator("#review-count").inner_text() == "2 decisions"
    saved = json.loads(decisions.read_text(encoding="utf-8"))
    assert saved["schema"] == "news-crawler/decisions" and saved["version"] == 1
    assert [d["kind"] for d in saved["decisions"]] == ["not-this-event", "same-event"]
    page.close()

    run = cluster(src, tmp_path / "again.jsonl", "--decisions", str(decisions), "--report",
                  str(tmp_path / "again"))
    assert "decisions: 2 obeyed" in run.stdout
    after = ids(tmp_path / "again.jsonl")
    assert {u: c for u, (c, _) in after.items()} == {u: c for u, (c, _) in before.items()}
    moved = {u for u, (c, _) in before.items() if c == ETINDONESIA}
    assert ETINDONESIA in moved and len(moved) == 2  # with berita247's copy of it
    assert {after[u][1] for u in moved} == {ETINDONESIA}
    stayed = {u for u, (_, e) in before.items() if e == SEED_EVENT} - moved
    assert {after[u][1] for u in stayed} == {SEED_EVENT}
    merged = {u for u, (_, e) in before.items() if e in (first, second)}
    assert len({after[u][1] for u in merged}) == 1
    untouched = set(before) - moved - stayed - merged
    assert len(untouched) == 52
    assert {u: after[u] for u in untouched} == {u: before[u] for u in untouched}

    # The next report shows the decisions it applied and keeps them in the file it saves.
    page = opened(browser, tmp_path / "again" / "report.html", 1400, ETINDONESIA)
    assert "marked: not this event" in card(page, ETINDONESIA).inner_text().lower()
    assert page.locator("#review-count").inner_text() == "2 decisions"
    with page.expect_download() as download:
        page.locator("#review-save").click()
    download.value.save_as(tmp_path / "kept.json")
    assert json.loads((tmp_path / "kept.json").read_text(encoding="utf-8")) == saved
    page.close()


@pytest.mark.parametrize("width", [1400, 390])
def test_an_explained_event_fits_a_desktop_and_a_phone(
    clustered: tuple[Path, Path, Path], browser: Browser, width: int,
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    _, _, report = clustered
    page = opened(browser, report, width, SEED_EVENT)
    card(page, BERITA247_COPY).locator("details.diff summary").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.evaluate("document.body.scrollWidth") <= width
    titles = page.locator(".event-head .title").evaluate_all("ts => ts.map(t => t.clientWidth)")
    assert min(titles) >= min(width, 400) // 2, "an event title is squeezed to a sliver"
    folder = artifact_dir(tmp_path_factory)
    shoot(page, card(page, BERITA247_COPY), folder / f"review-{width}px.png")
    page.close()


def shoot(page: Page, top: Any, path: Path) -> None:
    """A screenshot of the window with `top` just under the sticky controls (the README's)."""
    top.evaluate("e => { e.scrollIntoView({block: 'start', inline: 'start'}); "
                 "scrollBy(0, -document.querySelector('.controls').offsetHeight - 8); }")
    page.screenshot(path=str(path))


def test_text_in_explanations_and_diffs_renders_as_text(tmp_path: Path, browser: Browser
                                                        ) -> None:
    records = hostile_records()
    index = DedupIndex(DedupOptions(workers=1))
    index.add_many(Document.from_record(r) for r in records)
    explained = explain_records(records, index)
    document = build_clusters(records, explained.similarities, explanations=explained.by_url)
    report = write_report(tmp_path, records, document).report_html
    page = opened(browser, report, 1400, "</script>event")
    page.locator("details.diff summary").click()
    diff = page.locator(".diff-lines")
    assert '<img src=x onerror="' in diff.inner_text() and diff.locator("img").count() == 0
    assert page.evaluate("document.documentElement.getAttribute('data-pwned')") is None
    assert page.locator("section#clusters img, section#clusters i").count() == 0
    page.close()
