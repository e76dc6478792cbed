"""Line rules: decide, one extracted line at a time, what is article text and what is furniture.

Every rule here is general (Indonesian and English news conventions), not tied to one site.
Site-specific additions come from `sites.json` through `SiteRules`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from crawler.extract.notes import is_comment_policy
from crawler.extract.stamps import (
    is_date_line,
    is_date_stamp,
    is_relative_time,
    leading_stamp_end,
)

# "Baca juga: …", "BACA JUGA", "Lihat juga", "Simak juga", "Tonton juga", "Read also", "ALSO READ"
_SEE_ALSO_RE = re.compile(
    r"^\W*(?:(?:baca|lihat|simak|tonton|cek|klik|saksikan)\s+(?:juga|pula|selengkapnya|berita|artikel)"
    r"|(?:artikel|berita)\s+(?:terkait|lainnya|menarik|pilihan|rekomendasi)"
    r"|read\s+(?:also|more)|also\s+read|see\s+also|related\s*:)\b"
    # Chinese: "原标题" (the headline the story first ran under), "【免责声明】" (disclaimer),
    # "相关阅读" / "延伸阅读" (related reading)
    r"|^\W*(?:原标题|原題|免责声明|免責聲明|相关阅读|延伸阅读|相关新闻|推荐阅读)",
    re.IGNORECASE,
)
WRITER_LABELS = r"penulis|reporter|pewarta|kontributor|writer"
"""Labels of the line naming an article's writer ("Penulis: Name"), for line and byline rules."""
REPORTED_BY = r"laporan\s+(?:wartawan|reporter|koresponden)"
""" "Laporan Wartawan Tribunnews.com, Name": the writer's credit of a regional report."""
# staff credit lines: "Editor: X", "Penulis : X", "Fotografer: X", "Redaksi: …"
_STAFF_RE = re.compile(
    r"^\W*(?:editor|penulis|reporter|fotografer|redaksi|pewarta|penyunting|kontributor|"
    r"penerjemah|alih\s+bahasa|foto|video|grafis|sumber\s+foto|copy\s*editor|"
    # Chinese staff and date labels: editor in charge, editor, writer, reporter, photographer,
    # published / updated at
    r"责任编辑|责编|編輯|编辑|作者|记者|記者|摄影|攝影|实习生|发布时间|发布日期|發佈時間|更新时间|"
    rf"{REPORTED_BY})\b[^:|\n\uff1a]{{0,40}}?\s*[:|\uff1a]",
    re.IGNORECASE,
)
_WRITER_RE = re.compile(
    rf"^\W*(?:{WRITER_LABELS}|{REPORTED_BY}\s+[\w.]+\s*,?)\s*[:|]?\s*(.+)$",
    re.IGNORECASE,
)
# "(Tribunnews.com, Andari Wulan Nugrahani)": publisher, then the writer's name
_PAREN_CREDIT_NAME_RE = re.compile(
    r"^\(\s*(?:[\w-]+\.)+(?:com|net|id|org|co)\s*[,/]\s*([A-Z][^()/,]{1,60})\)\W*$"
)
_PAREN_HOST_RE = re.compile(r"^\(\s*(?:[\w-]+\.)+(?:com|net|id|org|co)\b", re.IGNORECASE)
_REPORT_BY_RE = re.compile(rf"^\W*{REPORTED_BY}\b", re.IGNORECASE)
# "Artikel ini telah tayang di Tribunnews.com dengan judul …"
_PUBLISHED_AT_RE = re.compile(
    r"^\W*artikel\s+ini\s+(?:telah|sudah)?\s*(?:tayang|terbit|diterbitkan|dipublikasikan|"
    r"ditayangkan)\s+(?:di|pada|oleh)\b",
    re.IGNORECASE,
)
_SOURCE_RE = re.compile(
    r"^\W*(?:sumber|source|本文来源|文章来源|来源|來源|稿源)\s*[:\uff1a]", re.IGNORECASE
)
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
    r"lanjutkan\s+membaca|continue\s+reading(?:\s+the\s+main\s+story)?|konten\s+sponsor|"
    r"sponsored|loading|embed|(?:story|article)\s+continue[sd]\s+below)\W*$",
    re.IGNORECASE,
)
_NUMBER_LINE_RE = re.compile(r"^\W*\d{1,3}\W*$")
# widget headings: what follows them is another page's teaser, not this article
_WIDGET_HEADING_RE = re.compile(
    r"^\W*(?:top\s+stories|partner\s+(?:news|content|stories)|"
    r"related(?:\s+(?:stories|articles|posts|news|content|coverage|links|topics|videos?|reading))?|"
    r"more\s+(?:from|stories|news|on|like\s+this|to\s+read|in)\b.*|"
    r"recommended(?:\s+(?:for\s+you|stories|articles|reading|videos?))?|"
    r"you\s+(?:may|might)\s+(?:also\s+)?(?:like|enjoy|be\s+interested\s+in)|"
    r"(?:most|more)\s+(?:popular|read|viewed|shared|commented)\b.*|"
    r"popular\s+(?:now|posts|stories|articles|news)|trending(?:\s+(?:now|stories|news|topics))?|"
    r"latest\s+(?:news|stories|posts|articles|videos?)|don\W?t\s+miss|further\s+reading|"
    r"recent\s+(?:posts|stories|articles)|(?:more\s+)?must[\s-]reads?\b.*|"
    r"(?:berita|artikel|video)\s+(?:terkait|terpopuler|terkini|lainnya|pilihan|populer|terbaru)|"
    r"terpopuler|terkini|populer|paling\s+banyak\s+dibaca|rekomendasi(?:\s+untuk\s+anda)?|"
    # Chinese: related / recommended / hot / latest articles, "you may like", the editor's
    # other articles
    r"(?:相关|相關|热门|熱門|精彩|为您|為您)(?:推荐|推薦|文章|阅读|閱讀|新闻|新聞|资讯)|"
    r"猜你喜欢|猜你喜歡|最新(?:文章|新闻|资讯)|热点(?:新闻|推荐)|小编最近文章|更多(?:新闻|精彩|文章))"
    r"\W*$",
    re.IGNORECASE,
)
_MAX_WIDGET_HEADING_WORDS = 7
# the heading or button that opens readers' comments: "Comments (12)", "Comentar", "Komentar",
# "Kommentare", "Leave a reply"; everything after it is the thread
_COMMENTS_HEADING_RE = re.compile(
    r"^\W*(?:\d+\s+)?(?:comments?|comentar(?:ios?)?|comentários|commentaires?|commenti|"
    r"kommentare?|reacties|komentar(?:\s+anda)?|tanggapan|"
    r"(?:leave|post|add|write)\s+a\s+(?:comment|reply)|"
    r"(?:deja|escribe)\s+(?:tu|un)\s+comentario|laisser\s+un\s+commentaire|"
    r"tulis\s+komentar|show\s+comments|view\s+comments)(?:\s*\(\d+\))?\W*$",
    re.IGNORECASE,
)
# promotion of the site itself: newsletters, social accounts, apps, copyright notices
_PROMO_RE = re.compile(
    r"^\W*(?:follow\s+(?:us\b|@?[\w'\u2019]+(?:\s+[\w'\u2019@]+){0,6}\s+on\s+(?:twitter|facebook|"
    r"instagram|linkedin|youtube|tiktok|threads))|"
    r"(?:subscribe\s+to|sign\s+up\s+(?:for|to|now))\b.{0,80}\b(?:newsletters?|inbox|podcast|channel)|"
    r"get\s+(?:the\s+)?(?:latest|best|top)\b.{0,80}\binbox|like\s+this\s+(?:story|article)\b|"
    r"get\s+(?:[\w'\u2019]+\s+){1,6}delivered\s+(?:to|through)\s+your\b|sign\s+up\s+for\s+our\b|"
    r"have\s+a\s+(?:news\s+)?tip\b|click\s+here\b|if\s+you\s+(?:enjoyed|liked)\s+this\b|"
    r"copyright\b|\u00a9\s*\d{4}|\(c\)\s*\d{4}|this\s+copy\s+is\s+for\s+your\s+personal|"
    r"listen\s+to\s+[\w\s]{1,30}\s+live\b|reach\s+the\s+(?:reporter|writer|author)s?\b|"
    r"ikuti\s+(?:kami|berita|akun|channel|saluran)\b|dapatkan\s+(?:update|berita|informasi)\b|"
    r"download\s+(?:aplikasi|the\s+app|our\s+app)\b)",
    re.IGNORECASE,
)
# the same, anywhere in the line; searched only when a cheap substring test hints at it
_PROMO_INSIDE_RE = re.compile(
    r"\ball\s+rights\s+reserved\b|\bmay\s+be\s+reached\s+at\b|\bhak\s+cipta\b|"
    r"\bdilindungi\s+undang|\bcontributed\s+(?:to\s+)?(?:this\s+)?(?:report|story|article|"
    r"reporting)\b",
    re.IGNORECASE,
)
_PROMO_INSIDE_HINTS = ("right", "reached", "cipta", "undang", "contributed")
# "(Reporting by X; Editing by Y)", "Keith Bradsher contributed reporting.", "Contributing: X"
_CONTRIBUTORS_RE = re.compile(
    r"^\W*(?:(?:additional\s+)?reporting\s+by\b|(?:writing|editing)\s+by\b|contributing\s*:|"
    r"with\s+(?:post\s+)?wires\b)",
    re.IGNORECASE,
)
_MAX_PROMO_WORDS = 60
"""A pitch with its small print (price terms, a membership offer); a longer line is text."""
_MIN_INNER_TITLE_WORDS = 6
_MIN_REST_WORDS = 4
"""A shorter headline ("Só quem se ama") may well be quoted inside a paragraph."""
_DATELINE_END_RE = re.compile(r"\s[-\u2013\u2014]{1,2}\s*$")
_WORD_RE = re.compile(r"\w+")
_IMAGE_HINTS = (".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".bmp", "icon/")
"""Substrings (of the lower-cased line) that an image or icon URL needs: one `in` test each is
far cheaper than searching a line with a case-blind regex."""
_DASHES = ("-", "\u2013", "\u2014", "- ", "\u2013 ", "\u2014 ")
_CREDIT_TAIL = 120
_NON_WORD_RE = re.compile(r"\W+")

# scripts written without spaces between words: kana, CJK ideographs, hangul, Thai
# (Korean is written with spaces: hangul is not among them)
_UNSPACED_RE = re.compile(r"[\u0e00-\u0e7f\u3040-\u30ff\u3400-\u9fff]")
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
    if text.isascii() or not _UNSPACED_RE.search(text):
        return len(tokens)
    return sum(
        max(1, len(token) // _CHARS_PER_UNSPACED_WORD) if _UNSPACED_RE.search(token) else 1
        for token in tokens
    )


def is_unspaced(text: str) -> bool:
    """Whether most of a text's letters are of a script written without spaces."""
    return 2 * len(_UNSPACED_RE.findall(text)) > sum(map(len, text.split()))


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
    if is_comment_policy(text, line.words):  # a site's rules for readers' comments
        return True
    if line.words <= _MAX_PROMO_WORDS and (
        _PROMO_RE.match(text) or _CONTRIBUTORS_RE.match(text) or _promotes_inside(text)
    ):
        return True
    if line.words > MAX_CREDIT_WORDS * 2:
        return False  # the rules below describe short lines only
    if line.words <= MAX_CREDIT_WORDS and (_STAFF_RE.match(text) or _REPORT_BY_RE.match(text)):
        return True
    return bool(
        _COUNTER_RE.match(text)
        or _AD_RE.match(text)
        or is_date_line(text)
        or is_date_stamp(text, line.words)
        or is_relative_time(text)
        or _NUMBER_LINE_RE.match(text)
    )


def strip_inline_noise(text: str) -> str:
    """Remove image markdown, image/icon URLs and a trailing publisher credit from a line."""
    if "![" in text:
        text = _IMAGE_MD_RE.sub("", text)
    lower = text.lower()
    if _holds_any(lower, _IMAGE_HINTS):
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


def is_widget_heading(line: Line) -> bool:
    """ "Related stories", "Top stories", "You may also like", "Berita Terkait": a teaser block
    starts here."""
    return line.words <= _MAX_WIDGET_HEADING_WORDS and bool(_WIDGET_HEADING_RE.match(line.text))


def is_comments_heading(line: Line) -> bool:
    """ "Comments", "Comentar", "Komentar (3)", "Leave a reply": readers' comments start here."""
    return line.words <= _MAX_WIDGET_HEADING_WORDS and bool(_COMMENTS_HEADING_RE.match(line.text))


def without_headline(text: str, title_key: str, title_words: int) -> str | None:
    """The line without the headline, what comes before it and a date stamp right after it, or
    None when the line does not hold the headline. Extractors that fall back to a whole block
    glue "Menu Home News Headline Kamis, 30 Januari 2025 First sentence…" into one line; an
    article quoting its own full headline inside a paragraph is far rarer than that."""
    if _title_probe(title_key) not in text.lower():
        return None  # a word of the headline is missing: no need to normalise the line
    key = normalise(text)
    if key.startswith(title_key) and key[len(title_key) : len(title_key) + 1] in ("", " "):
        skip = title_words
    else:
        found = f"{key} ".find(f" {title_key} ") if title_words >= _MIN_INNER_TITLE_WORDS else -1
        if found < 0:
            return None
        skip = key.count(" ", 0, found) + 1 + title_words
    end = 0
    for count, match in enumerate(_WORD_RE.finditer(text), start=1):
        if count == skip:
            end = match.end()
            break
    rest = text[end:].lstrip(" \t:|-\u2013\u2014,.")
    stamp_end = leading_stamp_end(rest)
    if stamp_end:
        rest = rest[stamp_end:].lstrip(" \t:|-\u2013\u2014,.")
    # "Headline - Site", "Headline | News": a few words left are furniture, not a sentence
    return rest if word_count(rest) >= _MIN_REST_WORDS else ""


@lru_cache(maxsize=64)
def _title_probe(title_key: str) -> str:
    """The headline's longest word: a line holding the headline holds it (lower-cased)."""
    return max(title_key.split(), key=len, default="")


def _promotes_inside(text: str) -> bool:
    return _holds_any(text.lower(), _PROMO_INSIDE_HINTS) and bool(_PROMO_INSIDE_RE.search(text))


def _holds_any(text: str, parts: tuple[str, ...]) -> bool:
    """`any(part in text for part in parts)` without a generator per line (a third faster)."""
    for part in parts:  # noqa: SIM110
        if part in text:
            return True
    return False
