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
