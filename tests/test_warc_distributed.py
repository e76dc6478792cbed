"""Web archives in the distributed mode, with a real Redis and real worker processes: each
archive is a unit of work in the job's shared queue, its pages are queued for every worker, a
killed worker's archive is read again by another, and no article is written twice."""

from __future__ import annotations

import json
import signal
from typing import TYPE_CHECKING

import pytest

from crawler.dedup import DedupOptions
from crawler.distributed import Frontier, JobKeys, merge_outputs
from tests.conftest import CrawlRun, read_jsonl, records_by_url, run_crawl
from tests.test_distributed import finish, start_worker, worker_articles
from tests.warc_archives import fixture_pages, serving, wait_for, write_warc

if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

    import redis

SITES = ("www.tribunnews.com", "www.etindonesia.com", "jakarta365.net", "berita247.net")
CLUSTER_IDS = ("copy_cluster", "event_cluster")  # each worker's are provisional


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One archive per fixture site."""
    folder = tmp_path_factory.mktemp("archives")
    for number, host in enumerate(SITES):
        write_warc(folder / f"site-{number}.warc.gz", pages=fixture_pages(host))
    return folder


@pytest.fixture(scope="module")
def embedded(archives: Path, tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    return run_crawl("warc", tmp_path_factory.mktemp("embedded"),
                     arguments=(f"files={archives}/*.warc.gz",))


def start_warc_worker(folder: Path, worker: str, job: str, files: str
                      ) -> subprocess.Popen[str]:
    return start_worker(folder, worker, job, spider="warc", arguments=(f"files={files}",))


def assert_the_embedded_articles_once(folder: Path, embedded: CrawlRun) -> None:
    articles = worker_articles(folder)
    assert records_by_url(articles, CLUSTER_IDS) == records_by_url(embedded.articles, CLUSTER_IDS)
    merge_outputs(folder, DedupOptions())
    merged = read_jsonl(folder / "articles.jsonl")
    assert records_by_url(merged, ()) == records_by_url(embedded.articles, ())


def test_a_request_given_back_goes_to_the_queue_with_its_priority(
        redis_server: redis.Redis, job: str) -> None:
    """What a worker already reading an archive does with a second one it popped."""
    worker = Frontier(redis_server, JobKeys.for_job(job), "w1", 5)
    worker.join(flush=False)
    worker.push("archive", 1, b"archive")
    worker.push("page", 0, b"page")
    _, first = worker.pop() or ("", b"")
    token, second = worker.pop() or ("", b"")
    assert (first, second) == (b"page", b"archive")
    worker.give_back(token)
    assert worker.pending() == (1, 1)  # the page is still in flight here
    worker.push("page 2", 0, b"page 2")
    assert [worker.pop()[1] for _ in range(2)] == [b"page 2", b"archive"]  # type: ignore[index]


@pytest.mark.slow
def test_two_workers_share_the_archives_and_write_what_one_process_writes(
        archives: Path, embedded: CrawlRun, job: str, tmp_path: Path) -> None:
    files = f"{archives}/*.warc.gz"
    workers = {name: start_warc_worker(tmp_path, name, job, files) for name in ("w1", "w2")}
    logs = [finish(process, tmp_path, name) for name, process in workers.items()]
    assert all("Traceback" not in log for log in logs)
    assert_the_embedded_articles_once(tmp_path, embedded)
    warc = merged_warc_counts(tmp_path)
    assert warc["files"] == len(SITES)  # each archive read once, by one worker
    assert warc["read"] == embedded.summary["warc"]["read"]


def merged_warc_counts(folder: Path) -> dict[str, int]:
    return dict(json.loads((folder / "summary.json").read_text(encoding="utf-8"))["warc"])


@pytest.mark.slow
def test_an_archive_of_a_killed_worker_is_read_again_by_another_and_nothing_twice(
        archives: Path, embedded: CrawlRun, job: str, tmp_path: Path) -> None:
    """The first worker is killed half-way through a remote archive (the server holds the
    second half back); the second worker takes the archive up after `CRAWL_WORKER_TTL`."""
    held = "site-2.warc.gz"  # jakarta365, the largest
    with serving(archives, held=held) as server:
        files = ",".join(f"{server.url}/site-{n}.warc.gz" for n in range(len(SITES)))
        victim = start_warc_worker(tmp_path, "w1", job, files)
        wait_for(server.half_sent.is_set)
        wait_for(lambda: (tmp_path / "articles-w1.jsonl").exists()
                 and (tmp_path / "articles-w1.jsonl").read_bytes().count(b"\n") >= 3)
        victim.send_signal(signal.SIGKILL)
        victim.wait(timeout=30)
        server.release()
        log = finish(start_warc_worker(tmp_path, "w2", job, files), tmp_path, "w2")
    assert "requeued from stopped workers" in log or "Requeued" in log, log[-3000:]
    assert server.requests.count(f"/{held}") == 2  # read again, whole
    assert_the_embedded_articles_once(tmp_path, embedded)
