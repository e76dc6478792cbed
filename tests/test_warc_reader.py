"""The archive reader without a crawl: bad archives each get one warning line and a count, the
rest of the file is read where the format allows; remote archives are streamed over HTTP;
the filters leave records out before anything is extracted."""

from __future__ import annotations

import gzip
import io
import logging
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import pytest
from scrapy import Request
from twisted.python.failure import Failure
from warcio.warcwriter import WARCWriter

from crawler.accounting import miss_reason
from crawler.items import Article
from crawler.offline import PageTooLarge
from crawler.warc import WARC_RECORD, ArchivedPage, ArchivedResponses, ArchiveReader
from crawler.warc_filters import DateWindow, RecordFilter
from crawler.warc_sources import archive_sources
from tests.warc_archives import add_response, fixture_pages, serving, write_warc

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

HTML = (b"<html lang='id'><head><title>Judul berita</title></head><body><p>"
        + b"Warga desa berkumpul di balai untuk membahas perbaikan jalan. " * 8
        + b"</p></body></html>")
URLS = [f"https://berita.example.id/{n}" for n in range(4)]


def read(*sources: str | Path, only: RecordFilter | None = None, timeout: float = 10
         ) -> tuple[list[str], dict[str, int]]:
    """The URLs of the pages read from `sources`, and the counts."""
    counts: dict[str, int] = {}

    def count(reason: str) -> None:
        counts[reason] = counts.get(reason, 0) + 1

    reader = ArchiveReader(only or RecordFilter(), count, timeout)
    return [page.url for source in sources for page in reader.pages(str(source))], counts


def record(url: str, payload: bytes = HTML, headers: list[tuple[str, str]] | None = None
           ) -> bytes:
    """One response record, uncompressed."""
    out = io.BytesIO()
    add_response(WARCWriter(out, gzip=False), url, payload,
                 headers or [("Content-Type", "text/html")])
    return out.getvalue()


def lying_length(data: bytes, by: int) -> bytes:
    """The record with its WARC Content-Length `by` bytes off."""
    head, blank, rest = data.partition(b"\r\n\r\n")
    lines = [line if not line.lower().startswith(b"content-length:") else
             b"Content-Length: %d" % (int(line.split(b":")[1]) + by)
             for line in head.split(b"\r\n")]
    return b"\r\n".join(lines) + blank + rest


def per_record(*records: bytes) -> bytes:
    return b"".join(gzip.compress(r) for r in records)


def four_records_with(second: bytes, compress: Callable[..., bytes] = per_record) -> bytes:
    return compress(record(URLS[0]), second, record(URLS[2]), record(URLS[3]))


BAD_ARCHIVES = {
    # name: (file bytes, the pages read, the counts)
    "a truncated gzip member": (
        per_record(*(record(u) for u in URLS))[:-200], URLS[:3], {"unreadable": 1}),
    "a Content-Length that says too much (gzip per record)": (
        four_records_with(lying_length(record(URLS[1]), 40)), URLS, {"bad-length": 1}),
    "a Content-Length that says too little (gzip per record)": (
        four_records_with(lying_length(record(URLS[1]), -40)), URLS, {"bad-length": 1}),
    "a Content-Length that says too much (uncompressed)": (
        four_records_with(lying_length(record(URLS[1]), 40), compress=lambda *r: b"".join(r)),
        URLS[:2], {"bad-length": 1, "unreadable": 1}),
    "a non-WARC file": (b"<html><body>no archive</body></html>\n" * 20, [], {"unreadable": 1}),
    "a gzip file of something else": (gzip.compress(b"a,b,c\n" * 100), [], {"unreadable": 1}),
    "an empty file": (b"", [], {"empty": 1}),
    "a chunked payload that breaks off": (
        four_records_with(record(URLS[1], b"5\r\nabc", [("Content-Type", "text/html"),
                                                        ("Transfer-Encoding", "chunked")])),
        URLS, {"broken-chunked": 1}),
    "a payload declared chunked that is not": (
        four_records_with(record(URLS[1], HTML, [("Content-Type", "text/html"),
                                                 ("Transfer-Encoding", "chunked")])),
        URLS, {"broken-chunked": 1}),
    "a payload declared gzip that is not": (
        four_records_with(record(URLS[1], HTML, [("Content-Type", "text/html"),
                                                 ("Content-Encoding", "gzip")])),
        URLS, {"wrong-encoding": 1}),
    "a payload in an encoding nobody knows": (
        four_records_with(record(URLS[1], HTML, [("Content-Type", "text/html"),
                                                 ("Content-Encoding", "x-foo")])),
        URLS, {"wrong-encoding": 1}),
}


