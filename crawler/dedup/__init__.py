"""Near-duplicate clustering of news articles: copies (the same article republished) and events
(different articles about the same news event). Plain Python on datasketch; no Scrapy import.

Typical use::

    index = DedupIndex.open(path, DedupOptions())
    provisional = index.add(Document.from_record(record))   # during a crawl
    final = index.assignments()                             # order-independent, at the end
    index.save(path)
"""

from crawler.dedup.index import DedupIndex, IndexMismatchError
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment, Document, parse_published

__all__ = [
    "Assignment",
    "DedupIndex",
    "DedupOptions",
    "Document",
    "IndexMismatchError",
    "parse_published",
]
