"""The page made ready for trafilatura, in place: loose lead text wrapped in <p> as a browser
shows it, and what is never body text (captions, photo credits, pop-up cards, hidden blocks)
marked for pruning from trafilatura's copy."""

from __future__ import annotations

import re

from lxml.etree import Element, XPath, _Element, strip_tags
from lxml.html import HtmlElement

from crawler.extract.dense import BLOCK_TAGS, INVISIBLE_TAGS
from crawler.extract.lines import Line, is_comments_heading, word_count
from crawler.extract.sentences import ends_as_sentence

_DATELINE_END_RE = re.compile(r"[-\u2013\u2014]\s*$")
_CONTAINERS_WITH_P = XPath("//*[p]")
_MEDIA_CLASS_RE = re.compile(r"caption|photo|image|img|figure|gallery|credit|thumb|media", re.I)

# --- what is never body text, whatever the extractor thinks ----------------------------------

_PRUNE_MARK = "data-crawler-not-body"
NOT_BODY_XPATH = f"//*[@{_PRUNE_MARK}]"
# a class token naming a caption or a photo credit: "wp-caption-text", "gallery-caption",
# "caption", "article__caption", "photo-credit", "media-credit"; not "has-caption" (a wrapper
# announcing that it holds one) nor "credit-card"
_CAPTION_TOKEN_RE = re.compile(
    r"(?:^|\s)(?!has[-_]|with[-_]|no[-_])(?:[\w-]*[-_])?(?:caption|credit)s?"
    r"(?:[-_](?:text|txt|wrap|wrapper|inner|content|container|body))?(?=\s|$)",
    re.IGNORECASE,
)
_MAX_CAPTION_CHARS = 1000
"""A caption is a sentence or two; a longer block with a caption-like class is something else."""
_HIDDEN_STYLE_RE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_MAX_HIDDEN_SHARE = 0.5
"""A hidden block holding most of the page's text is an article revealed by script: kept."""


# --- paragraphs inside paragraphs -----------------------------------------------------------

_NESTING_PARAGRAPHS = XPath("//p[p]")


def unnest_paragraphs(tree: HtmlElement) -> None:
    """Paragraphs nested in paragraphs are laid out one after the other, as a browser shows them.

    `<font><p>One<font><p>Two…` (a tag never closed before each paragraph) nests every paragraph
    in the one before it in libxml2's tree, 400 levels deep on a long page; a browser's parser
    closes the open paragraph at the next <p>. <font> is presentation only and goes (its text
    stays); then a <p> inside a <p>, and what follows it there, moves out after it, so that
    extractors read one paragraph each instead of one run of text.
    """
    strip_tags(tree, "font")
    for outer in _NESTING_PARAGRAPHS(tree):
        children = list(outer)
        first = next(i for i, child in enumerate(children) if child.tag == "p")
        anchor = outer
        for node in children[first:]:
            anchor.addnext(node)  # the node's tail comes along
            anchor = node


# --- loose lead text -----------------------------------------------------------------------


def _is_block(node: _Element) -> bool:
    return not isinstance(node.tag, str) or node.tag in BLOCK_TAGS or node.tag in INVISIBLE_TAGS


def _run_text(text: str | None, nodes: list[HtmlElement]) -> str:
    if not nodes:
        return " ".join(text.split()) if text else ""
    parts = [text or ""]
    for node in nodes:
        parts.append(node.text_content())
        parts.append(node.tail or "")
    return " ".join("".join(parts).split())


def _wrap_run(parent: HtmlElement, index: int, text: str | None, nodes: list[HtmlElement]) -> None:
    """Move one run of loose text and inline nodes into a new <p> at `index`."""
    para = parent.makeelement("p", {})
    para.text = text
    for node in nodes:
        para.append(node)  # append moves the node, its tail comes along
    parent.insert(index, para)


def _merge_dateline(dateline: str, para: HtmlElement) -> None:
    """ "<strong>Jakarta</strong> - <p>Lead…" : the dateline belongs to the lead paragraph."""
    para.text = f"{dateline} {para.text or ''}"


