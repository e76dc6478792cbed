"""Article text the line rules once took for furniture: addresses the article gives in full, and
the article going on past a box of links inside it."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from crawler.extract.links import is_cited_address

URL = "https://www.example.com/news/science/2019/11/20/plague-cases"
TITLE = "Third case of plague reported as health officials trace contacts"
STORY = [
    "Health authorities have confirmed that a third case of plague has been reported in the "
    "region, where a man was taken to hospital after skinning a wild rabbit he had caught.",
    "The other two patients caught pneumonic plague, which affects the lungs, and remain in "
    "quarantine in the capital while doctors treat them with antibiotics.",
    "Officials said twenty-eight people who had been in contact with the man had shown no sign "
    "of the disease, and that the risk of an outbreak was extremely low.",
    "Local residents nonetheless reported queues at pharmacies, and posts asking whether the "
    "disease could spread were shared thousands of times on social media.",
    "The plague is caused by a bacterium carried by fleas on small mammals, and it has been "
    "behind some of the deadliest pandemics in recorded history, including the Black Death.",
    "Pneumonic plague is the most virulent of its forms and is fatal if it is left untreated, "
    "which is why the contacts of every patient are traced as quickly as possible.",
]
GOES_ON = [
    "According to the health agency, the plague is treatable with common antibiotics today.",
    "The agency advises that the earlier people seek treatment, the more likely they recover.",
    "Those who come into close contact with patients may need preventive antibiotic therapy.",
]


def page(article: str) -> str:
    return (
        f"<html lang='en'><head><title>{TITLE}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/science'>Science</a></nav>"
        f"<article><h1>{TITLE}</h1><div class='text-description'>{article}</div></article>"
        "<footer><a href='/about'>About us</a></footer></body></html>"
    )


def paragraphs(texts: list[str]) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


DONT_MISS = "<p><strong>DON'T MISS</strong></p>" + "".join(
    f"<p><a href='/news/{i}'>{headline}</a></p>"
    for i, headline in enumerate(
        [
            "Health warning: agency names eight deadly diseases to watch [WARNING]",
            "Plague fears as holidaymakers die after eating a marmot [INSIGHT]",
            "Plane passengers quarantined after plague outbreak scare [NEWS]",
        ]
    )
)


def test_the_article_goes_on_past_a_box_of_links_inside_it() -> None:
    # express.co.uk: a "Don't miss" box of three headline links in the middle of the story;
    # the paragraphs after it are a short run, yet every one of them is a full sentence
    body = extract_article(page(paragraphs(STORY) + DONT_MISS + paragraphs(GOES_ON)), URL).body
    assert body.splitlines() == STORY + GOES_ON


def test_teasers_after_a_box_of_links_stay_out() -> None:
    # the same box followed by a short run of other stories' headlines with their summaries,
    # sentences too: the headlines make it teasers
    teasers = "".join(
        f"<h3>Another story about the outbreak number {i}</h3>"
        f"<p>Summary of the other story number {i} that readers might want to read next.</p>"
        for i in range(2)
    )
    body = extract_article(page(paragraphs(STORY) + DONT_MISS + teasers), URL).body
    assert body.splitlines() == STORY


GIFTS = [
    ("A waterproof jacket that packs into its own pocket, for the hiker who has everything.",
     "http://amzn.to/2iJFhRj"),
    ("A pair of wool socks made for long days in the saddle and colder nights at the barn.",
     "http://amzn.to/2hZfWFJ"),
    ("A grooming kit in a canvas bag, with brushes for the mane, the tail and the coat too.",
     "http://amzn.to/2hWw372"),
    ("A travel mug that keeps coffee hot through a whole morning of lessons in the arena.",
     "http://amzn.to/2hWEIX7"),
]


def test_addresses_the_article_gives_in_full_are_kept() -> None:
    # a gift guide whose every item is followed by its shop link written out as the address,
    # and a share box giving the page's own address (that one is furniture)
    # as the page writes it: one paragraph, item and link on lines of their own
    items = "<p>" + "<br>".join(
        f"{text}<br><a href='{link}' target='_blank'><strong>{link}<br></strong></a>"
        for text, link in GIFTS
    ) + "</p>"
    share = f"<p><a href='{URL}'>{URL}</a></p>"
    article = paragraphs(STORY[:3]) + items + paragraphs(STORY[3:4]) + share
    body = extract_article(page(article), URL).body
    expected = [*STORY[:3], *(line for gift in GIFTS for line in gift), STORY[3]]
    assert body.splitlines() == expected


@pytest.mark.parametrize(
    ("text", "cited"),
    [
        ("http://amzn.to/2iJFhRj", True),
        ("https://www.youtube.com/watch?v=nM3ze35m5mc", True),
        ("www.twitter.com/AdaletMerhamet", True),
        ("http://syiahali.wordpress.com/2011/09/07/fatwa/", True),
        ("https://www.example.com/news/other-story", False),  # the page's own site: a share box
        ("Read more at www.example.org", False),  # words around it: a sentence, not an address
        ("Node.js 20 released", False),
    ],
)
def test_a_cited_address_is_another_sites_address_alone(text: str, cited: bool) -> None:
    assert is_cited_address(text, "example.com") is cited


def test_a_sentence_with_a_long_link_in_it_is_the_articles() -> None:
    # cbsnews: half of a short paragraph is a link to the earlier story; a teaser in the same
    # article ("RELATED:" and a headline, nearly all link) stays out
    linked = (
        "<p>The suspect, <a href='/news/webb-sentenced'>Michael Webb, was convicted and "
        "sentenced to life in federal prison</a> last Thursday.</p>"
    )
    teaser = (
        "<p>RELATED: <a href='/news/other'>Officers rescue kidnapped girl from hotel room in "
        "dramatic video</a></p>"
    )
    article = paragraphs(STORY[:2]) + linked + teaser + paragraphs(STORY[2:])
    assert extract_article(page(article), URL).body.splitlines() == [
        *STORY[:2],
        "The suspect, Michael Webb, was convicted and sentenced to life in federal prison last "
        "Thursday.",
        *STORY[2:],
    ]


def test_a_link_alone_inside_the_article_is_its_own_unless_a_teaser() -> None:
    # beachbodyondemand's meal plan and 9to5mac's gift guide: a product named by its link on a
    # line of its own between the article's lines; nydailynews and foxnews put other stories'
    # headlines, all link, between paragraphs, and cbsnews a labelled one: those stay out
    products = (
        "<h3>Pre-Workout Supplement</h3><p>Drink 20 to 30 minutes before your workout</p>"
        "<p><a href='https://shop.example.com/energize'>Beachbody Performance Energize</a></p>"
    )
    teasers = [
        "<p><a href='/news/screening'>Michelle Obama hosts private screening of new film about "
        "scientists</a></p>",
        "<p><a href='/news/nonprofit'>CO-FOUNDER 'PROUD' OF HOME DEPOT EMPLOYEES</a></p>",
        "<p>SEE MORE: <a href='/news/protests'>Students under siege in university</a></p>",
    ]
    after = [paragraphs([text]) for text in STORY[3:]]
    article = (
        paragraphs(STORY[:2])
        + products
        + paragraphs(STORY[2:3])
        + "".join(teaser + paragraph for teaser, paragraph in zip(teasers, after, strict=True))
    )
    assert extract_article(page(article), URL).body.splitlines() == [
        *STORY[:2],
        "Pre-Workout Supplement",
        "Drink 20 to 30 minutes before your workout",
        "Beachbody Performance Energize",
        *STORY[2:],
    ]


LEAD = [
    "JAKARTA - Israel and Hamas have agreed to a ceasefire in Gaza after fifteen months of war.",
    "The truce is due to take effect on Sunday, the prime minister of Qatar said.",
]
RELATED = "<ul>" + "".join(
    f"<li><a href='/news/{i}'>{headline}</a></li>"
    for i, headline in enumerate(
        [
            "Stock index falls more than six percent as trading is halted",
            "Leaders speak by phone and agree to talks on a ceasefire",
            "New sovereign fund launched at the palace with a chief executive",
        ]
    )
) + "</ul>"


def test_the_lead_before_a_box_of_links_inside_the_article_is_kept() -> None:
    # berita247 and etindonesia: a list of other stories' headlines, without a heading, right
    # after the first two paragraphs; the lead is a small run beside the rest of the story, yet
    # every line of it is a full paragraph ending as a sentence
    article = paragraphs(LEAD) + RELATED + paragraphs(STORY + GOES_ON)
    assert extract_article(page(article), URL).body.splitlines() == LEAD + STORY + GOES_ON


def test_teasers_before_a_box_of_links_stay_out() -> None:
    # the same box after a run of headlines with their summaries: not the article's lead
    teasers = "".join(
        f"<h3>Another story about the region number {i}</h3>"
        f"<p>Summary of the other story number {i} that readers might want to read next.</p>"
        for i in range(2)
    )
    article = teasers + RELATED + paragraphs(STORY + GOES_ON)
    assert extract_article(page(article), URL).body.splitlines() == STORY + GOES_ON


def test_a_subheading_after_a_related_link_is_kept_and_the_link_is_not() -> None:
    # etindonesia: a "Baca Juga" link, then a subheading holding the name of a menu link
    # ("Indonesia"), so that half of it reads as link text; both sit between paragraphs
    menu = "<nav><a href='/c/indonesia'>Indonesia</a> <a href='/c/dunia'>Dunia</a></nav>"
    related = (
        "<p><strong>Baca Juga : </strong><a href='/2025/04/20/gol'>Romeny Cetak Gol Tunggal, "
        "Indonesia Kalahkan Bahrain 1-0 di Gelora Bung Karno</a></p>"
    )
    subheading = "<h2>Jejak di Indonesia</h2>"
    article = paragraphs(STORY[:3]) + related + subheading + paragraphs(STORY[3:])
    html = page(article).replace("<body>", f"<body>{menu}")
    body = extract_article(html, URL).body
    assert body.splitlines() == [*STORY[:3], "Jejak di Indonesia", *STORY[3:]]


def tweet(text: str, by: str, wrapper: str) -> str:
    """Twitter's embed markup as publishers paste it, inside the publisher's own wrapper."""
    return (
        f"<div class='{wrapper}'><blockquote class='twitter-tweet'><p lang='en' dir='ltr'>{text}"
        " <a href='https://t.co/Nc0nKoXGBP'>https://t.co/Nc0nKoXGBP</a></p>"
        f"&#x2014; {by} <a href='https://twitter.com/x/status/1196501054197649413'>November 18, "
        "2019</a></blockquote> <script async src='https://platform.twitter.com/widgets.js'>"
        "</script> <p></p></div>"
    )


@pytest.mark.parametrize(
    "wrapper", ["social-media-embed", "embed-twitter", "article-widget article-tweet"]
)
def test_a_post_quoted_into_the_article_is_kept(wrapper: str) -> None:
    # nj.com, uproxx, news.sky.com: the tweets the story reports on sit in a wrapper whose class
    # trafilatura drops as a share box, the quoted words and their "— Name (@handle) date" line
    # with it
    quoted = tweet(
        "Yes this is real and yes the state spent nearly half a million dollars on it:",
        "Dianna E. Anderson (@diannaeanderson)",
        wrapper,
    )
    body = extract_article(page(paragraphs(STORY[:3]) + quoted + paragraphs(STORY[3:])), URL).body
    lines = body.splitlines()
    assert lines[:3] == STORY[:3] and lines[-3:] == STORY[3:]
    assert any(line.startswith("Yes this is real and yes the state spent") for line in lines)
    assert any("(@diannaeanderson) November 18, 2019" in line for line in lines)


def test_a_post_quoted_last_keeps_its_signature() -> None:
    # thehill, 9to5mac, uproxx: the article ends on the post it quotes; its "— Name (@handle)
    # date" line is short and ends in no full stop, as trailing furniture does, but it is the
    # post's signature
    quoted = tweet(
        "Sharing my full letter on the sentencing, a man convicted of threatening my life.",
        "Rep. Ilhan Omar (@Ilhan)",
        "embed",
    )
    body = extract_article(page(paragraphs(STORY) + quoted), URL).body
    assert body.splitlines()[: len(STORY)] == STORY
    assert body.splitlines()[-1] == "\u2014 Rep. Ilhan Omar (@Ilhan) November 18, 2019"


JAPANESE_STORY = [
    "先日、不正に改造したスマートフォンを販売したとして、商標法違反の疑いで男性が逮捕されたというニュースを耳にしました。",
    "通常、権利者により正規のルートで販売された商品をそのまま転売する場合は、商標権侵害にはなりません。",
    "しかし、権利者の意思に基づくことなく、もとの商品に改造を加えて販売した場合は、商標権侵害と判断される場合があります。",
]


def test_a_short_closing_sentence_in_an_unspaced_script_is_kept() -> None:
    # lhpat-tm.com: a Japanese post ends on a short note; it ends as a sentence ends there,
    # with an ideographic full stop, where trailing furniture (a label, a byline) does not
    note = "※「iPhone」は、Apple Inc.の商標です。"
    body = extract_article(page(paragraphs([*JAPANESE_STORY, note])), URL).body
    assert body.splitlines() == [*JAPANESE_STORY, note]


def test_an_address_the_article_gives_last_is_kept() -> None:
    # a press release ending on its contacts (antara), a gift list on the shop link of its last
    # item: an address given in full is the article's own at its end too, not trailing
    # furniture, and the short lines before it stay with it
    contacts = [
        "KONTAK: info@merhametveadalet.com",
        "http://en.merhametveadalet.com/",
        "http://www.facebook.com/cekmekoyshortfilm",
        "www.twitter.com/AdaletMerhamet",
    ]
    styled = "<p class='MsoNormal'><span style='font-size:12.0pt'>{}</span></p>"
    links = [styled.format(f"<a href='{line}'>{line}</a>") for line in contacts[1:]]
    mail = styled.format(f"KONTAK: <a href='mailto:{contacts[0][8:]}'>{contacts[0][8:]}</a>")
    source = styled.format("Sumber: Pemerintah Kota Cekmekoy")  # furniture, a source line
    release = "".join(styled.format(text) for text in STORY) + mail + "".join(links) + source
    body = extract_article(page(release), URL).body
    assert body.splitlines() == [*STORY, *contacts]


def test_a_photo_credit_in_brackets_after_the_article_is_trimmed() -> None:
    # inquisitr: "[Featured Image by …]" closes the story; a closing bracket ends a sentence
    # only after a full stop, question or exclamation mark, as the credit's does not
    credit = "[Featured Image by Joe Raedle/Getty Images]"
    body = extract_article(page(paragraphs([*STORY, credit])), URL).body
    assert body.splitlines() == STORY


def test_the_source_of_a_passage_quoted_last_is_kept() -> None:
    # a sermon or study note quoting a book last gives the quote's source in brackets under the
    # closing quote mark; a short line, no sentence, yet the article's own
    quote = (
        "Al-Hasan Al-Bashri berkata, \u201cHendaknya kalian mencintai jangan berlebihan dan "
        "membenci tidak berlebihan.\u201d"
    )
    source = "[Ni\u2019matul Ukhuwah hal. 41]"
    body = extract_article(page(paragraphs([*STORY, quote, source])), URL).body
    assert body.splitlines() == [*STORY, quote, source]


def test_the_last_point_of_a_numbered_list_is_kept() -> None:
    # hellogiggles: a shopping list numbered in paragraphs ends the article; its last point is
    # as short as trailing furniture, but it goes on from the point before it
    points = [
        "1. Wrap blouse, Net-A-Porter, $167",
        "2. Green faux suede heels, Go Jane, $29",
        "3. Holiday earrings, Kohl\u2019s, $7",
    ]
    body = extract_article(page(paragraphs([*STORY, *points])), URL).body
    assert body.splitlines() == [*STORY, *points]


def test_a_list_opening_the_article_keeps_its_first_short_points() -> None:
    # ehow: the article opens on a list of what the reader needs; its second point is long
    # enough to be a paragraph, and the first ("Cloche") was trimmed as a label before it
    needs = [
        "Cloche",
        "Planter saucer, small shallow dish or desired platform",
        "Floral foam oasis",
        "Ruler",
    ]
    items = "".join(f"<li>{need}</li>" for need in needs)
    body = extract_article(page(f"<ul>{items}</ul>" + paragraphs(STORY)), URL).body
    assert body.splitlines() == [*needs, *STORY]
