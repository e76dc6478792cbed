"""Shared inputs for the dedup tests: the seed articles and the fixture corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.dedup import Document, parse_published
from tests.conftest import unavailable

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # ../shared beside the project
SEEDS = SHARED / "seeds"
ECB = SHARED / "data" / "events" / "ecbplus-dev.jsonl"


def _seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"), None)
    if path is None:
        unavailable(f"the seed articles in {SEEDS} (../shared beside the project)")
        raise AssertionError  # unavailable() skips or fails; this tells the type checker
    title, _, body = path.read_text(encoding="utf-8").strip().partition("\n")
    return title.strip(), body.strip()


@pytest.fixture(scope="session")
def etindonesia_seed() -> tuple[str, str]:
    """ETIndonesia's own article on the Trump-Putin call (title, body)."""
    return _seed("000")


@pytest.fixture(scope="session")
def jakarta365_seed() -> tuple[str, str]:
    """jakarta365's republication of Tribunnews on the same call, icons and all."""
    return _seed("003")


@pytest.fixture(scope="session")
def corpus_stories() -> list[dict]:
    """The original stories the fixture sites were generated from."""
    files = sorted((ROOT / "fixtures" / "corpus").glob("*.json"))
    if not files:
        unavailable("fixtures/corpus (python fixtures/build.py)")
    return [story for f in files for story in json.loads(f.read_text(encoding="utf-8"))]


@pytest.fixture(scope="session")
def fixture_documents() -> list[Document]:
    """The fixture sites' article pages as the crawl extracts them, by URL (`fixtures/truth.json`
    labels their copies and events)."""
    from crawler.extract import extract_article

    truth_file, manifest_file = ROOT / "fixtures/truth.json", ROOT / "fixtures/manifest.json"
    if not truth_file.exists() or not manifest_file.exists():
        unavailable("the fixture sites (python fixtures/build.py)")
    truth = json.loads(truth_file.read_text(encoding="utf-8"))["articles"]
    pages = {p["url"]: p for p in json.loads(manifest_file.read_text(encoding="utf-8"))["pages"]}
    docs = []
    for url in truth:
        article = extract_article((ROOT / "fixtures" / pages[url]["file"]).read_bytes(), url)
        docs.append(Document(url, article.title or "", article.body,
                             parse_published(article.published),
                             original=article.source in (None, article.site)))
    return docs


@pytest.fixture(scope="session")
def ecb_records() -> list[dict]:
    if not ECB.exists():
        unavailable(f"the ECB+ corpus at {ECB} (../shared beside the project)")
    return [json.loads(line) for line in ECB.open(encoding="utf-8")]
