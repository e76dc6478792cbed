"""The short summary printed after `scrapy cluster`: counts and a table of the largest clusters."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from crawler.report.model import ClusterDocument, EventCluster

TITLE_WIDTH = 60

# Control characters (an ESC starts a terminal escape sequence) and bidi overrides/isolates would
# let an article title repaint or reorder the user's terminal; they are dropped.
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def terminal_text(text: str | None, width: int = TITLE_WIDTH) -> str:
    """One safe line of at most `width` characters (an ellipsis marks a cut)."""
    clean = " ".join(_UNSAFE.sub(" ", unicodedata.normalize("NFC", text or "")).split())
    return clean if len(clean) <= width else clean[: width - 1] + "…"


def terminal_summary(
    document: ClusterDocument, top: int = 10, crawl_summary: Mapping[str, Any] | None = None
) -> str:
    """Counts, the crawl's page outcomes when given, and the `top` largest event clusters."""
    lines = [
        f"{document.article_count} articles, {document.copy_cluster_count} copy clusters, "
        f"{len(document.events)} event clusters "
        f"({sum(1 for e in document.events if e.size > 1)} with 2+ articles)"
    ]
    if crawl_summary is not None:
        pages = crawl_summary.get("pages", crawl_summary)
        outcomes = ("requested", "article", "rejected", "missed", "failed")
        lines.append("crawl: " + ", ".join(f"{pages[k]} {k}" for k in outcomes if k in pages))
    largest = document.events[:top]
    if largest:
        lines += ["", f"Largest event clusters (top {len(largest)}):", *_table(largest)]
    return "\n".join(lines)


def _table(events: tuple[EventCluster, ...]) -> list[str]:
    # "distinct": the event's different articles (its copy clusters); "copies": the articles
    # that republish one of them.
    header = ("#", "articles", "distinct", "copies", "outlets", "first published", "title")
    rows = [
        (
            str(rank),
            str(event.size),
            str(len(event.copies)),
            str(event.size - len(event.copies)),
            str(len(event.sites)),
            (event.first_published or "-")[:16].replace("T", " "),
            terminal_text(event.representative.title or event.id),
        )
        for rank, event in enumerate(events, start=1)
    ]
    widths = [max(len(row[i]) for row in (header, *rows)) for i in range(len(header) - 1)]

    def line(cells: tuple[str, ...]) -> str:
        numbers = [cell.rjust(w) if i < 5 else cell.ljust(w)
                   for i, (cell, w) in enumerate(zip(cells, widths, strict=False))]
        return "  ".join([*numbers, cells[-1]]).rstrip()

    return [line(header), *(line(row) for row in rows)]
