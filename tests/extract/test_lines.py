"""The line rules one by one."""

from __future__ import annotations

import pytest

from crawler.extract import lines
from crawler.extract.lines import Line

BOILERPLATE = [
    "Baca juga: Trump Telepon Putin, Rusia Siap Nego",
    "BACA JUGA : Harga Cabai Rawit Tembus Rp 100 Ribu",
    "Lihat juga: Video Banjir Bekasi",
    "Simak juga video berikut",
    "Editor: Agung Budi Santoso",
    "Penulis : Aditya Maulana Editor : Agung Kurniawan",
    "Reporter: Nadia Ayu Lestari",
    "Fotografer: Grandyos Zafna",
    "Redaksi: redaksi[at]detikfinance.com",
    "Laporan Wartawan Tribunnews.com, Andari Wulan Nugrahani",
    "Artikel ini telah tayang di Tribunnews.com dengan judul Trump Telepon Putin, "
    "Rusia Siap Nego Akhiri Perang di Ukraina, Bagaimana dengan Zelensky?, https://t.co/x",
    "(Tribunnews.com, Andari Wulan Nugrahani)",
    "(fyk/ash)",
    "Sumber : NTDTV.com",
    "Sumber: etindonesia.com",
    "Tag: #trump #telepon #putin",
    "#trump #putin #rusia",
    "4.755 kali dibaca",
    "Dibaca 120 kali",
    "Bagikan",
    "ADVERTISEMENT",
    "Selasa, 23/02/2016 15:32 WIB",
    "Kamis, 13 Februari 2025 07:15 WIB",
    "02Kamis, 05/11/2015 09:32 WIB",
    "5 menit yang lalu",
    "03",
]
ARTICLE_TEXT = [
    "Editor senior itu mengatakan bahwa redaksi tidak akan mengubah kebijakan tahun ini.",
    "Sumber di kepolisian menyebut pelaku sudah ditangkap pada Senin malam.",
    "Putin menegaskan bahwa penyelesaian apapun harus mengatasi akar penyebab konflik.",
    "Sebanyak 20 orang tewas dalam 2 hari terakhir.",
    "Kami akan terus memberikan pembaruan terbaru. (Hui)",
    "Pembahasan Perang Ukraina, Timur Tengah, dan Isu Global",
]


@pytest.mark.parametrize("text", BOILERPLATE)
def test_boilerplate_lines(text: str) -> None:
    assert lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize("text", ARTICLE_TEXT)
def test_article_lines_are_kept(text: str) -> None:
    assert not lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize(
    ("text", "host"),
    [
        ("Sumber : NTDTV.com", "ntdtv.com"),
        ("(Tribunnews.com, Andari Wulan Nugrahani)", "tribunnews.com"),
        ("Artikel ini telah tayang di Tribunnews.com dengan judul X", "tribunnews.com"),
        ("(Foto: http://photos.prnewswire.com/prnh/1)", None),
        ("Sumber: Pemerintah Kota Cekmekoy", None),
    ],
)
def test_credit_line_host(text: str, host: str | None) -> None:
    assert lines.credit_line_host(text) == host


def test_republication_credit_outranks_source_line() -> None:
    assert lines.credit_rank("(ETIndonesia.com, Yn)") < lines.credit_rank("Sumber : Epochtimes.com")


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Penulis: Hendra Gunawan Siregar", "Hendra Gunawan Siregar"),
        ("(Tribunnews.com, Andari Wulan Nugrahani)", "Andari Wulan Nugrahani"),
        ("Editor: Agung Budi Santoso", None),
    ],
)
def test_writer_credit(text: str, name: str | None) -> None:
    assert lines.writer_credit(Line.of(text)) == name


def test_inline_noise_is_stripped() -> None:
    text = "NEWS![](https://jakarta365.net/public/assets/img/icon/view.png)"
    assert lines.strip_inline_noise(text) == "NEWS"
    credited = "Ia juga mendukung tesis Trump. (Tribunnews.com, Andari Wulan Nugrahani)"
    assert lines.strip_inline_noise(credited) == "Ia juga mendukung tesis Trump."
    assert lines.trailing_credit_host(credited) == "tribunnews.com"


def test_dateline_is_recognised() -> None:
    assert lines.is_dateline(Line.of("ISTANBUL, 23 Februari 2016 (Antara/PRNewswire) --"))
    assert not lines.is_dateline(Line.of("Trump juga berbicara dengan Zelensky."))


def test_unspaced_scripts_count_as_several_words() -> None:
    assert Line.of("商標権侵害と判断される場合があります。").words > 5
