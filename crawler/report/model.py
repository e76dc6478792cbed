"""The cluster document: event clusters made of copy clusters made of members, and its JSON form.

Only identity, metadata and scores live here; article text stays in the records, so
`clusters.json` is small and the HTML report takes bodies from the records it is given.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from crawler.dedup.records import Assignment
from crawler.items import published_time

SCHEMA = "news-crawler/clusters"
SCHEMA_VERSION = 2
"""2: members may carry the dedup's `explanation`. Version 1 files are read too."""
READABLE_VERSIONS = (1, 2)


def date_key(value: str | None) -> tuple[int, float]:
    """Sort key: known times in order, unknown ones last."""
    moment = published_time(value)
    return (0, moment.timestamp()) if moment else (1, 0.0)


@dataclass(frozen=True)
class Member:
    """One article in a copy cluster."""

    url: str
    site: str | None
    source: str | None
    title: str | None
    published: str | None
    similarity: float
    """Similarity to the copy cluster's representative (1.0 for the representative itself)."""
    explanation: Mapping[str, Any] | None = field(default=None, hash=False)
    """Why the dedup put it here (`crawler.dedup.explain`, JSON form), when it was asked."""


@dataclass(frozen=True)
class CopyCluster:
    """Articles that are the same text republished; `members[0]` is the representative."""

    id: str
    similarity: float
    """Similarity of this cluster's representative to the event's (1.0 for the event's own)."""
    members: tuple[Member, ...]

    @property
    def representative(self) -> Member:
        """The original: the member the id names, else the earliest published."""
        return self.members[0]


@dataclass(frozen=True)
class EventCluster:
    """Copy clusters about the same news event; `copies[0]` holds the representative."""

    id: str
    copies: tuple[CopyCluster, ...]

    @property
    def representative(self) -> Member:
        return self.copies[0].representative

    @property
    def members(self) -> Iterator[Member]:
        for copy in self.copies:
            yield from copy.members

    @property
    def size(self) -> int:
        return sum(len(copy.members) for copy in self.copies)

    @property
    def sites(self) -> list[str]:
        """Every outlet in the cluster (sites crawled and credited sources), sorted."""
        names = {name for m in self.members for name in (m.site, m.source) if name}
        return sorted(names)

    @property
    def first_published(self) -> str | None:
        return min((m.published for m in self.members), key=date_key, default=None)

    @property
    def last_published(self) -> str | None:
        dated = [m.published for m in self.members if published_time(m.published)]
        return max(dated, key=date_key, default=None)


@dataclass(frozen=True)
class SimilarityMethods:
    """How the scores were obtained, so a reader knows what 0.23 means."""

    copy: str
    event: str


@dataclass(frozen=True)
class ClusterDocument:
    """All event clusters of one run, largest first."""

    events: tuple[EventCluster, ...]
    similarity: SimilarityMethods

    @property
    def article_count(self) -> int:
        return sum(event.size for event in self.events)

    @property
    def copy_cluster_count(self) -> int:
        return sum(len(event.copies) for event in self.events)

    def assignments(self) -> dict[str, Assignment]:
        """URL -> (copy cluster id, event cluster id): the clustering, comparable across runs."""
        return {
            member.url: Assignment(member.url, copy.id, event.id)
            for event in self.events
            for copy in event.copies
            for member in copy.members
        }

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "version": SCHEMA_VERSION,
            "similarity": {"copy": self.similarity.copy, "event": self.similarity.event},
            "counts": {
                "articles": self.article_count,
                "copy_clusters": self.copy_cluster_count,
                "event_clusters": len(self.events),
            },
            "events": [_event_to_dict(event) for event in self.events],
        }

    def to_json(self) -> str:
        """`clusters.json` text (schema in crawler/report/README.md), one event cluster per line:
        readable and diffable, yet written by the fast C encoder (indenting would not be)."""
        data = self.to_dict()
        events = [json.dumps(event, ensure_ascii=False) for event in data.pop("events")]
        head = json.dumps(data, ensure_ascii=False)[:-1]
        return head + ', "events": [\n' + ",\n".join(events) + "\n]}\n"

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ClusterDocument:
        """Read a document back; derived fields (counts, sizes, dates) are recomputed, not read.

        Raises ValueError for another schema, a newer version or a malformed document."""
        if data.get("schema") != SCHEMA or data.get("version") not in READABLE_VERSIONS:
            raise ValueError(
                f"not a {SCHEMA} document of version 1 or 2: "
                f"{data.get('schema')!r} v{data.get('version')!r}"
            )
        try:
            methods = SimilarityMethods(data["similarity"]["copy"], data["similarity"]["event"])
            events = tuple(_event_from_dict(event) for event in data["events"])
        except (KeyError, TypeError, IndexError) as error:
            raise ValueError(f"malformed cluster document: {error!r}") from error
        return cls(events=events, similarity=methods)

    @classmethod
    def from_json(cls, text: str | bytes) -> ClusterDocument:
        return cls.from_dict(json.loads(text))


def member_to_dict(member: Member) -> dict[str, Any]:
    data: dict[str, Any] = {
        "url": member.url,
        "site": member.site,
        "source": member.source,
        "title": member.title,
        "published": member.published,
        "similarity": member.similarity,
    }
    if member.explanation is not None:
        data["explanation"] = member.explanation
    return data


def _event_to_dict(event: EventCluster) -> dict[str, Any]:
    return {
        "id": event.id,
        "representative": event.representative.url,
        "size": event.size,
        "sites": event.sites,
        "first_published": event.first_published,
        "last_published": event.last_published,
        "copy_clusters": [
            {
                "id": copy.id,
                "representative": copy.representative.url,
                "similarity": copy.similarity,
                "members": [member_to_dict(member) for member in copy.members],
            }
            for copy in event.copies
        ],
    }


def _event_from_dict(data: Mapping[str, Any]) -> EventCluster:
    copies = tuple(
        CopyCluster(
            id=copy["id"],
            similarity=float(copy["similarity"]),
            members=_members_from_dict(copy["members"], copy["representative"]),
        )
        for copy in data["copy_clusters"]
    )
    if not copies or copies[0].representative.url != data["representative"]:
        raise ValueError(f"event {data['id']!r}: first copy cluster must hold its representative")
    return EventCluster(id=data["id"], copies=copies)


def _members_from_dict(items: list[Mapping[str, Any]], representative: str) -> tuple[Member, ...]:
    members = tuple(
        Member(
            url=item["url"],
            site=item.get("site"),
            source=item.get("source"),
            title=item.get("title"),
            published=item.get("published"),
            similarity=float(item["similarity"]),
            explanation=item.get("explanation"),
        )
        for item in items
    )
    if not members or members[0].url != representative:
        raise ValueError(f"copy cluster of {representative!r}: representative must come first")
    return members
