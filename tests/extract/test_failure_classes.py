"""The failure classes of issue 13 on faithfully reproduced pages: an article lost to an empty
body (1), the wrong block chosen (2), the article's own short lines taken for furniture (3).
Class 4, unusual markup, is in test_markup.py."""

from __future__ import annotations

import json

import pytest

from crawler.extract import extract_article
from crawler.extract.choose import Candidate, Evidence, choose, frames, terms
from crawler.extract.meta import PageMeta

SPORTS = [
    "SPRINGFIELD — The Central High boys basketball team rallied from a 12-point deficit in "
    "the fourth quarter to beat rival North 58-55 on Friday night.",
    "Senior guard Marcus Hill scored 11 of his game-high 24 points in the final period, "
    "including a go-ahead three-pointer with 38 seconds left.",
    "“We never stopped believing,” Hill said.",
    "Central (14-3, 6-1 conference) hosts East on Tuesday. North falls to 10-7.",
]
SPORTS_URL = "http://www.springfieldnews.com/sports/2009/02/central-rallies-past-north.html"


def table_layout_sports_page(description: bool) -> str:
    """A 2009-style regional sports page: the story is a few <p> in a layout table cell, a menu
    row above and below it, and a standings table three times its size."""
    nav = "".join(f"<tr><td><a href='/s{i}'>Section {i}</a></td></tr>" for i in range(6))
    rows = "".join(
        f"<tr><td>Team {i}</td><td>{i % 9}</td><td>{9 - i % 9}</td><td>.{500 + i}</td></tr>"
        for i in range(120)
    )
    meta = (
        "<meta name='description' content='Marcus Hill scored 24 points as Central rallied "
        "from 12 down to beat North 58-55.'>"
        if description
        else ""
    )
    story = "".join(f"<p>{para}</p>" for para in SPORTS)
    return (
        f"<html><head><title>Central rallies past North</title>{meta}</head><body>"
        f"<table width=760>{nav}<tr><td><b>Central rallies past North</b><br>{story}</td></tr>"
        f"{nav}<tr><td><table class=standings>{rows}</table></td></tr></table></body></html>"
    )


@pytest.mark.parametrize("description", [True, False], ids=["with-description", "without"])
def test_a_short_story_beside_a_larger_table_is_not_lost(description: bool) -> None:
    # class 1: the standings were the largest run of text, crowded the story out, and were then
    # trimmed to nothing (no paragraph in them): an empty body, the page rejected
    body = extract_article(table_layout_sports_page(description), SPORTS_URL).body
    assert body.split("\n") == SPORTS


def test_a_menu_row_of_a_table_layout_is_not_body() -> None:
    menu = " | ".join(f"<a href='/s{i}'>Section {i}</a>" for i in range(30))
    story = "".join(f"<p>{para}</p>" for para in SPORTS)
    page = (
        "<html><head><title>Central rallies past North</title></head><body><table>"
        f"<tr><td colspan=2>{menu}</td></tr><tr><td>{story}</td></tr></table></body></html>"
    )
    body = extract_article(page, SPORTS_URL).body
    assert body.split("\n") == SPORTS


def test_the_page_s_declared_article_body_is_the_last_resort() -> None:
    # a page whose article is drawn by script: no block holds it, the JSON-LD does (trafilatura's
    # full cascade reads it too, as one line)
    text = "\n".join(SPORTS)
    ld = {"@type": "NewsArticle", "headline": "Central rallies past North", "articleBody": text}
    page = (
        "<html><head><title>Central rallies past North</title>"
        f"<script type='application/ld+json'>{json.dumps(ld)}</script></head>"
        "<body><div id='app'></div><p>Loading…</p></body></html>"
    )
    assert extract_article(page, SPORTS_URL).body.split() == text.split()


# --- class 2: the wrong block -------------------------------------------------------------

RAISA = [
    "JAKARTA - Penyanyi Raisa Andriana akhirnya buka suara soal kabar kehamilan anak keduanya "
    "yang ramai dibicarakan warganet sejak pekan lalu di media sosial.",
    "Dalam unggahan di akun Instagram pribadinya, Raisa mengaku bersyukur atas doa dan "
    "perhatian para penggemar yang terus mengikuti perjalanan keluarganya.",
    '"Terima kasih untuk semua doanya, kami sekeluarga sehat," tulis Raisa dalam keterangan '
    "unggahannya, Minggu (12/5/2024).",
    "Raisa dan Hamish menikah pada 2017 dan dikaruniai anak pertama pada 2019. Kabar kehamilan "
    "kedua ini disambut hangat oleh rekan sesama artis.",
]


