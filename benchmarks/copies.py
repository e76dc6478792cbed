"""A larger offline site for the throughput benchmarks: the fixture sites with every article page
also served under extra URLs.

The saved fixture crawl is small (about 110 pages, a few tenths of a second), too short for a
stable rate on a shared machine, and its fixed costs (finding the first article pages through
the listings, clustering at the end) weigh more than they would in any real crawl. Each article
page is also served under `copies` extra URLs (`<article url>?copy=<k>`: the query makes each a
page of its own to the dupefilter, the path keeps it an article page), linked from each family's
start page: the same saved page, or, as republications, the page naming the copy's URL as its
own (`copied_site`). Nothing else changes: same spiders, same extraction, same offline handler.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from w3lib.url import canonicalize_url

from crawler.sites import host_of, site_list

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def copy_links(manifest: dict, start_url: str, copies: int) -> str:
    """Anchors to every copy of every article page of the family that `start_url` starts."""
    site = next(s for s in site_list().sites.values() if s.home == start_url)
    urls = [page["url"] for page in manifest["pages"]
            if page.get("kind") == "article" and site.owns(host_of(page["url"]))]
    return "".join(
        f'<a href="{url}?copy={k}">copy</a>\n' for url in urls for k in range(1, copies + 1)
    )


def copied_site(folder: Path, copies: int, republished: bool = False) -> Path:
    """The fixture manifest with `copies` extra URLs per article page, written to `folder`.

    By default a copy is the same file, so it names the original as its canonical URL: a second
    address of the article, which the crawl counts as a skipped duplicate. With `republished`,
    each copy names itself wherever the page names its own URL (canonical link, `og:url`,
    structured data): another site's republication, an article of its own that goes through
    every pipeline and into the dedup index as a copy of the original.
    """
    source = PROJECT_ROOT / "fixtures" / "manifest.json"
    manifest = json.loads(source.read_text(encoding="utf-8"))
    starts = {canonicalize_url(s.home) for s in site_list().sites.values()}
    pages: list[dict] = []
    for page in manifest["pages"]:
        file = (source.parent / page["file"]).resolve()
        if canonicalize_url(page["url"]) in starts:
            html = file.read_bytes().decode("utf-8", "replace")
            file = folder / f"start-{len(pages)}.html"
            links = copy_links(manifest, page["url"], copies)
            file.write_text(html.replace("</body>", links + "</body>"), encoding="utf-8")
        pages.append({**page, "file": str(file)})
        if page.get("kind") != "article":
            continue
        html = file.read_bytes() if republished else b""
        for k in range(1, copies + 1):
            url = f"{page['url']}?copy={k}"
            copy_file = file
            if republished:
                copy_file = folder / f"copy-{len(pages)}.html"
                copy_file.write_bytes(names_itself(html, page["url"], url))
            pages.append({**page, "url": url, "file": str(copy_file)})
    path = folder / "manifest.json"
    path.write_text(json.dumps({**manifest, "pages": pages}), encoding="utf-8")
    return path


def names_itself(html: bytes, original: str, url: str) -> bytes:
    """The page with its own URL, where it is written as a whole quoted value, replaced."""
    quoted = re.compile(rb"(?<=[\"'])" + re.escape(original.encode()) + rb"(?=[\"'])")
    return quoted.sub(url.encode(), html)
