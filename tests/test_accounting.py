"""Page accounting on a small saved site: every requested page ends in exactly one outcome."""

from __future__ import annotations

from pathlib import Path

import pytest

from crawler.accounting import reason_code
from tests.conftest import SavedPage, run_crawl, write_site

BODY = "".join(
    f"<p>Paragraf {n}: Pemerintah provinsi menata ulang trotoar di kawasan pusat kota pada "
    f"pekan ini, kata pejabat dinas kepada wartawan di Balai Kota.</p>"
    for n in range(6)
)
ARTICLE = (
    "<html lang='id'><head><title>Trotoar Ditata Ulang - Jakarta365</title>"
    "<meta property='article:published_time' content='2025-02-13T08:00:00+07:00'></head>"
    "<body><article><h1>Trotoar Ditata Ulang</h1>" + BODY + "</article></body></html>"
)
HOME = """<html><body>
<a href="/news/1/trotoar-ditata-ulang">artikel</a>
<a href="/news/2/pindah-alamat">dipindah</a>
<a href="/news/3/video-saja">video</a>
<a href="/news/4/tidak-disimpan">hilang</a>
<a href="/news/5/server-rusak">rusak</a>
<a href="/kategori/news?page=2">halaman 2</a>
</body></html>"""


@pytest.fixture(scope="module")
def small_crawl(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("site")
    manifest = write_site(
        root,
        [
            SavedPage("https://jakarta365.net/", HOME),
            SavedPage("https://jakarta365.net/kategori/news?page=2", HOME),
            SavedPage("https://jakarta365.net/news/1/trotoar-ditata-ulang", ARTICLE),
            SavedPage(
                "https://jakarta365.net/news/2/pindah-alamat", "", status=301,
                headers={"Location": "https://jakarta365.net/news/6/alamat-baru"},
            ),
            SavedPage("https://jakarta365.net/news/6/alamat-baru",
                      ARTICLE.replace("Trotoar Ditata Ulang", "Alamat Baru")),
            SavedPage("https://jakarta365.net/news/3/video-saja",
                      "<html><body><h1>Video</h1><p>Tonton videonya.</p></body></html>"),
            SavedPage("https://jakarta365.net/news/5/server-rusak", "galat", status=503),
        ],
    )
    return run_crawl(
        "news", Path(root / "out"), f"OFFLINE_FIXTURES={manifest}", "RETRY_ENABLED=0",
        arguments=("site=jakarta365",),
    )


@pytest.mark.slow
def test_outcomes_add_up_and_a_redirect_is_one_page(small_crawl):
    pages = small_crawl.summary["pages"]
    # home, page 2, articles 1, 2 (-> 6), 3, 4, 5: seven pages asked for
    assert pages["requested"] == 7
    assert pages["article"] == 2
    assert pages["listing"] == 2
    assert pages["rejected"] == 1
    assert pages["missed"] == 2
    assert pages["unaccounted"] == 0


@pytest.mark.slow
def test_rejects_file_lists_each_page_with_its_reason(small_crawl):
    reasons = {row["url"]: (row["outcome"], reason_code(row["reason"]))
               for row in small_crawl.rejects}
    assert reasons == {
        "https://jakarta365.net/news/3/video-saja": ("rejected", "no-body"),
        "https://jakarta365.net/news/4/tidak-disimpan": ("missed", "no-fixture"),
        "https://jakarta365.net/news/5/server-rusak": ("missed", "http-503"),
    }


@pytest.mark.slow
def test_redirected_article_is_recorded_under_its_final_url(small_crawl):
    urls = sorted(article["url"] for article in small_crawl.articles)
    assert urls == [
        "https://jakarta365.net/news/1/trotoar-ditata-ulang",
        "https://jakarta365.net/news/6/alamat-baru",
    ]


@pytest.mark.parametrize(
    ("reason", "code"),
    [("too-short: body has 3 characters", "too-short"), ("spider error: boom", "spider-error"),
     ("", "unknown")],
)
def test_reason_code_is_the_text_before_the_colon(reason, code):
    assert reason_code(reason) == code
