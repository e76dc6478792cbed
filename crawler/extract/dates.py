"""Publication time as ISO 8601 with a UTC offset.

Order: JSON-LD `datePublished`, then publication <meta> tags, then <time datetime>, then a
date written in the page ("Senin, 24 Februari 2025 13:05 WIB"), then htmldate.
A time without zone gets the Indonesian zone the page names (WIB +07:00, WITA +08:00,
WIT +09:00), else the options' local offset on an Indonesian page, else UTC. A date without time
is given as midnight in that zone.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from htmldate import find_date
from lxml.etree import XPath
from lxml.html import HtmlElement

from crawler.extract.meta import PageMeta
from crawler.extract.months import NUMERIC_DATE_LANGUAGES, month_alternation, month_numbers

_META_KEYS = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "publishdate",
    "pubdate",
    "publish-date",
    "publish_date",
    "date",
    "dc.date",
    "dc.date.issued",
    "dcterms.created",
    "sailthru.date",
    "parsely-pub-date",
    "content_publisheddate",
    "dtk:publishdate",
)
_TIME_DATETIME = XPath("(//time[@datetime]/@datetime | //*[@itemprop='datePublished']/@title)")
_ZONES = {"wib": "+07:00", "wita": "+08:00", "wit": "+09:00", "utc": "+00:00", "gmt": "+00:00"}
_MONTHS = month_numbers(NUMERIC_DATE_LANGUAGES)
_MONTH_ALT = month_alternation(NUMERIC_DATE_LANGUAGES)
_TEXT_DATE_RE = re.compile(
    rf"\b(\d{{1,2}})\s+({_MONTH_ALT})\.?\s+(\d{{4}})"
    r"(?:\D{0,12}?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?\s*(wib|wita|wit|utc|gmt)?\b",
    re.IGNORECASE,
)
_NUMERIC_DATE_RE = re.compile(
    r"\b(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{0,4}(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?)?"
    r"\s*(wib|wita|wit|utc|gmt)?\b",
    re.IGNORECASE,
)
_ISO_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_DATE_ONLY_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TEXT_SCAN_CHARS = 20000


def _offset(text: str) -> timezone:
    sign = -1 if text[0] == "-" else 1
    hours, minutes = int(text[1:3]), int(text[4:6])
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def normalise_iso(value: str, default_offset: str) -> str | None:
    """An ISO-ish timestamp with an offset; naive values get `default_offset`."""
    value = value.strip()
    if not _ISO_RE.match(value):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace(" ", "T", 1))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=_offset(default_offset))
    return parsed.isoformat()


def _from_parts(parts: tuple[str | None, ...], default_offset: str) -> str | None:
    day, month, year, hour, minute, second, zone = parts
    offset = _ZONES.get((zone or "").lower(), default_offset)
    try:
        stamp = datetime(
            int(year or 0),
            int(month or 0),
            int(day or 0),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            tzinfo=_offset(offset),
        )
    except ValueError:
        return None
    return stamp.isoformat()


def date_in_text(text: str, default_offset: str) -> str | None:
    """First written date in `text`: "24 Februari 2025 13:05 WIB", "Rabu, 12/02/2025 21:30"."""
    named = _TEXT_DATE_RE.search(text)
    numeric = _NUMERIC_DATE_RE.search(text)
    if named and (numeric is None or named.start() < numeric.start()):
        day, month, year, hour, minute, second, zone = named.groups()
        month_number = str(_MONTHS[month.lower()])
        return _from_parts((day, month_number, year, hour, minute, second, zone), default_offset)
    if numeric:
        return _from_parts(numeric.groups(), default_offset)
    return None


def published(tree: HtmlElement, meta: PageMeta, url: str, default_offset: str) -> str | None:
    candidates: list[str] = []
    ld_value = meta.ld.get("datePublished")
    if isinstance(ld_value, str):
        candidates.append(ld_value)
    if found := meta.first(*_META_KEYS):
        candidates.append(found)
    for candidate in candidates:
        if stamp := normalise_iso(candidate, default_offset):
            return (
                _with_written_time(stamp, tree, default_offset)
                if _DATE_ONLY_RE.match(candidate.strip())
                else stamp
            )
    # <time datetime> needs a scan of the whole tree: only when the head declares nothing
    for candidate in _TIME_DATETIME(tree)[:3]:
        if stamp := normalise_iso(str(candidate), default_offset):
            return stamp
    return _from_page(tree, url, default_offset)


def _with_written_time(stamp: str, tree: HtmlElement, default_offset: str) -> str:
    """A date-only <meta> plus the time written in the page on that same day."""
    body = tree.find("body")
    text = body.text_content()[:_TEXT_SCAN_CHARS] if body is not None else ""
    written = date_in_text(text, default_offset)
    return written if written and written[:10] == stamp[:10] else stamp


def _from_page(tree: HtmlElement, url: str, default_offset: str) -> str | None:
    body = tree.find("body")
    text = body.text_content()[:_TEXT_SCAN_CHARS] if body is not None else ""
    if stamp := date_in_text(text, default_offset):
        return stamp
    try:
        found = find_date(tree, url=url, extensive_search=False, original_date=True)
    except Exception:  # htmldate must never take extraction down
        return None
    return normalise_iso(found, default_offset) if found else None
