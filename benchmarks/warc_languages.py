"""How well and how fast a page's language is told before extraction (`crawler.page_language`,
the `-a lang=` filter of `scrapy crawl warc`), against the page's declaration alone and other
detectors on the same text sample.

    python benchmarks/warc_languages.py

Pages and their languages: the development pages (`../shared/data/extraction`: 181
scrapinghub pages, labelled by two detectors agreeing on their whole article text, pages they
disagree on left out; the 12 id-dev pages and the fixture articles, Indonesian), on which the
sample size and the hints were chosen; and, held out, the SemEval-2022 documents (German,
English, Spanish; their language from the pairs file), each as a page with its first sentence
as title and its text in paragraphs. py3langid and resiliparse are compared when installed
(`pip install py3langid resiliparse`).
"""

from __future__ import annotations

import gzip
import html
import json
import re
import time
from collections.abc import Callable
from pathlib import Path

import pycld2

from crawler.page_language import declared_language, page_language, text_sample

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SHARED = PROJECT_ROOT.parent / "shared" / "data"

Page = tuple[bytes, str]
"""A page's bytes and its language."""


def full_text_language(text: str) -> str | None:
    """CLD2 and py3langid on a whole article text, when they agree (labels of the dev pages)."""
    import py3langid

    reliable, _, details = pycld2.detect(text)
    return details[0][1] if reliable and details[0][1] == py3langid.classify(text)[0] else None


def development_pages() -> list[Page]:
    pages: list[Page] = []
    scrapinghub = SHARED / "extraction" / "scrapinghub"
    for page_id, truth in json.loads((scrapinghub / "truth.json").read_text()).items():
        label = full_text_language(truth["body"])
        if label:
            pages.append((gzip.decompress((scrapinghub / "html" / f"{page_id}.html.gz")
                                          .read_bytes()), label))
    pages += [(path.read_bytes(), "id") for path in (SHARED / "extraction" / "id-dev" / "html")
              .glob("*.html")]
    manifest = json.loads((PROJECT_ROOT / "fixtures" / "manifest.json").read_text())
    pages += [((PROJECT_ROOT / "fixtures" / p["file"]).read_bytes(), "id")
              for p in manifest["pages"] if p["expect"] == "article"]
    return pages


def held_out_pages() -> list[Page]:
    events = SHARED / "events"
    languages: dict[str, str] = {}
    for line in (events / "semeval-dev-pairs.jsonl").read_text().splitlines():
        pair = json.loads(line)
        languages[pair["a"]], languages[pair["b"]] = pair["langs"].split("-")
    pages: list[Page] = []
    for line in (events / "semeval-dev-docs.jsonl").read_text().splitlines():
        doc = json.loads(line)
        sentences = re.split(r"(?<=[.!?])\s+", doc["body"].strip())
        body = "".join(f"<p>{html.escape(' '.join(sentences[i:i + 3]))}</p>"
                       for i in range(1, len(sentences), 3))
        page = (f"<html><head><title>{html.escape(sentences[0])}</title></head><body>"
                f"<nav><a href='/'>Home</a></nav>{body}</body></html>")
        pages.append((page.encode("utf-8"), languages[doc["id"]]))
    return pages


def methods() -> dict[str, Callable[[bytes], str | None]]:
    found: dict[str, Callable[[bytes], str | None]] = {
        "ours (CLD2 on a text sample, declaration as a hint)": page_language,
        "the page's declaration alone": declared_language,
    }
    try:
        import py3langid

        found["py3langid on the same sample"] = lambda body: py3langid.classify(
            text_sample(body))[0]
    except ImportError:
        pass
    try:
        from resiliparse.parse.lang import detect_fast

        found["resiliparse on the same sample"] = lambda body: detect_fast(text_sample(body))[0]
    except ImportError:
        pass
    return found


def main() -> None:
    parts = {"development": development_pages(), "held out (SemEval)": held_out_pages()}
    print("| method | " + " | ".join(f"{name}: right of {len(pages)}" for name, pages in
                                     parts.items()) + " | us per page |")
    print("| --- |" + " --- |" * (len(parts) + 1))
    for name, detect in methods().items():
        cells, spent, done = [], 0.0, 0
        for pages in parts.values():
            started = time.perf_counter()
            right = sum(detect(body) == label for body, label in pages)
            spent += time.perf_counter() - started
            done += len(pages)
            cells.append(f"{right} ({right / len(pages):.1%})")
        print(f"| {name} | " + " | ".join(cells) + f" | {spent / done * 1e6:.0f} |")


if __name__ == "__main__":
    main()
