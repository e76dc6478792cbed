"""The records the dedup index takes and gives: `Document` in, `Assignment` out."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


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
    """POSIX seconds from an ISO 8601 string (naive times taken as UTC); None if absent or
    unparseable, since the date only narrows the event window."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        # timestamp() would read a naive time as local time; make it UTC on every machine.
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


@dataclass(frozen=True)
class Assignment:
    """Cluster ids of one document."""

    key: str
    copy_cluster: str
    event_cluster: str
