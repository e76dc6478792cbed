from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from crawler.accounting import listing_page, page_missed
from crawler.items import Article, PageReject
from crawler.offline import MISS_FLAG, PageTooLarge
from crawler.sites import clean_link, host_of, site_list
from crawler.spiders.news import AllSitesSpider, NewsSpider

LISTING = """<html><body><nav><a href="/kategori/news">News</a></nav>
<a href="/news/1246070/trump-telepon-putin">Trump telepon Putin</a>
<a href="https://jakarta365.net/news/1246071/banjir-jakarta?utm_source=wa&fbclid=Iw1#c">Banjir</a>
<a href="/kategori/news?page=2">2</a>
<a href="/tentang-kami">Tentang</a>
<a href="https://www.tribunnews.com/internasional/2025/02/13/trump-telepon-putin">sumber</a>
<a href="https://facebook.com/sharer?u=x">share</a></body></html>"""


def make_spider(spider_class: type[NewsSpider] = NewsSpider, **arguments: str) -> NewsSpider:
    crawler = get_crawler(spider_class)
    crawler.stats.open_spider()
    return spider_class.from_crawler(crawler, **arguments)


def site_spider(name: str) -> NewsSpider:
    return make_spider(site=name)


def html_response(url: str, body: str) -> HtmlResponse:
    return HtmlResponse(url=url, body=body.encode("utf-8"), encoding="utf-8",
                        request=Request(url))


@pytest.mark.parametrize(
    ("site", "url", "kind"),
    [
        ("tribunnews", "https://www.tribunnews.com/", "listing"),
        ("tribunnews", "https://www.tribunnews.com/internasional?page=3", "listing"),
        ("tribunnews",
         "https://www.tribunnews.com/internasional/2025/02/13/trump-telepon-putin", "article"),
        ("tribunnews", "https://www.tribunnews.com/tag/donald-trump/foto.jpg", None),
        ("tribunnews", "https://www.tribunnews.com/login", None),
        ("tribunnews", "https://wartakota.tribunnews.com/", None),  # a site of its own
        ("etindonesia", "https://www.etindonesia.com/category/internasional/page/2/",
         "listing"),
        ("etindonesia", "https://www.etindonesia.com/2025/02/13/trump-dan-putin/", "article"),
        ("etindonesia", "https://www.etindonesia.com/wp-login.php", None),
        ("jakarta365", "https://jakarta365.net/kategori/fokus-dunia?page=2", "listing"),
        ("jakarta365", "https://jakarta365.net/news/1246070/trump-telepon-putin", "article"),
        ("jakarta365", "https://jakarta365.net/public/assets/img/icon/view.png", None),
        ("berita247", "https://berita247.net/terbaru/page/2/", "listing"),
        ("berita247", "https://berita247.net/2025/02/13/trump-telepon-putin-8812.html",
         "article"),
        ("berita247", "https://www.tribunnews.com/", None),  # another family's site
    ],
)
def test_each_site_tells_articles_from_listings_by_its_url_rules(site, url, kind):
    assert site_spider(site).page_kind(url) == kind


def test_all_crawls_every_site_of_the_list():
    spider = make_spider(AllSitesSpider)
    assert {site.name for site in spider.sites} == set(site_list().sites)
    assert "https://jakarta365.net/" in spider.start_urls
    assert "https://www.kompas.com/" in spider.start_urls


def test_offline_the_list_is_cut_to_the_saved_sites():
    from tests.conftest import FIXTURES

    crawler = get_crawler(AllSitesSpider,
                          settings_dict={"OFFLINE_FIXTURES": str(FIXTURES / "manifest.json")})
    crawler.stats.open_spider()
    spider = AllSitesSpider.from_crawler(crawler)
    assert {site.name for site in spider.sites} == {
        "tribunnews", "etindonesia", "jakarta365", "berita247"}


