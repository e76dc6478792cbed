"""Line rules: decide, one extracted line at a time, what is article text and what is furniture.

Every rule here is general (Indonesian and English news conventions), not tied to one site.
Site-specific additions come from `sites.json` through `SiteRules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# "Baca juga: …", "BACA JUGA", "Lihat juga", "Simak juga", "Tonton juga", "Read also", "ALSO READ"
_SEE_ALSO_RE = re.compile(
    r"^\W*(?:(?:baca|lihat|simak|tonton|cek|klik|saksikan)\s+(?:juga|pula|selengkapnya|berita|artikel)"
    r"|(?:artikel|berita)\s+(?:terkait|lainnya|menarik|pilihan|rekomendasi)"
    r"|read\s+(?:also|more)|also\s+read|see\s+also|related\s*:)\b",
    re.IGNORECASE,
)
# staff credit lines: "Editor: X", "Penulis : X", "Fotografer: X", "Redaksi: …"
_STAFF_RE = re.compile(
    r"^\W*(?:editor|penulis|reporter|fotografer|redaksi|pewarta|penyunting|kontributor|"
    r"penerjemah|alih\s+bahasa|foto|video|grafis|sumber\s+foto|copy\s*editor|"
    r"laporan\s+(?:wartawan|reporter|koresponden))\b[^:|\n]{0,40}?\s*[:|]",
    re.IGNORECASE,
)
_WRITER_RE = re.compile(
    r"^\W*(?:penulis|reporter|pewarta|kontributor|writer|"
    r"laporan\s+(?:wartawan|reporter|koresponden)\s+[\w.]+\s*,?)\s*[:|]?\s*(.+)$",
    re.IGNORECASE,
)
# "(Tribunnews.com, Andari Wulan Nugrahani)": publisher, then the writer's name
_PAREN_CREDIT_NAME_RE = re.compile(
    r"^\(\s*(?:[\w-]+\.)+(?:com|net|id|org|co)\s*[,/]\s*([A-Z][^()/,]{1,60})\)\W*$"
)
_PAREN_HOST_RE = re.compile(r"^\(\s*(?:[\w-]+\.)+(?:com|net|id|org|co)\b", re.IGNORECASE)
_REPORT_BY_RE = re.compile(r"^\W*laporan\s+(?:wartawan|reporter|koresponden)\b", re.IGNORECASE)
# "Artikel ini telah tayang di Tribunnews.com dengan judul …"
_PUBLISHED_AT_RE = re.compile(
    r"^\W*artikel\s+ini\s+(?:telah|sudah)?\s*(?:tayang|terbit|diterbitkan|dipublikasikan|"
    r"ditayangkan)\s+(?:di|pada|oleh)\b",
    re.IGNORECASE,
)
_SOURCE_RE = re.compile(r"^\W*(?:sumber|source)\s*[:\uff1a]", re.IGNORECASE)
_TAG_LINE_RE = re.compile(r"^\W*(?:tags?|topik|kata\s+kunci|keywords?)\s*[:\uff1a]", re.IGNORECASE)
_HASHTAG_RE = re.compile(r"#\w+")
# a whole line in parentheses: "(Tribunnews.com, Andari Wulan Nugrahani)", "(fyk/ash)", "(ant)"
_PAREN_LINE_RE = re.compile(r"^\(\s*[^()]{1,100}\)\W*$")
# a credit at the very end of a paragraph: "… damai. (Tribunnews.com/Andari)"
_TRAILING_CREDIT_RE = re.compile(
    r"\s*\(\s*(?:[\w-]+\.)+(?:com|net|id|org|co)\b[^()]{0,80}\)\W*$", re.IGNORECASE
)
_HOST_RE = re.compile(r"\b((?:[a-z0-9-]+\.)+(?:com|net|org|id|co\.id|tv|news))\b", re.IGNORECASE)
# Markdown images and bare image or icon URLs never belong in text
_IMAGE_MD_RE = re.compile(r"!\[[^\]]*\]\([^)]*\)")
_IMAGE_URL_RE = re.compile(r"\S+\.(?:png|jpe?g|gif|webp|svg|bmp)(?:\?\S*)?\b|\S*icon/\S*", re.I)
# counters and share widgets: "1.234 kali dibaca", "Dibaca 12 kali", "Share", "12 Komentar"
_COUNTER_RE = re.compile(
    r"^\W*(?:(?:dibaca|dilihat|views?)\s*[\d.,]+\s*(?:kali|x)?|[\d.,]+\s*[kKmM]?\s*(?:kali\s+)?"
    r"(?:dibaca|dilihat|views?|shares?|komentar|comments?|likes?|suka)"
    r"|(?:bagikan|share|share\s+this|tweet|whatsapp|facebook|twitter|telegram|line|copy\s+link|"
    r"salin\s+tautan)(?:\s*[:|/]\s*\w+)*)\W*$",
    re.IGNORECASE,
)
_AD_RE = re.compile(
    r"^\W*(?:advertisement|iklan|ads|scroll\s+to\s+(?:continue|resume)[\w\s]*|"
    r"informasi\s+pemasangan\s+iklan|hubungi\s*:.*\[at\].*|"
    r"lanjutkan\s+membaca|konten\s+sponsor|sponsored)\W*$",
    re.IGNORECASE,
)
_DAY = (
    r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
)
_MONTH = (
    r"(?:jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:et|ch)?|apr(?:il)?|mei|may|jun[ei]?|jul[iy]?|"
    r"agu(?:stus)?|aug(?:ust)?|sep(?:tember)?|okt(?:ober)?|oct(?:ober)?|nov(?:ember)?|des(?:ember)?|"
    r"dec(?:ember)?)\.?"
)
# a line that is nothing but a date/time stamp: "Selasa, 23/02/2016 15:32 WIB", "13 Feb 2025, 07:15"
_DATE_LINE_RE = re.compile(
    rf"^\W*\d{{0,2}}\s*(?:{_DAY}\W*)?(?:\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|"
    rf"{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
    r"(?:\W*(?:pukul\s*)?\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s*(?:wib|wita|wit|utc|gmt|am|pm))*)?"
    r"(?:\W*(?:diperbarui|updated)\b.*)?\W*$",
    re.IGNORECASE,
)
_RELATIVE_TIME_RE = re.compile(
    r"^\W*\d+\s+(?:detik|menit|jam|hari|minggu|bulan|tahun|seconds?|minutes?|hours?|days?)\s+"
    r"(?:yang\s+)?(?:lalu|ago)\W*$",
    re.IGNORECASE,
)
_NUMBER_LINE_RE = re.compile(r"^\W*\d{1,3}\W*$")
_DATELINE_END_RE = re.compile(r"\s[-\u2013\u2014]{1,2}\s*$")
_WORD_RE = re.compile(r"\w+")
_IMAGE_HINT_RE = re.compile(r"\.(?:png|jpe?g|gif|webp|svg|bmp)|icon/", re.IGNORECASE)
_DASHES = ("-", "\u2013", "\u2014", "- ", "\u2013 ", "\u2014 ")
_CREDIT_TAIL = 120
_NON_WORD_RE = re.compile(r"\W+")

# scripts written without spaces between words: kana, CJK ideographs, hangul, Thai
_UNSPACED_RE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_CHARS_PER_UNSPACED_WORD = 2
MAX_CREDIT_WORDS = 12
"""Staff, source and parenthesised credit lines are short; a long line is a sentence."""


@dataclass(frozen=True)
class Line:
    """One block of extracted text and what the extractor knew about it."""

    text: str
    kind: str
    """trafilatura's element: p, head, item, quote, row, code."""
    link_chars: int
    """Characters of the line inside links."""
    words: int

    @classmethod
    def of(cls, text: str, kind: str = "p", link_chars: int = 0) -> Line:
        return cls(text, kind, min(link_chars, len(text)), word_count(text))

    @property
    def link_density(self) -> float:
        return self.link_chars / len(self.text) if self.text else 0.0


