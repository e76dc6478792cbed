"""An article the page cuts into chunks: its text set in several sibling containers of one kind
(`<div class="grid">` after `<div class="grid">`) with only an ad row or an empty element
between them. trafilatura and the densest block each read one chunk."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crawler.extract.lines import word_count

if TYPE_CHECKING:
    from lxml.html import HtmlElement

_LEVELS = 3
"""How far above the body's container the chunks may sit (the container, its row, its grid)."""
_SEPARATOR_WORDS = 10
"""An element between two chunks with fewer words is an ad slot or a spacer, not text."""


def chunks_of(container: HtmlElement) -> list[HtmlElement]:
    """The chunks the article in `container` is one of, in page order; [] when it is whole.

    A chunk is a sibling of the container (or of one of its nearest ancestors) of the same tag
    and class, next to it but for separators. One that holds a headline (`<h1>`) or an
    `<article>` is the next story of an endless page, not more of this one: it ends the run."""
    node = container
    for _ in range(_LEVELS):
        parent = node.getparent()
        if parent is None:
            return []
        if node.get("class"):
            run = _run_around(parent, node)
            if len(run) > 1:
                return run
        node = parent
    return []


def _run_around(parent: HtmlElement, node: HtmlElement) -> list[HtmlElement]:
    tag, kind = node.tag, node.get("class")
    same = [child for child in parent if child.tag == tag and child.get("class") == kind]
    if len(same) < 2:  # the common case, and no text is measured for it
        return []
    run: list[HtmlElement] = []
    for child in parent:
        chunk = child.tag == tag and child.get("class") == kind
        if chunk and (child is node or _is_more(child)):
            run.append(child)
        elif chunk or _is_text(child):
            if any(kept is node for kept in run):
                break  # the run holding the article ends at the first text of another kind
            run = []
    return run if any(kept is node for kept in run) else []


def _is_text(element: HtmlElement) -> bool:
    return isinstance(element.tag, str) and word_count(element.text_content()) >= _SEPARATOR_WORDS


def _is_more(chunk: HtmlElement) -> bool:
    return next(chunk.iter("h1", "article"), None) is None
