"""No process of a crawl outlives it: its extraction workers (children of the fork server, not of
the crawl) die with it, even after `kill -9`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PROJECT_ROOT, SavedPage, write_site

OUTLIVE_SECONDS = 0.5
"""How long a worker may outlive a killed crawl (the issue's bound)."""
BUSY_SECONDS = 0.5
"""CPU time after which a worker is surely extracting the slow page (its warm-up takes less)."""
HOME = "https://contoh-berita.example/"
SLOW_BODY = ("<p>Warga kota berkumpul di balai desa membahas rencana perbaikan jalan rusak sejak "
             "musim hujan tahun lalu.</p>\n") * 60_000
"""Six megabytes of short paragraphs: several seconds of extraction."""


def children() -> dict[int, list[int]]:
    """Parent pid -> pids of its live (not zombie) children, from /proc."""
    tree: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if fields[0] != "Z":
            tree.setdefault(int(fields[1]), []).append(int(entry.name))
    return tree


def cpu_seconds(pid: int) -> float:
    """User CPU time of `pid` so far (0 when it is gone)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return 0.0
    return int(stat[stat.rindex(")") + 2:].split()[11]) / os.sysconf("SC_CLK_TCK")


def running(pid: int) -> bool:
    """Whether `pid` is a live process (a zombie waiting to be reaped is dead)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rindex(")") + 2:].split()[0] != "Z"


def descendants(pid: int) -> set[int]:
    tree, found, todo = children(), set(), [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="reads the process tree from /proc")
def test_a_crawl_killed_with_sigkill_leaves_no_worker_behind(tmp_path):
    """Killed while a worker is busy on a page that takes seconds to extract: an idle worker
    ends when its socket closes, a busy one only when the kernel kills it."""
    article = f"{HOME}2025/02/12/judul-berita-panjang-sekali/"
    manifest = write_site(tmp_path, [
        SavedPage(HOME, f"<html><body><a href='{article}'>berita</a></body></html>"),
        SavedPage(article, "<html><head><title>Judul berita panjang sekali</title></head><body>"
                           "<article><h1>Judul berita panjang sekali</h1>" + SLOW_BODY
                  + "</article></body></html>"),
    ])
    crawl = subprocess.Popen(
        [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"site={HOME}",
         "-O", str(tmp_path / "a.jsonl"), "-s", f"OFFLINE_FIXTURES={manifest}",
         "-s", f"CRAWL_SUMMARY_FILE={tmp_path / 's.json'}", "-s", f"REJECTS_FILE={tmp_path / 'r'}",
         "-s", f"DEDUP_INDEX={tmp_path / 'i.npz'}", "-s", "CLUSTER_REPORT_DIR=",
         "-s", "EXTRACT_PROCESSES=2", "-s", "EXTRACT_TIMEOUT=120"],
        cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        # the fork server and its two workers, one of them busy on the slow page
        while not (len(family := descendants(crawl.pid)) >= 3
                   and max(cpu_seconds(pid) for pid in family) >= BUSY_SECONDS):
            assert crawl.poll() is None, "the crawl ended before it could be killed"
            assert time.monotonic() < deadline, "no worker got busy on the page"
            time.sleep(0.02)
        os.kill(crawl.pid, signal.SIGKILL)
        crawl.wait(timeout=10)
        killed = time.monotonic()
        while (alive := {pid for pid in family if running(pid)}) and (
                time.monotonic() - killed < 10):
            time.sleep(0.01)
        outlived = time.monotonic() - killed
    finally:
        if crawl.poll() is None:
            crawl.kill()
    assert not alive, f"processes {sorted(alive)} outlived the crawl"
    assert outlived <= OUTLIVE_SECONDS, f"the workers outlived the crawl by {outlived:.2f} s"
