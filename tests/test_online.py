"""The online path, on this machine: the saved sites served over real HTTPS on a loopback
address under their own host names, crawled with `OFFLINE_FIXTURES` empty, as a live crawl."""

from __future__ import annotations

import json
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import pytest

from crawler.accounting import OUTCOMES
from tests.conftest import FIXTURES, CrawlRun, records_by_url, run_crawl, unavailable
from tests.online.server import ADDRESS_ENV, Behaviour, SiteServer, resolver_settings

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

SITES = "site=tribunnews,etindonesia,jakarta365,berita247"
# A live crawl's politeness off (it is one server on loopback), a short timeout for the page
# that hangs, one retry; stats in a file for what the summary does not hold.
ONLINE = ["OFFLINE_FIXTURES=", "DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=False",
          "CONCURRENT_REQUESTS_PER_DOMAIN=8", "DOWNLOAD_TIMEOUT=4", "RETRY_TIMES=1",
          "STATS_CLASS=crawler.stats.JsonFileStatsCollector"]
RETRY_AFTER = 1


def manifest() -> dict:
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def article_urls(host: str) -> list[str]:
    return sorted(p["url"] for p in manifest()["pages"]
                  if p["kind"] == "article" and f"//{host}/" in p["url"])


@contextmanager
def served(*args: Any, **options: Any) -> Iterator[SiteServer]:
    """A running `SiteServer`; port 443 needs root, which CI has."""
    server = SiteServer(*args, **options)
    try:
        server.__enter__()
    except PermissionError:
        unavailable("root, to serve HTTPS on port 443 of a loopback address")
    try:
        yield server
    finally:
        server.__exit__()


@pytest.fixture(scope="module")
def offline(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_crawl("news", tmp_path_factory.mktemp("offline"), arguments=(SITES,))


@pytest.mark.slow
def test_the_saved_sites_over_https_give_the_articles_of_the_offline_crawl(
        offline: CrawlRun, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rate_limited = article_urls("www.tribunnews.com")[0]
    slow = article_urls("www.etindonesia.com")[0]
    hanging = manifest()["unsaved_links"][0]
    sitemap = "https://www.tribunnews.com/sitemap.xml"
    moved = "https://www.tribunnews.com/sitemaps/index.xml"
    behaviour = Behaviour(
        redirects={sitemap: "/sitemaps/index.xml"}, rate_limited={rate_limited: RETRY_AFTER},
        slow={slow: 1.5}, hanging={hanging}, brotli_hosts={"jakarta365.net", "berita247.net"})
    saved_sitemap = (FIXTURES / "sites" / "www.tribunnews.com" / "sitemap.xml").read_bytes()
    with served(FIXTURES / "manifest.json", behaviour,
                extra={moved: (saved_sitemap, "application/xml")}) as server:
        monkeypatch.setenv(ADDRESS_ENV, server.address)
        online = run_crawl("news", tmp_path, *ONLINE, *resolver_settings(),
                           f"STATS_FILE={tmp_path / 'stats.json'}", arguments=(SITES,))
        hits = list(server.hits)
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))

    assert records_by_url(online.articles) == records_by_url(offline.articles)
    assert len(online.articles) > 50
    pages = online.summary["pages"]
    assert sum(pages.get(outcome, 0) for outcome in OUTCOMES) == pages["requested"]
    assert pages.get("unaccounted", 0) == 0
    # every request reached the server on loopback, under a real site's name
    assert hits and all(hit.url.startswith("https://") for hit in hits)
    # 429 + Retry-After: the page was asked for again, not before the server said
    first, second = (hit.at for hit in hits if hit.url == rate_limited)
    assert second - first >= RETRY_AFTER
    assert stats["retry_after/paused"] == 1
    # the redirected sitemap was read where it moved to; its news sitemap led to the articles
    assert [hit.url for hit in hits].count(moved) == 1
    assert online.summary["discovery"]["sitemap-index"] == offline.summary["discovery"][
        "sitemap-index"]
    # brotli and gzip bodies were decoded (the articles above), the hanging page timed out
    assert {hit.encoding for hit in hits} >= {"br", "gzip"}
    missed = {row["url"]: row["reason"] for row in online.rejects if row["outcome"] == "missed"}
    assert missed[hanging].startswith("timeout:")


@pytest.mark.slow
def test_a_second_run_asks_for_unchanged_sitemaps_with_conditional_requests_and_no_page(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    job = [f"CRAWL_SEEN={tmp_path / 'seen.sqlite'}", f"DEDUP_INDEX={tmp_path / 'index.npz'}",
           "HTTPCACHE_ENABLED=True", f"HTTPCACHE_DIR={tmp_path / 'cache'}"]
    articles = set(article_urls("www.tribunnews.com"))
    with served(FIXTURES / "manifest.json") as server:
        monkeypatch.setenv(ADDRESS_ENV, server.address)
        first = run_crawl("news", tmp_path / "1", *ONLINE, *resolver_settings(), *job,
                          arguments=("site=tribunnews",))
        then = len(server.hits)
        run_crawl("news", tmp_path / "2", *ONLINE, *resolver_settings(), *job,
                  f"STATS_FILE={tmp_path / 'stats.json'}", arguments=("site=tribunnews",))
        second = server.hits[then:]
    stats = json.loads((tmp_path / "stats.json").read_text(encoding="utf-8"))
    assert first.articles
    assert not [hit.url for hit in second if hit.url in articles], "an article page fetched again"
    documents = [hit for hit in second if hit.url.endswith((".xml", ".gz", "/rss"))]
    assert documents and all(hit.conditional and hit.status == 304 for hit in documents)
    assert stats["httpcache/revalidate"] >= len(documents)
