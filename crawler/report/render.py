"""ClusterDocument + records -> `clusters.json` and the self-contained `report.html`."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from crawler.dedup.decisions import Decisions
from crawler.files import write_text_atomically
from crawler.report.assets import script, style
from crawler.report.model import (
    ClusterDocument,
    CopyCluster,
    EventCluster,
    Member,
    member_to_dict,
)
from crawler.report.progress import ProgressCallback, report_progress
from crawler.report.similarity import Ngram, Passage, Span, utf16_spans

PAGE_SIZE = 50
"""Event clusters per page: enough to scan, few enough that the page stays quick at 5,000."""

MAX_BODY_CHARS = 100_000
"""Longer bodies are cut in the report (not in clusters.json): a broken extraction must not make
the one file unopenable."""

SIZE_BUCKETS: tuple[tuple[str, int, int], ...] = (
    ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4", 4, 4), ("5", 5, 5),
    ("6-10", 6, 10), ("11-20", 11, 20), ("21-50", 21, 50), ("51+", 51, 1 << 62),
)

CRAWL_OUTCOMES = ("requested", "article", "rejected", "missed", "listing", "failed")


@dataclass(frozen=True)
class ReportPaths:
    clusters_json: Path
    report_html: Path


def write_report(
    directory: Path,
    records: Iterable[Mapping[str, Any]],
    document: ClusterDocument,
    crawl_summary: Mapping[str, Any] | None = None,
    *,
    progress: ProgressCallback | None = None,
    rejects: Iterable[Mapping[str, Any]] | None = None,
    decisions: Decisions | None = None,
) -> ReportPaths:
    """Write `clusters.json` and `report.html` into `directory` (created if needed).

    `records` supply the bodies shown side by side (matched by `url`; a member without a record
    shows no text). `crawl_summary` is the crawl's summary.json content (`{"pages": {...}}`) or
    None when the clustering did not come from a crawl; `rejects` the lines of its
    rejects.jsonl, listed in the page. `decisions`: the reviewer's decisions this clustering
    applied, which the page keeps in the decisions file it saves. Each file is written to a
    temporary name and renamed, so a reader never sees half a report."""
    directory.mkdir(parents=True, exist_ok=True)
    bodies = {str(r["url"]): str(r.get("body") or "") for r in records}
    paths = ReportPaths(directory / "clusters.json", directory / "report.html")
    write_text_atomically(paths.clusters_json, document.to_json())
    html = render_html(document, bodies, crawl_summary, progress=progress,
                       review=review_data(rejects, decisions))
    write_text_atomically(paths.report_html, html)
    return paths


def review_data(rejects: Iterable[Mapping[str, Any]] | None, decisions: Decisions | None
                ) -> dict[str, Any]:
    """What the page's review parts read: the pages the crawl did not keep (None when the
    report is not a crawl's) and the decisions already made."""
    lost = None if rejects is None else [
        {"url": str(r.get("url") or ""), "outcome": str(r.get("outcome") or "unknown"),
         "reason": str(r.get("reason") or "")} for r in rejects]
    return {"rejects": lost,
            "decisions": [d.to_dict() for d in decisions.items] if decisions else []}