def test_sites_are_chosen_by_name_group_or_home_url():
    assert [s.name for s in make_spider(site="jakarta365,kompas").sites] == ["jakarta365",
                                                                           "kompas"]
    assert {s.name for s in make_spider(group="aggregator").sites} >= {"jakarta365",
                                                                      "berita247"}
    [any_site] = make_spider(site="https://www.contoh-berita.co.id/").sites
    assert not any_site.configured and any_site.owns("contoh-berita.co.id")
    assert any_site.page_kind("https://www.contoh-berita.co.id/2025/02/13/banjir-jakarta/") \
        == "article"
    with pytest.raises(SystemExit):
        make_spider(site="nosuchsite")


def test_listing_page_follows_articles_and_pagination_of_its_own_site_only():
    spider = site_spider("jakarta365")
    listed: list[str] = []
    spider.crawler.signals.connect(lambda url: listed.append(url), listing_page, weak=False)
    response = html_response("https://jakarta365.net/", LISTING)
    results = asyncio.run(spider.parse_listing(response))
    requests = [request for request in results if isinstance(request, Request)]
    assert len(requests) == len(results)
    followed = {request.url: request.callback for request in requests}
    assert followed == {
        "https://jakarta365.net/kategori/news": spider.parse_listing,
        "https://jakarta365.net/news/1246070/trump-telepon-putin": spider.parse_article,
        "https://jakarta365.net/news/1246071/banjir-jakarta": spider.parse_article,
        "https://jakarta365.net/kategori/news?page=2": spider.parse_listing,
    }
    assert all(request.errback == spider.page_missed for request in requests)
    assert listed == ["https://jakarta365.net/"]


def collect(outputs: AsyncIterator[Any]) -> list[Any]:
    async def gather() -> list[Any]:
        return [output async for output in outputs]

    return asyncio.run(gather())


def test_article_page_yields_its_article_then_follows_its_links():
    spider = site_spider("jakarta365")
    url = "https://jakarta365.net/news/1246070/trump-telepon-putin"
    page = LISTING.replace("<body>", "<body><h1>Trump Telepon Putin</h1>")
    output = collect(spider.parse_article(html_response(url, page)))
    assert isinstance(output[0], Article)
    assert output[0].url == url
    assert all(isinstance(request, Request) for request in output[1:])
    assert len(output) > 1


def test_article_page_follows_its_canonical_url_even_when_nothing_links_it():
    spider = site_spider("jakarta365")
    canonical = "https://jakarta365.net/news/1246099/trump-telepon-putin"
    url = canonical + "?hal=semua"
    page = LISTING.replace(
        "<body>", f'<head><link rel="canonical" href="{canonical}"></head>'
        "<body><h1>Trump Telepon Putin</h1>",
    )
    output = collect(spider.parse_article(html_response(url, page)))
    assert output[0].canonical_url == canonical
    assert canonical in [request.url for request in output[1:]]


def test_non_html_article_page_becomes_a_reject_with_its_content_type():
    spider = site_spider("jakarta365")
    url = "https://jakarta365.net/news/1/gambar"
    response = Response(url=url, body=b"\x89PNG\r\n", headers={"Content-Type": "image/png"})
    output = collect(spider.parse_article(response))
    assert output == [PageReject(url, "not-html: Content-Type image/png")]


