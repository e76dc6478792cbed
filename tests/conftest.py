"""Shared test helpers: small saved sites written to a temporary folder, and crawl runners."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest
import redis

from crawler.accounting import OUTCOMES

PROJECT_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = PROJECT_ROOT / "fixtures"


def saved_page_path(url: str) -> Path:
    """The file the offline crawl serves for `url` (from `fixtures/manifest.json`)."""
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    [file] = [page["file"] for page in manifest["pages"] if page["url"] == url]
    return FIXTURES / file


@dataclass
class SavedPage:
    url: str
    html: str | bytes
    status: int = 200
    headers: dict[str, str] | None = None


def write_site(root: Path, pages: list[SavedPage]) -> Path:
    """Write pages and their manifest under `root`; returns the manifest path."""
    entries = []
    for number, page in enumerate(pages):
        file = root / "sites" / f"page{number}.html"
        file.parent.mkdir(parents=True, exist_ok=True)
        data = page.html.encode("utf-8") if isinstance(page.html, str) else page.html
        file.write_bytes(data)
        headers = page.headers or {"Content-Type": "text/html; charset=utf-8"}
        entries.append(
            {"url": page.url, "file": f"sites/page{number}.html", "status": page.status,
             "headers": headers}
        )
    manifest = root / "manifest.json"
    manifest.write_text(json.dumps({"pages": entries}), encoding="utf-8")
    return manifest


@dataclass
class CrawlRun:
    articles: list[dict]
    rejects: list[dict]
    summary: dict
    log: str
    out_dir: Path


def run_crawl(
    spider: str,
    out_dir: Path,
    *settings: str,
    prefix: tuple[str, ...] = (),
    timeout: float = 300,
    arguments: tuple[str, ...] = (),
) -> CrawlRun:
    """`scrapy crawl SPIDER -O …` in a subprocess, as a user runs it; returns what it wrote.

    `prefix` wraps the command (for example `unshare -rn` to run it with no network);
    `arguments` are the spider's (`site=jakarta365` for `-a site=jakarta365`)."""
    articles = out_dir / "articles.jsonl"
    rejects = out_dir / "rejects.jsonl"
    summary = out_dir / "summary.json"
    command = [
        *prefix, sys.executable, "-m", "scrapy", "crawl", spider, "-O", str(articles),
        "-s", f"REJECTS_FILE={rejects}", "-s", f"CRAWL_SUMMARY_FILE={summary}",
        "-s", f"DEDUP_INDEX={out_dir / 'dedup-index.npz'}",
        "-s", f"CLUSTER_REPORT_DIR={out_dir / 'report'}",
    ]
    for setting in settings:
        command += ["-s", setting]
    for argument in arguments:
        command += ["-a", argument]
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=timeout, env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    run = CrawlRun(
        articles=read_jsonl(articles),
        rejects=read_jsonl(rejects),
        summary=json.loads(summary.read_text(encoding="utf-8")),
        log=done.stderr,
        out_dir=out_dir,
    )
    # Every page of every test crawl ends in one outcome.
    pages = run.summary.get("pages", {})
    if pages:
        requested = pages.get("requested", 0)
        assert sum(pages.get(outcome, 0) for outcome in OUTCOMES) == requested, pages
        assert pages.get("unaccounted", 0) == 0, pages
    return run


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture
def fixture_manifest() -> dict:
    """The project's fixture manifest (saved pages of every site)."""
    return json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def unavailable(what: str) -> NoReturn:
    """A test input this machine lacks (`../shared` beside the project, Redis, Chromium): the
    test is skipped with the reason, or fails under CI (`CI` set), which has them all."""
    if os.environ.get("CI"):
        pytest.fail(f"needs {what}")
    pytest.skip(f"needs {what}")


REDIS_URL = os.environ.get("CRAWLER_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
"""The Redis the distributed-mode tests use; each test keeps to its own key prefix."""


@pytest.fixture(scope="session")
def redis_server() -> redis.Redis:
    """A client of the test Redis. Without a server the test is skipped, or fails under CI."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as exc:
        unavailable(f"a Redis server at {REDIS_URL} ({exc})")
    return client
