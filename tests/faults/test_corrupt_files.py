"""Every file a crawl reads back from an earlier run, corrupted: the crawl either reads what it
can and goes on, or stops in one line, exit status 2, before it writes anything."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.conftest import PROJECT_ROOT

if TYPE_CHECKING:
    from pathlib import Path

CORRUPTIONS = {
    "empty": b"",
    "text": b"this is not the file you are looking for\n",
    "binary": bytes(range(256)) * 4,
    "cut off": b'{"pages": [{"url": "https://jakarta365.net/", "fi',
}


def crawl(tmp_path: Path, *settings: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", "site=jakarta365",
               "-O", str(tmp_path / "articles.jsonl"),
               "-s", f"REJECTS_FILE={tmp_path / 'rejects.jsonl'}",
               "-s", f"CRAWL_SUMMARY_FILE={tmp_path / 'summary.json'}",
               "-s", f"CLUSTER_REPORT_DIR={tmp_path / 'report'}", "-s", "LOG_LEVEL=WARNING"]
    for setting in settings:
        command += ["-s", setting]
    return subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True,
                          timeout=120, env={**os.environ}, check=False)


def last_good_outputs(tmp_path: Path) -> dict[str, str]:
    outputs = {}
    for name in ("articles.jsonl", "rejects.jsonl", "summary.json"):
        (tmp_path / name).write_text(f"the last good run's {name}\n")
        outputs[name] = f"the last good run's {name}\n"
    return outputs


def assert_refused_in_one_line(done: subprocess.CompletedProcess[str], tmp_path: Path,
                               before: dict[str, str], names: str) -> None:
    assert done.returncode == 2, done.stderr[-2000:]
    messages = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(messages) == 1 and messages[0].startswith("Error: ") and names in messages[0], (
        done.stderr[-2000:])
    for name, text in before.items():
        assert (tmp_path / name).read_text() == text
    assert not (tmp_path / "report").exists()


@pytest.mark.slow
@pytest.mark.parametrize("corruption", ["text", "binary", "cut off"])
def test_an_unreadable_dedup_index_stops_the_crawl_in_one_line(tmp_path, corruption):
    index = tmp_path / "index.npz"
    index.write_bytes(CORRUPTIONS[corruption])
    before = last_good_outputs(tmp_path)
    done = crawl(tmp_path, f"DEDUP_INDEX={index}")
    assert_refused_in_one_line(done, tmp_path, before, "DEDUP_RESET=1")
    assert index.read_bytes() == CORRUPTIONS[corruption]  # kept for the user to look at


@pytest.mark.slow
@pytest.mark.parametrize(("setting", "name", "corruption"), [
    # an empty file is a new SQLite database: only a file of something else is refused
    *(("CRAWL_SEEN", "seen.sqlite", c) for c in ("text", "binary")),
    *(("OFFLINE_FIXTURES", "manifest.json", c) for c in ("text", "binary", "cut off", "empty")),
])
def test_an_unreadable_seen_pages_file_or_manifest_stops_the_crawl_in_one_line(
        tmp_path, setting, name, corruption):
    path = tmp_path / name
    path.write_bytes(CORRUPTIONS[corruption])
    before = last_good_outputs(tmp_path)
    done = crawl(tmp_path, f"{setting}={path}", f"DEDUP_INDEX={tmp_path / 'i.npz'}")
    assert_refused_in_one_line(done, tmp_path, before, setting)


@pytest.mark.slow
@pytest.mark.parametrize("corruption", ["text", "binary", "cut off", "empty"])
def test_an_unreadable_record_of_feed_sizes_stops_the_resumed_job_in_one_line(tmp_path,
                                                                            corruption):
    job = tmp_path / "job"
    job.mkdir()
    (job / "feeds.json").write_bytes(CORRUPTIONS[corruption])
    (job / "pages.jsonl").write_text('{"url": "https://jakarta365.net/x", "outcome": "missed", '
                                     '"reason": "http-404: gone"}\n')
    before = last_good_outputs(tmp_path)
    done = crawl(tmp_path, f"JOBDIR={job}", f"DEDUP_INDEX={tmp_path / 'i.npz'}")
    assert_refused_in_one_line(done, tmp_path, before, "feeds.json")


@pytest.mark.slow
def test_a_journal_with_garbage_lines_keeps_the_lines_it_can_read(tmp_path):
    job = tmp_path / "job"
    job.mkdir()
    missed = "https://jakarta365.net/news/1/halaman-yang-hilang-sejak-lama"
    (job / "pages.jsonl").write_bytes(
        CORRUPTIONS["binary"] + b"\n" + CORRUPTIONS["text"]
        + f'{{"url": "{missed}", "outcome": "missed", "reason": "http-404: gone"}}\n'.encode()
        + CORRUPTIONS["cut off"])
    done = crawl(tmp_path, f"JOBDIR={job}", f"DEDUP_INDEX={tmp_path / 'i.npz'}")
    assert done.returncode == 0, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    garbage_lines = (CORRUPTIONS["binary"] + b"\n" + CORRUPTIONS["text"]).count(b"\n")
    assert done.stderr.count("Skipping an unreadable line") == garbage_lines
    rejects = (tmp_path / "rejects.jsonl").read_text()
    assert missed in rejects  # the readable line of the journal, counted again
