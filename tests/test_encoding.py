"""`crawler.extract.encoding.decode_html`: declared charsets are checked against the bytes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from crawler.extract import extract_article
from crawler.extract.encoding import declared_encodings, decode_html

TEXT = "“Kami tidak menyangka,” kata André, pemilik kafé. Suhu turun hingga 22° — © 2025"


def page(text: str = TEXT, meta: str = "") -> str:
    head = f'<meta charset="{meta}">' if meta else ""
    return f"<html><head>{head}<title>Berita</title></head><body><p>{text}</p></body></html>"


def header(charset: str) -> str:
    return f"text/html; charset={charset}"


# --- valid UTF-8 wins over any declaration ----------------------------------------------------


@pytest.mark.parametrize(
    ("content_type", "meta"),
    [
        (header("iso-8859-1"), ""),
        (header("windows-1252"), "windows-1252"),
        ("text/html", "iso-8859-1"),
        (header("utf-8"), ""),
        (None, ""),
    ],
)
def test_valid_utf8_is_utf8_whatever_is_declared(content_type, meta):
    html = page(meta=meta)
    decoded = decode_html(html.encode("utf-8"), content_type)
    assert decoded.text == html
    assert decoded.encoding == "utf-8"


# --- a declaration the bytes contradict falls back to windows-1252 ----------------------------


@pytest.mark.parametrize(("content_type", "meta"), [(header("utf-8"), ""), ("text/html", "utf-8")])
def test_windows_1252_declared_as_utf8_is_windows_1252(content_type, meta):
    html = page(meta=meta)
    decoded = decode_html(html.encode("cp1252"), content_type)
    assert decoded.text == html
    assert "\ufffd" not in decoded.text


def test_undeclared_legacy_bytes_are_windows_1252():
    html = page()
    assert decode_html(html.encode("cp1252")) == (html, "cp1252")


def test_the_fallback_keeps_every_byte():
    """The five bytes windows-1252 leaves unassigned become C1 controls, as in browsers."""
    body = b"<p>caf\xe9 \x81\x8d\x8f\x90\x9d</p>"
    assert decode_html(body, header("utf-8")).text == "<p>café \x81\x8d\x8f\x90\x9d</p>"


def test_binary_garbage_is_not_replaced_but_kept_byte_for_byte():
    body = bytes(range(256))
    decoded = decode_html(body, header("utf-8"))
    assert "\ufffd" not in decoded.text
    assert len(decoded.text) == 256


# --- a declaration that fits the bytes is used --------------------------------------------------


@pytest.mark.parametrize(
    ("encoding", "text"),
    [
        ("windows-1251", "Москва сегодня: погода"),
        ("iso-8859-2", "Zażółć gęślą jaźń"),
        ("shift_jis", "東京の天気は晴れです"),
        ("gbk", "北京今天天气晴朗"),
    ],
)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_a_legacy_declaration_that_decodes_is_used(encoding, text, where):
    html = page(text, meta=encoding if where == "meta" else "")
    content_type = header(encoding) if where == "header" else "text/html"
    assert decode_html(html.encode(encoding), content_type).text == html


def test_latin1_label_means_windows_1252_as_in_browsers():
    """Curly quotes are bytes 0x93/0x94 in windows-1252 and C1 controls in real ISO-8859-1."""
    html = page()
    decoded = decode_html(html.encode("cp1252"), header("ISO-8859-1"))
    assert decoded.text == html
    assert decoded.encoding == "cp1252"


def test_an_unknown_label_is_ignored():
    html = page()
    assert decode_html(html.encode("cp1252"), header("no-such-charset")).text == html


def test_pure_ascii_needs_no_declaration():
    html = page("Banjir merendam jalan")
    assert decode_html(html.encode("ascii")).text == html


# --- header and meta disagree -------------------------------------------------------------------


def test_the_pages_own_declaration_comes_before_the_headers():
    """Both decode without an error (single-byte charsets map every byte): the page's own meta
    tag, written with the bytes, wins over a header that is often the server's default."""
    html = page("Москва сегодня", meta="koi8-r")
    body = html.encode("koi8-r")
    assert declared_encodings(body, header("windows-1251")) == ["koi8-r", "cp1251"]
    assert decode_html(body, header("windows-1251")).text == html


def test_the_header_is_used_when_the_meta_does_not_fit_the_bytes():
    html = page("Zażółć gęślą jaźń", meta="utf-8")
    body = html.encode("iso-8859-2")
    assert decode_html(body, header("iso-8859-2")).text == html


# --- byte order marks ---------------------------------------------------------------------------


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-32"])
def test_a_byte_order_mark_decides_and_is_removed(encoding):
    html = page()
    decoded = decode_html(html.encode(encoding), header("iso-8859-1"))
    assert decoded.text == html


def test_utf16_without_bom_declared_by_the_header():
    html = page()
    assert decode_html(html.encode("utf-16-le"), header("utf-16")).text == html


def test_a_utf16_header_over_bytes_without_nul_is_ignored():
    """UTF-16 text always has NUL bytes (its markup is ASCII): bytes without any are not."""
    html = page()
    assert decode_html(html.encode("cp1252"), header("utf-16")).text == html
    assert decode_html(page("Banjir").encode("ascii"), header("utf-16")).text == page("Banjir")


def test_a_meta_tag_cannot_declare_utf16():
    """A meta tag that can be read as ASCII is not in UTF-16; decoding as it would give CJK
    noise."""
    html = page(meta="utf-16")
    assert decode_html(html.encode("cp1252")).text == html


# --- properties -------------------------------------------------------------------------------

# Text as news pages write it: words of ASCII and accented letters (U+00C0-U+00FF without the
# multiplication and division signs) between spaces, so no letter is directly followed by a
# symbol such as "©" or "°".
LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ" + "".join(
    chr(c) for c in range(0xC0, 0x100) if c not in (0xD7, 0xF7)
)
words = st.lists(st.text(st.sampled_from(LETTERS), min_size=1, max_size=12), min_size=1)
prose = st.builds(" ".join, words).filter(lambda text: not text.isascii())


@given(prose, st.sampled_from([None, "text/html", header("utf-8")]))
def test_accented_windows_1252_text_is_never_taken_for_utf8(text, content_type):
    """The premise of the rule: windows-1252 text with accented letters is not valid UTF-8."""
    html = page(text)
    assert decode_html(html.encode("cp1252"), content_type).text == html


@given(st.text().filter(lambda text: not text.startswith("\ufeff")), st.sampled_from(
    [None, header("iso-8859-1"), header("windows-1251"), header("shift_jis")]
))
def test_utf8_text_survives_any_declaration(text, content_type):
    html = page(text)
    assert decode_html(html.encode("utf-8"), content_type).text == html


def test_extract_article_on_bytes_decodes_as_the_crawl_does():
    """`extract_article(bytes)`, as users call it without Scrapy, checks the declaration too."""
    paragraph = "<p>Kafé itu berdiri di tepi kali sejak lama dan ramai dikunjungi warga.</p>"
    page = (
        "<html><head><meta charset='iso-8859-1'><title>Kafé</title></head><body><article>"
        f"<h1>Kafé di tepi kali</h1>{paragraph * 5}</article></body></html>"
    ).encode()
    article = extract_article(page, "https://x.example/berita/1/kafe")
    assert article.title == "Kafé di tepi kali"
    assert "KafÃ©" not in article.body
