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


def test_a_card_popped_up_over_a_name_is_not_body() -> None:
    # thehill: each politician's name in a sentence carries a hover card (photo, name, latest
    # stories) inside the paragraph; its text ran into the sentence ("Rep. Ilhan OmarIlhan
    # OmarHillicon Valley: …")
    card = (
        "<span class='rollover-people'><a class='rollover-people-link' href='/people/omar'>"
        "Ilhan Omar</a><span class='rollover-people-block'><span class='rollover-block'><span>"
        "<img src='/omar.jpg' width='100' height='100' alt=''>"
        "<a class='name' href='/people/omar'>Ilhan Omar</a>"
        "<a href='/policy/1'>Progressives oppose funding bill over surveillance authority</a> "
        "<a href='/policy/2'>Senators call for 5G security coordinator</a>"
        "</span></span></span></span>"
    )
    lead = (
        f"A New York man pleaded guilty to charges he threatened to kill Rep. {card} (D-Minn.), "
        "the U.S. Attorney's Office announced on Monday."
    )
    body = extract_article(page(f"<p><span style='font-weight: 400;'>{lead}</span></p>"
                                + paragraphs()), URL).body
    assert body.splitlines() == [
        "A New York man pleaded guilty to charges he threatened to kill Rep. Ilhan Omar "
        "(D-Minn.), the U.S. Attorney's Office announced on Monday.",
        *PARAGRAPHS,
    ]


def test_a_picture_with_a_linked_caption_inside_a_sentence_stays() -> None:
    # an inline picture whose element holds the sentence's own words before it is no card
    inline = (
        "<p><span>Warga antre di depan <a href='/kantor'>kantor kelurahan</a> "
        "<img src='/antre.jpg' alt=''> <a href='/a'>sejak pagi</a> hari ini untuk "
        "mengurus dokumen kependudukan baru.</span></p>"
    )
    body = extract_article(page(inline + paragraphs()), URL).body
    assert body.splitlines()[0] == (
        "Warga antre di depan kantor kelurahan sejak pagi hari ini untuk mengurus dokumen "
        "kependudukan baru."
    )


SLIDES = [
    "\"Warga sering memilih barang yang paling cepat dibeli,\" kata perancang itu. \"Padahal "
    "toko barang bekas menyimpan banyak perabot yang unik dan jauh lebih murah.\"",
    "\"Satu perabot yang bagus lebih berharga daripada sepuluh yang biasa saja. Belilah "
    "perlahan-lahan, sesuai anggaran, dan rawat baik-baik,\" katanya.",
    "Ia juga menyarankan warna yang berani untuk dinding. \"Rumah harus menunjukkan siapa "
    "penghuninya, bukan meniru katalog toko perabot yang sama di setiap kota,\" ujarnya.",
]


def slide_show(texts: list[str]) -> str:
    return "<div class='slides'>" + "".join(
        f"<figure class='flat-slide'><div class='slide-header'><div class='title'>Saran {i}</div>"
        "</div>"
        f"<img src='/{i}.jpg' alt=''><figcaption class='flat-slide-caption'><p>{text}</p>"
        "</figcaption></figure>"
        for i, text in enumerate(texts)
    ) + "</div>"


def test_a_slide_shows_text_under_its_photos_is_body() -> None:
    # popsugar: an intro paragraph, then the story told in the slides' <figcaption>s, more text
    # than the page's other paragraphs; trafilatura drops the slides with their photos, and the
    # caption rule left the intro alone
    intro = " ".join(PARAGRAPHS)
    html = page(f"<div class='intro'><p>{intro}</p></div>{slide_show(SLIDES)}")
    body = extract_article(html, URL).body
    assert body.splitlines() == [intro, *SLIDES]


def test_long_captions_beside_a_longer_article_stay_captions() -> None:
    body = extract_article(page(paragraphs() * 3 + slide_show(SLIDES)), URL).body
    assert body.splitlines() == PARAGRAPHS * 3
