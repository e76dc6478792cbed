"""Web archives as a crawl's source: WARC files written with warcio from the saved fixture sites
(and records that are no page), read by `scrapy crawl warc` from disk or over HTTP, give exactly
the articles and clusters of the crawl of those sites; a crawl written as WARC gives its own
articles again, read by `scrapy crawl warc` or taken as the offline source of `scrapy crawl
news`; every record ends in a counted outcome; an ingest killed and resumed with its JOBDIR
ends as an uninterrupted one."""

from __future__ import annotations

import gzip
from typing import TYPE_CHECKING

import pytest

from crawler.items import published_time
from crawler.spiders.admission import parse_since
from tests.conftest import CrawlRun, records_by_url, run_crawl
from tests.test_resume import (
    assert_same_job,
    crawl_command,
    job_output,
    journal_lines,
    run_and_kill,
    run_to_end,
)
from tests.warc_archives import FETCHED, serving, write_warc

if TYPE_CHECKING:
    from datetime import datetime
    from pathlib import Path

SITES = "site=tribunnews,etindonesia,jakarta365,berita247"


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_crawl("news", tmp_path_factory.mktemp("crawled"), arguments=(SITES,))


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    path = tmp_path_factory.mktemp("archive") / "sites.warc.gz"
    return path, write_warc(path)


def ids(run: CrawlRun) -> dict[str, tuple[str, str, str]]:
    return {a["url"]: (a["title"], a["copy_cluster"], a["event_cluster"]) for a in run.articles}


@pytest.mark.slow
@pytest.mark.parametrize("where", ["uncompressed, on disk", "gzipped, over HTTP"])
def test_an_archive_of_the_sites_gives_the_articles_and_clusters_of_their_crawl(
        crawled: CrawlRun, tmp_path: Path, where: str) -> None:
    if where == "uncompressed, on disk":
        kinds = write_warc(tmp_path / "sites.warc", gzipped=False)
        run = run_crawl("warc", tmp_path / "out", arguments=(f"files={tmp_path}/*.warc",))
    else:
        kinds = write_warc(tmp_path / "sites.warc.gz")
        with serving(tmp_path) as server:
            files = f"files={server.url}/sites.warc.gz,{server.url}/missing.warc.gz"
            run = run_crawl("warc", tmp_path / "out", arguments=(files,))
        assert run.summary["warc"]["missing"] == 1
        assert "WARC file http://127.0.0.1" in run.log and "is missing" in run.log
    assert records_by_url(run.articles) == records_by_url(crawled.articles)
    assert ids(run) == ids(crawled)
    assert {a["fetched"] for a in run.articles} == {FETCHED}  # the records' WARC-Date
    warc = run.summary["warc"]
    records = sum(kinds.values())
    assert warc["files"] == 1
    assert warc["not-response"] == records + 1  # each page's request record, the metadata
    assert warc["not-html"] == kinds.get("discovery", 0) + 1  # sitemaps, feeds, robots, image
    pages = run.summary["pages"]
    assert warc["read"] == pages["requested"] == records - kinds.get("discovery", 0)


