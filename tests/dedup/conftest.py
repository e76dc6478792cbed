"""Shared inputs for the dedup tests: the seed articles and the fixture corpus."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[2].parent / "shared"  # ../shared beside the project
SEEDS = SHARED / "seeds"
ECB = SHARED / "data" / "events" / "ecbplus-dev.jsonl"


def _seed(prefix: str) -> tuple[str, str]:
    path = next(SEEDS.glob(f"{prefix}_*.txt"), None)
    if path is None:
        pytest.skip("seed articles not available")
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
        pytest.skip("fixtures/corpus not generated")
    return [story for f in files for story in json.loads(f.read_text(encoding="utf-8"))]


@pytest.fixture(scope="session")
def ecb_records() -> list[dict]:
    if not ECB.exists():
        pytest.skip("ECB+ data not available")
    return [json.loads(line) for line in ECB.open(encoding="utf-8")]
