from __future__ import annotations

import asyncio

import pytest

from crawler.items import Article, PageReject
from crawler.workers.extractor import PageExtractor
from crawler.workers.pages import ExtractedPage, extract_page
from tests.conftest import FIXTURES

URL = "https://jakarta365.net/news/1246070/trump-telepon-putin-rusia-siap-nego-akhiri-perang-di-ukraina-bagaimana-dengan-zelensky"


def extract_with(processes: int, html: str | bytes, url: str) -> Article | PageReject:
    extractor = PageExtractor(processes)
    try:
        return asyncio.run(extractor.extract(html, url)).outcome
    finally:
        extractor.close()


def saved_page() -> bytes:
    path = FIXTURES / "sites" / "jakarta365.net" / "news" / "1246070"
    return next(path.iterdir()).read_bytes()


def test_worker_process_gives_the_same_article_as_inline():
    html = saved_page()
    inline = extract_with(0, html, URL)
    pooled = extract_with(1, html, URL)
    assert isinstance(inline, Article)
    assert inline.body
    assert pooled == inline


@pytest.mark.parametrize("processes", [0, 1])
def test_unreadable_input_becomes_a_reject_with_the_reason(processes):
    outcome = extract_with(processes, b"\x00\x01\x02\xff" * 64, "https://a.test/x")
    assert isinstance(outcome, PageReject)
    assert outcome.reason.startswith("unreadable: ")


def test_negative_settings_are_refused():
    with pytest.raises(ValueError, match="EXTRACT_PROCESSES"):
        PageExtractor(-1)
    with pytest.raises(ValueError, match="EXTRACT_TIMEOUT"):
        PageExtractor(1, timeout=-1)


def die(
    html: str | bytes, url: str, content_type: str | None = None, dedup: object = None
) -> ExtractedPage:
    """Stands in for a page that kills its worker (a crash in native code)."""
    import os

    os._exit(1)


def failing_then_real(
    extractor: PageExtractor, monkeypatch: pytest.MonkeyPatch, stand_in: object
) -> tuple[Article | PageReject, Article | PageReject]:
    """The saved page's outcome with `stand_in` as the workers' `extract_page`, then its
    outcome once the real one is back."""
    import crawler.workers.extractor as extraction

    monkeypatch.setattr(extraction, "extract_page", stand_in)
    failing = asyncio.run(extractor.extract(saved_page(), URL)).outcome
    monkeypatch.undo()
    return failing, asyncio.run(extractor.extract(saved_page(), URL)).outcome


def test_a_worker_death_rejects_that_page_and_the_crawl_goes_on(monkeypatch):
    extractor = PageExtractor(1)
    try:
        crashed, recovered = failing_then_real(extractor, monkeypatch, die)
        assert crashed == PageReject(
            URL, "extraction-crashed: the extraction worker died on this page"
        )
        assert isinstance(recovered, Article)
        assert extractor.processes == 1  # back on a fresh worker, not inline
    finally:
        extractor.close()


def test_links_come_back_with_the_article_as_the_crawl_would_read_them():
    from scrapy.http import HtmlResponse

    html = saved_page()
    page = extract_page(html, URL)
    response = HtmlResponse(url=URL, body=html, encoding="utf-8")
    assert page.links.hrefs == response.xpath("//a/@href").getall()
    assert len(page.links.hrefs) > 20
    assert page.links.absolute("/x?a=1") == response.urljoin("/x?a=1")


def stall(
    html: str | bytes, url: str, content_type: str | None = None, dedup: object = None
) -> ExtractedPage:
    """Stands in for a page the extractor never finishes."""
    import time

    time.sleep(60)
    raise AssertionError("not reached")


def test_a_page_over_the_time_limit_is_rejected_and_its_worker_replaced(monkeypatch):
    extractor = PageExtractor(1, timeout=1)
    try:
        slow, recovered = failing_then_real(extractor, monkeypatch, stall)
        assert slow == PageReject(
            URL, "extraction-timeout: over EXTRACT_TIMEOUT=1 s on this page"
        )
        assert isinstance(recovered, Article)
    finally:
        extractor.close()


# --- the worker pool: pages in flight, time limits, large pages, listing links ----------------


