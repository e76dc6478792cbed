"""`scrapy cluster` end to end, in a subprocess from the project folder."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_cluster_command_writes_ids_and_reports_bad_lines(tmp_path, etindonesia_seed):
    title, body = etindonesia_seed
    lines = [
        json.dumps({"url": "https://a.example/1", "title": title, "body": body, "extra": [1]}),
        "{not json",
        json.dumps({"url": "https://b.example/2", "title": "no body"}),
        json.dumps({"url": "https://c.example/3", "title": "Copy", "body": body}),
    ]
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = tmp_path / "index.npz"
    result = subprocess.run(
        [sys.executable, "-m", "scrapy", "cluster", str(src), "-o", str(dst),
         "--index", str(index), "-s", "DEDUP_WORKERS=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "line 2: skipped, not JSON" in result.stderr
    assert "line 3: skipped, record has no 'body' string" in result.stderr
    out = [json.loads(line) for line in dst.read_text(encoding="utf-8").splitlines()]
    assert [r["url"] for r in out] == ["https://a.example/1", "https://c.example/3"]
    assert out[0]["extra"] == [1]
    assert out[0]["copy_cluster"] == out[1]["copy_cluster"] == "https://a.example/1"
    assert out[0]["event_cluster"] == out[1]["event_cluster"]
    assert index.exists()


def cluster(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "cluster", *args, "-s", "DEDUP_WORKERS=1"],
        cwd=ROOT, capture_output=True, text=True, timeout=120, check=False,
    )


def test_a_file_of_no_records_is_one_line_and_writes_nothing(tmp_path):
    dst = tmp_path / "out.jsonl"
    dst.write_text('{"url": "kept"}\n', encoding="utf-8")
    result = cluster(str(ROOT / "README.md"), "-o", str(dst))
    assert result.returncode == 1
    assert "holds no article records" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.splitlines()) <= 25  # not one line per skipped line
    assert dst.read_text(encoding="utf-8") == '{"url": "kept"}\n'  # the earlier output stays


def test_a_byte_order_mark_a_lone_surrogate_and_a_list_title_are_records(tmp_path):
    src, dst = tmp_path / "in.jsonl", tmp_path / "out.jsonl"
    src.write_bytes(b'\xef\xbb\xbf{"url": "a", "title": "t", "body": "b"}\n'
                    b'{"url": "b", "title": ["x"], "body": "c"}\n'
                    b'{"url": "c", "title": "\\ud800", "body": "d"}\n')
    result = cluster(str(src), "-o", str(dst))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line)["url"] for line in dst.read_text().splitlines()] == ["a", "b", "c"]


def test_an_unreadable_index_is_one_line_and_stays_as_it_was(tmp_path, etindonesia_seed):
    src, dst, index = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "index.npz"
    title, body = etindonesia_seed
    src.write_text(json.dumps({"url": "a", "title": title, "body": body}) + "\n")
    for damaged in (b"", b"PK\x03\x04 cut off", b"not an index at all"):
        index.write_bytes(damaged)
        result = cluster(str(src), "-o", str(dst), "--index", str(index))
        assert result.returncode == 1
        assert "not a readable dedup index" in result.stderr
        assert "Traceback" not in result.stderr and index.read_bytes() == damaged
    result = cluster(str(src), "-o", str(dst), "--index", str(index), "--reset-index")
    assert result.returncode == 0, result.stderr
