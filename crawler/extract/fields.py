"""Title, authors, tags, language and credited source of a page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml.etree import Element, XPath
from lxml.html import HtmlElement

from crawler.extract import lines as rules
from crawler.extract.lines import Line
from crawler.extract.meta import PageMeta, ld_names

_TITLE_SEPARATORS_RE = re.compile(r"\s+(?:[-|\u2013\u2014\u00bb:]{1,2})\s+")
_NON_ALNUM_RE = re.compile(r"[^0-9a-z]+")
_SPACE_RE = re.compile(r"\s+")
_TITLE = XPath("//title/text()")
_BYLINE_IDS = frozenset({"penulis", "author", "reporter"})


def _bylines(around: HtmlElement) -> Iterator[HtmlElement]:
    """Byline elements under `around` in page order: rel or itemprop "author", a class holding
    author/byline/penulis/reporter, or one of those ids. A look at each element's attribute
    names passes over most (they have none), and the caller stops at the first byline with a
    name, where an XPath tested every element's class."""
    for node in around.iterdescendants(Element):
        names = node.keys()
        if not names:
            continue
        get = node.get
        classes = get("class", "")
        if (
            get("rel") == "author"
            or get("itemprop") == "author"
            # the four class words spelled out: a generator per element cost as much as the walk
            or "author" in classes
            or "byline" in classes
            or "penulis" in classes
            or "reporter" in classes
            or get("id") in _BYLINE_IDS
        ):
            yield node
_TAG_LINKS = XPath(
    ".//a[@rel='tag' and not(contains(@rel,'category'))] | "
    ".//*[contains(@class,'tag') and not(contains(@class,'tagline'))]//a[not(@rel='category tag')]"
)
_CREDIT_TEXT = XPath(
    ".//text()[contains(., 'tayang di') or contains(., 'Sumber') or contains(., 'SUMBER') or "
    "contains(., 'sumber :') or contains(., 'sumber:')]"
)
_BYLINE_PREFIX_RE = re.compile(
    rf"^\W*(?:(?:diposting|ditulis|dilaporkan)\s+oleh|oleh|by|{rules.WRITER_LABELS}|author|"
    rf"{rules.REPORTED_BY}\s+[\w.]+)\s*[:|,]?\s*",
    re.IGNORECASE,
)
_EDITOR_RE = re.compile(r"^\W*(?:editor|penyunting|redaktur|editing)\b", re.IGNORECASE)
_NAME_SPLIT_RE = re.compile(r"\s*(?:,|&|\band\b|\bdan\b|/)\s*", re.IGNORECASE)
_NOT_A_NAME_RE = re.compile(
    r"^(?:admin\b|redaksi\b|tim\b|team\b|staff\b|https?:)|\b(?:media|cyber|network|news|group)\b",
    re.IGNORECASE,
)
_MAX_NAME_WORDS = 5
_INDONESIAN = frozenset(
    [
        "yang",
        "dan",
        "di",
        "dengan",
        "untuk",
        "ini",
        "itu",
        "dari",
        "tidak",
        "akan",
        "pada",
        "juga",
        "dalam",
        "ke",
    ]
)
_ENGLISH = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "is",
        "that",
        "for",
        "with",
        "was",
        "on",
        "as",
        "are",
        "by",
        "it",
    ]
)
_LANG_SAMPLE_WORDS = 400
_WORD_RE = re.compile(r"\w+")


def key(text: str) -> str:
    return _NON_ALNUM_RE.sub("", text.lower())


def site_names(meta: PageMeta, site: str | None) -> set[str]:
    names = {key(meta.first("og:site_name", "application-name") or "")}
    if site:
        labels = site.split(".")
        # the site, its first label and its registrable domain: otomotif.kompas.com -> kompas.com
        domain = (
            labels[-3:]
            if len(labels) > 2 and labels[-2] in ("co", "or", "ac", "go")
            else labels[-2:]
        )
        names.update({key(site), key(labels[0]), key(".".join(domain)), key(domain[0])})
    names.discard("")
    return names


def strip_site_suffix(title: str, site_names: set[str]) -> str:
    """ "Headline - Tribunnews.com" -> "Headline"; also "Site | Headline" -> "Headline"."""
    separators = list(_TITLE_SEPARATORS_RE.finditer(title))
    if not separators:
        return title
    last, first = separators[-1], separators[0]
    if _names_site(title[last.end() :], site_names):
        return title[: last.start()].strip()
    if _names_site(title[: first.start()], site_names):
        return title[first.end() :].strip()
    return title


def _names_site(segment: str, site_names: set[str]) -> bool:
    segment_key = key(segment)
    return bool(segment_key) and any(
        segment_key == name or (len(name) > 3 and name in segment_key) for name in site_names
    )