def script_json(value: Any) -> str:
    """JSON safe inside a <script> element: `<`, `>` and `&` become \\u escapes, so neither
    "</script>" nor "<!--" in an article can end or confuse the element. JSON.parse reads the
    escapes back as the original characters."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def render_html(
    document: ClusterDocument,
    bodies: Mapping[str, str],
    crawl_summary: Mapping[str, Any] | None = None,
    *,
    progress: ProgressCallback | None = None,
    review: Mapping[str, Any] | None = None,
) -> str:
    """The whole report page as one string; `review` as `review_data` makes it."""
    blocks = []
    for number, event in enumerate(document.events):
        detail = script_json(event_detail(event, bodies))
        blocks.append(f'<script type="application/json" id="ev-{number}">{detail}</script>')
        report_progress(progress, "report", number + 1, len(document.events))
    return _PAGE.format(
        style=style(),
        subtitle=escape(_subtitle(document)),
        summary=summary_html(document, crawl_summary),
        index=script_json(report_index(document)),
        review=script_json(review or review_data(None, None)),
        blocks="\n".join(blocks),
        script=script(PAGE_SIZE),
    )


def _subtitle(document: ClusterDocument) -> str:
    return (
        f"{document.article_count} articles in {document.copy_cluster_count} copy clusters and "
        f"{len(document.events)} event clusters; similarity: copies {document.similarity.copy}, "
        f"events {document.similarity.event}"
    )


def report_index(document: ClusterDocument) -> dict[str, Any]:
    """What the list needs without opening a cluster: one small entry per event cluster."""
    outlet_events: Counter[str] = Counter()
    events = []
    for event in document.events:
        sites = event.sites
        outlet_events.update(sites)
        events.append({
            "id": event.id,
            "title": event.representative.title,
            "size": event.size,
            "copies": len(event.copies),
            "sites": sites,
            "first": event.first_published,
            "last": event.last_published,
            "titles": sorted({m.title for m in event.members if m.title}),
            # Its stories' originals: where an explanation's link to a story leads.
            "stories": [copy.representative.url for copy in event.copies],
        })
    outlets = sorted(outlet_events.items(), key=lambda item: (-item[1], item[0]))
    return {"events": events, "sites": [list(item) for item in outlets]}


def event_detail(event: EventCluster, bodies: Mapping[str, str]) -> dict[str, Any]:
    """One cluster's members with bodies and highlight offsets, parsed when it is opened."""
    texts = {m.url: bodies.get(m.url, "")[:MAX_BODY_CHARS] for m in event.members}
    passages = {url: Passage.of(text) for url, text in texts.items()}
    return {
        "copies": [
            {
                "id": copy.id,
                "similarity": copy.similarity,
                "members": [
                    _member_detail(
                        member, texts[member.url], _highlights(member, copy, event, passages),
                        original=member is copy.representative,
                        lead=member is event.representative,
                    )
                    for member in copy.members
                ],
            }
            for copy in event.copies
        ]
    }


def _highlights(
    member: Member, copy: CopyCluster, event: EventCluster, passages: Mapping[str, Passage]
) -> list[Span]:
    known: set[Ngram] = set()
    for url in _highlight_references(member, copy, event):
        known.update(passages[url].grams)
    passage = passages[member.url]
    return utf16_spans(passage.text, passage.spans_shared_with(known))


def _member_detail(
    member: Member, body: str, spans: list[Span], *, original: bool, lead: bool
) -> dict[str, Any]:
    return {
        **member_to_dict(member),
        "original": original,
        "lead": lead,
        "body": body,
        "marks": [list(span) for span in spans],
    }


def _highlight_references(member: Member, copy: CopyCluster, event: EventCluster) -> list[str]:
    """Whose text a member's highlights are shared with: a copy's with its original (what the
    aggregator took); an original's with the event's representative (quotes both outlets used);
    the event representative's with the other stories, so the first article shows what spread
    (its own copies would only mark it whole)."""
    if member is not copy.representative:
        return [copy.representative.url]
    if member is not event.representative:
        return [event.representative.url]
    return [m.url for other in event.copies if other is not copy for m in other.members]


def summary_html(document: ClusterDocument, crawl_summary: Mapping[str, Any] | None) -> str:
    """The summary section: counts, crawl outcomes, size distribution, largest clusters. Built
    here with every string escaped; the largest-cluster links are added by the script."""
    multi = sum(1 for event in document.events if event.size > 1)
    largest = max((event.size for event in document.events), default=0)
    stats = [
        ("stat-articles", document.article_count, "articles"),
        ("stat-copies", document.copy_cluster_count, "copy clusters"),
        ("stat-events", len(document.events), "event clusters"),
        ("stat-multi", multi, "events with 2+ articles"),
        ("stat-largest", largest, "articles in the largest"),
    ]
    cards = "".join(
        f'<div class="stat"><b id="{key}">{value}</b><span>{escape(label)}</span></div>'
        for key, value, label in stats
    )
    panels = [
        _panel("Event cluster sizes", size_histogram_svg(document)),
        _panel("Largest event clusters", '<ol class="largest" id="largest"></ol>'),
    ]
    if crawl_summary is not None:
        panels.insert(0, _panel("Crawl", crawl_table_html(crawl_summary)))
    return f'<div class="stats">{cards}</div><div class="summary-grid">{"".join(panels)}</div>'


def _panel(title: str, content: str) -> str:
    return f'<div class="panel"><h3>{escape(title)}</h3>{content}</div>'


