"""Lines about the writer: the note closing an article (ign, fool, thepennyhoarder,
huffingtonpost) and a byline long enough to pass for a paragraph (nytimes, prospect,
jaraguadosul, stcn), and the rules for readers' comments (autoracing, thespacereview, 163,
cnn arabic)."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article, lines
from crawler.extract.lines import Line
from crawler.extract.notes import without_writer_note

URL = "https://www.example.com/deals/2019/11/20/best-deals-today"
PARAGRAPHS = [
    "Today's offers include a discounted controller, a cheaper laptop and a new monitor.",
    "The controller is down to its lowest price this year, and the sale ends on Friday night.",
    "Retailers are also cutting the prices of last year's laptops before the holiday season.",
    "The monitor deal needs a coupon code at checkout, and stock is limited at every retailer.",
]
NOTE = "Eric Song is the site's deal curator and spends 25% of his pay on stuff he posts."
DISCLOSURE = "If you buy something through this post, the site may get a share of the sale."


def page(closing: str, author: str = "Eric Song", opening: str = "") -> str:
    paragraphs = "".join(f"<p>{text}</p>" for text in PARAGRAPHS)
    return (
        f"<html lang='en'><head><title>The Best Deals Today</title>"
        f"<meta name='author' content='{author}'></head><body>"
        f"<article><h1>The Best Deals Today</h1><div class='article-content'>{opening}{paragraphs}"
        f"{closing}</div></article></body></html>"
    )


def test_the_writers_note_and_what_follows_it_end_the_article() -> None:
    article = extract_article(page(f"<p>{NOTE}</p><p>{DISCLOSURE}</p>"), URL)
    assert article.authors == ["Eric Song"]
    assert article.body == "\n".join(PARAGRAPHS)


def test_a_line_naming_someone_else_stays() -> None:
    closing = "<p>Eric Smith is the store's manager and says more deals come next week.</p>"
    body = extract_article(page(closing), URL).body
    assert body.endswith("more deals come next week.")


def test_a_one_word_name_is_no_writer() -> None:
    lines = [*PARAGRAPHS, "Amazon is also cutting prices on its own devices this week."]
    assert without_writer_note(lines, ["Amazon"]) == lines


def test_a_name_glued_to_a_label_still_matches() -> None:
    # thepennyhoarder declares its writer as "Steve GillmanContributor"
    note = "Steve Gillman is the author of a book on ways to make money and a former repo man."
    assert without_writer_note([*PARAGRAPHS, note], ["Steve GillmanContributor"]) == PARAGRAPHS


@pytest.mark.parametrize(
    "byline",
    [
        "By Maggie Haberman, Mark Landler and Edward Wong",
        "by Duncan Bell / January 19, 2017 / Leave a comment",
        "05/10/2018 - Publicado por: Clarissa Borba - Categoria: Saúde - Tags: veiculo",
        "2019-09-26 12:11来源\uff1a证券时报网作者\uff1a李在山",
    ],
)
def test_a_byline_as_long_as_a_paragraph_is_no_article(byline: str) -> None:
    body = extract_article(page("", opening=f"<p>{byline}</p>"), URL).body
    assert body == "\n".join(PARAGRAPHS)


def test_a_review_s_details_naming_its_tester_are_the_article_s() -> None:
    details = "Tested by: John Milbank RRP: £23.99 More info: www.clymer.co.uk"
    body = extract_article(page("", opening=f"<p>{details}</p>"), URL).body
    assert body.startswith(details)


@pytest.mark.parametrize(
    "text",
    [
        "ATENÇÃO: Comentários com textos ininteligíveis ou que faltem com respeito ao usuário não "
        "serão aprovados pelo moderador.",
        "Note: we are temporarily moderating all comments submitted to deal with a surge in spam.",
        "\u7f51\u53cb\u8bc4\u8bba\u4ec5\u4f9b\u5176\u8868\u8fbe\u4e2a\u4eba\u770b\u6cd5\uff0c"
        "\u5e76\u4e0d\u8868\u660e\u7f51\u6613\u7acb\u573a\u3002",
    ],
)
def test_a_site_s_rules_for_readers_comments_are_furniture(text: str) -> None:
    assert lines.is_boilerplate(Line.of(text))


@pytest.mark.parametrize(
    "text",
    [
        "The minister, who commented on the deal on Monday, said the cabinet approved it.",
        "The company did not respond to a request for comment on the moderation of its forums.",
        "Readers left thousands of comments after the council approved the new tower on Friday.",
    ],
)
def test_a_story_about_comments_or_approval_is_the_article_s(text: str) -> None:
    assert not lines.is_boilerplate(Line.of(text))
