"""Turn the crawl's bytes or text into one parsed lxml tree, or refuse with `ExtractionError`."""

from __future__ import annotations

import re

from lxml.html import HtmlElement, document_fromstring
from trafilatura.utils import load_html

from crawler.extract.encoding import decode_html
from crawler.extract.errors import ExtractionError

# C0 controls other than tab/newline/CR never occur in text, but fill binary files
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_TAG_RE = re.compile(r"<\s*[a-zA-Z!?/]")
_XML_DECLARATION_RE = re.compile(r"^\s*<\?xml[^>]*\?>")
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


def parse(html: bytes | str) -> HtmlElement:
    """Decode and parse once; every later step works on this tree."""
    if not isinstance(html, bytes | str):
        raise ExtractionError(f"unsupported input type {type(html).__name__}")
    text = decode(html)
    _check_text(text)
    # NUL bytes make libxml2 stop; they carry no text
    text = text.replace("\x00", "")
    try:
        # trafilatura's loader repairs common breakage but refuses bare fragments ("<p>x</p>"),
        # which are still HTML: those get a plain lxml document around them
        tree = load_html(text)
        if tree is None:
            tree = document_fromstring(_XML_DECLARATION_RE.sub("", text, count=1))
    except Exception as err:  # lxml raises several unrelated types on broken input
        raise ExtractionError(f"unparsable HTML: {err}") from err
    if tree is None or not isinstance(tree, HtmlElement):
        raise ExtractionError("no parsable HTML document in input")
    return tree
