"""Distributed crawl mode against a real Redis (127.0.0.1:6379, or env CRAWLER_TEST_REDIS_URL).

Every test works under its own crawl job (key prefix) and deletes its keys afterwards. Without a
server the tests skip, except under CI (env `CI` set), where a missing server is a failure.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import redis
from scrapy.settings import Settings
from scrapy.utils.misc import load_object

from crawler.accounting import OUTCOMES
from crawler.dedup import DedupOptions
from crawler.dedup.decisions import SAME_EVENT, Decision, Decisions
from crawler.dedup.shared import index_basename
from crawler.dedup.shared_records import RECORD_FORMAT
from crawler.distributed import (
    DistributedCrawl,
    ExportArticleOnce,
    Frontier,
    FrontierScheduler,
    JobKeys,
    feed_uri_params,
    merge_outputs,
    per_worker,
    redacted,
)
from crawler.distributed.__main__ import main, worker_command
from tests.conftest import PROJECT_ROOT, REDIS_URL, CrawlRun, read_jsonl, run_crawl

if TYPE_CHECKING:
    pass

# Set by the per-process dedup, and the fetch time, new in every run: not compared.
NOT_COMPARED = ("copy_cluster", "event_cluster", "fetched")
# Quick failure detection and close, so that the crawl tests stay short.
FAST = ["CRAWL_WORKER_TTL=2", "MAX_IDLE_TIME_BEFORE_CLOSE=1", "LOG_LEVEL=INFO"]




def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def frontier(redis_server: redis.Redis, job: str, worker: str = "w1", ttl: float = 5) -> Frontier:
    return Frontier(redis_server, JobKeys.for_job(job), worker, ttl)


# --- the frontier in Redis, without Scrapy ---------------------------------------------------


def test_a_request_is_queued_once_and_stays_in_flight_until_acknowledged(redis_server, job):
    worker = frontier(redis_server, job)
    worker.join(flush=False)
    assert worker.push("fp1", 0, b"request-1")
    assert not worker.push("fp1", 0, b"request-1 again")
    assert worker.push(None, 0, b"unfiltered")
    assert worker.pending() == (2, 0)
    token, data = worker.pop() or ("", b"")
    assert data == b"request-1"
    assert worker.pending() == (1, 1)
    worker.ack([token])
    assert worker.pending() == (1, 0)


def test_requests_of_a_dead_worker_go_back_to_the_queue(redis_server, job):
    dead = frontier(redis_server, job, "dead", ttl=0.05)
    alive = frontier(redis_server, job, "alive")
    dead.join(flush=False)
    alive.join(flush=False)
    dead.push("a", -5, b"high priority")
    dead.push("b", 0, b"low priority")
    dead.pop()
    dead.pop()
    assert alive.recover() == 0  # heartbeat not yet expired
    time.sleep(0.1)
    assert alive.recover() == 2
    assert alive.pending() == (2, 0)
    assert alive.pop()[1] == b"high priority"  # type: ignore[index]  # the score is kept


def test_flush_on_start_spares_a_job_with_a_live_worker(redis_server, job):
    first = frontier(redis_server, job, "first")
    assert first.join(flush=True)
    first.push("a", 0, b"request")
    assert not frontier(redis_server, job, "second").join(flush=True)
    assert first.pending() == (1, 0)


def test_only_the_last_worker_out_of_a_drained_job_deletes_it(redis_server, job):
    first, second = frontier(redis_server, job, "first"), frontier(redis_server, job, "second")
    first.join(flush=False)
    second.join(flush=False)
    first.push("a", 0, b"request")
    first.mark_exported("https://example.org/a")
    assert not first.leave(clean_up=True)  # a request is queued and the second worker is alive
    token, _ = second.pop() or ("", b"")
    second.ack([token])
    assert second.article_exported("https://example.org/a")
    assert second.leave(clean_up=True)
    assert not redis_server.exists(*JobKeys.for_job(job).all())


# --- settings --------------------------------------------------------------------------------


def configured(
    values: dict, env: dict[str, str] | None = None, project: dict | None = None
) -> Settings:
    """Settings as settings.py (`project`) and the command line (`values`) give them, after the
    add-on ran with `env` as the environment."""
    settings = Settings()
    settings.setdict({"FEEDS": {"out/%(name)s/articles.jsonl": {"format": "jsonlines"}},
                      "REJECTS_FILE": "out/%(name)s/rejects.jsonl", **(project or {})},
                     priority="project")
    settings.setdict(values, priority="cmdline")
    saved = {name: os.environ.pop(name, None) for name in ("CRAWLER_REDIS_URL", "CRAWLER_WORKER")}
    os.environ.update(env or {})
    try:
        DistributedCrawl().update_settings(settings)
    finally:
        for name in env or {}:
            del os.environ[name]
        os.environ.update({name: value for name, value in saved.items() if value is not None})
    return settings


def test_without_a_redis_url_the_embedded_default_is_untouched():
    settings = configured({})
    assert settings["SCHEDULER"] == Settings()["SCHEDULER"]
    assert "%(worker)s" not in json.dumps(settings.getdict("FEEDS"))


def test_the_environment_variable_switches_the_distributed_mode_on():
    settings = configured({}, {"CRAWLER_REDIS_URL": "redis://h:1", "CRAWLER_WORKER": "w7"})
    assert load_object(settings["SCHEDULER"]) is FrontierScheduler
    assert settings["REDIS_URL"] == "redis://h:1"
    assert list(settings.getdict("FEEDS")) == ["out/%(name)s/%(job)s/articles-%(worker)s.jsonl"]
    assert settings["REJECTS_FILE"] == "out/%(name)s/%(name)s/rejects-w7.jsonl"


def test_second_addresses_do_not_wait_for_a_canonical_page_of_another_worker():
    assert configured({}, {"CRAWLER_REDIS_URL": "redis://h:1"}).getfloat("CANONICAL_WAIT") == 0
    mine = configured({"REDIS_URL": "redis://h:1", "CANONICAL_WAIT": 5})
    assert mine.getfloat("CANONICAL_WAIT") == 5


def test_the_environment_fills_an_empty_url_in_settings_py():
    settings = configured({}, {"CRAWLER_REDIS_URL": "redis://h:1"}, project={"REDIS_URL": "",
                                                                          "CRAWL_WORKER": ""})
    assert settings["REDIS_URL"] == "redis://h:1"
    assert settings["CRAWL_WORKER"]


def test_the_command_line_still_wins():
    settings = configured({"REDIS_URL": "redis://h:1", "MAX_IDLE_TIME_BEFORE_CLOSE": 9,
                           "CRAWL_JOB": "nightly", "REJECTS_FILE": "mine.jsonl"})
    assert settings.getint("MAX_IDLE_TIME_BEFORE_CLOSE") == 9
    assert settings["REJECTS_FILE"] == "mine.jsonl"
    assert settings.getdict("ITEM_PIPELINES")[ExportArticleOnce] == 990


def test_names_and_feed_parameters():
    spider = type("S", (), {"name": "all", "settings": Settings({"CRAWL_WORKER": "w2"})})()
    assert feed_uri_params({"name": "all"}, spider) == {"name": "all", "worker": "w2", "job": "all"}
    assert per_worker("out/x.jsonl", "job", "w1") == "out/job/x-w1.jsonl"
    assert redacted("redis://:secret@host:6379/0") == "redis://:***@host:6379/0"
    with pytest.raises(ValueError, match="CRAWL_JOB"):
        configured({"REDIS_URL": "redis://h:1", "CRAWL_JOB": "a|b"})


def test_merge_keeps_one_line_per_article_and_sums_the_pages(tmp_path):
    for worker, urls in (("w1", ["a", "b"]), ("w2", ["b", "c"])):
        lines = "".join(
            json.dumps({"url": url, "title": url, "body": f"Berita {url}."}) + "\n" for url in urls
        )
        (tmp_path / f"articles-{worker}.jsonl").write_text(lines)
        (tmp_path / f"summary-{worker}.json").write_text(json.dumps({"pages": {"article": 2}}))
    merged = merge_outputs(tmp_path, DedupOptions())
    assert (merged.articles, merged.duplicates) == (3, 1)
    rows = list(read_jsonl(tmp_path / "articles.jsonl"))
    assert [row["url"] for row in rows] == ["a", "b", "c"]
    assert all(row["copy_cluster"] and row["event_cluster"] for row in rows)
    assert json.loads((tmp_path / "summary.json").read_text()) == {"pages": {"article": 4},
                                                                   "discovery": {}}
    assert (tmp_path / "report" / "report.html").is_file()


STORY = " ".join(f"Kalimat nomor {n} tentang banjir di Jakarta Utara pada hari Senin."
                 for n in range(40))


def test_merge_clusters_with_the_settings_the_job_was_given(tmp_path, capsys):
    edited = STORY.replace("nomor 20", "ke-20")
    rows = [{"url": "a", "title": "Banjir", "body": STORY},
            {"url": "b", "title": "Banjir", "body": edited}]
    (tmp_path / "articles-w1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))

    def copies(*settings: str) -> int:
        assert main(["merge", str(tmp_path), *settings]) == 0
        return len({row["copy_cluster"] for row in read_jsonl(tmp_path / "articles.jsonl")})

    assert copies() == 1
    assert copies("-s", "DEDUP_COPY_THRESHOLD=1", "-s", "DEDUP_COPY_CONTAINMENT=1") == 2
    assert main(["merge", str(tmp_path), "-s", "DEDUP_COPY_THRESHOLDS=1"]) == 2
    assert "did you mean DEDUP_COPY_THRESHOLD" in capsys.readouterr().err


def test_merge_obeys_the_reviewers_decisions_the_job_was_given(tmp_path, capsys):
    other = " ".join(f"Persebaya menang atas Arema FC di Stadion Gelora Bung Tomo, babak {n}."
                     for n in "ABCDEFGHIJKLMNOPQRST")
    rows = [{"url": "a", "title": "Banjir", "body": STORY},
            {"url": "b", "title": "Banjir", "body": STORY.replace("nomor 20", "ke-20")},
            {"url": "c", "title": "Pilkada", "body": other}]
    (tmp_path / "articles-w1.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    decisions = tmp_path / "decisions.json"
    decisions.write_text(Decisions((Decision(SAME_EVENT, "c", ("a",)),)).to_json())

    def events(*settings: str) -> dict[str, str]:
        assert main(["merge", str(tmp_path), *settings]) == 0
        return {r["url"]: r["event_cluster"] for r in read_jsonl(tmp_path / "articles.jsonl")}

    before = events()
    assert before["a"] == before["b"] != before["c"]
    after = events("-s", f"DEDUP_DECISIONS={decisions}")
    assert after["a"] == after["b"] == after["c"]
    decisions.write_text("{not json")
    assert main(["merge", str(tmp_path), "-s", f"DEDUP_DECISIONS={decisions}"]) == 2
    error = capsys.readouterr().err
    assert "decisions.json" in error and "Traceback" not in error


def test_a_failed_merge_leaves_the_previous_one(tmp_path, capsys):
    (tmp_path / "articles-w1.jsonl").write_text(json.dumps({"url": "a", "title": "A",
                                                            "body": STORY}) + "\n")
    assert main(["merge", str(tmp_path)]) == 0
    before = {name: (tmp_path / name).read_bytes()
              for name in ("articles.jsonl", "rejects.jsonl", "summary.json")}
    (tmp_path / "articles-w2.jsonl").write_text('{"url": "b", "title"\n')
    assert main(["merge", str(tmp_path)]) == 2
    error = capsys.readouterr().err
    assert "articles-w2.jsonl, line 1: not JSON" in error and "Traceback" not in error
    assert {name: (tmp_path / name).read_bytes() for name in before} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["articles-w1.jsonl", "articles-w2.jsonl", "report", *before])


# --- crawls ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> CrawlRun:
    """One crawl of every fixture site in the embedded default (no Redis)."""
    switch = os.environ.pop("CRAWLER_REDIS_URL", None)  # a user's own setting must not leak in
    try:
        return run_crawl("all", tmp_path_factory.mktemp("embedded"), "LOG_LEVEL=INFO",
                         "DEDUP_INDEX=", "CLUSTER_REPORT_DIR=")
    finally:
        if switch is not None:
            os.environ["CRAWLER_REDIS_URL"] = switch


def start_worker(folder: Path, worker: str, job: str, *settings: str, url: str = REDIS_URL,
                 spider: str = "all", arguments: tuple[str, ...] = ()) -> subprocess.Popen[str]:
    command = worker_command(spider, folder, worker, [f"CRAWL_JOB={job}", *FAST, *settings],
                             arguments)
    log = (folder / f"log-{worker}.txt").open("w")
    env = {**os.environ, "CRAWLER_REDIS_URL": url, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=log, stderr=log, text=True, env=env)


def finish(process: subprocess.Popen[str], folder: Path, worker: str) -> str:
    assert process.wait(timeout=120) == 0, (folder / f"log-{worker}.txt").read_text()[-3000:]
    return (folder / f"log-{worker}.txt").read_text()


def comparable(articles: list[dict]) -> dict[str, dict]:
    return {a["url"]: {k: v for k, v in a.items() if k not in NOT_COMPARED} for a in articles}


def worker_articles(folder: Path) -> list[dict]:
    return [row for path in sorted(folder.glob("articles-*.jsonl")) for row in read_jsonl(path)]


@pytest.mark.slow
def test_two_workers_together_crawl_exactly_what_one_process_crawls(embedded, job, tmp_path):
    workers = {name: start_worker(tmp_path, name, job) for name in ("w1", "w2")}
    logs = [finish(process, tmp_path, name) for name, process in workers.items()]
    articles = worker_articles(tmp_path)
    urls = [article["url"] for article in articles]
    assert len(urls) == len(set(urls)), "an article was written twice"
    assert comparable(articles) == comparable(embedded.articles)
    pages = [read_summary(tmp_path / f"summary-{name}.json") for name in workers]
    one = embedded.summary["pages"]
    for outcome in ("requested", *OUTCOMES):
        assert sum(p[outcome] for p in pages) == one[outcome], outcome
    assert all(p["requested"] > 0 for p in pages), "one worker did all the work"
    assert all("Traceback" not in log for log in logs)
    assert all("stopped workers" not in log for log in logs), "a live worker was taken for dead"
    merge_outputs(tmp_path, DedupOptions())
    merged = {a["url"]: (a["copy_cluster"], a["event_cluster"])
              for a in read_jsonl(tmp_path / "articles.jsonl")}
    assert merged == {a["url"]: (a["copy_cluster"], a["event_cluster"])
                      for a in embedded.articles}


def read_summary(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))["pages"]


def wait_for_lines(path: Path, lines: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.02)
    pytest.fail(f"{path} never had {lines} lines while its worker ran")


@pytest.mark.slow
def test_a_worker_killed_mid_crawl_and_restarted_loses_nothing_and_merges_to_one_line_each(
    embedded, job, tmp_path
):
    # The job is kept after it drains, so a restart that comes late cannot start it afresh.
    victim = start_worker(tmp_path, "w1", job, "SCHEDULER_PERSIST=True")
    other = start_worker(tmp_path, "w2", job, "SCHEDULER_PERSIST=True")
    wait_for_lines(tmp_path / "articles-w1.jsonl", 5, victim)
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    restarted = start_worker(tmp_path, "w1-restarted", job, "SCHEDULER_PERSIST=True")
    logs = finish(other, tmp_path, "w2") + finish(restarted, tmp_path, "w1-restarted")
    assert "stopped workers" in logs, "the killed worker had nothing in flight: nothing proved"
    articles = worker_articles(tmp_path)
    # The one window `ExportArticleOnce` leaves (at least once, never lost): the victim killed
    # after its feed wrote an article's line and before the article was marked exported. Then
    # that line is its file's last, the article is written again by a live worker, and the
    # merge keeps one line of it.
    counts = Counter(article["url"] for article in articles)
    twice = [url for url, n in counts.items() if n > 1]
    victim_urls = [article["url"] for article in read_jsonl(tmp_path / "articles-w1.jsonl")]
    assert twice in ([], victim_urls[-1:]), f"written more than once: {twice}"
    assert comparable(articles) == comparable(embedded.articles)
    merged = merge_outputs(tmp_path, DedupOptions())
    assert (merged.articles, merged.duplicates) == (len(embedded.articles), len(twice))
    assert sorted(a["url"] for a in read_jsonl(tmp_path / "articles.jsonl")) == sorted(counts)


@pytest.mark.slow
def test_unreachable_redis_is_one_line_and_a_non_zero_exit(tmp_path):
    url = f"redis://127.0.0.1:{free_port()}/0"
    feed = str(tmp_path / "articles.jsonl")
    command = [sys.executable, "-m", "scrapy", "crawl", "all", "-O", feed]
    env = {**os.environ, "CRAWLER_REDIS_URL": url}
    done = subprocess.run(command, cwd=PROJECT_ROOT, capture_output=True, text=True, env=env,
                          timeout=60, check=False)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "CRITICAL" in line or "ERROR" in line]
    assert len(errors) == 1 and f"Cannot reach Redis at {url}" in errors[0], done.stderr[-2000:]
    assert not (tmp_path / "articles.jsonl").exists()


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")
def test_redis_lost_mid_crawl_stops_cleanly_and_says_how_to_resume(tmp_path):
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        url = f"redis://127.0.0.1:{port}/0"
        wait_for_server(url)
        worker = start_worker(tmp_path, "w1", "lost", url=url)
        wait_for_lines(tmp_path / "articles-w1.jsonl", 3, worker)
        server.kill()
        server.wait()
        log = finish(worker, tmp_path, "w1")
    finally:
        server.kill()
    assert "Lost Redis at" in log and "to resume" in log
    assert "Spider closed (redis-lost)" in log
    assert "Traceback" not in log
    articles = read_jsonl(tmp_path / "articles-w1.jsonl")  # every line is whole JSON
    assert len(articles) >= 3


def wait_for_server(url: str) -> None:
    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            return
        except redis.exceptions.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


def test_the_spider_s_extractor_takes_the_settings_the_add_ons_leave(monkeypatch):
    """Scrapy builds the spider before the add-ons run: the distributed mode's inline extraction
    (EXTRACT_PROCESSES=0) must still reach it, or every Redis worker starts its own pool."""
    from scrapy import signals
    from scrapy.crawler import Crawler
    from scrapy.utils.project import get_project_settings

    from crawler.spiders.news import NewsSpider

    monkeypatch.setenv("CRAWLER_REDIS_URL", REDIS_URL)
    # A crawler as `scrapy crawl` makes it: its spider is built before its add-ons run.
    crawler = Crawler(NewsSpider, get_project_settings())
    spider = NewsSpider.from_crawler(crawler, site="jakarta365")
    assert spider.extractor.processes == 2  # settings.py's, before the add-ons
    crawler.addons.load_settings(crawler.settings)
    crawler.signals.send_catch_log(signals.spider_opened, spider=spider)
    try:
        assert spider.extractor.processes == 0
        assert spider.extractor._pool is None
    finally:
        spider.extractor.close()


@pytest.mark.slow
def test_a_shared_index_of_another_format_is_one_line_and_flushing_the_job_starts_afresh(
    redis_server, job, tmp_path
):
    # the stamp a job's shared index had before the lead vectors (records of format 1)
    stamp = index_basename(job) + b":format"
    redis_server.set(stamp, 1)

    def refused(worker: str, *settings: str) -> str:
        assert start_worker(tmp_path, worker, job, *settings).wait(timeout=120) == 2
        log = (tmp_path / f"log-{worker}.txt").read_text()
        assert "Traceback" not in log
        named = [line for line in log.splitlines() if "SCHEDULER_FLUSH_ON_START=True" in line]
        assert len(named) == 1 and "format 1, not 2" in named[0], log[-2000:]
        return named[0]

    # refused before it joins the job: the next worker can flush it at once
    assert refused("w1").startswith("Error: ")
    # a live worker of the job keeps it from being flushed: refused when the index is opened
    live = frontier(redis_server, job, "w0", ttl=60)
    live.join(flush=False)
    assert "CRITICAL" in refused("w2", "SCHEDULER_FLUSH_ON_START=True")
    live.leave(clean_up=False)  # the refused worker left too: the job can be flushed at once
    assert not list(tmp_path.glob("articles-*.jsonl")), "a refused worker wrote articles"
    afresh = start_worker(tmp_path, "w3", job, "SCHEDULER_FLUSH_ON_START=True",
                          "SCHEDULER_PERSIST=True")
    finish(afresh, tmp_path, "w3")
    assert read_jsonl(tmp_path / "articles-w3.jsonl")
    assert int(redis_server.get(stamp) or 0) == RECORD_FORMAT
