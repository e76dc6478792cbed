"""A full disk, made by the test: the command runs with a file-size limit (RLIMIT_FSIZE, writes
past it fail with EFBIG as on a full file system) and must say so in one line, leaving every
file it would have replaced as it was and no temporary file behind."""

from __future__ import annotations

import json
import resource
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from tests.conftest import FIXTURES, PROJECT_ROOT

if TYPE_CHECKING:
    from pathlib import Path

LIMIT = 16 * 1024
"""Bytes a file may grow to: the records below need several times more."""


def limited() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (LIMIT, LIMIT))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a killed process


def records(tmp_path: Path) -> Path:
    """Article records of the fixture corpus, far more than LIMIT bytes."""
    stories = [s for f in sorted((FIXTURES / "corpus").glob("*.json"))
               for s in json.loads(f.read_text(encoding="utf-8"))]
    path = tmp_path / "in.jsonl"
    def body(story: dict) -> str:
        return story["body"] if isinstance(story["body"], str) else "\n".join(story["body"])

    path.write_text("".join(json.dumps({"url": f"https://contoh.example/{n}", "title": s["title"],
                                        "body": body(s)}, ensure_ascii=False) + "\n"
                            for n, s in enumerate(stories)), encoding="utf-8")
    assert path.stat().st_size > 4 * LIMIT
    return path


@pytest.mark.slow
@pytest.mark.parametrize("target", ["output", "index"])
def test_scrapy_cluster_on_a_full_disk_says_so_and_keeps_the_earlier_files(tmp_path, target):
    source = records(tmp_path)
    out, index = tmp_path / "out.jsonl", tmp_path / "index.npz"
    # An earlier, good run: its output and its index are what must survive.
    first = subprocess.run([sys.executable, "-m", "scrapy", "cluster", str(source), "-o", str(out),
                            "--index", str(index)], cwd=PROJECT_ROOT, capture_output=True,
                           text=True, timeout=300, check=False)
    assert first.returncode == 0, first.stderr[-2000:]
    before = {path: path.read_bytes() for path in (out, index)}
    # The limit only stops files from growing past it: the output of this run is new and large;
    # for the index, the output goes to a small new file and the index is what cannot be written.
    target_out = tmp_path / "again.jsonl" if target == "output" else out
    if target == "index":
        small = tmp_path / "small.jsonl"
        small.write_text("".join(source.read_text(encoding="utf-8").splitlines(True)[:3]))
        source = small
    done = subprocess.run([sys.executable, "-m", "scrapy", "cluster", str(source),
                           "-o", str(target_out), "--index", str(index)], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=300, check=False,
                          preexec_fn=limited)
    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert "File too large" in lines[0] or "No space" in lines[0]
    # the output is written before the index: a failed index leaves the new output (a rerun adds
    # the same records again, which replaces them); the index is the earlier one, whole
    kept = [index] if target == "index" else [out, index]
    assert {path: path.read_bytes() for path in kept} == {path: before[path] for path in kept}
    assert not list(tmp_path.glob(".*.tmp")), "a temporary file was left behind"
    if target == "output":
        assert not target_out.exists()
