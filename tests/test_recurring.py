"""A recurring job (`CRAWL_SEEN`, the persisted `DEDUP_INDEX`): a second run over an unchanged
site fetches no article page again, and a run after articles were added fetches exactly those,
which join the clusters a single crawl of everything gives (events keeping their earlier ids)."""

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

    # the clusters a single crawl of every page gives, whatever the order pages came in: the
    # copy ids of that crawl, and for events the id the first run gave the added article's
    # event-mates (an event keeps its id as it grows; of two merged, the older, here the
    # smaller of ids given at once), or the single crawl's for an event new in this run
    whole = run_crawl("news", tmp_path / "whole", arguments=(SITES,))
    ids = {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in whole.articles}
    earlier = {a["url"]: a["event_cluster"] for a in first.articles}
    expected = {}
    for url in added:
        mates = {earlier[u] for u, (_, e) in ids.items() if e == ids[url][1] and u in earlier}
        expected[url] = (ids[url][0], min(mates) if mates else ids[url][1])
    assert {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in grown.articles} == expected
