"""Decode a page's bytes into text when the charset it declares may be wrong.

Pages declare their encoding in the HTTP `Content-Type` header, in a `<meta charset>` (or an XML
declaration), or with a byte order mark, and the declarations are often wrong: a server-wide
default header (`ISO-8859-1`, `UTF-8`) over pages written in another charset, a CMS template's
`<meta charset="utf-8">` over windows-1252 text. Decoding by the declaration with replacement then
turns every accented letter into U+FFFD or mojibake ("KafÃ©"). `decode_html` instead checks the
declarations against the bytes:

1. A byte order mark decides (a BOM is a statement about the bytes themselves, and browsers let
   it override the header too).
2. Bytes that are valid UTF-8 and not plain ASCII are UTF-8, whatever is declared. Text in a
   legacy single- or double-byte charset with accented or non-Latin letters is practically never
   valid UTF-8 (a lead byte must be followed by exactly the right number of continuation bytes
   in 0x80-0xBF), so a wrong "latin-1" header over a UTF-8 page is overruled.
3. Otherwise the declared encodings are tried, strictly: the first that decodes the bytes
   without an error wins. When the page's own declaration and the header disagree, the page's
   comes first: a header is often the server's default for every page, while the meta tag is
   written with the bytes. A page with no usable declaration has none to try; a UTF-16 or
   UTF-32 label counts only over bytes that have NULs, as all such text has.
4. Nothing fits (no declaration, or a declaration the bytes contradict, such as UTF-8 over
   windows-1252 text): windows-1252, the WHATWG decoder for "latin-1" and the most common
   legacy charset of the web. It maps every byte (the five it leaves unassigned become the C1
   control of the same number, as in browsers), so no text is replaced.

Encoding labels are resolved as browsers resolve them (WHATWG): "iso-8859-1" and "ascii" mean
windows-1252, "gb2312" means gb18030, and so on (`w3lib.encoding.resolve_encoding`).
"""

from __future__ import annotations

from typing import NamedTuple

from w3lib.encoding import html_body_declared_encoding, http_content_type_encoding, read_bom

FALLBACK_ENCODING = "cp1252"
"""windows-1252: what browsers use for "latin-1", and the last resort here."""

# windows-1252 leaves these five bytes unassigned; the WHATWG decoder (and every browser) maps
# each to the C1 control of the same number rather than failing.
_CP1252_UNASSIGNED = {0xDC00 + byte: byte for byte in (0x81, 0x8D, 0x8F, 0x90, 0x9D)}

# UTF-16 and UTF-32, in any byte order. A meta tag that could be read as ASCII bytes cannot be in
# one of them, so such a label in the page is wrong by construction (WHATWG reads it as UTF-8,
# which step 2 has already tried).
_WIDE_ENCODINGS = ("utf-16", "utf-32")


class DecodedHtml(NamedTuple):
    """A page's text and the Python codec it was decoded with."""

    text: str
    encoding: str


def decode_html(body: bytes, content_type: str | None = None) -> DecodedHtml:
    """The page's text, decoded by the rules of the module docstring.

    `content_type` is the HTTP `Content-Type` header, if any (its `charset` is the header's
    declaration); the page's own declaration is read from its first 4 KB.
    """
    bom_encoding, bom = read_bom(body)
    if bom_encoding is not None and bom is not None:
        return DecodedHtml(body[len(bom) :].decode(bom_encoding, errors="replace"), bom_encoding)
    if not body.isascii():
        try:
            return DecodedHtml(body.decode("utf-8"), "utf-8")
        except UnicodeDecodeError:
            pass
    for encoding in declared_encodings(body, content_type):
        try:
            return DecodedHtml(body.decode(encoding), encoding)
        except (UnicodeDecodeError, LookupError):
            continue
    return DecodedHtml(decode_windows_1252(body), FALLBACK_ENCODING)


def declared_encodings(body: bytes, content_type: str | None = None) -> list[str]:
    """The encodings the page declares, as Python codec names, in the order `decode_html` tries
    them: the page's own (`<meta>` or XML declaration), then the HTTP header's."""
    declared: list[str] = []
    in_page = html_body_declared_encoding(body)
    if in_page is not None and not in_page.startswith(_WIDE_ENCODINGS):
        declared.append(in_page)
    in_header = http_content_type_encoding(content_type) if content_type else None
    if in_header is not None and in_header.startswith(_WIDE_ENCODINGS):
        # UTF-16 and UTF-32 text has NUL bytes (its markup is ASCII, "<" is 3C 00); bytes with
        # none are in an ASCII-compatible charset, whatever the header says.
        if b"\x00" not in body[:4096]:
            in_header = None
        elif in_header in _WIDE_ENCODINGS:
            # A bare "utf-16" means little-endian in browsers; Python's codec of that name would
            # take the byte order from the platform.
            in_header += "-le"
    if in_header is not None and in_header not in declared:
        declared.append(in_header)
    return declared


def decode_windows_1252(body: bytes) -> str:
    """`body` as windows-1252, every byte kept (see `FALLBACK_ENCODING`)."""
    try:
        return body.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError:
        # Only the five unassigned bytes can have been escaped.
        escaped = body.decode(FALLBACK_ENCODING, errors="surrogateescape")
        return escaped.translate(_CP1252_UNASSIGNED)
