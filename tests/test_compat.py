"""`crawler.compat` against the installed Scrapy: each use of its internals does what the
crawl relies on, inside a real engine (a crawl of two `data:` pages in a subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib.metadata import version

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from crawler.compat import engine_scheduler, requests_in_progress, scraper_full, wake_engine
from tests.conftest import PROJECT_ROOT


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, dict]:
    folder = tmp_path_factory.mktemp("compat")
    result, stats = folder / "probe.json", folder / "stats.json"
    done = subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "tests" / "compat" / "probe_spider.py"),
         str(result), str(stats)],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(result.read_text()), json.loads(stats.read_text())


def test_the_request_being_parsed_is_in_progress_and_none_is_after_the_crawl(probe):
    seen, after = probe[0]["seen"], probe[0]["after"]
    assert len(seen) == 2 and all(page["in_progress"] for page in seen)
    assert after == 0


def test_the_scheduler_is_the_one_the_settings_name(probe):
    assert {page["scheduler"] for page in probe[0]["seen"]} == {"Scheduler"}


def test_the_scraper_is_not_full_with_one_small_page(probe):
    assert [page["scraper_full"] for page in probe[0]["seen"]] == [False, False]


def test_the_stats_file_holds_the_final_stats(probe):
    stats = probe[1]
    assert stats["finish_reason"] == "finished"
    assert stats["response_received_count"] == 2


def test_outside_a_crawl_nothing_is_in_progress_and_nothing_fails():
    class NoEngine:
        engine = None

    assert requests_in_progress(NoEngine()) == set()  # type: ignore[arg-type]
    wake_engine(NoEngine())  # type: ignore[arg-type]
    assert scraper_full(NoEngine()) is False  # type: ignore[arg-type]
    assert engine_scheduler(NoEngine()) is None  # type: ignore[arg-type]


def declared(name: str) -> SpecifierSet:
    text = (PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8")
    import tomllib

    for line in tomllib.loads(text)["project"]["dependencies"]:
        requirement = Requirement(line)
        if requirement.name.lower() == name:
            return requirement.specifier
    raise AssertionError(f"{name} is not a dependency")


@pytest.mark.parametrize("name", ["scrapy", "scrapy-redis", "datasketch"])
def test_the_installed_version_is_in_the_declared_range(name):
    """The range is what these tests ran on; a version outside it is untested."""
    specifier = declared(name)
    assert specifier, f"{name} has no version range in pyproject.toml"
    assert any(s.operator in ("<", "<=", "~=", "==") for s in specifier), f"{name}: no upper bound"
    assert version(name) in specifier
