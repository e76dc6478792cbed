"""Web archives as a crawl's source: WARC files written with warcio from the saved fixture sites
(and records that are no page), read by `scrapy crawl warc`, give exactly the articles and
clusters of the crawl of those sites; every record ends in a counted outcome."""

from __future__ import annotations

import gzip
import io
import json
from typing import TYPE_CHECKING

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from tests.conftest import FIXTURES, CrawlRun, run_crawl

if TYPE_CHECKING:
    from pathlib import Path

SITES = "site=tribunnews,etindonesia,jakarta365,berita247"


def write_warc(path: Path, gzipped: bool = True) -> dict[str, int]:
    """The fixture sites' pages as response records (each after its request record, as a
    crawler writes them), plus an image, a metadata record and a 404; returns what went in."""
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    kinds: dict[str, int] = {}
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gzipped)
        for page in manifest["pages"]:
            body = (FIXTURES / page["file"]).read_bytes()
            headers = StatusAndHeaders(f"{page['status']} OK", list(page["headers"].items()),
                                       protocol="HTTP/1.1")
            request = StatusAndHeaders(f"GET {page['url']} HTTP/1.1", [], is_http_request=True)
            writer.write_record(writer.create_warc_record(page["url"], "request",
                                                          http_headers=request))
            writer.write_record(writer.create_warc_record(
                page["url"], "response", payload=io.BytesIO(body), http_headers=headers))
            kinds[page["kind"]] = kinds.get(page["kind"], 0) + 1
        image = StatusAndHeaders("200 OK", [("Content-Type", "image/jpeg")], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(
            "https://jakarta365.net/foto.jpg", "response", payload=io.BytesIO(b"\xff\xd8" * 64),
            http_headers=image))
        writer.write_record(writer.create_warc_record(
            "https://jakarta365.net/", "metadata", payload=io.BytesIO(b"via: test"),
            warc_content_type="text/plain"))
    return kinds


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_crawl("news", tmp_path_factory.mktemp("crawled"), arguments=(SITES,))


def ids(run: CrawlRun) -> dict[str, tuple[str, str, str]]:
    return {a["url"]: (a["title"], a["copy_cluster"], a["event_cluster"]) for a in run.articles}


@pytest.mark.slow
@pytest.mark.parametrize("gzipped", [True, False])
def test_an_archive_of_the_sites_gives_the_articles_and_clusters_of_their_crawl(
        crawled: CrawlRun, tmp_path: Path, gzipped: bool) -> None:
    archive = tmp_path / ("sites.warc.gz" if gzipped else "sites.warc")
    kinds = write_warc(archive, gzipped)
    run = run_crawl("warc", tmp_path / "out", arguments=(f"files={archive}",))
    assert {a["url"]: a for a in run.articles} == {a["url"]: a for a in crawled.articles}
    assert ids(run) == ids(crawled)
    warc = run.summary["warc"]
    records = sum(kinds.values())
    assert warc["not-response"] == records + 1  # each page's request record, the metadata
    assert warc["not-html"] == kinds.get("discovery", 0) + 1  # sitemaps, feeds, robots, image
    pages = run.summary["pages"]
    assert warc["read"] == pages["requested"] == records - kinds.get("discovery", 0)


@pytest.mark.slow
def test_filters_run_before_extraction_and_say_what_they_left_out(tmp_path: Path) -> None:
    archive = tmp_path / "sites.warc.gz"
    write_warc(archive)
    hosts = tmp_path / "hosts.txt"
    hosts.write_text("www.etindonesia.com\njakarta365.net\n")
    run = run_crawl("warc", tmp_path / "out", arguments=(f"files={archive}", f"hosts={hosts}"))
    assert run.articles and {a["site"] for a in run.articles} <= {"etindonesia.com",
                                                                 "jakarta365.net"}
    assert run.summary["warc"]["filtered-host"] > 0
    by_tld = run_crawl("warc", tmp_path / "tld", arguments=(f"files={archive}", "tld=id"))
    assert by_tld.articles == [] and by_tld.summary["warc"]["filtered-tld"] > 0


@pytest.mark.slow
def test_a_truncated_or_foreign_archive_is_counted_and_the_rest_is_read(tmp_path: Path) -> None:
    whole = tmp_path / "whole.warc.gz"
    write_warc(whole)
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    foreign = tmp_path / "readme.warc"
    foreign.write_bytes(gzip.compress(b"this is no archive\n" * 10))
    run = run_crawl("warc", tmp_path / "out", arguments=(f"files={cut},{foreign}",))
    assert run.summary["warc"]["unreadable"] == 2
    assert 0 < len(run.articles) < 61


@pytest.mark.slow
def test_a_crawl_written_as_warc_and_read_back_gives_the_same_articles(
        crawled: CrawlRun, tmp_path: Path) -> None:
    archive = tmp_path / "archive"
    written = run_crawl("news", tmp_path / "crawl", f"WARC_OUTPUT={archive}",
                        "WARC_MAX_BYTES=200000", arguments=(SITES,))
    files = sorted(archive.glob("news-*.warc.gz"))
    assert len(files) > 1, "the archive was not rotated by size"
    read = run_crawl("warc", tmp_path / "read", arguments=(f"files={archive}/*.warc.gz",))
    assert ids(read) == ids(written) == ids(crawled)
    assert {a["url"]: a["body"] for a in read.articles} == {a["url"]: a["body"]
                                                            for a in crawled.articles}


def test_payloads_that_lie_about_their_encoding_are_read_as_they_are(tmp_path: Path) -> None:
    """A `Content-Encoding: gzip` over plain bytes and a chunked body that breaks off: warcio
    hands over what is there, the record is a page like any other (its extraction decides),
    and the records after it are read."""
    from crawler.warc import ArchiveReader

    html = (b"<html><head><title>Judul</title></head><body><p>" + b"kata " * 200
            + b"</p></body></html>")
    archive = tmp_path / "lying.warc.gz"
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        for url, headers, payload in [
            ("https://a.id/1", [("Content-Type", "text/html"), ("Content-Encoding", "gzip")],
             html),
            ("https://a.id/2", [("Content-Type", "text/html"), ("Transfer-Encoding", "chunked")],
             b"5\r\nabc"),
            ("https://a.id/3", [("Content-Type", "text/html")], html),
        ]:
            writer.write_record(writer.create_warc_record(
                url, "response", payload=io.BytesIO(payload),
                http_headers=StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")))
    reader = ArchiveReader([archive])
    pages = {page.url: page for page in reader.pages()}
    assert pages["https://a.id/1"].body == pages["https://a.id/3"].body == html
    assert pages["https://a.id/2"].body == b"abc"
    assert reader.counts == {"read": 3}
    # the headers that no longer describe the payload are gone
    assert all(name.lower() not in (b"content-encoding", b"transfer-encoding")
               for page in pages.values() for name, _ in page.headers)
