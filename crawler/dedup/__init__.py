"""Near-duplicate clustering of news articles: copies (the same article republished) and events
(different articles about the same news event). Plain Python on datasketch; no Scrapy import.

Typical use::

    index = DedupIndex.open(path, DedupOptions())
    provisional = index.add(Document.from_record(record))   # during a crawl
    final = index.assignments()                             # order-independent, at the end
    index.save(path)

The names below are imported on first use: the extraction workers import
`crawler.dedup.analyse` alone, and the index would bring datasketch and scipy into every one of
them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.dedup.index import DedupIndex, IndexMismatchError, IndexUnreadable
    from crawler.dedup.options import DedupOptions
    from crawler.dedup.records import Assignment, Document, parse_published

_HOMES = {
    "Assignment": "crawler.dedup.records",
    "DedupIndex": "crawler.dedup.index",
    "DedupOptions": "crawler.dedup.options",
    "Document": "crawler.dedup.records",
    "IndexMismatchError": "crawler.dedup.index",
    "IndexUnreadable": "crawler.dedup.index",
    "parse_published": "crawler.dedup.records",
}

__all__ = [
    "Assignment",
    "DedupIndex",
    "DedupOptions",
    "Document",
    "IndexMismatchError",
    "IndexUnreadable",
    "parse_published",
]


def __getattr__(name: str) -> Any:
    if name not in _HOMES:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(_HOMES[name]), name)
    globals()[name] = value
    return value
