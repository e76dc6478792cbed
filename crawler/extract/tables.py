"""Content a malformed table holds outside its cells goes where a browser shows it.

libxml2's HTML parser keeps every element where the markup put it, so an unclosed or sloppy
layout table (`<table><p>text`, `<tr><p>text</p><td>…`, text right after `</tr>`) leaves
paragraphs as children of `<table>`, `<tbody>` or `<tr>`. An HTML5 browser never builds that
tree: it "foster-parents" such content to just before the table (HTML Living Standard, 13.2.6.1),
and the reader sees it as ordinary text. trafilatura reads a table as rows, cells and caption
only and marks everything else in it as consumed, so on a page whose other text is enough for
its main pass those paragraphs vanish from the body. Old CMSes lay their article pages out in
tables and many never close them, so this is a class of pages, not one site.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extract.dense import INVISIBLE_TAGS

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_SECTIONS = frozenset({"thead", "tbody", "tfoot"})
_CELLS = frozenset({"td", "th"})
# left in place: `table` (trafilatura reads a table inside a table on its own), `form`
# (trafilatura deletes forms with their content wherever they stand: moving one gains nothing),
# scripts and other invisible elements (never text), column groups (no text)
_IN_PLACE = frozenset({"table", "form", "input", "colgroup", "col"}) | INVISIBLE_TAGS
_PARTS = frozenset({"caption", "tr"}) | _SECTIONS | _CELLS
_TABLE_CHILDREN = _PARTS | _IN_PLACE
_SECTION_CHILDREN = frozenset({"tr"}) | _CELLS | _IN_PLACE
_ROW_CHILDREN = _CELLS | _IN_PLACE


def foster_stray_content(tree: HtmlElement) -> None:
    """Move what a table holds outside its cells and caption to just before the table, in
    document order, as an HTML5 browser builds the page (text and elements alike)."""
    # innermost first: a table sitting right inside another fosters into the outer one, which
    # then passes that content on
    for table in reversed(list(tree.iter("table"))):
        if table.getparent() is None:
            continue
        pieces: list[str | HtmlElement] = []
        _collect(table, _TABLE_CHILDREN, pieces)
        if pieces:
            _insert_before(table, pieces)


def _collect(node: HtmlElement, allowed: frozenset[str], pieces: list[str | HtmlElement]) -> None:
    """Detach the stray text and elements of a table, section or row into `pieces`."""
    if node.text and node.text.strip():
        pieces.append(node.text)
        node.text = None
    for child in list(node):
        tag = child.tag
        if not isinstance(tag, str):  # comments and processing instructions show nothing
            _take_tail(child, pieces)
        elif tag in allowed:
            if tag in _SECTIONS:
                _collect(child, _SECTION_CHILDREN, pieces)
            elif tag == "tr":
                _collect(child, _ROW_CHILDREN, pieces)
            _take_tail(child, pieces)
        elif _holds_table_parts(child):
            # `<table><font><tr>…`, `<table><div><tr>…`: libxml2 nests the rows in the stray
            # wrapper, a browser keeps them in the table and fosters only the wrapper's own text
            _collect(child, allowed, pieces)
            _take_tail(child, pieces)
            child.drop_tag()
        else:
            pieces.append(child)  # it leaves with its tail: that text sat in the table too


def _holds_table_parts(node: HtmlElement) -> bool:
    """Whether rows, cells or a caption of the enclosing table sit somewhere inside `node`."""
    stack = list(node)
    while stack:
        child = stack.pop()
        if child.tag in _PARTS:
            return True
        if child.tag != "table":  # a nested table's parts are its own
            stack.extend(child)
    return False


def _take_tail(child: HtmlElement, pieces: list[str | HtmlElement]) -> None:
    if child.tail and child.tail.strip():
        pieces.append(child.tail)
        child.tail = None


def _insert_before(table: HtmlElement, pieces: list[str | HtmlElement]) -> None:
    parent = table.getparent()
    for piece in pieces:
        if not isinstance(piece, str):
            table.addprevious(piece)  # moves the element and its tail
            continue
        previous = table.getprevious()
        if previous is not None:
            previous.tail = f"{previous.tail or ''}{piece}"
        elif parent is not None:
            parent.text = f"{parent.text or ''}{piece}"