def title_of(tree: HtmlElement, meta: PageMeta, site: str | None) -> str | None:
    ld_headline = meta.ld.get("headline")
    h1 = next(tree.getroottree().getroot().iter("h1"), None)  # "(//h1)[1]", walked in C
    titles = _TITLE(tree)
    candidates = [
        meta.first("og:title", "twitter:title"),
        ld_headline if isinstance(ld_headline, str) else None,
        h1.text_content() if h1 is not None else None,
        titles[0] if titles else None,
    ]
    names = site_names(meta, site)
    for candidate in candidates:
        if candidate and candidate.strip():
            title = strip_site_suffix(_SPACE_RE.sub(" ", candidate).strip(), names)
            if title:
                return title
    return None


def _split_names(text: str) -> list[str]:
    text = _BYLINE_PREFIX_RE.sub("", _SPACE_RE.sub(" ", text).strip())
    names = []
    for part in _NAME_SPLIT_RE.split(text):
        name = part.strip(" .:-|()")
        if name and len(name.split()) <= _MAX_NAME_WORDS and not _NOT_A_NAME_RE.search(name):
            names.append(name)
    return names


def authors_of(around: HtmlElement, meta: PageMeta, site_names: set[str]) -> list[str]:
    """Writers from JSON-LD, <meta name=author>, then byline elements near the article text
    (`around`); never editors."""
    found = ld_names(meta.ld.get("author"))
    if not found:
        found = [a for a in meta.all("author") + meta.all("article:author") if "://" not in a]
    if not found:
        for node in _bylines(around):
            text = node.text_content()
            if text.strip() and not _EDITOR_RE.match(text) and len(text) < 200:
                found.extend(_split_names(text))
            if found:
                break
    names = [
        _strip_site(n, site_names)
        for raw in found
        for n in _split_names(raw)
        if key(n) not in site_names
    ]
    return _unique(names)


def _strip_site(name: str, site_names: set[str]) -> str:
    """ "Fino Yurio Kristo - detikinet" -> "Fino Yurio Kristo"."""
    stripped = strip_site_suffix(name, site_names)
    return stripped or name


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        key = item.casefold()
        if item and key not in seen:
            seen.add(key)
            out.append(item)
    return out


def tags_of(around: HtmlElement, meta: PageMeta, tag_lines: list[str]) -> list[str]:
    """Tags in the page's order: article:tag, tag links near the article text (`around`),
    "Tag: #…" lines, then keywords."""
    tags = meta.all("article:tag")
    if not tags:
        tags = [_SPACE_RE.sub(" ", a.text_content()).strip() for a in _TAG_LINKS(around)]
        tags = [t for t in tags if t and len(t) < 60]
    if not tags:
        tags = [t for line in tag_lines for t in re.findall(r"#(\w[\w-]*)", line)]
    if not tags:
        keywords = meta.ld.get("keywords")
        tags = ld_names(keywords) if isinstance(keywords, list) else []
        if isinstance(keywords, str):
            tags = keywords.split(",")
    if not tags and (keywords_meta := meta.first("news_keywords", "keywords")):
        tags = keywords_meta.split(",")
    return _unique([t.strip().lstrip("#").strip() for t in tags])


def lang_of(meta: PageMeta, body: str) -> str | None:
    declared = meta.lang or meta.first("content-language", "og:locale", "language")
    in_ld = meta.ld.get("inLanguage")
    for value in (declared, in_ld if isinstance(in_ld, str) else None):
        if value and re.match(r"^[a-zA-Z]{2}\b", value.strip()):
            return value.strip()[:2].lower()
    words = [w.lower() for w in _WORD_RE.findall(body)[:_LANG_SAMPLE_WORDS]]
    indonesian = sum(w in _INDONESIAN for w in words)
    english = sum(w in _ENGLISH for w in words)
    if max(indonesian, english) < 3:
        return None
    return "id" if indonesian > english else "en"


def credited_source(
    container: HtmlElement | None, credited: list[str], site: str | None
) -> str | None:
    """The original publisher a credit line names, else the page's own site.

    Credit lines the text extractor left out are looked for around the article container.
    """
    hosts = list(credited)
    around = container.getparent() if container is not None else None
    if not hosts and around is not None:
        for text in _CREDIT_TEXT(around):
            parent = text.getparent()
            line = _SPACE_RE.sub(" ", parent.text_content() if parent is not None else str(text))
            if rules.is_credit_line(Line.of(line.strip())) and (
                host := rules.credit_line_host(line.strip())
            ):
                hosts.append(host)
    for host in hosts:
        if site is None or not (host == site or host.endswith(f".{site}")):
            return host
    return site


def absolute(url: str | None, base: str) -> str | None:
    if not url or not url.strip():
        return None
    try:
        return urljoin(base, url.strip())
    except ValueError:
        return None
