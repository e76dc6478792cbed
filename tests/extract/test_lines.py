"""The line rules one by one."""

from __future__ import annotations

import pytest

from crawler.extract import lines, links
from crawler.extract.lines import Line
from crawler.extract.sentences import ends_as_sentence
from crawler.extract.stamps import is_date_stamp

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
    "Continue reading the main story",  # nytimes: the button over the rest of the story
    "Continue Reading",
    "Selasa, 23/02/2016 15:32 WIB",
    "Kamis, 13 Februari 2025 07:15 WIB",
    "02Kamis, 05/11/2015 09:32 WIB",
    "5 menit yang lalu",
    "03",
    # round 10: placeholders of widgets the page fills in later (buzzfeed, bustle, politico)
    "Loading",
    "[Embed]",
    "Story Continued Below",
]
ARTICLE_TEXT = [
    "Editor senior itu mengatakan bahwa redaksi tidak akan mengubah kebijakan tahun ini.",
    "Sumber di kepolisian menyebut pelaku sudah ditangkap pada Senin malam.",
    "Putin menegaskan bahwa penyelesaian apapun harus mengatasi akar penyebab konflik.",
    "Sebanyak 20 orang tewas dalam 2 hari terakhir.",
    "Kami akan terus memberikan pembaruan terbaru. (Hui)",
    "Pembahasan Perang Ukraina, Timur Tengah, dan Isu Global",
    "Continue reading to find out why the council changed its mind.",
    "Loading the ferry took two hours, and the story continued below deck.",
    # a deal post's own steps, not a pitch for the site's list (ign)
    "Sign up for a Hulu ad-free account for $11.99 a month",
    "Get free shipping on orders over $35, delivered in two days to most addresses.",
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


@pytest.mark.parametrize(
    "text",
    [
        "Updated at 1:23 p.m.",
        "2019-11-19T08:57:40+01:00",
        "5:45 AM PST 11/19/2019 by Patrick Shanley",
        "sexta-feira, 22 de outubro de 2010 às 20:13",
        "기사입력 :[ 2018-09-28 17:32 ]",
        "November 20, 2019 - 11:28 AMT",
        "Diperbarui Senin, 3 Maret 2025 10:15 WIB",
        "2019年09月06日",  # a teaser card's date on a Chinese page, without a time
        "2018년 9월 28일",
    ],
)
def test_date_stamps_in_any_wording(text: str) -> None:
    assert is_date_stamp(text, Line.of(text).words)
    assert lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize(
    "text",
    [
        "May I help you?",
        "Harga naik menjadi Rp 10.500",
        "HD THE HOME DEPOT INC. 225.86 -12.99 -5.44%",
        "Kick-off 20:00 tonight at the new stadium",
        "1a etapa: 10 de março - Interlagos",
    ],
)
def test_text_with_numbers_is_no_date_stamp(text: str) -> None:
    assert not is_date_stamp(text, Line.of(text).words)


@pytest.mark.parametrize(
    "text",
    [
        "Follow Newsbeat on Instagram, Facebook, Twitter and YouTube.",
        "Subscribe to the Morning Review newsletter",
        "Get the latest updates right in your inbox. Subscribe to NJ.com's newsletters.",
        "Copyright © 2019 Dow Jones & Company, Inc. All Rights Reserved",
        "Copyright ⓒ Entermedia.co.kr. 무단전재 및 재배포 금지",
        "Keith Bradsher contributed reporting from Hong Kong.",
        "(Reporting by Greg Roumeliotis; editing by Martin Howell.)",
        "Associated Press writers Alan Fram and Zeke Miller contributed to this report.",
        "Like this story? Share it with a friend!",
        # round 10: a publication delivered, a list signed up for (morebikes, spokesman, fortinet)
        "Get Motor Cycle Monthly delivered through your letterbox every month. 12 issues for "
        "£11.99. Click here for more information.",
        "Get the day\u2019s top headlines delivered to your inbox every morning by subscribing to "
        "our newsletter.",
        "Sign up for our weekly FortiGuard Threat Brief.",
        # round 10: a pitch of 41-60 words, with its small print (bgr, nationalreview, barrons)
        "Follow @BGRDeals on Twitter to keep up with the latest and greatest deals from around "
        "the web. Quantities may be limited. Prices are subject to change without notice and "
        "coupons may expire at any time. Some deals may not be available to all customers. BGR "
        "may receive a commission on orders placed through this article.",
        "If you enjoyed this article, we have a proposition for you: Join NRPLUS. Members get all "
        "of our content (including the magazine), no paywalls or content meters, an "
        "advertising-minimal experience, and unique access to our writers and editors "
        "(conference calls, social-media groups, etc.). And importantly, NRPLUS members help keep "
        "NR going. Consider it?",
    ],
)
def test_promotion_and_contributor_lines(text: str) -> None:
    assert lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize(
    ("text", "widget"),
    [
        ("Top stories", True),
        ("You may also like...", True),
        ("Most read in world news", True),
        ("DON'T MISS", True),
        ("Berita Terkait", True),
        ("Related", True),
        ("How is the plague spread?", False),
        ("Related parties must disclose their holdings before the vote.", False),
    ],
)
def test_widget_headings(text: str, widget: bool) -> None:
    assert lines.is_widget_heading(Line.of(text)) is widget


TITLE = "FOTO: Suasana Perayaan Imlek 2025 di Berbagai Negara"


@pytest.mark.parametrize(
    ("text", "rest"),
    [
        (f"{TITLE} Kamis, 30 Januari 2025", ""),
        (f"{TITLE} Kamis, 30 Januari 2025 Lampion merah di jalan.", "Lampion merah di jalan."),
        (f"Beranda Berita Terkini Bisnis {TITLE} Kamis, 30 Januari 2025", ""),
        (f"{TITLE} - ETIndonesia", ""),
        ("Perayaan Imlek 2025 berlangsung meriah di berbagai negara.", None),
    ],
)  # fmt: skip
def test_headline_and_date_are_cut_from_a_line(text: str, rest: str | None) -> None:
    title_key = lines.normalise(TITLE)
    assert lines.without_headline(text, title_key, title_key.count(" ") + 1) == rest


def test_short_headline_is_not_searched_inside_a_paragraph() -> None:
    title_key = lines.normalise("Só quem se Ama")
    text = "Viver bem é um prazer: só quem se ama sabe amar os outros de verdade."
    assert lines.without_headline(text, title_key, 4) is None


def test_korean_is_counted_by_its_spaces() -> None:
    assert Line.of("악녀의 덫에 걸린 이유리, 의외로 막장극 어울리는 남상미").words == 8


@pytest.mark.parametrize(
    "text",
    ["Hace 28 minutos", "há 2 horas", "il y a 3 heures", "vor 5 Minuten", "an hour ago",
     "2 uur geleden", "3 ore fa", "5 menit yang lalu", "12 days ago"],
)
def test_a_comment_s_or_teaser_s_age_in_any_language_is_furniture(text: str) -> None:
    assert lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize(
    "text", ["Comentar", "Comments (12)", "Komentar", "Leave a reply", "12 Comments", "Kommentare"]
)
def test_comments_headings(text: str) -> None:
    assert lines.is_comments_heading(Line.of(text, "head"))


@pytest.mark.parametrize(
    "text", ["Comments are closed on this page today.", "The comments of the minister"]
)
def test_a_sentence_about_comments_is_no_heading(text: str) -> None:
    assert not lines.is_comments_heading(Line.of(text))


def test_only_the_page_s_own_address_on_a_line_is_a_share_box() -> None:
    host = "mysanantonio.com"
    assert links.is_own_address("https://www.mysanantonio.com/news/article/Cat-14848175.php", host)
    assert not links.is_own_address("http://amzn.to/2iJFhRj", host)  # an affiliate link: text
    assert not links.is_own_address("See https://www.mysanantonio.com/ for more", host)


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("He left early.", True),
        ('"We got her!"', True),
        ("(I know, radical statement, right?)", True),
        ("She said it was \u201cover.\u201d", True),
        ("[Ni\u2019matul Ukhuwah hal. 41.]", True),
        # a paragraph closing with its writer's initials after the full stop
        ("Hasil perikanan juga diperkirakan terdampak. (Fa)", True),
        ("Kementerian Luar Negeri (Kemlu)", False),
        # a closing bracket or quote ends a sentence only after sentence punctuation
        ("[Print this page] [Close window]", False),
        ("Michelle Obama hosts private screening of 'Hidden Figures'", False),
        ("[Featured Image by Joe Raedle/Getty Images]", False),
    ],
)
def test_a_sentence_ends_with_its_punctuation_not_a_bracket(text: str, sentence: bool) -> None:
    assert ends_as_sentence(text) is sentence
