"""Page-level body rules: captions, hidden blocks, widget runs, headline glued to a date."""

from __future__ import annotations

from crawler.extract import extract_article

URL = "https://www.example.com/news/2025/01/30/story"
PARAGRAPHS = [
    "Pemerintah kota mengumumkan rencana baru untuk memperbaiki trotoar di pusat kota tahun ini.",
    "Wali kota mengatakan pekerjaan akan dimulai bulan depan dan selesai sebelum akhir tahun.",
    "Warga menyambut baik rencana itu, meski sebagian khawatir kemacetan akan bertambah parah.",
    "Dinas perhubungan berjanji menyiapkan jalur alternatif selama pekerjaan berlangsung nanti.",
]


def page(article: str, title: str = "Trotoar Pusat Kota Diperbaiki Tahun Ini") -> str:
    return (
        f"<html lang='id'><head><title>{title}</title></head><body>"
        f"<nav><a href='/'>Beranda</a> <a href='/a'>Berita</a></nav>"
        f"<article><h1>{title}</h1><time datetime='2025-01-30T10:00:00+07:00'>"
        f"Kamis, 30 Januari 2025</time><div class='entry-content'>{article}</div></article>"
        "</body></html>"
    )


def paragraphs() -> str:
    return "".join(f"<p>{text}</p>" for text in PARAGRAPHS)


def test_captions_are_not_body() -> None:
    figure = (
        "<figure class='wp-caption'><img src='/a.jpg' alt=''>"
        "<figcaption>Pekerja memperbaiki trotoar di Jalan Sudirman, Kamis.</figcaption></figure>"
        "<div class='photo-credit'>Foto: Andi Saputra</div>"
        "<p class='wp-caption-text'>Trotoar baru di depan balai kota yang sudah selesai.</p>"
    )
    body = extract_article(page(figure + paragraphs()), URL).body
    assert body == "\n".join(PARAGRAPHS)


def test_gallery_of_captions_only_has_no_body() -> None:
    gallery = "".join(
        f"<figure class='gallery-item'><img src='/{i}.jpg' alt=''>"
        f"<figcaption class='wp-caption-text gallery-caption'>Suasana perayaan di kota nomor {i} "
        f"yang meriah sekali.</figcaption></figure>"
        for i in range(4)
    )
    assert extract_article(page(f"<div class='gallery'>{gallery}</div>"), URL).body == ""


def test_hidden_blocks_are_not_body() -> None:
    hidden = (
        "<div style='display:none' itemscope><div itemprop='datePublished'>"
        "2025-01-30T10:00:00+07:00</div><div itemprop='description'>Ringkasan berita yang "
        "disembunyikan dari pembaca dan hanya untuk mesin pencari.</div></div>"
    )
    body = extract_article(page(paragraphs() + hidden), URL).body
    assert body == "\n".join(PARAGRAPHS)


def test_teasers_after_a_widget_heading_are_dropped() -> None:
    teasers = (
        "<h3>Berita Terkait</h3>"
        "<p>Gubernur meresmikan jembatan baru yang menghubungkan dua kecamatan di utara kota.</p>"
        "<p>Harga cabai rawit kembali naik menjelang perayaan hari besar bulan depan ini.</p>"
    )
    body = extract_article(page(paragraphs() * 2 + teasers), URL).body
    assert "Gubernur" not in body
    assert "cabai" not in body