def failure_for(url: str, status: int, flags: list[str]) -> Failure:
    request = Request(url)
    response = Response(url=url, status=status, flags=flags, request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    return failure


@pytest.mark.parametrize(
    ("status", "flags", "reason"),
    [
        (404, [MISS_FLAG], "no-fixture: no saved page for this URL"),
        (503, [], "http-503: the server answered 503"),
    ],
)
def test_unfetchable_page_is_reported_as_missed_with_its_reason(status, flags, reason):
    spider = site_spider("jakarta365")
    missed: list[tuple[str, str]] = []
    spider.crawler.signals.connect(
        lambda url, reason: missed.append((url, reason)), page_missed, weak=False
    )
    url = "https://jakarta365.net/news/2/hilang"
    spider.page_missed(failure_for(url, status, flags))
    assert missed == [(url, reason)]


@pytest.mark.parametrize(
    ("url", "clean"),
    [
        ("https://a.test/x?utm_source=wa&utm_medium=s&id=3&fbclid=Iw", "https://a.test/x?id=3"),
        ("https://a.test/x?gclid=1", "https://a.test/x"),
        ("https://a.test/x?page=2", "https://a.test/x?page=2"),
        ("https://a.test/x#komentar", "https://a.test/x"),
        # links with nothing to drop, in the form urlunsplit gives, or not yet
        ("https://a.test/berita/1/judul", "https://a.test/berita/1/judul"),
        ("HTTPS://a.test/x", "https://a.test/x"),
        ("https://a.test/x\ty\n", "https://a.test/xy"),
        ("https://a.test/x?", "https://a.test/x"),
    ],
)
def test_tracking_parameters_are_dropped_from_followed_links(url, clean):
    assert clean_link(url) == clean


def test_a_page_over_the_size_limit_is_missed_as_too_large():
    spider = site_spider("jakarta365")
    missed: list[tuple[str, str]] = []
    spider.crawler.signals.connect(
        lambda url, reason: missed.append((url, reason)), page_missed, weak=False
    )
    url = "https://jakarta365.net/news/9/besar"
    failure = Failure(PageTooLarge("page of 11000000 bytes is over DOWNLOAD_MAXSIZE=10485760"))
    failure.request = Request(url)  # type: ignore[attr-defined]
    spider.page_missed(failure)
    assert missed == [(url, "too-large: page of 11000000 bytes is over DOWNLOAD_MAXSIZE=10485760")]


class CountingExtractor:
    """Stands in for the worker pool: extracts inline and counts the pages it was given."""

    processes = 1

    def __init__(self) -> None:
        self.urls: list[str] = []

    async def extract(self, body: bytes, url: str, content_type: str | None = None) -> Any:
        from crawler.workers.pages import extract_page

        self.urls.append(url)
        return extract_page(body, url, content_type)


def test_a_downloaded_article_page_is_sent_to_the_workers_once_before_its_callback():
    spider = site_spider("jakarta365")
    spider.extractor = CountingExtractor()  # type: ignore[assignment]
    url = "https://jakarta365.net/news/1246070/trump-telepon-putin"
    page = LISTING.replace("<body>", "<body><h1>Trump Telepon Putin</h1>")
    request = Request(url, callback=spider.parse_article)
    response = HtmlResponse(url=url, body=page.encode("utf-8"), encoding="utf-8", request=request)

    async def download_then_parse() -> list[Any]:
        spider.start_extraction(response, request)
        await asyncio.sleep(0)  # the extraction task starts
        assert spider.extractor.urls == [url]  # type: ignore[attr-defined]  # before parsing
        return [output async for output in spider.parse_article(response)]

    output = asyncio.run(download_then_parse())
    assert isinstance(output[0], Article)
    assert spider.extractor.urls == [url]  # type: ignore[attr-defined]  # not a second time
    assert not spider.extracting


def test_the_site_list_covers_the_outlets_an_indonesian_reader_expects():
    names = set(site_list().sites)
    assert {"kompas", "detik", "tribunnews", "liputan6", "antara", "cnnindonesia", "okezone",
            "republika", "tempo", "viva", "suara", "kumparan", "sindonews", "merdeka", "idntimes",
            "jpnn", "mediaindonesia", "bisnis", "kontan", "cnbcindonesia", "jakarta365",
            "berita247"} <= names
    for site in site_list().sites.values():
        assert site.home.startswith("https://") and site.owns(host_of(site.home)), site.name
        assert site.groups, site.name


def test_scrapy_sites_lists_them_and_a_group():
    import subprocess
    import sys

    from tests.conftest import PROJECT_ROOT

    done = subprocess.run([sys.executable, "-m", "scrapy", "sites", "-g", "aggregator"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    assert [line.split()[0] for line in done.stdout.splitlines()] == [
        s.name for s in site_list().select(group="aggregator")]
