"""Issue 13 class 4: very large or unusual markup that a browser shows and the extractor lost
(libxml2 stopping at 256 levels of nesting, trafilatura running for minutes on one huge
paragraph). Tests assert what is read and which path reads it, never how long it takes."""

from __future__ import annotations

from typing import Any

import pytest

import crawler.extract.body as body_module
from crawler.extract import extract_article
from crawler.extract.document import parse

URL = "https://www.harian-example.co.id/berita/2025/03/walikota-resmikan-taman-kota"
STORY = [
    "Wali kota meresmikan dua taman kota baru pada Senin pagi setelah warga meminta ruang "
    "terbuka hijau selama bertahun-tahun di kawasan padat penduduk.",
    "Taman pertama seluas dua hektare dibangun di bekas lahan parkir, sedangkan taman kedua "
    "berada di tepi sungai yang selama ini menjadi tempat pembuangan sampah.",
    "Pemerintah kota menyiapkan anggaran pemeliharaan tahunan dan akan menambah petugas "
    "kebersihan agar kedua taman tetap terawat dan aman bagi anak-anak.",
]


def page(inner: str) -> str:
    return (
        "<html><head><title>Wali Kota Resmikan Taman Kota</title></head><body>"
        f"<nav><a href='/'>Beranda</a> <a href='/berita'>Berita</a></nav>{inner}</body></html>"
    )


def story_html() -> str:
    return "".join(f"<p>{para}</p>" for para in STORY)


@pytest.mark.parametrize("depth", [300, 1500, 5000])
@pytest.mark.parametrize("tag", ["div", "font"])
def test_an_article_nested_deeper_than_libxml2_s_limits_is_read(tag: str, depth: int) -> None:
    # 256 levels stopped libxml2 without huge_tree; past ~2,000 it stops with it too and the
    # run of opening tags is cut before a second parse
    inner = f"<{tag} class='wrap'>" * depth + story_html() + f"</{tag}>" * depth
    assert extract_article(page(inner), URL).body.split("\n") == STORY


def test_an_unclosed_tag_repeated_hundreds_of_times_keeps_the_text_after_it() -> None:
    # one <font> opened and never closed before every paragraph of a long page
    paragraphs = [f"{STORY[i % 3]} Paragraf {i}." for i in range(400)]
    inner = "<div class='isi'>" + "".join(f"<font size=2><p>{p}" for p in paragraphs) + "</div>"
    body = extract_article(page(inner), URL).body.split("\n")
    assert body == paragraphs


def test_thousands_of_html_comments_between_paragraphs_are_not_text() -> None:
    comments = "".join(f"<!-- ad slot {i} -->" for i in range(3000))
    inner = "<div class='isi'>" + "".join(f"<p>{p}</p>{comments}" for p in STORY) + "</div>"
    assert extract_article(page(inner), URL).body.split("\n") == STORY


def test_thousands_of_reader_comments_do_not_outweigh_the_article() -> None:
    thread = "".join(
        f"<li class='comment'><a href='/u/{i}'>pembaca{i}</a><p>Setuju sekali, taman seperti "
        f"ini harus ada di setiap kecamatan, komentar nomor {i}.</p><a href='#r{i}'>Balas</a></li>"
        for i in range(2000)
    )
    article = f"<article><div class='isi'>{story_html()}</div></article>"
    inner = f"{article}<ol id='comments'>{thread}</ol>"
    body = extract_article(page(inner), URL).body
    assert body.split("\n")[:3] == STORY
    assert "komentar nomor" not in body


def test_thousands_of_br_lines_are_read_as_lines() -> None:
    lines = [f"{STORY[i % 3]} Baris {i}." for i in range(3000)]
    inner = "<div class='isi'>" + "<br>".join(lines) + "</div>"
    assert extract_article(page(inner), URL).body.split("\n") == lines


