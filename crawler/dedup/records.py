"""The records the dedup index takes and gives: `Document` in, `Assignment` out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from crawler.items import published_time


@dataclass(frozen=True)
class Document:
    """What the index needs of an article."""

    key: str
    """Unique id: the record's `id` when it has one, else its URL."""

    title: str = ""
    body: str = ""

    published: float | None = None
    """Publication time as POSIX seconds, or None when unknown."""

    original: bool = True
    """False for a republication that credits another publisher (an aggregator copy); an
    original is preferred as a cluster's representative."""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Document:
        """A document from an article record (`url` or `id`, `title`, `body`, optional
        `published` ISO 8601, `site`, `source`). Raises ValueError when one is unusable."""
        # An explicit id is the more specific name (two records can share a URL); crawl output
        # has only the URL.
        key = record.get("id")
        key = key if key not in (None, "") else record.get("url")
        if not isinstance(key, str | int) or key == "":
            raise ValueError("record has no 'url' or 'id'")
        body = record.get("body")
        if not isinstance(body, str):
            raise ValueError("record has no 'body' string")
        title = record.get("title")
        site, source = record.get("site"), record.get("source")
        return cls(
            key=str(key),
            title=title if isinstance(title, str) else "",
            body=body,
            published=parse_published(record.get("published")),
            original=not (isinstance(site, str) and isinstance(source, str) and site != source),
        )


def parse_published(value: object) -> float | None:
    """POSIX seconds of an article's `published` (`crawler.items.published_time`); None if
    absent or unparseable, since the date only narrows the event window."""
    moment = published_time(value)
    return None if moment is None else moment.timestamp()


@dataclass(frozen=True)
class Assignment:
    """Cluster ids of one document."""

    key: str
    copy_cluster: str
    event_cluster: str
