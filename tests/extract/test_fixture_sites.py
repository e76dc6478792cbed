"""Every article page of the fixture sites: clean body and sane metadata."""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path

import pytest

from crawler.extract import extract_article
from crawler.items import Article

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
FORBIDDEN = ("![", ".png", ".jpg", "icon/", "Baca juga", "Tag:", "(Tribunnews.com,")
FORBIDDEN_CI = (
    "baca juga",
    "artikel ini telah tayang",
    "sumber :",
    "sumber:",
    "editor:",
    "penulis",
)
PUBLISHERS = {"tribunnews.com", "etindonesia.com", "ntdtv.com", "epochtimes.com"}
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$")


def article_pages() -> list[dict[str, str]]:
    manifest = FIXTURES / "manifest.json"
    if not manifest.exists():
        return []
    pages = json.loads(manifest.read_text(encoding="utf-8"))["pages"]
    return [page for page in pages if page.get("expect") == "article"]


@cache
def extracted(url: str, file: str) -> Article:
    return extract_article((FIXTURES / file).read_bytes(), url)


PAGES = article_pages()
pytestmark = pytest.mark.skipif(not PAGES, reason="fixture sites not built")


def test_no_body_holds_a_forbidden_remnant() -> None:
    offenders = []
    for page in PAGES:
        body = extracted(page["url"], page["file"]).body
        lowered = body.lower()
        found = [s for s in FORBIDDEN if s in body] + [s for s in FORBIDDEN_CI if s in lowered]
        if found or not body:
            offenders.append((page["url"], found or ["empty body"]))
    assert offenders == []


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page["url"].split("/")[2])
def test_metadata(page: dict[str, str]) -> None:
    article = extracted(page["url"], page["file"])
    host = page["url"].split("/")[2].removeprefix("www.")
    assert article.site == host
    assert article.title and " - " not in article.title[-20:]
    assert article.published and ISO_WITH_OFFSET.match(article.published)
    assert article.lang == "id"
    assert all(tag and not tag.startswith("#") for tag in article.tags)
    assert article.images and all(url.startswith("https://") for url in article.images)
    assert not any("icon/" in url or "logo" in url for url in article.images)
    if host in ("jakarta365.net", "berita247.net"):
        assert article.source in PUBLISHERS  # an aggregator always credits its publisher
    else:
        assert article.source in {host} | PUBLISHERS
        assert article.authors  # publishers print a byline
    assert not any(name.lower().startswith(("editor", "penyunting")) for name in article.authors)
