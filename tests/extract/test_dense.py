# ruff: noqa: RUF001  (Chinese text is written with full-width punctuation)
"""The cheap fallback when trafilatura's fast pass flattens the page: the densest text block."""

from __future__ import annotations

from typing import Any

import lxml.html
import pytest
from lxml.etree import Element, SubElement, _Element

from crawler.extract import body as body_module
from crawler.extract import extract_article
from crawler.extract.dense import (
    MIN_BLOCK_CHARS,
    Blocks,
    block_lines,
    densest_block,
)
from crawler.extract.walk import LinkIndex

URL = "https://www.example.com/news/2025/01/30/story"
TITLE = "Trotoar Pusat Kota Diperbaiki Tahun Ini"
PARAGRAPHS = [
    "Pemerintah kota mengumumkan rencana baru untuk memperbaiki trotoar di pusat kota tahun ini.",
    "Wali kota mengatakan pekerjaan akan dimulai bulan depan dan selesai sebelum akhir tahun.",
    "Warga menyambut baik rencana itu, meski sebagian khawatir kemacetan akan bertambah parah.",
    "Dinas perhubungan berjanji menyiapkan jalur alternatif selama pekerjaan berlangsung nanti.",
    "Anggaran perbaikan diambil dari dana daerah yang sudah disetujui dewan kota bulan lalu.",
]
MENU = "<ul class='menu'>" + "".join(
    f"<li><a href='/s{i}'>Rubrik nomor {i} pilihan pembaca</a></li>" for i in range(12)
)
SIDEBAR = (
    "<div class='sidebar'><h3>Terpopuler</h3><ul>"
    + "".join(
        f"<li><a href='/p{i}'>Berita populer nomor {i} tentang kota yang ramai dibaca</a></li>"
        for i in range(8)
    )
    + "</ul></div>"
)
BR_STORY = (
    "<div class='isi'><br><br><strong>JAKARTA</strong> - "
    + "<br><br>".join(PARAGRAPHS)
    + "<table><tr><td>Penulis</td><td>: Andi Saputra</td></tr></table></div>"
)
DIV_STORY = "<div class='isi'>" + "".join(
    f"<div style='font-size:13px'>{text}</div><div><br></div>" for text in PARAGRAPHS
)


def page(story: str) -> str:
    return (
        f"<html lang='id'><head><title>{TITLE}</title></head><body>{MENU}</ul>"
        f"<div class='main'><h1>{TITLE}</h1><div class='date'>Kamis, 30 Januari 2025</div>"
        f"{story}</div>{SIDEBAR}<div class='footer'>Hak cipta 2025 Kota</div></body></html>"
    )


def tree_of(story: str) -> lxml.html.HtmlElement:
    return lxml.html.document_fromstring(page(story))


def test_densest_block_is_the_story_not_the_link_lists() -> None:
    tree = tree_of(BR_STORY)
    block, score = densest_block(tree, set())
    assert block is not None and block.get("class") == "main"
    assert score >= sum(len(text) for text in PARAGRAPHS)


def test_text_only_divs_score_their_parent() -> None:
    block, _ = densest_block(tree_of(DIV_STORY), set())
    assert block is not None and block.get("class") == "isi"


def test_block_lines_break_at_br_and_blocks_and_keep_a_row_together() -> None:
    tree = tree_of(BR_STORY)
    lines = block_lines(tree.find_class("isi")[0], set(), LinkIndex(tree))
    texts = [line.text for line in lines]
    assert texts[0] == f"JAKARTA - {PARAGRAPHS[0]}"
    assert texts[1:-1] == PARAGRAPHS[1:]
    assert texts[-1] == "Penulis : Andi Saputra"
    assert lines[-1].kind == "row"


def test_skipped_and_invisible_elements_are_not_read() -> None:
    story = BR_STORY.replace("<br><br>", "<script>var x = 1;</script><br><br>", 1)
    tree = tree_of(story.replace("<strong>", "<strong class='credit'>"))
    skip = set(tree.find_class("credit"))
    texts = [line.text for line in block_lines(tree.find_class("isi")[0], skip, LinkIndex(tree))]
    assert texts[0] == f"- {PARAGRAPHS[0]}"
    assert not any("var x" in text for text in texts)


def test_a_page_without_a_text_block_gives_no_lines() -> None:
    tree = lxml.html.document_fromstring(f"<html><body>{MENU}</ul>{SIDEBAR}</body></html>")
    assert Blocks(tree, set(), LinkIndex(tree)).dense_lines() == []


def _flattened_page(tree: _Element) -> _Element:
    """What trafilatura's fast pass returns when it falls back to the whole page."""
    root = Element("body")
    SubElement(root, "p").text = text = " ".join(tree.itertext())
    assert len(text.split()) >= 200  # long enough to count as flattened
    return root


