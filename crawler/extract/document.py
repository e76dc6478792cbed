"""Turn the crawl's bytes or text into one parsed lxml tree, or refuse with `ExtractionError`."""

from __future__ import annotations

import re

from lxml.etree import ElementDefaultClassLookup, ParserError
from lxml.html import (
    HtmlComment,
    HtmlElement,
    HtmlEntity,
    HTMLParser,
    HtmlProcessingInstruction,
    document_fromstring,
    fromstring,
)

from crawler.extract.encoding import decode_html
from crawler.extract.errors import ExtractionError

# C0 controls other than tab/newline/CR never occur in text, but fill binary files
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# what lxml refuses in a text it is given: the C0 controls and two non-characters
_NOT_XML_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# libxml2 stumbles on a self-closed doctype or <html/> (trafilatura repairs them the same way)
_SELF_CLOSED_DOCTYPE_RE = re.compile(r"^< ?! ?DOCTYPE[^>]*/[^<>]*>", re.IGNORECASE)
_SELF_CLOSED_HTML_RE = re.compile(r"(<html.*?)\s*/>", re.IGNORECASE)
_TAG_RE = re.compile(r"<\s*[a-zA-Z!?/]")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
# a run of opening tags with nothing but space between them: 300 unclosed <font>s, 3000 nested
# <div>s of a generated page
_TAG_RUN_RE = re.compile(r"(?:<[a-zA-Z][\w:-]*(?:\s[^<>]*)?>\s*){256,}")
_KEPT_OF_RUN = 32
"""The innermost opening tags of a run kept: the article's own wrappers (class, id) are there."""
_OPEN_TAG_RE = re.compile(r"<[a-zA-Z][^<>]*>")
_SNIFF = 4096
_MAX_CONTROL_SHARE = 0.05
_MAX_REPLACEMENT_SHARE = 0.2


def decode(html: bytes | str) -> str:
    """Bytes decoded as the crawl decodes them (`crawler.extract.encoding`, with no HTTP header
    to go by); str as is."""
    if isinstance(html, str):
        return html
    return decode_html(html).text


def _check_text(text: str) -> None:
    head = text[:_SNIFF]
    if not head.strip():
        raise ExtractionError("empty input: no HTML to extract from")
    if len(_CONTROL_RE.findall(head)) > _MAX_CONTROL_SHARE * len(head) or (
        head.count("\ufffd") > _MAX_REPLACEMENT_SHARE * len(head)
    ):
        raise ExtractionError("binary input: not an HTML page")
    if not _TAG_RE.search(text):
        raise ExtractionError("no HTML markup in input")


_LOOKUP = ElementDefaultClassLookup(
    element=HtmlElement, comment=HtmlComment, pi=HtmlProcessingInstruction, entity=HtmlEntity
)
"""lxml.html's own lookup picks a class per tag (form, input, label…) in a Python call for every
element the extraction touches, a million calls over 400 pages (a tenth of our time, and of
trafilatura's passes on our tree); no step uses the form classes' extras, so every element is an
`HtmlElement` (text_content() and the rest), found in C."""


def _parser() -> HTMLParser:
    """trafilatura's parser settings, with `huge_tree`: without it libxml2 stops at 256 levels of
    nesting (and at very long text nodes) and drops the rest of the page, where browsers show
    an article under 300 unclosed <font> or <div> tags. One per call: lxml parsers must not be
    shared between threads."""
    parser = HTMLParser(
        collect_ids=False,
        default_doctype=False,
        encoding="utf-8",
        remove_comments=True,
        remove_pis=True,
        huge_tree=True,
    )
    parser.set_element_class_lookup(_LOOKUP)
    return parser


def _flatten_tag_runs(text: str) -> str:
    """Cut runs of hundreds of opening tags to their innermost `_KEPT_OF_RUN`.

    Even with `huge_tree` libxml2 drops everything nested deeper than about 2,000 levels; a
    browser shows that text. The closing tags left over are ignored by the parser, as a browser
    ignores them; the text stays in page order.
    """

    def keep_inner(run: re.Match[str]) -> str:
        return "".join(_OPEN_TAG_RE.findall(run.group(0))[-_KEPT_OF_RUN:])

    return _TAG_RUN_RE.sub(keep_inner, text)


def _repair(text: str) -> str:
    """A self-closed doctype or <html/> in the first lines opened again, as trafilatura's loader
    does before libxml2 reads a page."""
    if "doctype" in text[:50].lower():
        first, newline, rest = text.partition("\n")
        text = _SELF_CLOSED_DOCTYPE_RE.sub("", first, count=1) + newline + rest
    for line in text[:4096].splitlines()[:4]:
        if "<html" in line and line.endswith("/>"):
            return _SELF_CLOSED_HTML_RE.sub(r"\1>", text, count=1)
    return text


def _load(text: str, data: bytes | None) -> HtmlElement | None:
    """The page as a tree, on the huge-tree parser; parsed again with its runs of opening tags
    cut when libxml2 says it reached its depth limit. `data` is the text as UTF-8 when it holds
    no character lxml refuses: libxml2 reads bytes a third faster than a str."""
    repaired = _repair(text)
    if data is not None and repaired != text:
        data = _utf8(repaired)
    text = repaired
    parser = _parser()
    tree = _from(text if data is None else data, parser)
    if any(error.type_name == "ERR_RESOURCE_LIMIT" for error in parser.error_log):
        tree = _from(_flatten_tag_runs(text), _parser())
    return tree


def _from(text: str | bytes, parser: HTMLParser) -> HtmlElement | None:
    try:
        return fromstring(text, parser=parser)
    except ValueError:  # a str with an encoding declaration: lxml wants its bytes
        return fromstring(_utf8(text), parser=parser)
    except ParserError:
        return None


def _utf8(text: str | bytes) -> bytes:
    return text if isinstance(text, bytes) else text.encode("utf-8")


_NOT_XML_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])


def _clean_utf8(text: str) -> bytes | None:
    """`text` as UTF-8 when it holds nothing `_NOT_XML_RE` removes and no lone surrogate, else
    None: the two non-characters are looked for in the str and the C0 controls in the bytes
    (each its own byte in UTF-8), by substring searches far cheaper than the regex."""
    if "\ufffe" in text or "\uffff" in text:
        return None
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return None if len(data.translate(None, _NOT_XML_BYTES)) != len(data) else data


def parse(html: bytes | str) -> HtmlElement:
    """Decode and parse once; every later step works on this tree."""
    if not isinstance(html, bytes | str):
        raise ExtractionError(f"unsupported input type {type(html).__name__}")
    text = decode(html)
    _check_text(text)
    # NUL bytes make libxml2 stop, and lxml refuses any C0 control in text it is given (a new
    # <p> around loose text with a stray \x1f raised); they carry no text. One pass over the
    # page, which trafilatura's loader made too (most pages have none: a cheaper test first)
    data = _clean_utf8(text)
    if data is None:
        text = _NOT_XML_RE.sub("", text)
    try:
        # a bare fragment ("<p>x</p>") is still HTML: it gets a plain lxml document around it
        tree = _load(text, data)
        if tree is None or tree.tag != "html":
            tree = document_fromstring(
                _XML_DECLARATION_RE.sub("", text, count=1), parser=_parser()
            )
    except Exception as err:  # lxml raises several unrelated types on broken input
        raise ExtractionError(f"unparsable HTML: {err}") from err
    if tree is None or not isinstance(tree, HtmlElement):
        raise ExtractionError("no parsable HTML document in input")
    return tree
