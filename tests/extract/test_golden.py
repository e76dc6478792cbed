"""Golden files: each saved page must extract to exactly its expected JSON."""

from __future__ import annotations

import json
import sys
from typing import Any

import pytest

from crawler.extract import extract_article
from crawler.items import record
from tests.conftest import FIXTURES, saved_page_path

GOLDEN = FIXTURES / "golden"
URLS: dict[str, str] = json.loads((GOLDEN / "urls.json").read_text(encoding="utf-8"))


def saved_page(name: str) -> bytes:
    """The case's page: its own `<name>.html`, or, for a page of the fixture sites, the saved
    page the crawl serves (so the golden case and the crawl see the same bytes)."""
    own = GOLDEN / f"{name}.html"
    return (own if own.exists() else saved_page_path(URLS[name])).read_bytes()


def extract(name: str) -> dict[str, Any]:
    return record(extract_article(saved_page(name), URLS[name]))


@pytest.mark.parametrize("name", sorted(URLS))
def test_golden(name: str) -> None:
    expected = json.loads((GOLDEN / f"{name}.json").read_text(encoding="utf-8"))
    assert extract(name) == expected


def update() -> None:
    """Rewrite every expected JSON from the current extractor (review the diff after)."""
    for name in sorted(URLS):
        text = json.dumps(extract(name), ensure_ascii=False, indent=2) + "\n"
        (GOLDEN / f"{name}.json").write_text(text, encoding="utf-8")
        print(f"wrote {name}.json")


if __name__ == "__main__":
    if sys.argv[1:] == ["--update"]:
        update()
    else:
        sys.exit("usage: python tests/extract/test_golden.py --update")