@pytest.mark.parametrize("name", BAD_ARCHIVES)
def test_a_bad_archive_gets_one_line_and_a_count_and_the_rest_is_read(
        name: str, tmp_path: Path, caplog: pytest.LogCaptureFixture,
        capfd: pytest.CaptureFixture[str]) -> None:
    data, pages, problems = BAD_ARCHIVES[name]
    archive = tmp_path / "bad.warc.gz"
    archive.write_bytes(data)
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        urls, counts = read(archive)
    assert urls == pages
    assert counts == {"files": 1, **({"read": len(pages)} if pages else {}), **problems}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == sum(problems.values()), warnings
    assert all("\n" not in line and (str(archive) in line or "https://" in line)
               for line in warnings)
    assert capfd.readouterr().err == ""  # warcio's own messages are not let through


def test_a_body_declared_compressed_that_is_not_is_read_as_it_is(tmp_path: Path) -> None:
    archive = tmp_path / "a.warc.gz"
    archive.write_bytes(four_records_with(record(
        URLS[1], HTML, [("Content-Type", "text/html"), ("Content-Encoding", "gzip")])))
    reader = ArchiveReader()
    bodies = {page.url: page.body for page in reader.pages(str(archive))}
    assert bodies[URLS[1]] == bodies[URLS[0]] == HTML
    # the headers that no longer describe the payload are gone
    assert all(name.lower() != b"content-encoding" for page in
               ArchiveReader().pages(str(archive)) for name, _ in page.headers)


def test_a_url_is_read_once_from_the_first_archive_that_has_it(tmp_path: Path) -> None:
    first, second = tmp_path / "1.warc.gz", tmp_path / "2.warc.gz"
    first.write_bytes(per_record(record(URLS[0]), record(URLS[1])))
    second.write_bytes(per_record(record(URLS[1]), record(URLS[2])))
    urls, counts = read(first, second)
    assert urls == URLS[:3]
    assert counts == {"files": 2, "read": 3, "duplicate": 1}


