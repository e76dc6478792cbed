from __future__ import annotations

import asyncio

import pytest

from crawler.extraction import ExtractedPage, PageExtractor, extract_page
from crawler.items import Article, PageReject
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


def die(html: str | bytes, url: str) -> ExtractedPage:
    """Stands in for a page that kills its worker (a crash in native code)."""
    import os

    os._exit(1)


def test_a_worker_death_rejects_that_page_and_the_crawl_goes_on(monkeypatch):
    import crawler.extraction as extraction

    extractor = PageExtractor(1)
    try:
        monkeypatch.setattr(extraction, "extract_page", die)
        crashed = asyncio.run(extractor.extract(saved_page(), URL)).outcome
        assert crashed == PageReject(
            URL, "extraction-crashed: the extraction worker died on this page"
        )
        monkeypatch.undo()
        recovered = asyncio.run(extractor.extract(saved_page(), URL)).outcome
        assert isinstance(recovered, Article)
        assert extractor.processes == 1  # back on a fresh worker, not inline
    finally:
        extractor.close()


def test_links_come_back_with_the_article_as_the_crawl_would_read_them():
    from scrapy.http import HtmlResponse

    html = saved_page()
    page = extract_page(html, URL)
    response = HtmlResponse(url=URL, body=html, encoding="utf-8")
    assert page.hrefs == response.xpath("//a/@href").getall()
    assert len(page.hrefs) > 20


def stall(html: str | bytes, url: str) -> ExtractedPage:
    """Stands in for a page the extractor never finishes."""
    import time

    time.sleep(60)
    raise AssertionError("not reached")


def test_a_page_over_the_time_limit_is_rejected_and_its_worker_replaced(monkeypatch):
    import crawler.extraction as extraction

    extractor = PageExtractor(1, timeout=1)
    try:
        monkeypatch.setattr(extraction, "extract_page", stall)
        slow = asyncio.run(extractor.extract(saved_page(), URL)).outcome
        assert slow == PageReject(
            URL, "extraction-timeout: over EXTRACT_TIMEOUT=1 s on this page"
        )
        monkeypatch.undo()
        assert isinstance(asyncio.run(extractor.extract(saved_page(), URL)).outcome, Article)
    finally:
        extractor.close()
