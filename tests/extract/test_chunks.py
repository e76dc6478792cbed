"""An article the page cuts into sibling chunks (wired.com's `article__chunks`): read whole."""

from __future__ import annotations

import pytest

from crawler.extract import extract_article
from tests.extract.test_recall_rules import GOES_ON, STORY, TITLE, URL

AD = "<div class='row full-bleed-ad'><div class='ad ad--billboard'>Advertisement</div></div>"


def chunk(texts: list[str], heading: str = "") -> str:
    # as wired.com sets each chunk: a grid with the text column and an empty ad rail
    return (
        "<div class='grid grid-margins grid-items-2 grid-layout--adrail narrow'>"
        f"<div class='grid--item body body__container article__body'>{heading}"
        + "".join(f"<p>{text}</p>" for text in texts)
        + "</div><div class='grid--item grid-layout__aside'></div></div>"
    )


def page(chunks: str) -> str:
    return (
        f"<html lang='en'><head><title>{TITLE}</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<article class='article main-content'><header><h1>{TITLE}</h1></header>"
        f"<div class='article__chunks'>{chunks}</div></article>"
        "<footer><a href='/about'>About us</a></footer></body></html>"
    )


@pytest.mark.parametrize("split", [2, 4])
def test_an_article_cut_into_chunks_by_an_ad_row_is_read_whole(split: int) -> None:
    # trafilatura reads the first chunk only (wired: 35% of the story)
    text = STORY + GOES_ON
    body = extract_article(page(chunk(text[:split]) + AD + chunk(text[split:])), URL).body
    assert body.splitlines() == text


def test_the_next_story_of_an_endless_page_is_not_a_chunk() -> None:
    # the same layout repeated for the next story, with its own headline
    other = [
        "A separate report on river levels said the water had risen by two metres overnight, "
        "flooding the lower streets of the old town and closing three bridges to traffic.",
        "Residents were told to move their cars to higher ground and to stay away from the banks "
        "until the council had inspected the walls along the promenade.",
    ]
    nxt = chunk(other, heading="<h1>River rises two metres overnight in the old town</h1>")
    body = extract_article(page(chunk(STORY) + AD + nxt), URL).body
    assert body.splitlines() == STORY
