"""Discovery: robots.txt, sitemaps, news sitemaps, feeds, and what a crawl requests from them."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime
from pathlib import Path

import pytest

from crawler.accounting import OUTCOMES
from crawler.discovery import (
    FEED,
    INDEX,
    NEWS_SITEMAP,
    SITEMAP,
    UnreadableDocument,
    read_document,
    sitemaps_in_robots,
)
from crawler.spiders.admission import parse_since
from tests.conftest import FIXTURES, SavedPage, run_crawl, write_site

HOME = "https://contoh-berita.example/"
NS = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
NEWS = 'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"'


def saved(path: str) -> bytes:
    return (FIXTURES / "sites" / path).read_bytes()


def test_the_fixture_sites_documents_read_as_what_they_are():
    tribun = "https://www.tribunnews.com/"
    index = read_document(saved("www.tribunnews.com/sitemap.xml"), tribun + "sitemap.xml")
    assert index.kind == INDEX
    assert [e.url for e in index.entries] == [tribun + "sitemap-news.xml",
                                             tribun + "sitemap-2025.xml.gz",
                                             tribun + "sitemap.xml"]
    news = read_document(saved("www.tribunnews.com/sitemap-news.xml"), tribun + "x.xml")
    assert news.kind == NEWS_SITEMAP and all(e.published and e.title for e in news.entries)
    packed = read_document(saved("www.tribunnews.com/sitemap-2025.xml.gz"), tribun + "s.xml.gz")
    assert packed.kind == SITEMAP and all(e.lastmod for e in packed.entries)
    feed = read_document(saved("www.tribunnews.com/rss"), tribun + "rss")
    assert feed.kind == FEED and all(e.url.startswith(tribun) for e in feed.entries)  # relative
    atom = read_document(saved("berita247.net/feeds/posts/default"),
                         "https://berita247.net/feeds/posts/default")
    assert atom.kind == FEED and len(atom.entries) == 10


def test_robots_sitemap_lines_are_made_absolute():
    robots = b"User-agent: *\nDisallow: /x\nSitemap: /a.xml\nsitemap: https://cdn.example/b.xml\n"
    assert sitemaps_in_robots(robots, HOME + "robots.txt") == [HOME + "a.xml",
                                                             "https://cdn.example/b.xml"]


@pytest.mark.parametrize(("body", "url", "code"), [
    (b"<!DOCTYPE html><html><body>Beranda</body></html>", "sitemap.xml", "not-a-sitemap"),
    (f"<urlset {NS}><url><loc>".encode(), "s.xml", "unreadable"),
    (b"PK\x03\x04 not gzip at all", "sitemap.xml.gz", "bad-gzip"),
    (b"\x1f\x8b\x08\x00 cut", "sitemap.xml.gz", "bad-gzip"),
    (b"", "sitemap.xml", "empty"),
    (b"{\"json\": true}", "sitemap.xml", "not-a-sitemap"),
])
def test_what_is_no_sitemap_or_feed_says_why(body, url, code):
    with pytest.raises(UnreadableDocument, match=rf"^{code}:"):
        read_document(body, HOME + url)


def test_a_sitemap_that_breaks_off_keeps_the_entries_before_the_break():
    cut = f"<urlset {NS}><url><loc>{HOME}2025/02/13/a-b-c</loc></url><url><loc>{HOME}2"
    document = read_document(cut.encode(), HOME + "sitemap.xml")
    assert document.damaged and [e.url for e in document.entries] == [HOME + "2025/02/13/a-b-c"]


def test_a_gzip_sitemap_is_unpacked_within_the_size_limit():
    big = gzip.compress(f"<urlset {NS}>".encode() + b" " * 200_000 + b"</urlset>")
    with pytest.raises(UnreadableDocument, match=r"^too-large:"):
        read_document(big, HOME + "s.xml.gz", max_size=100_000)


def test_fifty_thousand_entries_are_read():
    rows = "".join(f"<url><loc>{HOME}2025/02/13/berita-ke-{n}</loc></url>" for n in range(50_000))
    document = read_document(f"<urlset {NS}>{rows}</urlset>".encode(), HOME + "sitemap.xml")
    assert len(document.entries) == 50_000


# --- a crawl of a site nobody configured, found by its sitemaps --------------------------------

ARTICLE = ("<html lang='id'><head><title>{t}</title></head><body><article><h1>{t}</h1>"
           "<p>Warga kota berkumpul di balai desa untuk membahas rencana perbaikan jalan yang "
           "rusak sejak musim hujan tahun lalu, kata kepala desa pada Kamis pagi.</p>"
           "<p>Menurut dia, perbaikan akan dimulai bulan depan setelah anggaran daerah disetujui "
           "oleh dewan, dan warga diminta ikut mengawasi pekerjaan kontraktor.</p>"
           "<p>Sejumlah warga menyambut baik rencana itu karena jalan tersebut menjadi akses "
           "utama menuju pasar dan sekolah di kecamatan mereka.</p></article></body></html>")


def article(n: int) -> SavedPage:
    return SavedPage(f"{HOME}2025/02/{10 + n:02d}/berita-warga-desa-ke-{n}/",
                     ARTICLE.format(t=f"Berita warga desa ke-{n}"))


def news_sitemap(numbers: list[int], extra: str = "") -> str:
    rows = "".join(
        f"<url><loc>{HOME}2025/02/{10 + n:02d}/berita-warga-desa-ke-{n}/</loc><news:news>"
        f"<news:publication_date>2025-02-{10 + n:02d}T08:00:00+07:00</news:publication_date>"
        f"<news:title>Berita {n}</news:title></news:news></url>" for n in numbers)
    return f"<urlset {NS} {NEWS}>{rows}{extra}</urlset>"


def crawl_site(root: Path, pages: list[SavedPage], *settings: str, **arguments: str):
    xml = {"Content-Type": "application/xml"}
    pages = [SavedPage(p.url, p.html, p.status, p.headers or (xml if p.url.endswith(
        (".xml", ".gz")) else None)) for p in pages]
    manifest = write_site(root, pages)
    return run_crawl("news", root / "out", f"OFFLINE_FIXTURES={manifest}", *settings,
                     arguments=(f"site={HOME}", *(f"{k}={v}" for k, v in arguments.items())))


def site_pages(numbers: list[int], sitemap: str) -> list[SavedPage]:
    return [
        SavedPage(HOME, "<html><body><h1>Contoh Berita</h1></body></html>"),  # links nothing
        SavedPage(HOME + "robots.txt", f"User-agent: *\nSitemap: {HOME}sitemap.xml\n",
                  headers={"Content-Type": "text/plain"}),
        SavedPage(HOME + "sitemap.xml", f"<sitemapindex {NS}><sitemap><loc>{HOME}news.xml</loc>"
                  f"</sitemap><sitemap><loc>{HOME}sitemap.xml</loc></sitemap></sitemapindex>"),
        SavedPage(HOME + "news.xml", sitemap),
        *(article(n) for n in numbers),
    ]


@pytest.mark.slow
def test_an_unconfigured_site_is_crawled_from_its_news_sitemap_alone(tmp_path):
    off_site = "<url><loc>https://elsewhere.example/2025/02/13/lain/</loc></url>"
    listing = f"<url><loc>{HOME}kategori/nasional</loc></url>"
    crawl = crawl_site(tmp_path, site_pages([1, 2, 3], news_sitemap([1, 2, 3],
                                                                    off_site + listing)))
    assert sorted(a["title"] for a in crawl.articles) == [f"Berita warga desa ke-{n}"
                                                          for n in (1, 2, 3)]
    discovery = crawl.summary["discovery"]
    assert discovery["sitemap-index"] == 1  # it lists itself too: read once
    assert discovery["news-sitemap"] == 1
    assert discovery["off-site"] == 1 and discovery["not-article"] == 1
    assert crawl.summary["pages"]["unaccounted"] == 0


@pytest.mark.slow
def test_since_and_a_second_run_request_only_what_is_new(tmp_path):
    seen = f"CRAWL_SEEN={tmp_path / 'seen.sqlite'}"
    first = crawl_site(tmp_path / "a", site_pages([1, 2, 3], news_sitemap([1, 2, 3])), seen,
                       since="2025-02-12")
    assert sorted(a["url"][-3:-1] for a in first.articles) == ["-2", "-3"]
    assert first.summary["discovery"]["older-than-since"] == 1
    again = crawl_site(tmp_path / "b", site_pages([1, 2, 3], news_sitemap([1, 2, 3])), seen,
                       since="2025-02-12")
    assert again.articles == [] and again.summary["pages"].get("article", 0) == 0
    assert again.summary["discovery"]["seen"] == 2
    grown = crawl_site(tmp_path / "c", site_pages([1, 2, 3, 4, 5], news_sitemap([1, 2, 3, 4, 5])),
                       seen, since="2025-02-12")
    assert sorted(a["url"][-3:-1] for a in grown.articles) == ["-4", "-5"]


@pytest.mark.slow
def test_bad_discovery_documents_are_counted_and_the_crawl_goes_on(tmp_path):
    pages = [
        SavedPage(HOME, f'<html><head><link rel="alternate" type="application/rss+xml" '
                  f'href="/feed"></head><body><a href="{HOME}2025/02/11/berita-warga-desa-ke-1/">'
                  "1</a></body></html>"),
        SavedPage(HOME + "robots.txt", f"Sitemap: {HOME}a.xml\nSitemap: {HOME}b.xml.gz\n"
                  f"Sitemap: {HOME}c.xml\n", headers={"Content-Type": "text/plain"}),
        SavedPage(HOME + "a.xml", "<html><body>Halaman tidak ditemukan</body></html>"),
        SavedPage(HOME + "b.xml.gz", "not gzip"),
        SavedPage(HOME + "c.xml", f"<urlset {NS}><url><loc>{HOME}2025"),
        SavedPage(HOME + "feed", "<rss version='2.0'><channel><title>Contoh</title><item><title>"
                  "Lain</title><link>https://lain.example/2025/02/13/x/</link></item><item>"
                  "<title>Satu</title><link>/2025/02/11/berita-warga-desa-ke-1/</link></item>"
                  "</channel></rss>",
                  headers={"Content-Type": "application/rss+xml"}),
        article(1),
    ]
    crawl = crawl_site(tmp_path, pages)
    assert [a["title"] for a in crawl.articles] == ["Berita warga desa ke-1"]
    discovery = crawl.summary["discovery"]
    assert discovery["unreadable/not-a-sitemap"] == 1
    assert discovery["unreadable/bad-gzip"] == 1
    assert discovery["unreadable/unreadable"] == 1  # c.xml breaks off before its first entry
    assert discovery["feed"] == 1 and discovery["off-site"] == 1
    assert "Traceback" not in crawl.log
    assert crawl.summary["pages"]["unaccounted"] == 0


def test_since_takes_a_date_a_time_or_a_span_back_from_now():
    now = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
    assert parse_since("2026-12-01") == datetime(2026, 12, 1, tzinfo=UTC)
    assert parse_since("2026-12-01T06:00+07:00") == datetime(2026, 11, 30, 23, 0, tzinfo=UTC)
    assert parse_since("6h", now) == datetime(2026, 12, 4, 6, 0, tzinfo=UTC)
    assert parse_since("2d", now) == datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    assert parse_since("", now) is None
    with pytest.raises(ValueError, match="no date"):
        parse_since("yesterday", now)


@pytest.mark.slow
def test_a_page_that_says_it_is_an_article_is_one_whatever_its_url_shape(tmp_path):
    declared = ARTICLE.format(t="Banjir besar melanda kota").replace(
        "<head>", "<head><meta property='og:type' content='article'>")
    undeclared = ARTICLE.format(t="Rekap berita pekan ini")
    pages = [
        SavedPage(HOME, f"<html><body><a href='{HOME}berita/banjir'>a</a>"
                        f"<a href='{HOME}rekap/pekan'>b</a></body></html>"),
        SavedPage(HOME + "berita/banjir", declared),
        SavedPage(HOME + "rekap/pekan", undeclared),
    ]
    crawl = crawl_site(tmp_path, pages)
    assert [a["url"] for a in crawl.articles] == [HOME + "berita/banjir"]
    pages_counted = crawl.summary["pages"]
    assert (pages_counted["article"], pages_counted["listing"]) == (1, 2)
    assert sum(pages_counted[o] for o in OUTCOMES) == pages_counted["requested"]
