# ruff: noqa: RUF001  (Chinese text is written with full-width punctuation)
"""Rules that hold on pages nobody here tuned on (issue 13, round 2): a short body that is one
block of a longer article, an article cut by a "Related" box inside it, a listicle whose points
are headings, and the furniture lines and widget headings of Chinese news sites."""

from __future__ import annotations

from crawler.extract import extract_article
from crawler.extract.body import LineContext, clean
from crawler.extract.choose import Candidate, Evidence, choose, extends
from crawler.extract.lines import Line, is_boilerplate, is_widget_heading
from crawler.extract.options import ExtractOptions
from crawler.extract.sites import SiteRules

STORY = [
    "The city council voted on Tuesday to close the old harbour bridge to cars from next "
    "spring, after engineers found cracks in two of its steel supports during an inspection.",
    "Buses, bicycles and pedestrians will still be allowed to cross, and the council said it "
    "would pay for a shuttle service to the ferry terminal while repairs are carried out.",
    "Shop owners on the harbour front said they feared losing customers, but most welcomed the "
    "decision, saying the bridge had been unsafe for years and repairs were long overdue.",
    "The repairs are expected to take at least eighteen months and cost about twelve million "
    "euros, most of it paid for by the regional government and a national transport fund.",
]


def test_a_short_reading_gives_way_to_the_longer_one_that_holds_it_and_adds_prose() -> None:
    short = Candidate("first", STORY[0], 30)
    article = Candidate("dense", "\n".join(STORY), 120)
    assert extends(article, short)
    assert choose([short, article], Evidence()) is article


def test_a_short_story_keeps_its_text_when_the_longer_reading_adds_no_prose() -> None:
    short = Candidate("first", STORY[0], 30)
    dates = "\n".join(
        f"{day} March: harbour festival day {day}, stalls open at ten with music for all"
        for day in range(1, 9)
    )
    boxed = Candidate("dense", f"{STORY[0]}\n{dates}", 120)
    assert not extends(boxed, short)
    assert choose([short, boxed], Evidence()) is short
    # another story entirely is no extension either, however long
    other = Candidate("dense", "\n".join(STORY[1:] * 3), 200)
    assert not extends(other, short)


def page(inner: str) -> str:
    return (
        "<html><head><title>Council closes harbour bridge to cars</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/news'>News</a> <a href='/sport'>Sport</a></nav>"
        f"<article><h1>Council closes harbour bridge to cars</h1>{inner}</article>"
        "<footer><p>Contact us</p></footer></body></html>"
    )


def test_the_paragraph_before_a_related_box_inside_the_article_is_its_beginning() -> None:
    more = [
        f"{line} The mayor said the council had no other choice given what the engineers found."
        for line in STORY[1:]
    ]
    html = page(
        f"<p>{STORY[0]}</p><h3>Related</h3>"
        + "".join(f"<p>{line}</p>" for line in more + more)
    )
    body = extract_article(html, "https://news.example.com/2025/03/harbour-bridge").body
    assert body.split("\n")[0] == STORY[0]
    assert "Related" not in body


def test_a_listicle_keeps_its_last_points_written_as_sentence_headings() -> None:
    points = [
        f"{n}. The council listed this as reason number {n} for closing the bridge to all "
        "car traffic from next spring."
        for n in range(1, 6)
    ]
    raw = [Line.of(STORY[0])]
    for n, point in enumerate(points[:3]):
        raw += [Line.of(point, "head"), Line.of(STORY[n % 4])]
    raw += [Line.of(point, "head") for point in points[3:]]
    context = LineContext("", SiteRules(), ExtractOptions())
    assert clean(raw, context).lines[-2:] == points[3:]
    # the same headings after an article that does not write its points so are teasers
    plain = [Line.of(line) for line in STORY] + [Line.of(point, "head") for point in points]
    assert clean(plain, context).lines == STORY


def test_teaser_headings_after_an_article_without_such_points_are_trimmed() -> None:
    teasers = "".join(
        f"<h4>Another story number {n} about the harbour that you may want to read after "
        "this one.</h4>"
        for n in range(3)
    )
    html = page("".join(f"<p>{line}</p>" for line in STORY) + teasers)
    body = extract_article(html, "https://news.example.com/2025/03/harbour-bridge").body
    assert body.split("\n") == STORY


def test_chinese_credit_source_disclaimer_and_original_title_lines_are_furniture() -> None:
    furniture = [
        "原标题：我国集成电路进口突破3000亿美元！",
        "【免责声明】本文仅代表作者本人观点，与本网站无关。",
        "责任编辑：杨倩",
        "（责任编辑： HN666）",
        "本文来源：证券市场红周刊",
        "发布日期：2019-03-06",
        "作者：余毅菁 向雪妮",
    ]
    for text in furniture:
        assert is_boilerplate(Line.of(text)), text
    # the same words inside the article's sentences are text
    for text in ["他说，作者的观点是正确的。", "记者在现场看到，来源不明的烟雾已经散去。"]:
        assert not is_boilerplate(Line.of(text)), text


def test_chinese_related_and_recommended_headings_open_a_widget() -> None:
    for text in ["相关推荐", "猜你喜欢", "热门文章", "小编最近文章", "相关阅读"]:
        assert is_widget_heading(Line.of(text, "head")), text
    assert not is_widget_heading(Line.of("相关部门表示将尽快处理", "head"))
