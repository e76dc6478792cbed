"""Content a malformed table holds outside its cells is read where a browser shows it."""

from __future__ import annotations

from lxml import etree

from crawler.extract import extract_article
from crawler.extract.document import parse
from crawler.extract.tables import foster_stray_content

URL = "https://lama.example/berita/2009/05/banjir"
TITLE = "Banjir Rendam Permukiman di Bantaran Sungai"
LEAD = [
    "Hujan deras sejak Senin malam membuat air sungai meluap dan merendam ratusan rumah warga.",
    "Petugas mengerahkan perahu karet untuk mengevakuasi warga lanjut usia dan anak-anak kecil.",
    "Posko pengungsian didirikan di balai desa lengkap dengan dapur umum dan layanan kesehatan.",
]
STRAY = "Warga berharap pemerintah segera mengeruk sungai yang dangkal karena sedimen menumpuk."


def page(article: str) -> str:
    return (
        f"<html lang='id'><head><title>{TITLE}</title></head><body>"
        "<div><a href='/'>Beranda</a> <a href='/daerah'>Daerah</a></div>"
        f"<div class='isi'><h1>{TITLE}</h1>{article}</div></body></html>"
    )


def lead() -> str:
    return "".join(f"<p>{text}</p>" for text in LEAD)


def body_markup(html: str) -> str:
    tree = parse(html)
    foster_stray_content(tree)
    body = tree.find("body")
    assert body is not None
    return etree.tostring(body, encoding="unicode")


def test_paragraph_in_an_unclosed_table_is_body_text() -> None:
    # the old-CMS layout: the article's last paragraph sits in a <table> never given a cell;
    # enough text before it that trafilatura's main pass does not fall back to loose text
    body = extract_article(page(f"{lead()}<table><p>{STRAY}</p></div>"), URL).body
    assert body == "\n".join([*LEAD, STRAY])


def test_text_between_rows_and_in_a_row_is_body_text() -> None:
    html = page(
        f"{lead()}<table><tr><td>Foto: Dok. Warga</td></tr>{STRAY}"
        f"<tr><p>Sekolah di tiga kecamatan diliburkan sampai air benar-benar surut minggu ini.</p>"
        "<td>Iklan</td></tr>"
    )
    body = extract_article(html, URL).body
    assert STRAY in body
    assert "Sekolah di tiga kecamatan diliburkan" in body


def test_stray_content_goes_before_the_table_in_document_order() -> None:
    markup = body_markup(
        "<html><body><p>Satu.</p><table>dua<tr><td>sel</td></tr><p>tiga</p>"
        "<tbody><div>empat</div><tr><b>lima</b><td>sel2</td></tr></tbody></table></body></html>"
    )
    assert markup == (
        "<body><p>Satu.</p>dua<p>tiga</p><div>empat</div><b>lima</b>"
        "<table><tr><td>sel</td></tr><tbody><tr><td>sel2</td></tr></tbody></table></body>"
    )


def test_rows_inside_a_stray_wrapper_stay_in_the_table() -> None:
    # libxml2 nests rows in `<font>` / `<div>` put between <table> and <tr>; a browser keeps the
    # rows in the table and fosters only the wrapper's own text
    markup = body_markup(
        "<html><body><table><font face='arial'>judul<tr><td>isi</td></tr></font>"
        "<div><tr><td>isi2</td></tr></div></table></body></html>"
    )
    assert markup == "<body>judul<table><tr><td>isi</td></tr><tr><td>isi2</td></tr></table></body>"


def test_well_formed_and_nested_tables_are_left_alone() -> None:
    html = (
        "<html><body><table><caption>Data</caption><colgroup><col></colgroup>"
        "<thead><tr><th>a</th></tr></thead><tbody><tr><td>1<table><tr><td>x</td></tr></table>"
        "</td></tr></tbody><script>var x;</script></table></body></html>"
    )
    tree = parse(html)
    before = etree.tostring(tree)
    foster_stray_content(tree)
    assert etree.tostring(tree) == before


def test_article_in_layout_table_cells_is_unchanged() -> None:
    cells = "".join(f"<p>{text}</p>" for text in LEAD)
    html = page(f"<table><tr><td><a href='/a'>Menu</a></td><td>{cells}</td></tr></table>")
    assert extract_article(html, URL).body == "\n".join(LEAD)
