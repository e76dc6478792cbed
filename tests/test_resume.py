"""A crawl killed with SIGKILL and started again with the same `-s JOBDIR` ends with exactly what
an uninterrupted crawl writes: the same articles once each, rejects, counts, dedup index and
cluster report (see `crawler.resume`)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from crawler.dedup import DedupIndex
from crawler.journal import Journal, JournalEntry
from tests.conftest import (
    FIXTURES,
    PROJECT_ROOT,
    SavedPage,
    read_jsonl,
    records_by_url,
    write_site,
)

BADINPUT_SITE = (
    f"OFFLINE_FIXTURES={FIXTURES / 'badinput' / 'manifest.json'}",
    "SPIDER_MODULES=crawler.spiders,fixtures.badinput.spider",
)


@dataclass
class JobOutput:
    articles: list[dict]
    rejects: list[dict]
    summary: dict
    index_keys: list[str]
    clusters: dict


def crawl_command(
    out: Path, jobdir: Path | None, feed_flag: str = "-O", spider: str = "all", *settings: str
) -> list[str]:
    command = [
        sys.executable, "-m", "scrapy", "crawl", spider, feed_flag, str(out / "articles.jsonl"),
        "-s", f"REJECTS_FILE={out / 'rejects.jsonl'}",
        "-s", f"CRAWL_SUMMARY_FILE={out / 'summary.json'}",
        "-s", f"DEDUP_INDEX={out / 'dedup-index.npz'}",
        "-s", f"CLUSTER_REPORT_DIR={out / 'report'}",
    ]
    if jobdir is not None:
        command += ["-s", f"JOBDIR={jobdir}"]
    for setting in settings:
        command += ["-s", setting]
    return command


def run_to_end(command: list[str]) -> str:
    done = subprocess.run(
        command, cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return done.stderr


def run_and_kill(command: list[str], ready: Callable[[], bool], log: Path, *,
                 way: str = "SIGKILL", may_end_first: bool = False) -> None:
    """Start the crawl and stop it `way` (SIGKILL, SIGINT, or "SIGINT twice", a user's Ctrl-C
    pressed again) as soon as `ready()` holds. It must not have ended first, unless
    `may_end_first` (a random stop point past the crawl's end)."""
    with log.open("ab") as stderr:
        crawl = subprocess.Popen(
            command, cwd=PROJECT_ROOT, stdout=subprocess.DEVNULL, stderr=stderr,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while not ready():
            if crawl.poll() is not None and may_end_first:
                return  # a resumed run then finds every page done
            assert crawl.poll() is None, "the crawl ended before the kill point"
            assert time.monotonic() < deadline, "the crawl never reached the kill point"
            time.sleep(0.002)
        if way == "SIGKILL":
            crawl.send_signal(signal.SIGKILL)
            assert crawl.wait(timeout=60) == -signal.SIGKILL, log.read_text()[-3000:]
        else:
            crawl.send_signal(signal.SIGINT)
            if way == "SIGINT twice":
                time.sleep(0.05)
                crawl.send_signal(signal.SIGINT)
            crawl.wait(timeout=120)
        assert process_group_ends(crawl.pid), "extraction workers outlived the stopped crawl"
    finally:
        # A failed test's leftovers, not those of a killed crawl: its workers see it die.
        with contextlib.suppress(ProcessLookupError):
            os.killpg(crawl.pid, signal.SIGKILL)
        if crawl.poll() is None:
            crawl.kill()
            crawl.wait()


def process_group_ends(group: int, seconds: float = 10) -> bool:
    """Whether every process of the group (the crawl and its extraction workers) is gone within
    `seconds`."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.killpg(group, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def journal_lines(jobdir: Path) -> int:
    path = jobdir / "pages.jsonl"
    return path.read_bytes().count(b"\n") if path.exists() else 0


def job_output(out: Path) -> JobOutput:
    index = DedupIndex.open(out / "dedup-index.npz")
    return JobOutput(
        articles=read_jsonl(out / "articles.jsonl"),
        rejects=read_jsonl(out / "rejects.jsonl"),
        summary=json.loads((out / "summary.json").read_text(encoding="utf-8")),
        index_keys=sorted(index.assignments()),
        clusters=json.loads((out / "report" / "clusters.json").read_text(encoding="utf-8")),
    )


@pytest.fixture(scope="module")
def uninterrupted(tmp_path_factory: pytest.TempPathFactory) -> JobOutput:
    out = tmp_path_factory.mktemp("uninterrupted")
    run_to_end(crawl_command(out, out / "job"))
    return job_output(out)


def assert_same_job(resumed: JobOutput, uninterrupted: JobOutput) -> None:
    assert records_by_url(resumed.articles) == records_by_url(uninterrupted.articles)
    assert sorted(map(json.dumps, resumed.rejects)) == sorted(
        map(json.dumps, uninterrupted.rejects)
    )
    assert resumed.summary == uninterrupted.summary
    assert resumed.index_keys == uninterrupted.index_keys
    assert resumed.clusters == uninterrupted.clusters


@pytest.mark.slow
def test_uninterrupted_job_is_the_plain_crawl(uninterrupted: JobOutput, tmp_path: Path):
    """JOBDIR changes nothing in what a crawl that is not killed writes."""
    run_to_end(crawl_command(tmp_path, None))
    assert_same_job(job_output(tmp_path), uninterrupted)
    pages = uninterrupted.summary["pages"]
    assert pages["article"] == len(uninterrupted.articles) > 0


@pytest.mark.slow
@pytest.mark.parametrize(
    "kill_point",
    ["first pages done", "half the pages done", "all pages done, feeds and report being written"],
)
def test_killed_and_resumed_job_equals_the_uninterrupted_one(
    kill_point: str, uninterrupted: JobOutput, tmp_path: Path
):
    jobdir = tmp_path / "job"
    done_pages = uninterrupted.summary["pages"]["requested"] - uninterrupted.summary["pages"][
        "listing"
    ]
    ready = {
        "first pages done": lambda: journal_lines(jobdir) >= 3,
        "half the pages done": lambda: journal_lines(jobdir) >= done_pages // 2,
        "all pages done, feeds and report being written": lambda: (
            tmp_path / "summary.json"
        ).exists(),
    }[kill_point]
    command = crawl_command(tmp_path, jobdir)

    run_and_kill(command, ready, tmp_path / "killed.log")
    assert journal_lines(jobdir) <= done_pages
    log = run_to_end(command)

    assert "Resuming the job" in log
    assert_same_job(job_output(tmp_path), uninterrupted)


@pytest.mark.slow
def test_appended_feed_keeps_its_earlier_lines_and_each_article_once(
    uninterrupted: JobOutput, tmp_path: Path
):
    """With `-o` the feed is appended to: the resumed job cuts it back to where the job began
    before it writes the job's articles again, so lines from before the job stay and no article
    of the killed run is there twice."""
    jobdir = tmp_path / "job"
    earlier = {"url": "https://example.org/an-earlier-crawl", "title": "kept"}
    (tmp_path / "articles.jsonl").write_text(json.dumps(earlier) + "\n", encoding="utf-8")
    command = crawl_command(tmp_path, jobdir, feed_flag="-o")

    run_and_kill(command, lambda: journal_lines(jobdir) >= 20, tmp_path / "killed.log")
    run_to_end(command)

    [first, *articles] = read_jsonl(tmp_path / "articles.jsonl")
    assert first == earlier
    assert records_by_url(articles) == records_by_url(uninterrupted.articles)


@pytest.mark.slow
def test_job_killed_twice_still_equals_the_uninterrupted_one(
    uninterrupted: JobOutput, tmp_path: Path
):
    jobdir = tmp_path / "job"
    command = crawl_command(tmp_path, jobdir)

    run_and_kill(command, lambda: journal_lines(jobdir) >= 10, tmp_path / "killed-1.log")
    run_and_kill(command, lambda: journal_lines(jobdir) >= 40, tmp_path / "killed-2.log")
    run_to_end(command)

    assert_same_job(job_output(tmp_path), uninterrupted)


@pytest.mark.slow
def test_bad_input_job_resumes_with_its_redirects_rejects_and_misses(tmp_path: Path):
    """The resume holds for every spider, here the bad-input site's: redirects, skips, rejects
    and misses are restored from the journal, not fetched again."""
    uninterrupted_out, resumed_out = tmp_path / "uninterrupted", tmp_path / "resumed"
    jobdir = resumed_out / "job"
    run_to_end(crawl_command(uninterrupted_out, None, "-O", "rusak", *BADINPUT_SITE))
    command = crawl_command(resumed_out, jobdir, "-O", "rusak", *BADINPUT_SITE)
    expected = job_output(uninterrupted_out)
    finished_pages = expected.summary["pages"]["requested"] - expected.summary["pages"]["listing"]

    run_and_kill(command, lambda: journal_lines(jobdir) >= finished_pages // 2,
                 tmp_path / "killed.log")
    run_to_end(command)

    assert_same_job(job_output(resumed_out), expected)
    assert {"skipped", "rejected", "missed"} <= {row["outcome"] for row in expected.rejects}


# --- the journal ---------------------------------------------------------------------------------


def test_journal_drops_a_line_cut_off_by_a_kill_and_appends_after_the_last_whole_one(
    tmp_path: Path,
):
    journal = Journal(tmp_path / "pages.jsonl")
    journal.open()
    journal.append(JournalEntry(url="https://a.example/1", outcome="missed", reason="http-404"))
    journal.close()
    with journal.path.open("ab") as torn:
        torn.write(b'{"url": "https://a.example/2", "outc')

    assert [entry.url for entry in journal.entries()] == ["https://a.example/1"]
    journal.open()
    journal.append(JournalEntry(url="https://a.example/3", outcome="article", article={"x": 1}))
    journal.close()
    assert [entry.url for entry in journal.entries()] == [
        "https://a.example/1",
        "https://a.example/3",
    ]


def test_journal_keeps_the_last_outcome_of_a_page(tmp_path: Path):
    journal = Journal(tmp_path / "pages.jsonl")
    journal.open()
    journal.append(JournalEntry(url="https://a.example/1", outcome="article", article={}))
    journal.append(JournalEntry(url="https://a.example/2", outcome="missed", reason="x"))
    journal.append(JournalEntry(url="https://a.example/1", outcome="rejected", reason="too-short"))
    journal.close()
    latest = journal.latest()
    assert [(entry.url, entry.outcome) for entry in latest] == [
        ("https://a.example/1", "rejected"),
        ("https://a.example/2", "missed"),
    ]


STORY = ("<html lang='id'><head><title>{t}</title></head><body><article><h1>{t}</h1>"
         "<p>Warga kota berkumpul di balai desa untuk membahas rencana perbaikan jalan yang rusak "
         "sejak musim hujan tahun lalu, kata kepala desa pada Kamis pagi kepada wartawan.</p>"
         "<p>Menurut dia, perbaikan akan dimulai bulan depan setelah anggaran daerah disetujui "
         "oleh dewan, dan warga diminta ikut mengawasi pekerjaan kontraktor, {t}.</p>"
         "{links}</article></body></html>")


@pytest.mark.slow
def test_a_page_linked_only_from_an_article_page_done_before_the_kill_is_still_crawled(
    tmp_path: Path,
):
    """Killed right after an article page's outcome was written, before the page only its
    sidebar links was fetched: the resumed run does not fetch the article page again, so it
    must still request that link (the journal keeps it with the page's outcome)."""
    home = "https://contoh-berita.example/"
    first = f"{home}2025/02/12/jalan-desa-diperbaiki-bulan-depan/"
    sidebar = f"{home}2025/02/13/warga-ikut-mengawasi-kontraktor/"
    manifest = write_site(tmp_path / "site", [
        SavedPage(home, f"<html><body><a href='{first}'>berita</a></body></html>"),
        SavedPage(first, STORY.format(t="Jalan desa diperbaiki bulan depan",
                                      links=f"<a href='{sidebar}'>baca juga</a>")),
        SavedPage(sidebar, STORY.format(t="Warga ikut mengawasi kontraktor", links="")),
    ])
    site = (f"OFFLINE_FIXTURES={manifest}",)
    whole = tmp_path / "whole"
    run_to_end([*crawl_command(whole, whole / "job", "-O", "news", *site), "-a", f"site={home}"])
    lines = (whole / "job" / "pages.jsonl").read_bytes().splitlines(keepends=True)
    done_first = [line for line in lines if json.loads(line)["url"] == first]
    assert json.loads(done_first[0])["follow"] == [sidebar]

    out = tmp_path / "resumed"
    shutil.copytree(whole / "job", out / "job")
    (out / "job" / "pages.jsonl").write_bytes(done_first[0])  # killed right after it
    log = run_to_end([*crawl_command(out, out / "job", "-O", "news", *site), "-a", f"site={home}"])
    assert "Resuming the job" in log
    assert_same_job(job_output(out), job_output(whole))
    # The page done before the kill keeps the time it was fetched then; the other is new.
    fetched = {a["url"]: a["fetched"] for a in read_jsonl(out / "articles.jsonl")}
    before = {a["url"]: a["fetched"] for a in read_jsonl(whole / "articles.jsonl")}
    assert fetched[first] == before[first] == json.loads(done_first[0])["article"]["fetched"]
    assert fetched[sidebar] >= before[sidebar]
