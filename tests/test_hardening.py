"""Mistakes users make and faults machines have: nothing lost, one clear line, no good file
overwritten (one test per case found)."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from crawler.accounting import OUTCOMES
from tests.conftest import PROJECT_ROOT, SavedPage, run_crawl, write_site

if TYPE_CHECKING:
    from pathlib import Path

HOME = "https://contoh-berita.example/"
SITES = "site=tribunnews,etindonesia,jakarta365,berita247"
BODY = ("<p>Warga kota berkumpul di balai desa untuk membahas rencana perbaikan jalan yang rusak "
        "sejak musim hujan tahun lalu, kata kepala desa pada Kamis pagi kepada wartawan.</p>"
        "<p>Menurut dia, perbaikan akan dimulai bulan depan setelah anggaran daerah disetujui "
        "oleh dewan, dan warga diminta ikut mengawasi pekerjaan kontraktor di lapangan.</p>")


def scrapy(*arguments: str, cwd: Path = PROJECT_ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "scrapy", *arguments], cwd=cwd, text=True,
                          capture_output=True, timeout=120, env={**os.environ},
                          check=False)


def errors(done: subprocess.CompletedProcess[str]) -> list[str]:
    """The lines of a run's output that are not Scrapy's start-up log."""
    return [line for line in done.stderr.splitlines()
            if line.startswith("Error:") or "Traceback" in line or "ERROR" in line]


@pytest.mark.slow
def test_a_mistyped_manifest_ends_in_one_line_and_keeps_the_last_crawl_s_files(tmp_path):
    outputs = {name: tmp_path / name for name in ("articles.jsonl", "rejects.jsonl",
                                                  "summary.json")}
    for name, path in outputs.items():
        path.write_text(f"the last good crawl's {name}\n")
    done = scrapy("crawl", "all", "-O", str(outputs["articles.jsonl"]),
                  "-s", "OFFLINE_FIXTURES=nosuch.json",
                  "-s", f"REJECTS_FILE={outputs['rejects.jsonl']}",
                  "-s", f"CRAWL_SUMMARY_FILE={outputs['summary.json']}",
                  "-s", f"CLUSTER_REPORT_DIR={tmp_path / 'report'}")
    assert done.returncode == 2
    assert errors(done) == ["Error: cannot read fixture manifest nosuch.json: [Errno 2] No such "
                            "file or directory: 'nosuch.json' (OFFLINE_FIXTURES; empty it to "
                            "crawl the live sites)"]
    for name, path in outputs.items():
        assert path.read_text() == f"the last good crawl's {name}\n"
    assert not (tmp_path / "report").exists()


@pytest.mark.parametrize("manifest", ['{"pages": [{"file": "a.html"}]}', '["not", "pages"]',
                                      "{not json"])
def test_a_malformed_manifest_says_what_is_wrong(tmp_path, manifest):
    from scrapy.exceptions import NotConfigured

    from crawler.offline import FixtureManifest

    path = tmp_path / "manifest.json"
    path.write_text(manifest)
    with pytest.raises(NotConfigured, match="manifest"):
        FixtureManifest.load(path)


@pytest.mark.slow
def test_a_link_with_a_bad_port_is_counted_and_its_page_is_still_an_article(tmp_path):
    story = (f"<html lang='id'><head><title>Jalan desa diperbaiki bulan depan</title></head>"
             f"<body><article><h1>Jalan desa diperbaiki bulan depan</h1>{BODY}"
             f"<a href='https://contoh-berita.example:abc/2025/02/13/berita-lain-hari-ini/'>x</a>"
             f"</article></body></html>")
    article = f"{HOME}2025/02/12/jalan-desa-diperbaiki-bulan-depan/"
    manifest = write_site(tmp_path, [
        SavedPage(HOME, f"<html><body><a href='{article}'>berita</a></body></html>"),
        SavedPage(article, story),
    ])
    crawl = run_crawl("news", tmp_path / "out", f"OFFLINE_FIXTURES={manifest}",
                      arguments=(f"site={HOME}",))
    assert [a["url"] for a in crawl.articles] == [article]
    pages = crawl.summary["pages"]
    assert pages["failed"] == 0 and pages["unaccounted"] == 0
    assert sum(pages[o] for o in OUTCOMES) == pages["requested"]
    assert crawl.summary["discovery"]["bad-url"] == 1


def test_a_wrong_spider_name_is_one_line_with_the_names_there_are():
    done = scrapy("crawl", "nosuchspider")
    assert done.returncode != 0
    assert errors(done) == ["Error: no spider named 'nosuchspider' (there are: all, news, warc)"]


@pytest.mark.slow
def test_csv_and_json_feeds_get_the_final_cluster_ids(tmp_path):
    import csv
    import json

    reference = run_crawl("news", tmp_path / "jsonl", arguments=(SITES,))
    final = {a["url"]: (a["copy_cluster"], a["event_cluster"]) for a in reference.articles}
    done = scrapy("crawl", "news", "-a", SITES, "-O", str(tmp_path / "a.csv"),
                  "-O", str(tmp_path / "a.json"), "-s", f"DEDUP_INDEX={tmp_path / 'i.npz'}",
                  "-s", f"CRAWL_SUMMARY_FILE={tmp_path / 's.json'}",
                  "-s", f"REJECTS_FILE={tmp_path / 'r.jsonl'}", "-s", "CLUSTER_REPORT_DIR=")
    assert done.returncode == 0, done.stderr[-3000:]
    with (tmp_path / "a.csv").open(encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file))
    records = json.loads((tmp_path / "a.json").read_text(encoding="utf-8"))
    assert {r["url"]: (r["copy_cluster"], r["event_cluster"]) for r in rows} == final
    assert {r["url"]: (r["copy_cluster"], r["event_cluster"]) for r in records} == final
    # every other field as the crawl wrote it
    assert {r["url"]: r["title"] for r in records} == {a["url"]: a["title"]
                                                       for a in reference.articles}


def test_a_merge_of_a_folder_that_is_not_there_is_one_line(tmp_path, capsys):
    from crawler.distributed.__main__ import main

    assert main(["merge", str(tmp_path / "nosuch")]) == 2
    assert capsys.readouterr().err == f"Error: no such job folder: {tmp_path / 'nosuch'}\n"


def test_a_missing_test_input_skips_with_its_reason_or_fails_under_ci(monkeypatch):
    from tests.conftest import unavailable

    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match=r"needs \.\./shared"):
        unavailable("../shared beside the project")
    monkeypatch.setenv("CI", "1")
    with pytest.raises(pytest.fail.Exception, match=r"needs \.\./shared"):
        unavailable("../shared beside the project")
