"""Test records for the report: the fixture corpus's 61 articles with the labelled clustering of
fixtures/truth.json as their cluster ids (copy_of -> copy_cluster, event -> event_cluster), so the
report can be tested before the dedup library exists. Text and metadata come from the saved
pages, so copies carry the aggregators' real edits."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import lxml.html
import pytest

from tests.conftest import FIXTURES
from tests.report.browser import driven_chromium

if TYPE_CHECKING:
    from playwright.sync_api import Browser

SEED_EVENT = "trump-putin-telepon-2025-02-12"
_WORD = re.compile(r"\w+")


def _words(text: str) -> set[str]:
    return {w.casefold() for w in _WORD.findall(text)}


def _corpus() -> dict[str, dict[str, Any]]:
    stories: dict[str, dict[str, Any]] = {}
    for path in sorted((FIXTURES / "corpus").glob("*.json")):
        for story in json.loads(path.read_text(encoding="utf-8")):
            stories[story["id"]] = story
    return stories


def _body(page: lxml.html.HtmlElement, story: dict[str, Any]) -> str:
    """The page's paragraphs that are (possibly edited) corpus paragraphs, in page order: the
    article text without the page furniture, as the extractor would give it."""
    wanted = [_words(p.removeprefix("## ")) for p in story["body"]]
    kept: list[str] = []
    for node in page.iter("p", "h2", "h3"):
        text = " ".join(node.text_content().split())
        words = _words(text)
        if text and text not in kept and any(
            len(words & w) / max(1, len(words | w)) >= 0.5 for w in wanted
        ):
            kept.append(text)
    return "\n".join(kept)


def _meta(page: lxml.html.HtmlElement, name: str) -> str | None:
    found = page.xpath(f'//meta[@property="{name}"]/@content')
    return str(found[0]) if found else None


def _host(url: str) -> str:
    return url.split("/")[2].removeprefix("www.")


def build_fixture_records() -> list[dict[str, Any]]:
    truth = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))["articles"]
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    files = {page["url"]: FIXTURES / page["file"] for page in manifest["pages"]}
    stories = _corpus()
    records = []
    for url, label in sorted(truth.items()):
        page = lxml.html.fromstring(files[url].read_bytes())
        story = stories[label["story"]]
        records.append({
            "url": url,
            "canonical_url": url,
            "site": _host(url),
            "source": _host(label["copy_of"]),
            "title": _meta(page, "og:title"),
            "body": _body(page, story),
            "published": _meta(page, "article:published_time"),
            "authors": story["authors"],
            "tags": story["tags"],
            "images": [],
            "lang": "id",
            "copy_cluster": label["copy_of"],
            "event_cluster": label["event"],
        })
    return records


@pytest.fixture(scope="session")
def fixture_records() -> list[dict[str, Any]]:
    return build_fixture_records()


@pytest.fixture(scope="session")
def truth() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
    return data


@pytest.fixture(scope="session")
def crawl_summary() -> dict[str, Any]:
    return {"pages": {"requested": 109, "article": 61, "rejected": 3, "missed": 15,
                      "listing": 30, "failed": 0, "rejected/no-body": 1, "rejected/too-short": 2,
                      "missed/no-fixture": 15}}


def write_records(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright, one per test module that clicks. Not one for the
    session: while Playwright runs, its event loop is the thread's running loop, and the tests
    of other modules that call `asyncio.run` would fail."""
    with driven_chromium() as chromium:
        yield chromium