@pytest.mark.parametrize("story", [BR_STORY, DIV_STORY], ids=["br", "divs"])
def test_a_flattened_fast_pass_is_replaced_without_a_second_extraction(
    story: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    passes: list[bool] = []

    def fake(tree: Any, url: str, options: Any, prune: Any, fast: bool) -> _Element:
        passes.append(fast)
        return _flattened_page(tree)

    monkeypatch.setattr(body_module, "trafilatura_body", fake)
    article = extract_article(page(story), URL)
    assert passes == [True]
    lines = article.body.split("\n")
    assert lines[-len(PARAGRAPHS) + 1 :] == PARAGRAPHS[1:]
    assert lines[-len(PARAGRAPHS)].endswith(PARAGRAPHS[0])
    assert "Terpopuler" not in article.body and "Rubrik" not in article.body


def _passes_without_a_fast_result(
    html: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[list[bool], str]:
    """The trafilatura passes run on a page whose fast pass finds nothing, and the body."""
    passes: list[bool] = []
    original = body_module.trafilatura_body

    def counting(tree: Any, url: str, options: Any, prune: Any, fast: bool) -> _Element | None:
        passes.append(fast)
        return original(tree, url, options, prune, fast) if not fast else None

    monkeypatch.setattr(body_module, "trafilatura_body", counting)
    return passes, extract_article(html, URL).body


def test_a_short_story_too_small_for_the_dense_reading_still_gets_the_full_cascade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # two paragraphs: under the dense reading's floor, over the no-article floor
    story = "".join(f"<p>{text}</p>" for text in PARAGRAPHS[:2])
    html = f"<html><body>{MENU}</ul><div class='isi'>{story}</div>{SIDEBAR}</body></html>"
    _, score = densest_block(lxml.html.document_fromstring(html), set())
    assert body_module.NO_ARTICLE_CHARS <= score < MIN_BLOCK_CHARS
    passes, body = _passes_without_a_fast_result(html, monkeypatch)
    assert passes == [True, False]
    assert body.split("\n") == PARAGRAPHS[:2]


def test_a_photo_page_without_a_text_block_skips_the_full_cascade(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    gallery = "".join(
        f"<figure><img src='/f{i}.jpg'><figcaption>Foto {i}</figcaption></figure>" for i in range(8)
    )
    html = (
        f"<html><body>{MENU}</ul><div class='isi'><p>Galeri foto perayaan Imlek 2025.</p>"
        f"{gallery}</div>{SIDEBAR}</body></html>"
    )
    _, score = densest_block(lxml.html.document_fromstring(html), set())
    assert score < body_module.NO_ARTICLE_CHARS
    assert _passes_without_a_fast_result(html, monkeypatch) == ([True], "")


@pytest.mark.parametrize("story", [BR_STORY, DIV_STORY], ids=["br", "divs"])
def test_the_text_bound_holds_the_densest_score_and_leaves_out_links_and_scripts(
    story: str,
) -> None:
    script = "<script>var tracking = '" + "x" * 5000 + "';</script>"
    tree = lxml.html.document_fromstring(page(story).replace("</body>", f"{script}</body>"))
    blocks = Blocks(tree, set(), LinkIndex(tree))
    _, score = blocks.densest
    bound = blocks.text_bound
    assert score <= bound
    # the menu's and the sidebar's links and the script are not counted
    body_text = len(tree.find("body").text_content())
    assert bound < body_text - 5000


# a Chinese market brief (stcn.com's layout): one block of loose text, 208 characters, about 100
# words; the same number of Latin characters is a 35-word note
BRIEF = (
    "证券时报e公司讯，当升科技：9614.5万元竞得常州市工业用地，将为公司常州锂电新材料产业基地提供用地。"
    "金陵药业：25日获公司总裁助理李泉、贾明怡增持。运达股份：确定为节能风电公司两风电场项目的风力发电机组"
    "设备供应商，中标价7亿元。天奇股份：确认中标广汽丰田公司涂装车间工程内搬送设备等项目，中标额6962万元。"
    "精功科技：收到浙江证监局行政监管措施决定书。伊戈尔：拟1079.6万元收购控股子公司日本伊戈尔少数股权。"
)
SECTIONS = ["首页", "要闻", "快讯", "专栏", "股市", "公司", "研报", "机构", "数据", "专题", "视频"]
BRIEF_PAGE = (
    "<html><head><title>午间公告：天奇股份中标广汽丰田项目</title></head><body><ul class='nav'>"
    + "".join(f"<li><a href='/{i}/'>{name}</a></li>" for i, name in enumerate(SECTIONS))
    + "</ul><div class='box_left'><h2>午间公告：天奇股份中标广汽丰田项目</h2>"
    "<div class='info'>2019-09-26 12:11<span>来源：证券时报网</span></div>"
    "<div class='txt_con'>{story}<p></p></div>"
    "<div class='fenxiang'><a href='#'>分享：</a></div></div></body></html>"
)


@pytest.mark.parametrize(
    ("story", "read"), [(BRIEF, True), (PARAGRAPHS[0] * 2 + PARAGRAPHS[1][:30], False)]
)
def test_a_short_story_in_an_unspaced_script_is_a_text_block(story: str, read: bool) -> None:
    tree = lxml.html.document_fromstring(BRIEF_PAGE.format(story=story))
    _, score = densest_block(tree, set())
    assert score < MIN_BLOCK_CHARS
    lines = Blocks(tree, set(), LinkIndex(tree)).dense_lines()
    assert (story in [line.text for line in lines]) is read


def test_a_flattened_page_around_a_short_chinese_story_gives_the_story(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def flattened(tree: _Element, *_: Any, **__: Any) -> _Element:
        root = Element("body")
        SubElement(root, "p").text = " ".join(tree.itertext())
        return root

    monkeypatch.setattr(body_module, "trafilatura_body", flattened)
    html = BRIEF_PAGE.format(story=BRIEF).replace("</body>", f"{MENU * 3}</ul>{SIDEBAR}</body>")
    body = extract_article(html, "http://kuaixun.stcn.com/2019/0926/15404151.shtml").body
    assert BRIEF in body.split("\n")
    assert "首页" not in body and "Rubrik" not in body
