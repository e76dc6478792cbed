"""A page's language from its bytes, before extraction (`crawler.page_language`): its text
decides, the declaration only when the text says too little."""

from __future__ import annotations

import json

import pytest

from crawler.page_language import declared_language, page_language, text_sample
from tests.conftest import FIXTURES

ENGLISH = ("The storm brought heavy rain and strong winds to the coast on Monday, and the "
           "authorities closed the schools and the port until further notice. ")
INDONESIAN = ("Warga desa berkumpul di balai untuk membahas perbaikan jalan yang rusak sejak "
              "musim hujan tahun lalu, kata kepala desa kepada wartawan. ")


def page(text: str, lang: str = "", title: str = "Berita") -> bytes:
    declared = f" lang='{lang}'" if lang else ""
    return (f"<html{declared}><head><title>{title}</title></head><body><nav><a>Home</a></nav>"
            f"<p>{text * 3}</p></body></html>").encode()


def test_every_saved_article_page_is_indonesian() -> None:
    manifest = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))
    pages = [p for p in manifest["pages"] if p["expect"] == "article"]
    languages = {page_language((FIXTURES / p["file"]).read_bytes(),
                               p["headers"].get("Content-Type", "")) for p in pages}
    assert len(pages) > 50 and languages == {"id"}


@pytest.mark.parametrize(("body", "expected"), [
    (page(INDONESIAN, lang="en"), "id"),  # a template's declaration over Indonesian text
    (page(ENGLISH, lang="id"), "en"),
    (page(ENGLISH), "en"),
    (page("", lang="de", title="Startseite"), "de"),  # no text to tell: the declaration
    (b"<html><body><img src='a.jpg'></body></html>", None),
    (page(ENGLISH).replace(b"<title>", b"<meta name='description' content=''><title>"), "en"),
])
def test_the_text_decides_and_the_declaration_only_without_text(body: bytes,
                                                                 expected: str | None) -> None:
    assert page_language(body) == expected


def test_a_content_language_header_is_a_declaration_too() -> None:
    assert page_language(page(""), content_language="ms, en") == "ms"
    assert declared_language(b"<html lang=\"pt-BR\">") == "pt"
    assert declared_language(b"<meta http-equiv='Content-Language' content='ja'>") == "ja"


def test_the_sample_is_decoded_as_the_page_declares_it() -> None:
    text = "Caf\u00e9 d\u00e9j\u00e0 ferm\u00e9 \u2014 la m\u00e9t\u00e9o annonce une temp\u00eate"
    body = (f"<html><head><meta charset='windows-1252'><title>{text}</title></head>"
            f"<body><p>{text * 4}</p></body></html>").encode("cp1252")
    assert text in text_sample(body)
    assert page_language(body) == "fr"


def test_menus_and_buttons_are_not_in_the_sample() -> None:
    body = page(INDONESIAN).replace(b"<nav>", b"<p>Login</p><nav>")
    sample = text_sample(body)
    assert "Login" not in sample and "Warga desa" in sample
