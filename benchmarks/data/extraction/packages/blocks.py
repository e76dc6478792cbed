"""The visible text blocks of a page, numbered in document order: what an annotator chooses from.

    python benchmarks/data/extraction/packages/blocks.py PAGE.html[.gz] [--hint TEXT] [--all]

No extractor is involved: the page is parsed with lxml, what a browser does not show is dropped
(scripts, styles, `<noscript>`, templates, the `<head>`, form menus, elements marked `hidden` or
`display:none`), and the remaining text is cut at every block-level element and `<br>`. Each
non-empty, whitespace-normalised piece is one block. An annotation names the article's blocks by
number (`annotation.py`), so the expected body can be rebuilt and reviewed from the page alone.

The listing prints `number|characters|text`, long blocks cut to `--width`. To keep a long page
readable, runs of eight or more blocks under 40 characters (menus, link lists) are folded into
one line naming their numbers, and with `--hint` (the start of the article as the package's test
gives it) the blocks more than 15 before the one holding it are folded too; `--all` prints every
block.
"""

from __future__ import annotations

import argparse
import gzip
import re
import sys
from pathlib import Path

import lxml.html

from crawler.extract.encoding import decode_html

INVISIBLE = (
    "script", "style", "noscript", "template", "head", "select", "svg", "math", "iframe",
    "object", "embed", "canvas", "audio", "video", "map",
)  # fmt: skip
BLOCK_TAGS = frozenset(
    {
        "address", "article", "aside", "blockquote", "body", "br", "caption", "center", "dd",
        "details", "dialog", "dir", "div", "dl", "dt", "fieldset", "figcaption", "figure",
        "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6", "header", "hgroup", "hr", "html",
        "li", "main", "menu", "nav", "ol", "p", "pre", "section", "summary", "table", "tbody",
        "td", "tfoot", "th", "thead", "tr", "ul", "legend", "button", "label", "option",
    }
)  # fmt: skip
HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
SHORT = 40
FOLD_RUN = 8
BEFORE_HINT = 15
WORD_RE = re.compile(r"\w+", re.UNICODE)


def read_page(path: Path) -> bytes:
    raw = path.read_bytes()
    return gzip.decompress(raw) if path.suffix == ".gz" else raw


def blocks(raw: bytes) -> list[str]:
    """The page's visible text blocks in document order."""
    text = decode_html(raw, None).text
    # lxml refuses C0 controls; they are not visible text either
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", " ", text)
    root = lxml.html.document_fromstring(text.encode("utf-8"), parser=_parser())
    for node in list(root.iter(*INVISIBLE)):
        _drop(node)
    for node in list(root.iter()):
        if isinstance(node.tag, str) and _hidden(node):
            _drop(node)
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag in BLOCK_TAGS:
            node.tail = "\n" + (node.tail or "")
            node.text = "\n" + (node.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return [line for line in lines if line]


def _parser() -> lxml.html.HTMLParser:
    return lxml.html.HTMLParser(encoding="utf-8", huge_tree=True, remove_comments=True)


def _hidden(node: lxml.html.HtmlElement) -> bool:
    return node.get("hidden") is not None or bool(HIDDEN_STYLE.search(node.get("style") or ""))


def _drop(node: lxml.html.HtmlElement) -> None:
    """Remove the element and its text, keeping the text that follows it."""
    if node.getparent() is not None:
        node.drop_tree()


def words(text: str) -> list[str]:
    return [word.lower() for word in WORD_RE.findall(text)]


def hint_block(texts: list[str], hint: str) -> int | None:
    """The first block where the hint's first words start (a block may hold more than them)."""
    want = words(hint)[:6]
    if not want:
        return None
    for number, text in enumerate(texts):
        have = words(text)
        if any(have[i : i + len(want)] == want for i in range(len(have))):
            return number
    return None


def listing(texts: list[str], width: int, start: int = 0) -> list[str]:
    out: list[str] = []
    if start:
        out.append(f"… 0-{start - 1}: {start} blocks before")
    number = start
    while number < len(texts):
        run = number
        while run < len(texts) and len(texts[run]) < SHORT:
            run += 1
        if run - number >= FOLD_RUN:
            sample = " · ".join(texts[number : number + 3])[:60]
            out.append(f"… {number}-{run - 1}: {run - number} short blocks ({sample} …)")
            number = run
            continue
        text = texts[number]
        shown = text if len(text) <= width else text[: width - 20] + " … " + text[-17:]
        out.append(f"{number}|{len(text)}|{shown}")
        number += 1
    return out


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("page", type=Path)
    parser.add_argument("--hint", default="")
    parser.add_argument("--width", type=int, default=90)
    parser.add_argument("--all", action="store_true")
    args = parser.parse_args(argv)
    texts = blocks(read_page(args.page))
    found = hint_block(texts, args.hint) if args.hint else None
    if args.all:
        lines = [f"{n}|{len(t)}|{t}" for n, t in enumerate(texts)]
    else:
        start = max(0, found - BEFORE_HINT) if found is not None else 0
        lines = listing(texts, args.width, start)
    if args.hint:
        lines.insert(0, f"hint in block {found}")
    print("\n".join(lines))


if __name__ == "__main__":
    main(sys.argv[1:])