def okezone_page() -> str:
    """okezone's layout: the story as <br>-separated text in div.read, below it a larger list
    of other articles, each a headline link and a one-sentence teaser <p>."""
    teasers = "".join(
        f"<div class='news-content'><a href='https://celebrity.okezone.com/read/2024/05/1{i}/33/"
        f"{3000000 + i}/artis-{i}'><h3>Artis {i} Ungkap Alasan Hengkang dari Grupnya</h3></a>"
        f"<p>Penyanyi muda nomor {i} itu mengaku ingin fokus pada karier solo setelah delapan "
        "tahun bersama grup yang membesarkan namanya di industri musik.</p></div>"
        for i in range(14)
    )
    return (
        "<html><head><title>Raisa Buka Suara soal Kabar Kehamilan Anak Kedua : Okezone</title>"
        "<meta property='og:description' content='Penyanyi Raisa Andriana akhirnya buka suara "
        "soal kabar kehamilan anak keduanya yang ramai dibicarakan warganet.'></head><body>"
        "<div class='nav'><a href='/'>Home</a> <a href='/music'>Music</a></div>"
        "<div class='container-bodyhome-left'><h1>Raisa Buka Suara soal Kabar Kehamilan Anak "
        f"Kedua</h1><div id='contentx' class='read'>{'<br><br>'.join(RAISA)}</div>"
        f"<div class='list-berita'>{teasers}</div></div></body></html>"
    )


def test_a_list_of_teasers_loses_to_the_article_the_description_announces() -> None:
    url = "https://celebrity.okezone.com/read/2024/05/12/33/3012345/raisa-buka-suara"
    body = extract_article(okezone_page(), url).body
    assert body.split("\n") == RAISA


EVENTS = "".join(
    f"<li><strong>{day} March 2025</strong> <span>Packaging Summit {day}, hall {day % 4}, "
    "registration opens at 8 a.m. with coffee and networking for all delegates</span></li>"
    for day in range(1, 13)
)
PRESS = [
    "CHICAGO — Acme Containers said on Monday it would build a $40 million recycling plant in "
    "Ohio, its first outside Illinois, and hire 120 people to run it.",
    "The plant will turn used food trays into resin for new packaging and should open in 2026, "
    "the company said in a statement.",
    "“Customers ask for recycled content every week,” chief executive Dana Lee said.",
]


def test_a_box_of_event_dates_loses_to_the_press_release() -> None:
    page = (
        "<html><head><title>Acme to build Ohio recycling plant</title>"
        "<meta property='og:description' content='Acme Containers will build a $40 million "
        "recycling plant in Ohio and hire 120 people.'></head><body>"
        f"<div class='post'>{'<br><br>'.join(PRESS)}</div>"
        f"<div class='events'><h4>Upcoming</h4><ul>{EVENTS}</ul></div></body></html>"
    )
    body = extract_article(page, "https://packagingnews.example.com/2025/02/acme-ohio-plant").body
    assert body.split("\n") == PRESS


MENUS = "<ul class='menu'>" + "".join(
    f"<li><a href='/rubrik/{i}'>Rubrik nomor {i} pilihan pembaca</a></li>" for i in range(12)
) + "</ul>"
POPULAR = "<div class='sidebar'><h3>Terpopuler</h3><ul>" + "".join(
    f"<li><a href='/p{i}'>Berita populer nomor {i} tentang kota yang ramai dibaca</a></li>"
    for i in range(8)
) + "</ul></div>"


@pytest.mark.parametrize("story", ["", "".join(f"<p>{para}</p>" for para in PRESS[:2])],
                         ids=["photo page", "short story"])
def test_a_page_of_menus_run_together_is_not_an_article(story: str) -> None:
    # trafilatura's fast pass runs a page without a text block into one line without link
    # markup; that line is the page's menus and teasers, not a story (a photo page), while a
    # short story of its own beside the same menus is read
    page = (
        "<html><head><title>Galeri Foto Imlek 2025</title></head><body>"
        f"{MENUS}<div class='isi'><p>Galeri foto perayaan Imlek 2025.</p>{story}</div>"
        f"{POPULAR}<div class='footer'>Hak cipta 2025 Kota</div></body></html>"
    )
    body = extract_article(page, "https://www.example.com/foto/2025/01/30/galeri-imlek").body
    assert "Rubrik nomor" not in body and "Berita populer" not in body
    assert body.split("\n")[-2:] == (PRESS[:2] if story else [""])


def test_choose_keeps_the_primary_reading_unless_evidence_clearly_says_otherwise() -> None:
    meta = PageMeta(values={"og:description": ["Raisa Andriana buka suara soal kehamilan"]})
    evidence = Evidence.of(meta)
    article = Candidate("first", "Raisa Andriana akhirnya buka suara soal kehamilan anaknya", 9)
    teasers = Candidate("dense", "Penyanyi muda itu ingin fokus pada karier solo " * 20, 180)
    assert choose([article, teasers], evidence) is article  # longer is not better
    assert choose([teasers, article], evidence) is article  # better supported is
    assert choose([Candidate("first", "", 0), teasers], evidence) is teasers
    assert choose([Candidate("first", "", 0)], evidence) is None


