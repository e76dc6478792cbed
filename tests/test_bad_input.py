"""The bad-input fixture site `rusak.example` (fixtures/badinput): every broken, mis-encoded,
empty, oversized, non-article, redirected or duplicate page ends in the outcome a user expects,
in one crawl. Cases the crawler gets wrong today are `xfail(strict=True)` with the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.accounting import OUTCOMES, reason_code
from tests.conftest import FIXTURES, CrawlRun, run_crawl

# Crawls in a subprocess or drives a browser: `pytest -m "not slow"` leaves it out.
pytestmark = pytest.mark.slow

BADINPUT = FIXTURES / "badinput"
SITE = "https://rusak.example"
SPIDER_MODULES = "SPIDER_MODULES=crawler.spiders,fixtures.badinput.spider"


def url(path: str) -> str:
    return SITE + path


@pytest.fixture(scope="module")
def manifest() -> dict:
    return json.loads((BADINPUT / "manifest.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory, manifest: dict) -> CrawlRun:
    """One crawl of the site, from a temporary copy of the manifest that adds the page over
    DOWNLOAD_MAXSIZE (10 MiB), written here rather than committed."""
    root = tmp_path_factory.mktemp("badinput")
    big = root / "besar.html"
    with big.open("wb") as file:
        file.write(b"<html><head><title>Laporan Tahunan</title></head><body><article><p>")
        file.write(b"Laporan keuangan daerah tahun anggaran 2024. " * (10 * 1024 * 1024 // 45 + 1))
        file.write(b"</p></article></body></html>")
    assert big.stat().st_size > 10 * 1024 * 1024
    pages = [
        {**page, "file": str(BADINPUT / page["file"])} for page in manifest["pages"]
    ] + [{"url": manifest["big_page"], "file": str(big), "status": 200,
          "headers": {"Content-Type": "text/html; charset=utf-8"}}]
    local = root / "manifest.json"
    local.write_text(json.dumps({"pages": pages}), encoding="utf-8")
    return run_crawl("rusak", root / "out", f"OFFLINE_FIXTURES={local}", SPIDER_MODULES,
                     "RETRY_ENABLED=0", timeout=120)


def outcome_of(crawl: CrawlRun) -> dict[str, tuple[str, str]]:
    """URL -> (outcome, reason code) for every article, reject and miss of the crawl."""
    outcomes = {row["url"]: (row["outcome"], reason_code(row["reason"])) for row in crawl.rejects}
    for article in crawl.articles:
        outcomes[article["url"]] = ("article", "")
    return outcomes


def article(crawl: CrawlRun, path: str) -> dict:
    [found] = [a for a in crawl.articles if a["url"] == url(path)]
    return found


# Pages that redirect to a URL the crawl has already requested: Scrapy's dupefilter drops the
# follow-up, and the page is a counted skip.
DUPLICATE_REDIRECTS = {
    url("/berita/155/putar-a"): "redirect loop 155 -> 156 -> 155",
    url("/berita/161/sudah-dimuat"): "301 to /berita/101/…, already fetched",
    "https://www.rusak.example/berita/101/banjir-rendam-jalan": "www. 301 to the page without www.",
}


# --- every page: its outcome and reason -----------------------------------------------------

def expected_outcomes(manifest: dict) -> dict[str, tuple[str, str]]:
    outcome = {"article": "article", "reject": "rejected", "miss": "missed", "skip": "skipped"}
    expected = {
        page["url"]: (outcome[page["expect"]], page.get("reason") or "")
        for page in manifest["pages"]
        if page["expect"] in outcome
    }
    expected[manifest["big_page"]] = ("missed", "too-large")
    # redirects: the outcome is recorded under the final URL
    expected[url("/berita/151/judul-baru")] = ("article", "")
    expected[url("/berita/154/tujuan-akhir")] = ("article", "")
    expected[url("/berita/158/tidak-disimpan")] = ("missed", "no-fixture")
    return expected


def test_every_bad_input_page_gets_its_outcome_and_reason(crawl, manifest):
    skips = dict.fromkeys(DUPLICATE_REDIRECTS, ("skipped", "duplicate"))
    assert outcome_of(crawl) == {**expected_outcomes(manifest), **skips}


@pytest.mark.parametrize(
    ("path", "outcome", "code"),
    [
        ("/berita/101/banjir-rendam-jalan", "article", ""),
        ("/berita/102/pasar-terendam", "article", ""),  # truncated HTML
        ("/berita/103/tanggul-jebol", "article", ""),  # malformed HTML
        ("/berita/104/pompa-air", "article", ""),  # NUL byte in the text
        ("/berita/105/data-acak", "rejected", "unreadable"),  # binary garbage as text/html
        ("/berita/106/foto-banjir", "rejected", "not-html"),  # image/png
        ("/berita/120/kosong", "rejected", "unreadable"),  # empty body
        ("/berita/121/spasi-saja", "rejected", "unreadable"),  # whitespace only
        ("/berita/122/tanpa-tipe", "rejected", "unreadable"),  # empty, no Content-Type
        ("/berita/123/kerangka-kosong", "rejected", "no-body"),  # headline, no text
        ("/berita/130/indeks-hari-ini", "rejected", "no-body"),  # index page
        ("/berita/131/tag-banjir", "rejected", "no-body"),  # tag page
        ("/berita/132/cari-banjir", "rejected", "no-body"),  # search page
        ("/berita/133/sudah-dihapus", "rejected", "too-short"),  # soft 404, status 200
        ("/berita/134/tidak-ada", "missed", "http-404"),  # 'halaman tidak ditemukan', 404
        ("/berita/159/tanpa-lokasi", "missed", "http-301"),  # 301 without Location
        ("/berita/160/laporan-tahunan-lengkap", "missed", "too-large"),  # over 10 MiB
    ],
)
def test_case_outcome(crawl, path, outcome, code):
    assert outcome_of(crawl).get(url(path)) == (outcome, code)


def test_rejects_and_misses_carry_a_readable_reason(crawl):
    for row in crawl.rejects:
        code, _, explanation = row["reason"].partition(":")
        assert code and explanation.strip(), row
    too_large = next(r for r in crawl.rejects if r["url"].endswith("/160/laporan-tahunan-lengkap"))
    assert "DOWNLOAD_MAXSIZE" in too_large["reason"]


def test_no_crash_and_no_traceback(crawl):
    assert crawl.summary["pages"]["failed"] == 0
    assert "Traceback" not in crawl.log


# --- broken markup keeps its text -------------------------------------------------------------

def test_truncated_page_keeps_the_text_up_to_the_cut(crawl):
    body = article(crawl, "/berita/102/pasar-terendam")["body"]
    assert body.startswith("Hujan deras yang mengguyur")
    assert "Sementara itu, para pedagang" in body
    assert "Warga berharap pemerintah kota" in body  # the paragraph that is cut off
    assert len(body) >= 300


def test_malformed_page_keeps_its_paragraphs(crawl):
    body = article(crawl, "/berita/103/tanggul-jebol")["body"]
    assert article(crawl, "/berita/103/tanggul-jebol")["title"] == "Tanggul Jebol di Hulu Sungai"
    for start in ("Hujan deras", "Kepala pelaksana", "Sementara itu"):
        assert start in body


def test_malformed_page_keeps_the_paragraph_in_an_unclosed_table(crawl):
    assert "Warga berharap pemerintah kota" in article(crawl, "/berita/103/tanggul-jebol")["body"]


def test_nul_byte_does_not_cut_the_page(crawl):
    body = article(crawl, "/berita/104/pompa-air")["body"]
    assert "\x00" not in body
    assert "Warga berharap pemerintah kota" in body


# --- encodings --------------------------------------------------------------------------------

def encoding_pages(manifest: dict, wrong: bool) -> list[tuple[str, str]]:
    return [
        (page["url"].removeprefix(SITE), page["text"])
        for page in manifest["pages"]
        if "text" in page and page["wrongly_declared"] == wrong
    ]


MANIFEST = json.loads((BADINPUT / "manifest.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize(("path", "text"), encoding_pages(MANIFEST, wrong=False))
def test_declared_encoding_is_decoded(crawl, path, text):
    """windows-1252 / iso-8859-1 by meta only or HTTP header only, and a BOM over a wrong
    header: curly quotes, guillemets, "é", "°" and "©" come out right."""
    found = article(crawl, path)
    assert found["body"].startswith(text)
    assert "Kafé" in found["title"]
    assert "\ufffd" not in found["body"] + found["title"]
    assert "Ã" not in found["body"] + found["title"]


@pytest.mark.parametrize(("path", "text"), encoding_pages(MANIFEST, wrong=True))
def test_wrongly_declared_page_is_still_an_article(crawl, path, text):
    del text
    assert len(article(crawl, path)["body"]) >= 300


@pytest.mark.parametrize(("path", "text"), encoding_pages(MANIFEST, wrong=True))
def test_wrongly_declared_encoding_is_decoded(crawl, path, text):
    assert article(crawl, path)["body"].startswith(text)


# --- non-articles, redirects, duplicates --------------------------------------------------------

def test_links_outside_the_site_rules_are_not_requested(crawl):
    logged = crawl.log + json.dumps(crawl.rejects) + json.dumps(crawl.articles)
    for ignored in ("/tag/banjir", "/cari?q=banjir", "lain.example", "mailto:"):
        assert ignored not in logged


def test_redirects_end_under_their_final_url(crawl):
    assert article(crawl, "/berita/151/judul-baru")["title"] == "Jembatan Darurat Dibangun"
    assert article(crawl, "/berita/154/tujuan-akhir")["title"] == "Bantuan Logistik Tiba"
    urls = set(outcome_of(crawl))
    for source in ("150/judul-lama", "152/dua-kali-pindah", "153/pindah-lagi", "157/"):
        assert not any(source in u for u in urls), source


def test_tracking_parameter_duplicates_are_fetched_once(crawl):
    urls = [a["url"] for a in crawl.articles]
    assert urls.count(url("/berita/101/banjir-rendam-jalan")) == 1
    assert urls.count(url("/berita/140/sekolah-diliburkan")) == 1
    assert not [u for u in outcome_of(crawl) if "utm_" in u or "fbclid" in u or "#" in u]


def test_canonical_link_is_recorded(crawl):
    canonical = article(crawl, "/berita/140/sekolah-diliburkan")
    assert canonical["canonical_url"] == url("/berita/140/sekolah-diliburkan")


def test_one_article_per_canonical_url(crawl):
    canonicals = [a["canonical_url"] or a["url"] for a in crawl.articles]
    assert len(canonicals) == len(set(canonicals))


def test_second_address_of_an_article_is_a_skip_naming_the_canonical_page(crawl):
    [row] = [row for row in crawl.rejects
             if row["url"] == url("/berita/140/sekolah-diliburkan?hal=semua")]
    assert row["outcome"] == "skipped"
    assert reason_code(row["reason"]) == "duplicate"
    assert url("/berita/140/sekolah-diliburkan") in row["reason"]


# --- the summary adds up --------------------------------------------------------------------

def test_summary_reports_outcomes_and_reasons(crawl, manifest):
    pages = crawl.summary["pages"]
    expected = expected_outcomes(manifest)
    for outcome in ("article", "rejected", "missed"):
        assert pages[outcome] == sum(1 for o, _ in expected.values() if o == outcome), outcome
    assert pages["listing"] == 2  # / and /indeks?page=2
    codes = [(o, c) for o, c in expected.values() if o != "article"]
    codes += [("skipped", "duplicate")] * len(DUPLICATE_REDIRECTS)
    for outcome, code in set(codes):
        assert pages[f"{outcome}/{code}"] == codes.count((outcome, code)), (outcome, code)
    assert pages["article"] == len(crawl.articles)
    assert pages["rejected"] + pages["missed"] + pages["skipped"] == len(crawl.rejects)


def test_redirects_to_already_requested_urls_are_counted_skips(crawl, manifest):
    skipped = {row["url"]: reason_code(row["reason"])
               for row in crawl.rejects if "redirects to" in row["reason"]}
    assert skipped == dict.fromkeys(DUPLICATE_REDIRECTS, "duplicate")
    canonical_skips = sum(page["expect"] == "skip" for page in manifest["pages"])
    assert crawl.summary["pages"]["skipped/duplicate"] == len(DUPLICATE_REDIRECTS) + canonical_skips


def test_outcomes_add_up_to_the_pages_requested(crawl, manifest):
    pages = crawl.summary["pages"]
    # the expected outcomes (redirects 150, 152, 157 under their final URL), 2 listings, skips
    requested = len(expected_outcomes(manifest)) + 2 + len(DUPLICATE_REDIRECTS)
    assert pages["requested"] == requested
    assert pages["unaccounted"] == 0
    assert sum(pages[outcome] for outcome in OUTCOMES) == pages["requested"]


def test_fixture_site_is_linked_from_its_listings(manifest):
    listed = ""
    for page in manifest["pages"]:
        if page["expect"] == "listing":
            listed += Path(BADINPUT / page["file"]).read_text(encoding="utf-8")
    for page in manifest["pages"]:
        path = page["url"].removeprefix(SITE)
        if page["expect"] != "listing" and page["linked"]:
            assert f'href="{path}"' in listed, path