def wrap_loose_text(tree: HtmlElement, min_chars: int) -> None:
    """Give loose text next to <p> siblings its own <p>, so extractors see the lead paragraph.

    News CMSs often print the lead as bare text after a bold dateline, followed by proper <p>
    paragraphs; readability-style extractors then keep the <p>s and drop the lead.
    """
    for parent in _CONTAINERS_WITH_P(tree):
        if parent.tag in ("p", "body", "html") or _MEDIA_CLASS_RE.search(_class_id(parent)):
            continue
        # the <p>s must hold text: next to image-only <p>s, loose text is a caption
        if any(len(p.text_content()) >= min_chars for p in parent.iterchildren("p")):
            _wrap_parent(parent, min_chars)


def _class_id(node: HtmlElement) -> str:
    return f"{node.get('class', '')} {node.get('id', '')}"


def _wrap_parent(parent: HtmlElement, min_chars: int) -> None:
    children = list(parent)
    runs: list[tuple[int, str | None, list[HtmlElement]]] = []
    nodes: list[HtmlElement] = []
    text, start = parent.text, 0
    for pos, child in enumerate(children):
        if _is_block(child):
            runs.append((start, text, nodes))
            text, nodes, start = child.tail, [], pos + 1
        else:
            nodes.append(child)
    runs.append((start, text, nodes))
    # right to left so earlier insert positions stay valid
    for start, text, nodes in reversed(runs):
        loose = _run_text(text, nodes)
        if not loose:
            continue
        following = children[start + len(nodes)] if start + len(nodes) < len(children) else None
        if (
            following is not None
            and following.tag == "p"
            and len(loose) <= 60
            and _DATELINE_END_RE.search(loose)
        ):
            _clear_run(parent, start, nodes)
            _merge_dateline(loose, following)
        elif len(loose) >= min_chars:
            _clear_run(parent, start, nodes)
            _wrap_run(parent, _insert_index(parent, start, children), text, nodes)


def _clear_run(parent: HtmlElement, start: int, nodes: list[HtmlElement]) -> None:
    if start == 0:
        parent.text = None
    else:
        prev = parent[start - 1] if start - 1 < len(parent) else None
        if prev is not None:
            prev.tail = None


def _insert_index(parent: HtmlElement, start: int, children: list[HtmlElement]) -> int:
    # `start` counts original children; nodes before it are unchanged by later-run edits
    return start if start <= len(parent) else len(parent)


# --- posts embedded in the article -----------------------------------------------------------

_EMBED_CLASS_RE = re.compile(r"(?:^|\s)twitter-tweet(?:\s|$)")
_EMBED_NOISE_TAGS = frozenset({"script", "noscript", "style"})
_MAX_EMBED_WRAPPERS = 4


def _only_child(parent: HtmlElement, child: HtmlElement) -> bool:
    """`child` is all that `parent` shows: no text beside it, its other children scripts or
    empty."""
    if (parent.text or "").strip():
        return False
    for node in parent:
        if (node.tail or "").strip():
            return False
        if node is child or not isinstance(node.tag, str) or node.tag in _EMBED_NOISE_TAGS:
            continue
        if node.text_content().strip():  # an empty <p> or <div> beside it shows nothing
            return False
    return True


def unwrap_embedded_posts(tree: HtmlElement) -> None:
    """A post quoted into the article (Twitter's embed markup, `<blockquote class=
    "twitter-tweet">`) takes the place of the wrappers that hold nothing else.

    Publishers wrap the quoted post in a `<div class="social-media-embed">`, `"embed-twitter"`
    or `"article-tweet"`, which trafilatura drops as a share box: the post the story reports on
    and its "— Name (@handle) date" line go with it. Bare, it is a quote of the article's, as
    on the sites that place the blockquote among the paragraphs.
    """
    for quote in list(tree.iter("blockquote")):
        if not _EMBED_CLASS_RE.search(quote.get("class", "")):
            continue
        top = quote
        for _ in range(_MAX_EMBED_WRAPPERS):
            parent = top.getparent()
            if parent is None or parent.tag in ("body", "article") or not _only_child(parent, top):
                break
            top = parent
        if top is not quote:
            quote.tail = top.tail
            top.getparent().replace(top, quote)