@pytest.mark.slow
def test_filters_run_before_extraction_and_say_what_they_left_out(
        crawled: CrawlRun, archive: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    path, _ = archive
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("www.etindonesia.com\njakarta365.net\n")
    since, until = "2025-02-01", "2025-02-13T12:00:00+07:00"
    run = run_crawl("warc", tmp_path / "out", arguments=(
        f"files={path}", f"hosts={hosts}", f"since={since}", f"until={until}"))
    assert run.summary["warc"]["filtered-host"] > 0
    window = (parse_since(since), parse_since(until))

    def dated(article: dict) -> datetime | None:  # an undated article by its fetch time
        return published_time(article["published"]) or published_time(FETCHED)

    in_window = {a["url"] for a in crawled.articles
                 if a["site"] in ("etindonesia.com", "jakarta365.net")
                 and window[0] <= dated(a) <= window[1]}  # type: ignore[operator]
    assert 0 < len(in_window) < len(crawled.articles)
    assert {a["url"] for a in run.articles} == in_window
    rejected = run.summary["pages"]["rejected/out-of-window"]
    assert rejected > 0 and all("out-of-window: published" in r["reason"]
                                for r in run.rejects if "out-of-window" in r["reason"])
    # .com hosts hold Indonesian pages only: nothing is English
    english = run_crawl("warc", tmp_path / "lang", arguments=(f"files={path}", "tld=com",
                                                              "lang=en"))
    warc = english.summary["warc"]
    assert english.articles == [] and warc.get("read", 0) == 0
    assert warc["filtered-lang"] > 30 and warc["filtered-tld"] > 0


@pytest.mark.slow
def test_a_truncated_or_foreign_archive_is_counted_and_the_rest_is_read(
        archive: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    whole, _ = archive
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    foreign = tmp_path / "readme.warc"
    foreign.write_bytes(gzip.compress(b"this is no archive\n" * 10))
    empty = tmp_path / "empty.warc.gz"
    empty.write_bytes(b"")
    run = run_crawl("warc", tmp_path / "out", arguments=(f"files={cut},{foreign},{empty}",))
    assert run.summary["warc"]["unreadable"] == 2 and run.summary["warc"]["empty"] == 1
    assert 0 < len(run.articles) < 61
    assert "Traceback" not in run.log


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> tuple[CrawlRun, Path]:
    """A crawl of the sites written as WARC, rotated into several files."""
    folder = tmp_path_factory.mktemp("written")
    run = run_crawl("news", folder / "crawl", f"WARC_OUTPUT={folder / 'archive'}",
                    "WARC_MAX_BYTES=200000", arguments=(SITES,))
    files = sorted((folder / "archive").glob("news-*.warc.gz"))
    assert len(files) > 1, "the archive was not rotated by size"
    return run, folder / "archive"


@pytest.mark.slow
def test_a_crawl_written_as_warc_and_read_back_gives_the_same_articles(
        crawled: CrawlRun, written: tuple[CrawlRun, Path], tmp_path: Path) -> None:
    run, archive = written
    read = run_crawl("warc", tmp_path / "read", arguments=(f"files={archive}/*.warc.gz",))
    assert ids(read) == ids(run) == ids(crawled)
    # the same records, fetch times included: the archive dates each response as the crawl did
    assert records_by_url(read.articles, leave_out=()) == records_by_url(run.articles,
                                                                         leave_out=())


@pytest.mark.slow
def test_a_crawl_written_as_warc_is_the_offline_source_of_the_same_crawl(
        written: tuple[CrawlRun, Path], tmp_path: Path) -> None:
    run, archive = written
    again = run_crawl("news", tmp_path / "again", f"OFFLINE_FIXTURES={archive}/*.warc.gz",
                      arguments=(SITES,))
    assert records_by_url(again.articles, leave_out=()) == records_by_url(run.articles,
                                                                          leave_out=())
    assert again.summary["pages"] == run.summary["pages"]
    assert again.summary["discovery"] == run.summary["discovery"]


@pytest.mark.slow
def test_an_ingest_killed_and_resumed_with_its_jobdir_ends_as_the_uninterrupted_one(
        archive: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    def command(out: Path) -> list[str]:
        out.mkdir()
        return [*crawl_command(out, out / "job", "-O", "warc"), "-a", f"files={archive[0]}"]

    whole, resumed = tmp_path / "whole", tmp_path / "resumed"
    run_to_end(command(whole))
    killed = command(resumed)
    run_and_kill(killed, lambda: journal_lines(resumed / "job") >= 20, tmp_path / "killed.log")
    run_to_end(killed)
    # the records of pages the first run finished are read again from the archive: still
    # read by this job, not duplicates, so every count is the uninterrupted job's
    job = job_output(resumed)
    assert_same_job(job, job_output(whole))
    assert job.summary["warc"]["read"] == archive[1]["article"] + archive[1]["listing"]