def test_terms_split_unspaced_scripts_into_character_pairs() -> None:
    assert terms("Das ist ein Beispiel") == {"beispiel"}
    assert terms("日本語") == {"日本", "本語"}
    assert Evidence.of(PageMeta(values={"description": ["Latest news"]})).support("x") is None


# --- class 3: the article's own short lines -----------------------------------------------

WIRE = [
    "WASHINGTON (AP) —",
    "The Senate voted 62-38 on Thursday to pass a bill that would fund the federal government "
    "through the end of September, averting a shutdown hours before the deadline.",
    "The measure now goes to the House, where leaders expect a vote as soon as Friday.",
    "<h2>What comes next</h2>",
    "“We will get this done,” Speaker Mike Johnson said.",
    "Democrats objected to several provisions on border spending, but most voted for the bill "
    "after the leadership promised a separate debate on immigration in the spring.",
    "He declined to comment.",
    "<h3>Reaction</h3>",
    "Markets rose slightly after the vote, with the S&P 500 closing up 0.4 percent.",
    "“It is a relief,” said one trader.",
    "The White House said the president would sign it.",
]


def test_datelines_subheadings_one_line_quotes_and_short_paragraphs_are_kept() -> None:
    story = "".join(p if p.startswith("<h") else f"<p>{p}</p>" for p in WIRE)
    page = (
        "<html><head><title>Senate passes funding bill</title></head><body><nav>"
        "<a href='/'>Home</a><a href='/politics'>Politics</a></nav><article><h1>Senate passes "
        f"funding bill</h1><div class='article-body'>{story}</div></article></body></html>"
    )
    body = extract_article(page, "https://news.example.com/2025/03/senate-funding-bill").body
    expected = [line.removeprefix("<h2>").removeprefix("<h3>") for line in WIRE[1:]]
    expected = [line.split("<")[0] for line in expected]
    expected[0] = f"{WIRE[0]} {expected[0]}"  # the dateline opens the lead
    assert body.split("\n") == expected


def test_a_short_sentence_opening_the_story_is_kept_and_labels_before_it_are_not() -> None:
    story = [
        "It is official.",
        "The city council approved the new stadium on Tuesday after a marathon session that "
        "lasted until after midnight and drew hundreds of residents.",
        "Construction starts in March.",
        "Officials said the project would be finished by 2027 if the state pays its share.",
    ]
    page = (
        "<html><head><title>Council approves stadium</title></head><body><h1>Council approves "
        "stadium</h1><div class='story'><p>NEWS</p><p>By Ann Lee</p>"
        + "".join(f"<p>{para}</p>" for para in story)
        + "</div></body></html>"
    )
    body = extract_article(page, "https://news.example.com/2025/03/council-stadium").body
    assert body.split("\n") == story


INFANTA = [
    "El fiscal Pedro Horrach está perfilando con el jefe de la Fiscalía Anticorrupción, Antonio "
    "Salinas, en Madrid, la estrategia jurídica que seguirá tras el auto dictado por el juez.",
    "Horrach y Salinas analizarán durante la mañana de hoy el auto de 227 folios en el que el "
    "juez instructor del caso Nóos cita a declarar a la Infanta el próximo 8 de marzo.",
    "Fuentes de la Fiscalía indicaron que la decisión de recurrir o no la imputación se conocerá "
    "en los próximos días, una vez estudiado el contenido íntegro del auto.",
    "El juez considera que existen indicios suficientes de que la Infanta pudo cometer los "
    "delitos de blanqueo de capitales y contra la Hacienda Pública.",
]


def test_a_story_read_with_its_byline_and_rating_box_is_read_alone() -> None:
    # ultimahora.es: trafilatura reads the <article> whole, the byline line and the rating
    # box's label before the story; the block around the paragraph the description repeats is
    # the story, and what the reading adds around it holds no sentence
    headline = "Anticorrupción decidirá en Madrid si recurre la imputación de la Infanta"
    menu = "".join(f"<li><a href='/s{i}'>Sección {i}</a></li>" for i in range(8))
    page = (
        f"<html><head><title>{headline}</title>"
        f"<meta name='description' content='{INFANTA[0]}'></head><body><nav><ul>{menu}</ul></nav>"
        f"<section class='row span5'><article><hgroup><h3>{headline}</h3></hgroup>"
        "<div class='box valora clearfix'><p class='autor pull-left'><strong>Patricio Candia"
        "</strong> | Palma de Mallorca | 08/01/2014</p><div class='estrellas pull-right'>"
        "<span>Valorar:</span></div></div>"
        f"<div class='texto'>{''.join(f'<p>{para}</p>' for para in INFANTA)}</div>"
        "</article></section><footer><p>Última Hora, Palma de Mallorca</p></footer></body></html>"
    )
    url = "http://ultimahora.es/noticias/local/2014/01/08/115680/anticorrupcion.html"
    assert extract_article(page, url).body.split("\n") == INFANTA