def die_on_marked_page(
    html: str | bytes, url: str, content_type: str | None = None, dedup: object = None
) -> ExtractedPage:
    """Kills its worker on the page whose URL ends in `/die`; extracts the others."""
    import os

    import crawler.workers.pages

    if url.endswith("/die"):
        os._exit(1)
    return crawler.workers.pages.extract_page(html, url, content_type)


def extract_all(extractor: PageExtractor, pages: list[tuple[bytes, str]]) -> list[ExtractedPage]:
    async def extract() -> list[ExtractedPage]:
        return list(await asyncio.gather(*(extractor.extract(html, url) for html, url in pages)))

    return asyncio.run(extract())


def test_only_the_page_that_kills_its_worker_is_rejected(monkeypatch):
    """The pages sent to a worker behind the one that kills it are sent again, not rejected."""
    import crawler.workers.extractor as extraction

    extractor = PageExtractor(1)
    try:
        monkeypatch.setattr(extraction, "extract_page", die_on_marked_page)
        urls = [URL + "?a", URL + "/die", URL + "?b", URL + "?c"]
        pages = extract_all(extractor, [(saved_page(), url) for url in urls])
        outcomes = {url: page.outcome for url, page in zip(urls, pages, strict=True)}
        assert outcomes.pop(URL + "/die") == PageReject(
            URL + "/die", "extraction-crashed: the extraction worker died on this page"
        )
        assert all(isinstance(outcome, Article) for outcome in outcomes.values())
    finally:
        extractor.close()


def asleep(seconds: float) -> str:
    """A job that takes `seconds` of a worker and nothing of its CPU, so the test does not
    depend on how busy the machine is."""
    import time

    time.sleep(seconds)
    return "done"


def this_module_loaded() -> None:
    """A warm-up that does nothing: the worker unpickles it, and with it imports this module,
    before it says it is ready. Otherwise the first job's `asleep` would import it inside the
    timed job, which on a busy machine takes longer than the job's slack."""


def slow_warm_up() -> None:
    """A worker start-up as slow as a busy machine's (imports, trafilatura's lists)."""
    import time

    time.sleep(2.5)


def run_jobs(pool: object, jobs: list[float]) -> list[object]:
    async def run() -> list[object]:
        tasks = (pool.run(asleep, seconds) for seconds in jobs)  # type: ignore[attr-defined]
        return list(await asyncio.gather(*tasks, return_exceptions=True))

    return asyncio.run(run())


def new_pool(timeout: float, warm_up: object = None) -> object:
    import multiprocessing

    from crawler.workers.pool import WorkerPool

    pool = WorkerPool(1, timeout, multiprocessing.get_context("forkserver"), 5,
                      warm_up=warm_up)  # type: ignore[arg-type]
    pool.start()
    return pool


def test_the_time_limit_counts_from_the_start_of_the_job_not_its_wait():
    """Three jobs of 1 s queued on one worker take 3 s in all; none is over the 2 s limit."""
    pool = new_pool(timeout=2, warm_up=this_module_loaded)
    try:
        assert run_jobs(pool, [1.0, 1.0, 1.0]) == ["done"] * 3
    finally:
        pool.close()  # type: ignore[attr-defined]


def test_the_time_limit_does_not_count_a_new_workers_warm_up():
    """A worker that takes 2.5 s to start still has its 1 s for its first job."""
    pool = new_pool(timeout=1, warm_up=slow_warm_up)
    try:
        assert run_jobs(pool, [0.1]) == ["done"]
    finally:
        pool.close()  # type: ignore[attr-defined]


def test_a_job_over_the_time_limit_still_times_out():
    from crawler.workers.pool import JobTimedOut

    pool = new_pool(timeout=0.5)
    try:
        [answer] = run_jobs(pool, [30.0])
        assert isinstance(answer, JobTimedOut)
    finally:
        pool.close()  # type: ignore[attr-defined]


def test_a_page_larger_than_the_socket_buffers_goes_through():
    paragraph = "<p>" + "Warga berharap pemerintah kota segera memperbaiki tanggul. " * 40 + "</p>"
    html = ("<html><body><article><h1>Laporan Panjang</h1>" + paragraph * 1500
            + "</article></body></html>").encode("utf-8")
    assert len(html) > 3_000_000
    pooled = extract_with(2, html, "https://a.test/berita/1")
    assert isinstance(pooled, Article)
    assert pooled == extract_with(0, html, "https://a.test/berita/1")