def _is_caption(node: HtmlElement) -> bool:
    if node.tag != "figcaption" and not _CAPTION_TOKEN_RE.search(node.get("class", "")):
        return False
    return len(node.text_content()) <= _MAX_CAPTION_CHARS


_HEADING_TAGS = ("h2", "h3", "h4", "h5", "h6")
_MAX_HEADING_CHARS = 60
_MAX_CLIMB = 2


def _mark_comment_threads(tree: HtmlElement) -> set[HtmlElement]:
    """Mark what follows a comments heading ("Comments", "Komentar (3)", "Comentarios") in its
    container: readers' comments, however many, with their ages and reply links. Extractors
    drop such a heading and then read the thread as more of the article. A heading alone in
    its wrapper marks what follows the wrapper."""
    marked: set[HtmlElement] = set()
    for heading in tree.iter(*_HEADING_TAGS):  # in C: a third of the cost of an XPath
        text = " ".join(heading.text_content().split())
        if len(text) > _MAX_HEADING_CHARS or not is_comments_heading(Line.of(text)):
            continue
        node = heading
        for _ in range(_MAX_CLIMB):
            parent = node.getparent()
            if node.getnext() is not None or parent is None or len(parent) != 1:
                break
            node = parent
        # the heading stays: the line rules end the body at it when the thread is elsewhere
        for sibling in node.itersiblings():
            sibling.set(_PRUNE_MARK, "comments")
            marked.add(sibling)
    return marked


def _not_body_candidates(tree: HtmlElement) -> dict[HtmlElement, None]:
    """<figcaption>s and the body's elements that are hidden, styled or of a caption-like class;
    `_is_caption` and the style test decide on the few found. Most elements have no attribute
    at all: a look at their attribute names skips them (an XPath testing every element's class
    with contains() took half again as long)."""
    found = dict.fromkeys(tree.iter("figcaption"))
    for body in tree.iter("body"):
        for node in body.iterdescendants(Element):
            names = node.keys()
            if not names:
                continue
            if "hidden" in names or "style" in names:
                found[node] = None
                continue
            # "caption", "credit"; a comments box's "comentarios", "komentar", "kommentare" (in
            # its class or id)
            classes = node.get("class", "") if "class" in names else ""
            ident = node.get("id", "") if "id" in names else ""
            if (
                "aption" in classes
                or "redit" in classes
                or "oment" in classes
                or "ommentar" in classes
                or "oment" in ident
                or "ommentar" in ident
            ):
                found[node] = None
    return found


_COMMENTS_NAME_RE = re.compile(
    r"(?:^|[\s_-])(?:comentarios?|coment\u00e1rios?|komentar|kommentare?)(?=$|[\s_-])",
    re.IGNORECASE,
)
"""A class or id naming readers' comments in Spanish, Portuguese, Indonesian or German
("comentarios_lectores_listado", "bloque_comentarios", "box_komentar_new"): trafilatura prunes
the containers its English names ("comments", "comment-list") mark, and reads these as
article."""


def _is_comments_box(node: HtmlElement) -> bool:
    return _COMMENTS_NAME_RE.search(f"{node.get('class', '')} {node.get('id', '')}") is not None


_MIN_CARD_LINKS = 2
_CARD_LINK_SHARE = 0.8


