from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from crawler.offline import (
    MISS_FLAG,
    FixtureDownloadHandler,
    FixtureManifest,
    OfflineFixtures,
    PageTooLarge,
)
from tests.conftest import FIXTURES, SavedPage, write_site

MANIFEST = FIXTURES / "manifest.json"

HTML_1252 = "<html><head><title>Berita</title></head><body><p>“Kutipan” — ok</p></body></html>"


@pytest.fixture
def handler(tmp_path: Path) -> FixtureDownloadHandler:
    manifest = write_site(
        tmp_path,
        [
            SavedPage("https://jakarta365.net/", "<html><body>home</body></html>"),
            SavedPage(
                "https://jakarta365.net/kategori/news?page=2&sort=new", "<html>p2</html>"
            ),
            SavedPage(
                "https://berita247.net/lama.html",
                HTML_1252.encode("cp1252"),
                headers={"Content-Type": "text/html; charset=windows-1252"},
            ),
            SavedPage(
                "https://berita247.net/pindah", "", status=301,
                headers={"Location": "https://berita247.net/lama.html"},
            ),
        ],
    )
    crawler = get_crawler(settings_dict={"OFFLINE_FIXTURES": str(manifest)})
    crawler.stats.open_spider()
    return FixtureDownloadHandler.from_crawler(crawler)


def download(handler: FixtureDownloadHandler, url: str):
    return asyncio.run(handler.download_request(Request(url)))


def test_saved_page_is_served_under_its_url_with_status_and_headers(handler):
    response = download(handler, "https://jakarta365.net/")
    assert isinstance(response, HtmlResponse)
    assert response.url == "https://jakarta365.net/"
    assert response.status == 200
    assert response.text == "<html><body>home</body></html>"
    assert handler.crawler.stats.get_value("offline/served") == 1


def test_page_is_decoded_with_the_encoding_its_server_declared(handler):
    response = download(handler, "https://berita247.net/lama.html")
    assert response.encoding == "cp1252"
    assert "“Kutipan” — ok" in response.text


def test_urls_match_in_canonical_form(handler):
    response = download(handler, "https://jakarta365.net/kategori/news?sort=new&page=2#top")
    assert response.status == 200
    assert response.text == "<html>p2</html>"


def test_redirect_in_the_manifest_is_answered_as_the_site_did(handler):
    response = download(handler, "https://berita247.net/pindah")
    assert response.status == 301
    assert response.headers["Location"] == b"https://berita247.net/lama.html"


def test_url_without_fixture_is_a_counted_404_miss(handler):
    response = download(handler, "https://jakarta365.net/news/9/tidak-ada")
    assert response.status == 404
    assert MISS_FLAG in response.flags
    assert handler.crawler.stats.get_value("offline/missed") == 1


def test_missing_robots_txt_allows_all_and_is_no_miss(handler):
    response = download(handler, "https://jakarta365.net/robots.txt")
    assert response.status == 404
    assert handler.crawler.stats.get_value("offline/missed") is None


def test_unreadable_manifest_disables_with_a_clear_message(tmp_path):
    crawler = get_crawler(settings_dict={"OFFLINE_FIXTURES": str(tmp_path / "none.json")})
    with pytest.raises(NotConfigured, match="cannot read fixture manifest"):
        FixtureDownloadHandler.from_crawler(crawler)


def test_manifest_file_paths_are_relative_to_the_manifest(tmp_path):
    manifest = write_site(tmp_path, [SavedPage("https://a.test/x", "<p>x</p>")])
    page = FixtureManifest.load(manifest).find("https://a.test/x")
    assert page is not None
    assert page.path == tmp_path / "sites" / "page0.html"


def test_addon_installs_the_handler_and_lifts_politeness_when_offline():
    settings = Settings({"OFFLINE_FIXTURES": str(MANIFEST), "AUTOTHROTTLE_ENABLED": True,
                         "DOWNLOAD_DELAY": 2}, priority="project")
    OfflineFixtures().update_settings(settings)
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    assert handlers["http"] == handlers["https"] == "crawler.offline.FixtureDownloadHandler"
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False


def test_addon_leaves_an_online_crawl_alone():
    settings = Settings({"OFFLINE_FIXTURES": "", "AUTOTHROTTLE_ENABLED": True})
    OfflineFixtures().update_settings(settings)
    assert "http" not in settings.getdict("DOWNLOAD_HANDLERS")
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is True


def test_command_line_setting_wins_over_the_addon():
    settings = Settings({"OFFLINE_FIXTURES": str(MANIFEST)}, priority="project")
    settings.set("DOWNLOAD_DELAY", 3, priority="cmdline")
    OfflineFixtures().update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") == 3


def test_page_over_the_size_limit_is_refused_like_an_online_download(tmp_path):
    manifest = write_site(tmp_path, [SavedPage("https://a.test/besar", "<p>" + "x" * 5000)])
    crawler = get_crawler(
        settings_dict={"OFFLINE_FIXTURES": str(manifest), "DOWNLOAD_MAXSIZE": 4096}
    )
    crawler.stats.open_spider()
    handler = FixtureDownloadHandler.from_crawler(crawler)
    with pytest.raises(PageTooLarge, match="over DOWNLOAD_MAXSIZE=4096"):
        download(handler, "https://a.test/besar")