def test_listing_links_are_read_in_a_worker_as_inline():
    from crawler.workers.pages import read_links

    listing = (FIXTURES / "sites" / "jakarta365.net" / "index.html").read_bytes()
    extractor = PageExtractor(1)
    try:
        pooled = asyncio.run(extractor.links(listing, "https://jakarta365.net/"))
    finally:
        extractor.close()
    assert pooled == read_links(listing, "https://jakarta365.net/")
    assert len(pooled.hrefs) > 20


@pytest.mark.parametrize(
    "html",
    [
        '<?xml version="1.0" encoding="iso-8859-1"?>\n<html><body><a href="/a">a</a></body></html>',
        '<html><body><a href="/a\x00b">a</a>\x00<a href="/c">c</a></body></html>',
        '<a href="/fragment">a</a>',
        "   ",
        # Nested deeper than libxml2's default limit of 256 levels (unclosed tags do this).
        "<html><body>" + "<div>" * 300 + '<a href="/x">x</a>' + "</div>" * 300
        + '<a href="/y">y</a></body></html>',
    ],
)
def test_links_are_read_as_scrapy_reads_them(html):
    from scrapy.http import HtmlResponse

    from crawler.workers.pages import link_hrefs

    response = HtmlResponse(url="https://a.test/", body=html.encode("utf-8"), encoding="utf-8")
    assert link_hrefs(html) == response.xpath("//a/@href").getall()


@pytest.mark.parametrize("base", ["https://a.test/berita/1/x", "http://a.test/d/"])
@pytest.mark.parametrize(
    "href",
    [
        "https://a.test/berita/2/y", " https://a.test/z\n", "HTTPS://a.test/z", "/b/c", "c?d=1",
        "https://a.test/x?", "https://a.test/x#", "https://a.test/x;p", "https://a.test/a/../b",
        "http://a.test/x\ty", "//cdn.test/i.png", "#top", "mailto:x@a.test",
    ],
)
def test_links_are_made_absolute_as_scrapy_does(base, href):
    from scrapy.http import HtmlResponse

    from crawler.workers.pages import PageLinks

    response = HtmlResponse(url=base, body=b"<html></html>", encoding="utf-8")
    assert PageLinks([href], base).absolute(href) == response.urljoin(href.strip())


# --- the dedup analysis beside the extraction --------------------------------------------------


def test_workers_analyse_the_article_as_the_dedup_index_would():
    from crawler.dedup.analyse import analyse
    from crawler.dedup.options import DedupOptions

    options = DedupOptions(shingle_size=4)
    extractor = PageExtractor(1, dedup=options)
    try:
        page = asyncio.run(extractor.extract(saved_page(), URL))
    finally:
        extractor.close()
    assert isinstance(page.outcome, Article) and page.outcome.analysis is not None
    made = page.outcome.analysis.valid_for(page.outcome.title or "", page.outcome.body, options)
    expected = analyse([page.outcome.title or ""], [page.outcome.body], options)
    assert made is not None
    assert (made.signatures == expected.signatures).all()
    assert (made.lengths == expected.lengths).all()
    assert (made.features.hashes == expected.features.hashes).all()


def test_no_analysis_without_options_or_without_an_article():
    from crawler.dedup.options import DedupOptions

    article = extract_page(saved_page(), URL).outcome
    assert isinstance(article, Article) and article.analysis is None
    reject = extract_page(b"\x00\x01\x02\xff" * 64, URL, dedup=DedupOptions())
    assert isinstance(reject.outcome, PageReject)


def test_the_workers_module_leaves_datasketch_and_scrapy_out():
    """The workers import `crawler.workers.pages` and `.pool` before their first page:
    datasketch (with scipy) or Scrapy there would add a good part of a second to every crawl's
    start."""
    import subprocess
    import sys

    probe = (
        "import sys, crawler.workers.pages, crawler.workers.pool; "
        "print(sorted(m for m in ('datasketch', 'scipy', 'scrapy') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
