from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from crawler.report import build_clusters, progress_printer, terminal_summary
from crawler.report.__main__ import main
from crawler.report.terminal import terminal_text
from tests.report.conftest import write_records


def test_summary_lists_counts_crawl_and_largest(
    fixture_records: list[dict[str, Any]], crawl_summary: dict[str, Any]
) -> None:
    text = terminal_summary(build_clusters(fixture_records), top=3, crawl_summary=crawl_summary)
    lines = text.splitlines()
    assert lines[0] == ("61 articles, 29 copy clusters, 16 event clusters "
                        "(16 with 2+ articles)")
    assert lines[1] == "crawl: 109 requested, 61 article, 3 rejected, 15 missed, 0 failed"
    assert lines[4].split()[:6] == ["#", "articles", "distinct", "copies", "outlets", "first"]
    assert len(lines) == 8 and lines[5].split()[:2] == ["1", "5"]
    document = build_clusters(fixture_records)
    for line, event in zip(lines[5:], document.events, strict=False):
        size, distinct, copies = (int(cell) for cell in line.split()[1:4])
        assert (size, distinct, copies) == (event.size, len(event.copies),
                                            event.size - len(event.copies))


def test_titles_cannot_drive_the_terminal() -> None:
    hostile = "A\x1b[2J\x1b]0;owned\x07 \u202egnp.exe\r\nB" + "x" * 100
    clean = terminal_text(hostile)
    assert "\x1b" not in clean and "\u202e" not in clean and "\n" not in clean
    assert len(clean) == 60 and clean.endswith("…")


class Stream:
    def __init__(self) -> None:
        self.written: list[str] = []

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


def test_progress_printer_throttles_but_shows_the_end() -> None:
    stream = Stream()
    now = [0.0]
    show = progress_printer(stream, interval=1.0, clock=lambda: now[0])  # type: ignore[arg-type]
    for done in range(1, 101):
        now[0] = done * 0.05
        show("report", done, 100)
    assert stream.written[0] == "report: 1/100 (1%)\n"
    assert stream.written[-1] == "report: 100/100 (100%)\n"
    assert len(stream.written) < 10


def test_module_command_writes_the_report(
    tmp_path: Path, fixture_records: list[dict[str, Any]], crawl_summary: dict[str, Any],
    capsys: pytest.CaptureFixture[str],
) -> None:
    articles = write_records(tmp_path / "articles.jsonl", fixture_records)
    summary = tmp_path / "summary.json"
    summary.write_text(json.dumps(crawl_summary), encoding="utf-8")
    arguments = [str(articles), str(tmp_path / "out"), "--summary", str(summary), "--top", "2"]
    assert main(arguments) == 0
    out, err = capsys.readouterr()
    assert out.startswith("61 articles, 29 copy clusters, 16 event clusters")
    assert f"report: {tmp_path / 'out' / 'report.html'}" in out
    assert "clusters: 16/16 (100%)" in err and "report: 16/16 (100%)" in err


def test_command_on_a_missing_or_non_json_file_is_one_line(tmp_path, capsys):
    not_jsonl = tmp_path / "notes.jsonl"
    not_jsonl.write_text("# notes\nnot json\n", encoding="utf-8")
    for path in (tmp_path / "missing.jsonl", not_jsonl, tmp_path):
        assert main([str(path), str(tmp_path / "report")]) == 2
        err = capsys.readouterr().err
        assert err.startswith("python -m crawler.report: cannot read") and err.count("\n") == 1