def word_count(text: str) -> int:
    """Words, with unspaced scripts (CJK, Thai) counted as one word per few characters."""
    tokens = _WORD_RE.findall(text)
    if not _UNSPACED_RE.search(text):
        return len(tokens)
    return sum(
        max(1, len(token) // _CHARS_PER_UNSPACED_WORD) if _UNSPACED_RE.search(token) else 1
        for token in tokens
    )


def normalise(text: str) -> str:
    """Lower-case word sequence, for comparing a line with the headline or a caption."""
    return _NON_WORD_RE.sub(" ", text).strip().lower()


def credited_host(text: str) -> str | None:
    """Host named in a credit line ("Sumber : NTDTV.com" -> "ntdtv.com"), lower-cased."""
    match = _HOST_RE.search(text)
    if match is None:
        return None
    host = match.group(1).lower()
    return host.removeprefix("www.")


def credit_line_host(text: str) -> str | None:
    """Publisher of a credit line; in parentheses only a leading host counts ("(Foto: URL)" is
    a photo credit, not a publisher)."""
    if text.startswith("(") and not _PAREN_HOST_RE.match(text):
        return None
    return credited_host(text)


def is_credit_line(line: Line) -> bool:
    """Source, republication and parenthesised credit lines (the publisher is read from them)."""
    text = line.text
    if _PUBLISHED_AT_RE.match(text):
        return True  # "Artikel ini telah tayang di X dengan judul <whole headline>, <url>"
    if line.words > MAX_CREDIT_WORDS * 3:
        return False
    if _SOURCE_RE.match(text):
        return True
    return line.words <= MAX_CREDIT_WORDS and bool(_PAREN_LINE_RE.match(text))


def credit_rank(text: str) -> int:
    """How directly a credit names the publisher the page copied: a republication line
    ("Artikel ini telah tayang di …", "(Tribunnews.com, Name)") outranks a "Sumber :" line,
    which on a copy is the original's own source."""
    return 1 if _SOURCE_RE.match(text) else 0


def is_tag_line(line: Line) -> bool:
    """ "Tag: #trump #putin", "Tags: a, b" or a line of hashtags."""
    if _TAG_LINE_RE.match(line.text):
        return True
    if "#" not in line.text:
        return False
    hashtags = len(_HASHTAG_RE.findall(line.text))
    return hashtags >= 2 and hashtags * 2 >= line.words


def writer_credit(line: Line) -> str | None:
    """The name in "Penulis: Name", "Laporan Wartawan X.com, Name" or "(Tribunnews.com, Name)"."""
    if line.words > MAX_CREDIT_WORDS:
        return None
    match = _WRITER_RE.match(line.text) or _PAREN_CREDIT_NAME_RE.match(line.text)
    return (match.group(1).strip(" .|:") or None) if match else None


def is_dateline(line: Line) -> bool:
    """A place/agency line that opens the lead: "JAKARTA, KOMPAS.com -", "ISTANBUL, … --"."""
    return (
        line.words <= MAX_CREDIT_WORDS
        and line.text.endswith(_DASHES)
        and bool(_DATELINE_END_RE.search(line.text))
    )


def is_boilerplate(line: Line) -> bool:
    """Furniture that is never article text, whatever the page."""
    text = line.text
    if _SEE_ALSO_RE.match(text) or is_credit_line(line) or is_tag_line(line):
        return True
    if line.words > MAX_CREDIT_WORDS * 2:
        return False  # the rules below describe short lines only
    if line.words <= MAX_CREDIT_WORDS and (_STAFF_RE.match(text) or _REPORT_BY_RE.match(text)):
        return True
    return bool(
        _COUNTER_RE.match(text)
        or _AD_RE.match(text)
        or _DATE_LINE_RE.match(text)
        or _RELATIVE_TIME_RE.match(text)
        or _NUMBER_LINE_RE.match(text)
    )


def strip_inline_noise(text: str) -> str:
    """Remove image markdown, image/icon URLs and a trailing publisher credit from a line."""
    if "![" in text:
        text = _IMAGE_MD_RE.sub("", text)
    if _IMAGE_HINT_RE.search(text):
        text = _IMAGE_URL_RE.sub("", text)
    if ")" in text[-_CREDIT_TAIL:]:
        text = _TRAILING_CREDIT_RE.sub("", text)
    return text.strip()


def trailing_credit_host(text: str) -> str | None:
    """Publisher host of a credit at the end of a paragraph, if any."""
    if ")" not in text[-_CREDIT_TAIL:]:
        return None
    match = _TRAILING_CREDIT_RE.search(text)
    return credited_host(match.group(0)) if match else None
