"""One end-to-end crawl of every fixture site, in a subprocess, as the README runs it."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import CrawlRun, run_crawl

# Crawls in a subprocess or drives a browser: `pytest -m "not slow"` leaves it out.
pytestmark = pytest.mark.slow

FORBIDDEN_IN_BODY = ("![", ".png", ".jpg", "icon/", "Baca juga", "Tag:")
# A publisher credit such as "(Tribunnews.com, Andari Wulan Nugrahani)" or "(Kompas.com/Nama)".
CREDIT_LINE = re.compile(r"\(\s*[A-Z][\w-]*\.(?:com|net|id|co\.id)\s*[,/][^)]*\)")


def network_is_cut() -> bool:
    """Whether this machine lets us run the crawl in a network namespace with no interface."""
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-rn", "true"], capture_output=True, check=False)
    return probe.returncode == 0


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    out_dir = tmp_path_factory.mktemp("crawl")
    prefix = ("unshare", "-rn") if network_is_cut() else ()
    return run_crawl("all", out_dir, prefix=prefix)


def expected(manifest: dict, outcome: str) -> set[str]:
    return {page["url"] for page in manifest["pages"] if page.get("expect") == outcome}


def test_every_fixture_article_is_in_the_feed_once(crawl, fixture_manifest):
    urls = [article["url"] for article in crawl.articles]
    assert len(urls) == len(set(urls))
    assert set(urls) == expected(fixture_manifest, "article")
    assert len(urls) >= 60


def test_non_articles_are_rejected_and_unsaved_links_missed_with_reasons(crawl, fixture_manifest):
    rejected = {row["url"] for row in crawl.rejects if row["outcome"] == "rejected"}
    missed = {row["url"] for row in crawl.rejects if row["outcome"] == "missed"}
    assert rejected == expected(fixture_manifest, "reject")
    assert missed == set(fixture_manifest["unsaved_links"])
    assert all(row["reason"] for row in crawl.rejects)


def test_outcomes_add_up_to_the_pages_requested(crawl, fixture_manifest):
    pages = crawl.summary["pages"]
    web_pages = [p for p in fixture_manifest["pages"] if p["kind"] != "discovery"]
    assert pages["requested"] == len(web_pages) + len(fixture_manifest["unsaved_links"])
    outcomes = ("article", "rejected", "missed", "listing", "failed")
    assert sum(pages[outcome] for outcome in outcomes) == pages["requested"]
    assert pages["article"] == len(crawl.articles)
    assert pages["missed"] == len(fixture_manifest["unsaved_links"])
    assert pages["unaccounted"] == 0
    assert pages["failed"] == 0


def test_no_body_holds_image_icon_or_boilerplate_remnants(crawl):
    for article in crawl.articles:
        body = article["body"]
        for remnant in FORBIDDEN_IN_BODY:
            assert remnant not in body, (article["url"], remnant)
        assert not CREDIT_LINE.search(body), (article["url"], CREDIT_LINE.search(body))


def test_records_have_the_documented_fields(crawl):
    fields = ["url", "canonical_url", "site", "source", "title", "body", "published", "fetched",
              "authors", "tags", "images", "lang", "copy_cluster", "event_cluster"]
    for article in crawl.articles:
        assert list(article) == fields
        assert article["title"]
        assert article["published"] and re.search(r"[+-]\d\d:\d\d$", article["published"])
        # when this offline crawl read the saved page: UTC, to the second
        assert re.fullmatch(r"20\d\d-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", article["fetched"])
        assert article["lang"] == "id"


def test_crawl_logs_no_traceback(crawl):
    assert "Traceback" not in crawl.log
    assert "ERROR" not in crawl.log


def test_extraction_is_the_same_function_users_call(crawl, fixture_manifest):
    from crawler.extract import extract_article

    pages = {page["url"]: page for page in fixture_manifest["pages"]}
    article = crawl.articles[0]
    saved = pages[article["url"]]
    html = (Path(__file__).parent.parent / "fixtures" / saved["file"]).read_bytes()
    direct = extract_article(html, article["url"])
    assert direct.body == article["body"]
    assert direct.title == article["title"]


def partition(labels: dict[str, str]) -> set[frozenset[str]]:
    groups: dict[str, set[str]] = {}
    for url, label in labels.items():
        groups.setdefault(label, set()).add(url)
    return {frozenset(group) for group in groups.values()}


@pytest.fixture(scope="module")
def truth() -> dict:
    import json

    from tests.conftest import FIXTURES

    return json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))


def test_copy_clusters_are_exactly_the_labelled_copies(crawl, truth):
    found = {a["url"]: a["copy_cluster"] for a in crawl.articles}
    labelled = {url: label["copy_of"] for url, label in truth["articles"].items()}
    assert partition(found) == partition(labelled)
    originals = {label["copy_of"] for label in truth["articles"].values()}
    assert set(found.values()) == originals  # each copy cluster is named by its original


def test_event_clusters_are_exactly_the_labelled_events(crawl, truth):
    found = {a["url"]: a["event_cluster"] for a in crawl.articles}
    labelled = {url: label["event"] for url, label in truth["articles"].items()}
    assert partition(found) == partition(labelled)


def test_cluster_report_is_written_at_the_end_of_the_crawl(crawl):
    report = crawl.out_dir / "report"
    assert (report / "report.html").is_file()
    document = (report / "clusters.json").read_text(encoding="utf-8")
    assert '"schema"' in document


def test_each_sites_robots_sitemaps_and_feeds_are_read(crawl, fixture_manifest):
    """robots.txt of three sites (jakarta365 has none), tribunnews's sitemap index (listing
    itself too: read once), its news sitemap and gzip sitemap, etindonesia's and berita247's
    sitemaps (berita247's at the well-known address its robots.txt does not name), two RSS feeds
    and the Atom feed berita247's home page announces."""
    discovery = crawl.summary["discovery"]
    saved = [p for p in fixture_manifest["pages"] if p["kind"] == "discovery"]
    read = sum(discovery.get(kind, 0) for kind in
               ("robots", "sitemap-index", "sitemap", "news-sitemap", "feed"))
    assert read == len(saved) == 11
    assert discovery["robots"] == 3
    assert discovery["news-sitemap"] == 1 and discovery["feed"] == 3
    assert discovery["absent"] == 2  # jakarta365: no robots.txt, no /sitemap.xml
    assert "unreadable" not in discovery and "failed" not in discovery