def test_a_missing_local_archive_is_named_before_anything_is_read(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no WARC file matches"):
        archive_sources(f"{tmp_path}/*.warc.gz")
    (tmp_path / "a.warc.gz").write_bytes(b"")
    assert archive_sources(f"{tmp_path}/*.warc.gz,https://example.org/b.warc.gz") == [
        str(tmp_path / "a.warc.gz"), "https://example.org/b.warc.gz"]


def test_a_remote_archive_is_streamed_and_gives_the_pages_of_the_local_file(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    archive = tmp_path / "sites.warc.gz"
    write_warc(archive, pages=fixture_pages("jakarta365.net"))
    with serving(tmp_path) as server, caplog.at_level(logging.WARNING, logger="crawler.warc"):
        remote, counts = read(f"{server.url}/sites.warc.gz", f"{server.url}/gone.warc.gz")
    local, local_counts = read(archive)
    assert remote == local and len(local) > 5
    assert counts == {**local_counts, "missing": 1}
    [line] = [r.getMessage() for r in caplog.records]
    assert line == f"WARC file {server.url}/gone.warc.gz is missing: the server answered 404 " \
                   "no such archive"


def test_a_refused_remote_archive_is_one_line_and_counted_missing(
        caplog: pytest.LogCaptureFixture) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once it is closed
    with caplog.at_level(logging.WARNING, logger="crawler.warc"):
        urls, counts = read(f"http://127.0.0.1:{port}/a.warc.gz", timeout=5)
    assert urls == [] and counts == {"missing": 1}
    [line] = [r.getMessage() for r in caplog.records]
    assert "cannot be fetched" in line and "refused" in line.lower()


def test_filters_leave_records_out_before_their_payload_is_read(tmp_path: Path) -> None:
    archive = tmp_path / "world.warc.gz"
    english = (b"<html><head><title>Storm hits the coast</title></head><body><p>"
               + b"The storm brought heavy rain and strong winds to the coast on Monday. " * 6
               + b"</p></body></html>")
    with archive.open("wb") as out:
        writer = WARCWriter(out, gzip=True)
        add_response(writer, "https://berita.example.id/1", HTML, date="2025-02-10T00:00:00Z")
        add_response(writer, "https://news.example.com/1", english, date="2025-02-10T00:00:00Z")
        add_response(writer, "https://news.example.com/2", HTML, date="2025-02-10T00:00:00Z")
        add_response(writer, "https://berita.example.id/old", HTML, date="2025-01-01T00:00:00Z")
    since = datetime(2025, 2, 1, tzinfo=UTC)
    assert read(archive, only=RecordFilter(tlds=("id",)))[1]["filtered-tld"] == 2
    by_host = RecordFilter(hosts=frozenset({"news.example.com"}))
    assert read(archive, only=by_host)[0] == ["https://news.example.com/1",
                                              "https://news.example.com/2"]
    urls, counts = read(archive, only=RecordFilter(window=DateWindow(since),
                                                   langs=frozenset({"id"})))
    assert urls == ["https://berita.example.id/1", "https://news.example.com/2"]
    assert counts["filtered-lang"] == 1 and counts["filtered-date"] == 1
    assert read(archive, only=RecordFilter(langs=frozenset({"en"})))[0] == [
        "https://news.example.com/1"]


def test_the_date_window_is_the_articles_unless_it_is_the_records() -> None:
    since, until = datetime(2025, 2, 1, tzinfo=UTC), datetime(2025, 2, 3, tzinfo=UTC)
    window = DateWindow(since, until)
    assert window.record_refused(datetime(2025, 1, 31, tzinfo=UTC))  # fetched before since
    assert not window.record_refused(datetime(2025, 3, 1, tzinfo=UTC))  # may hold an old story
    article = Article("https://a.id/1", published="2025-02-04T08:00:00+07:00",
                      fetched="2025-02-02T00:00:00+00:00")
    assert (window.article_refusal(article) or "").startswith("out-of-window: published")
    article.published = "2025-02-02T08:00:00+07:00"
    assert window.article_refusal(article) is None
    undated = Article("https://a.id/2", fetched="2025-02-05T00:00:00+00:00")
    assert (window.article_refusal(undated) or "").startswith("out-of-window: undated, fetched")
    by_records = DateWindow(since, until, "fetched")
    assert by_records.record_refused(datetime(2025, 3, 1, tzinfo=UTC))
    assert by_records.article_refusal(article) is None
    with pytest.raises(ValueError, match="after until"):
        DateWindow(until, since)
    with pytest.raises(ValueError, match="published or fetched"):
        DateWindow(dates="crawled")


def test_an_archived_page_over_the_size_limit_is_missed_as_a_download_would_be() -> None:
    page = ArchivedPage(URLS[0], 200, [(b"Content-Type", b"text/html")], HTML,
                        datetime(2025, 2, 14, 3, 4, 5, tzinfo=UTC))
    request = Request(URLS[0], meta={WARC_RECORD: page})
    response = ArchivedResponses(max_size=len(HTML)).process_request(request)
    assert response is not None and response.body == HTML
    assert request.meta["fetched"] == "2025-02-14T03:04:05+00:00"
    with pytest.raises(PageTooLarge) as raised:
        ArchivedResponses(max_size=len(HTML) - 1).process_request(request)
    assert miss_reason(Failure(raised.value)).startswith("too-large: page of")