def test_a_deals_post_keeps_its_lists_after_the_intro_block() -> None:
    # the block around the lead is the post's intro, a fifth of it: the product lists after it
    # are not sentences, yet they are the post
    intro = [
        "Black Friday is going to be huge for all sorts of different product categories, from "
        "TVs and robot vacuums to kitchen gear and more, and the deals have already started.",
        "Wireless earbuds dropped to an all-time low on Amazon this week, and the charging case "
        "version is down by a third, which is the best price we have seen all year long.",
        "Smartwatches are on sale too, with the older models at their lowest prices ever and "
        "the newest ones discounted for the first time since they came out in September.",
    ]
    features = [f"Feature number {i} of the product line" for i in range(8)]
    products = "".join(
        f"<h3>Product {n}</h3><ul>{''.join(f'<li>{item}</li>' for item in features)}</ul>"
        for n in range(4)
    )
    page = (
        "<html><head><title>Early Black Friday deals on earbuds</title>"
        f"<meta name='description' content='{intro[0]}'></head><body><div class='post'>"
        f"<div class='intro'>{''.join(f'<p>{para}</p>' for para in intro)}</div>"
        f"<div class='products'>{products}</div></div></body></html>"
    )
    body = extract_article(page, "https://bgr.com/2019/11/20/black-friday-earbuds/").body
    assert body.split("\n")[:3] == intro
    assert body.count(features[0]) == 4


def test_frames_wants_the_block_to_be_a_third_of_the_reading_and_the_rest_no_prose() -> None:
    story = "\n".join(INFANTA)
    block = Candidate("lead", story, 120)
    assert frames(Candidate("first", f"Patricio Candia | Palma | 08/01/2014\n{story}", 126), block)
    # a caption that ends as a sentence is prose: the reading is more than furniture
    with_caption = f"Patricio Candia | Palma | 08/01/2014\nLa Infanta, en Palma.\n{story}"
    assert not frames(Candidate("first", with_caption, 130), block)
    # a short story between a promotion line and recommendation cards: two fifths of it
    cards = "\n".join(f"Other story {i} headline\n09:38\nApp exclusive\n{i},325" for i in range(9))
    promoted = f"Vote now for the people of the year\n{story}\n{cards}"
    assert frames(Candidate("first", promoted, 290), block)
    # a deals post's intro before its lists of product features: a fifth of it
    assert not frames(Candidate("first", f"{story}\n" + "Product feature\n" * 240, 600), block)


def test_a_table_layout_story_is_cut_from_its_publication_and_print_rows() -> None:
    # zsnews.cn: the story's paragraphs in a layout table's cell, the rows after it a
    # publication stamp with the editor's name and a print-and-close row; no description to
    # find the lead by, the densest block is the story
    story = [
        "On Wednesday afternoon, a delegation of eight led by the district's head of economic "
        "affairs visited the new financial street to study how it has grown since it opened.",
        "The delegation toured the service centre, watched a film about the street and met the "
        "firms that have moved in, before a meeting where officials described its plans.",
        "Next, the district will upgrade the street under the city's guidance, drawing more "
        "financial firms to it and strengthening the services they give to local traders.",
    ]
    cells = "".join(
        f"<p>{text}</p><p><img src='/u/{i}.jpg'><br></p>" for i, text in enumerate(story)
    )
    page = (
        "<html><head><title>District delegation visits the financial street</title></head>"
        "<body><center><table><tbody><tr><td><table width='90%'><tbody><tr><td>"
        "<div align='center'><span class='Title'><b>District delegation visits the financial "
        "street</b></span><br><font color='#C30000'>Source: East District Office</font></div>"
        f"</td></tr><tr align='left'><td style='font-size:14px'>{cells}</td></tr>"
        "<tr><td align='center'><font color='#666666'>Published: 2019-03-06 Editor: Long Hui"
        "</font></td></tr><tr align='right'><td class='QuickButton'><a href="
        "'javascript:window.print();'>Print this page</a> | <a href='javascript:window.close();'>"
        "Close window</a></td></tr></tbody></table></td></tr></tbody></table></center>"
        "</body></html>"
    )
    url = "http://www.zsnews.cn/news/index/view/cateid/35/id/3279127.html"
    assert extract_article(page, url).body.split("\n") == story
