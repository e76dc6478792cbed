"""A recurring job (`CRAWL_SEEN`, the persisted `DEDUP_INDEX`): a second run over an unchanged
site fetches no article page again, and a run after articles were added fetches exactly those,
which get the cluster ids a single crawl of everything gives."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from tests.conftest import FIXTURES, CrawlRun, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

SITES = "site=tribunnews,etindonesia,jakarta365,berita247"
ADDED = 10


def manifest_without(urls: set[str], path: Path) -> Path:
    """The fixture manifest without the pages at `urls` (their links stay: not yet published)."""
    data = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    for page in data["pages"]:
        page["file"] = str(FIXTURES / page["file"])
    data["pages"] = [page for page in data["pages"] if page["url"] not in urls]
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def fetched_articles(run: CrawlRun) -> int:
    return run.summary["pages"].get("article", 0) + run.summary["pages"].get("rejected", 0)


@pytest.mark.slow
def test_a_second_run_fetches_only_the_articles_added_since(tmp_path: Path) -> None:
    data = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    articles = sorted(p["url"] for p in data["pages"] if p["expect"] == "article")
    added = set(articles[::len(articles) // ADDED][:ADDED])
    before = manifest_without(added, tmp_path / "before.json")
    job = [f"CRAWL_SEEN={tmp_path / 'seen.sqlite'}", f"DEDUP_INDEX={tmp_path / 'index.npz'}"]

    first = run_crawl("news", tmp_path / "1", f"OFFLINE_FIXTURES={before}", *job,
                      arguments=(SITES,))
    assert len(first.articles) == len(articles) - ADDED
    again = run_crawl("news", tmp_path / "2", f"OFFLINE_FIXTURES={before}", *job,
                      arguments=(SITES,))
    assert fetched_articles(again) == 0 and again.articles == []
    assert again.summary["discovery"]["seen"] >= len(first.articles)
    grown = run_crawl("news", tmp_path / "3", *job, arguments=(SITES,))
    assert sorted(a["url"] for a in grown.articles) == sorted(added)
    assert fetched_articles(grown) == ADDED

    # the ids a single crawl of every page gives, whatever the order pages came in
    whole = run_crawl("news", tmp_path / "whole", arguments=(SITES,))
    ids = {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in whole.articles}
    assert {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in grown.articles} == {
        url: ids[url] for url in added}