def _pop_up_cards(tree: HtmlElement) -> list[HtmlElement]:
    """Cards a page pops up over a name in a sentence (a person's photo, name and latest
    stories), set inside the paragraph after the name: an inline element of the paragraph that
    opens with a picture and is links to other pages (two or more, most of its text). Their text
    runs into the sentence ("Rep. Ilhan OmarIlhan OmarHillicon Valley: …"). A sentence's own
    words come before any picture in the element that holds them, so the outermost such element
    that opens with its picture is the card."""
    cards = []
    for image in tree.iter("img"):
        inline, node = [], image
        for node in image.iterancestors():
            if node.tag == "p" or node.tag in BLOCK_TAGS:
                break
            inline.append(node)
        if node.tag != "p":
            continue  # most pictures: between paragraphs, not inside one
        card = None
        for node in inline:
            if _text_before(node, image):
                break
            if _is_links(node):
                card = node
        if card is not None:
            cards.append(card)
    return cards


def _text_before(node: HtmlElement, target: HtmlElement) -> bool:
    """Whether `node` shows text before `target`, a descendant of it."""
    holding = set(target.iterancestors())
    for element in node.iter():
        if element is target:
            return False
        if (element.text or "").strip():
            return True
        if element is not node and element not in holding and (element.tail or "").strip():
            return True
    return False


def _is_links(node: HtmlElement) -> bool:
    links = [" ".join(link.text_content().split()) for link in node.iter("a")]
    text = " ".join(node.text_content().split())
    return len(links) >= _MIN_CARD_LINKS and sum(map(len, links)) >= _CARD_LINK_SHARE * len(text)


def mark_not_body(tree: HtmlElement) -> tuple[set[HtmlElement], list[HtmlElement]]:
    """Mark captions, photo credits, cards popped up over a name and hidden elements
    (`NOT_BODY_XPATH` prunes them from trafilatura's copy of the page; our own tree keeps them
    for dates, images and metadata); returns the elements marked, which the readings that walk
    the page skip, and the slide show's <figcaption>s in page order.

    A caption describes a photo, never the story: the issue's "no caption in the body" holds for
    every site, and a photo gallery whose only text is captions has no body at all. A slide show
    whose <figcaption>s tell the story (`_slides`) is pruned as captions are, and read after
    the article's intro (`body._with_slides`).
    """
    marked = _mark_comment_threads(tree)
    for card in _pop_up_cards(tree):
        card.set(_PRUNE_MARK, "card")
        marked.add(card)
    unless_most: list[tuple[HtmlElement, str]] = []
    captions = []
    for node in _not_body_candidates(tree):
        if _is_caption(node):
            node.set(_PRUNE_MARK, "caption")
            marked.add(node)
            captions.append(node)
        elif node.get("hidden") is not None or _HIDDEN_STYLE_RE.search(node.get("style", "")):
            unless_most.append((node, "hidden"))
        elif _is_comments_box(node):
            unless_most.append((node, "comments"))
    if unless_most:
        body = tree.find("body")
        total = len(body.text_content()) if body is not None else 0
        for node, mark in unless_most:
            # an element holding most of the page's text is its article, whatever its name
            if len(node.text_content()) <= _MAX_HIDDEN_SHARE * total:
                node.set(_PRUNE_MARK, mark)
                marked.add(node)
    return marked, _slides(tree, captions)


_MIN_SLIDES = 3


def _slides(tree: HtmlElement, captions: list[HtmlElement]) -> list[HtmlElement]:
    """The <figcaption>s that are a slide show's text rather than captions, in page order (as
    `captions` lists them): three or more that hold paragraphs of prose (ending as sentences; a
    caption is a sentence or two loose in its element, a teaser card a headline and a date),
    with more words together than the page's paragraphs outside them. A slide show tells its
    story under its photos after an intro paragraph; trafilatura drops the slides with their
    photos."""
    slides = [node for node in captions if node.tag == "figcaption" and _holds_prose(node)]
    if len(slides) < _MIN_SLIDES:
        return []
    inside = sum(word_count(node.text_content()) for node in slides)
    held = {p for node in slides for p in node.iter("p")}
    outside = sum(word_count(p.text_content()) for p in tree.iter("p") if p not in held)
    return slides if inside > outside else []


def _holds_prose(node: HtmlElement) -> bool:
    return any(ends_as_sentence(" ".join(p.text_content().split())) for p in node.iter("p"))