def crawl_table_html(crawl_summary: Mapping[str, Any]) -> str:
    """Page outcomes with their reasons indented below (rejected/no-body, missed/no-fixture…)."""
    pages = crawl_summary.get("pages", crawl_summary)
    rows = []
    for outcome in CRAWL_OUTCOMES:
        if outcome in pages:
            rows.append(f"<tr><td>{escape(outcome)}</td><td class=n>{escape(str(pages[outcome]))}"
                        "</td></tr>")
        for key in sorted(k for k in pages if k.startswith(outcome + "/")):
            rows.append(f'<tr class="sub"><td>{escape(key.partition("/")[2])}</td>'
                        f"<td class=n>{escape(str(pages[key]))}</td></tr>")
    other = sorted(k for k in pages if k.partition("/")[0] not in CRAWL_OUTCOMES)
    rows += [f"<tr><td>{escape(k)}</td><td class=n>{escape(str(pages[k]))}</td></tr>"
             for k in other]
    return f'<table class="crawl" id="crawl">{"".join(rows)}</table>'


def size_histogram_svg(document: ClusterDocument) -> str:
    """Bar chart of how many event clusters have 1, 2, 3… articles: a glance shows whether the
    clustering merged too much (a long tail) or too little (everything at 1)."""
    sizes = [event.size for event in document.events]
    counts = [sum(1 for s in sizes if low <= s <= high) for _, low, high in SIZE_BUCKETS]
    top = max(counts, default=0) or 1
    width, height, base, bar = 360, 150, 120, 32
    parts = [f'<svg id="size-histogram" viewBox="0 0 {width} {height}" '
             f'role="img" aria-label="Event clusters by number of articles">']
    for slot, ((label, _, _), count) in enumerate(zip(SIZE_BUCKETS, counts, strict=True)):
        x = 8 + slot * (bar + 7)
        h = round(100 * count / top)
        parts.append(f'<rect x="{x}" y="{base - h}" width="{bar}" height="{h}" fill="#1f5fbf">'
                     f"<title>{count} clusters of {escape(label)} articles</title></rect>")
        parts.append(f'<text x="{x + bar / 2}" y="{base - h - 3}" text-anchor="middle">{count}'
                     "</text>")
        parts.append(f'<text x="{x + bar / 2}" y="{base + 14}" text-anchor="middle">'
                     f"{escape(label)}</text>")
    parts.append(f'<text x="{width / 2}" y="{height - 2}" text-anchor="middle">'
                 "articles per event cluster</text></svg>")
    return "".join(parts)


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy"
 content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<title>Cluster report</title>
<style>{style}</style>
</head>
<body>
<header class="top"><h1>Cluster report</h1><p>{subtitle}</p></header>
<main>
<section id="summary"><h2>Summary</h2>{summary}</section>
<section id="clusters"><h2>Event clusters</h2>
<div class="controls">
<input type="search" id="search" placeholder="Search titles and text…" aria-label="Search">
<select id="site-filter" aria-label="Outlet"><option value="">All outlets</option></select>
<select id="sort" aria-label="Order"><option value="size">Largest first</option>
<option value="date">Newest first</option></select>
<label><input type="checkbox" id="multi"> only 2+ articles</label>
<button type="button" id="reset">Reset</button>
</div>
<noscript><p>The cluster list needs JavaScript; clusters.json holds the same data.</p></noscript>
<div id="result-count"></div>
<nav class="pager" id="pager-top" aria-label="Pages"></nav>
<div id="events"></div>
<nav class="pager" id="pager-bottom" aria-label="Pages"></nav>
</section>
<section id="lost" hidden><h2>Pages not kept</h2>
<div class="controls lost-controls">
<select id="lost-reason" aria-label="Reason"><option value="">Every reason</option></select>
<input type="search" id="lost-search" placeholder="Filter by URL or reason…"
 aria-label="Filter pages">
</div>
<div id="lost-count"></div>
<div id="lost-list" class="lost-list"></div>
<nav class="pager" id="lost-pager" aria-label="Pages of pages not kept"></nav>
</section>
</main>
<aside class="review-bar" id="review-bar" aria-label="Review decisions">
<span id="review-count"></span>
<button type="button" id="review-show" aria-expanded="false">Decisions</button>
<button type="button" id="review-save">Save decisions file</button>
<ol id="review-list" hidden></ol>
</aside>
<script type="application/json" id="report-index">{index}</script>
<script type="application/json" id="review">{review}</script>
{blocks}
<script>{script}</script>
</body>
</html>
"""