@pytest.fixture
def no_trafilatura(monkeypatch: pytest.MonkeyPatch) -> None:
    """The huge-page path must not call trafilatura (its passes took minutes on such pages)."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("trafilatura ran on a huge page")

    monkeypatch.setattr(body_module, "trafilatura_body", refuse)


@pytest.mark.usefixtures("no_trafilatura")
def test_one_huge_paragraph_of_inline_elements_is_read_without_trafilatura() -> None:
    # a 9 MB single paragraph of <span>s took trafilatura 40 s a pass; this one is just over
    # the line past which the densest block alone is read
    sentences = [f"<span>{STORY[i % 3]}</span>" for i in range(7000)]
    inner = f"<div class='isi'><p>{' '.join(sentences)}</p></div>"
    assert len(inner) > body_module.HUGE_TEXT_CHARS
    body = extract_article(page(inner), URL).body
    assert body.count("Wali kota meresmikan") == 2334 and "\n" not in body


@pytest.mark.usefixtures("no_trafilatura")
def test_tens_of_thousands_of_short_paragraphs_are_all_read() -> None:
    # a transcript-like page of 60,000 short paragraphs came back as 103 characters
    paragraphs = [f"Baris nomor {i} dari daftar panjang warga yang hadir." for i in range(20000)]
    inner = "<div class='isi'>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div>"
    assert len(" ".join(paragraphs)) > body_module.HUGE_TEXT_CHARS
    assert extract_article(page(inner), URL).body.split("\n") == paragraphs


def test_parsing_keeps_the_text_below_thousands_of_levels() -> None:
    tree = parse(page("<div>" * 3000 + "<p>teks terdalam</p>"))
    assert "teks terdalam" in tree.text_content()


@pytest.mark.parametrize(
    ("heading", "age"),
    [
        ("Comentarios (12)", "Hace 28 minutos"),
        ("Comments", "2 hours ago"),
        ("Komentar", "5 menit yang lalu"),
        ("Kommentare", "vor 3 Stunden"),
    ],
)
def test_a_thread_longer_than_the_article_after_a_comments_heading_is_not_body(
    heading: str, age: str
) -> None:
    thread = "".join(
        f"<div class='c'><p>{age}</p><p>Pendapat pembaca nomor {i}: taman ini bagus, tetapi "
        "parkirnya kurang dan lampunya mati setiap malam sejak dibuka.</p></div>"
        for i in range(60)
    )
    inner = f"<div class='nota'>{story_html()}<h3>{heading}</h3>{thread}</div>"
    body = extract_article(page(inner), URL).body
    assert body.split("\n") == STORY


@pytest.mark.parametrize(
    "named",
    [
        "class='comentarios'",
        "id='comentarios_lectores_listado'",
        "class='box_komentar_new'",
        "id='kommentare'",
    ],
)
def test_a_comments_box_named_in_the_pages_language_is_not_body(named: str) -> None:
    # elmundo: readers' comments in a box named in Spanish ("comentarios"), under a heading
    # that is more than the word ("15 » Comentarios ¿Quieres comentar? Entra o regístrate");
    # trafilatura prunes only boxes its English names mark ("comments", "comment-list"); a box
    # with most of the page's text is left to the heading rule (a wrapper may be so named)
    thread = "".join(
        f"<li><div class='usuario'><strong>pembaca{i}</strong><span>28.oct.2012 | 11:26</span>"
        f"<h4>#{i}</h4></div><p>Pendapat pembaca nomor {i}: taman ini bagus, tetapi parkirnya "
        "kurang dan lampunya mati setiap malam sejak dibuka.</p>"
        "<div class='interact'><a href='#comentar'>Responder</a></div></li>"
        for i in range(2)
    )
    comments = (
        f"<div {named}><h3><span>5 &raquo;</span> <span>Comentarios</span> <span>\u00bfQuieres "
        "comentar? <a href='#c'>Entra</a> o <a href='/r'>reg\u00edstrate</a></span></h3>"
        f"<ol>{thread}</ol></div>"
    )
    body = extract_article(page(f"<div class='nota'>{story_html()}</div>{comments}"), URL).body
    assert body.split("\n") == STORY
