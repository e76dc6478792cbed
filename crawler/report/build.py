"""Records with cluster ids -> ClusterDocument."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from crawler.report.model import (
    ClusterDocument,
    CopyCluster,
    EventCluster,
    Member,
    SimilarityMethods,
    date_key,
)
from crawler.report.progress import ProgressCallback, report_progress
from crawler.report.similarity import copy_similarity, event_similarity

COMPUTED = SimilarityMethods(copy="jaccard/word-5-shingles", event="jaccard/word-set")
GIVEN = SimilarityMethods(copy="dedup", event="dedup")

Measure = Callable[[str, str], float]


@dataclass(frozen=True)
class _Record:
    url: str
    canonical_url: str | None
    site: str | None
    source: str | None
    title: str | None
    published: str | None
    body: str
    copy_cluster: str
    event_cluster: str | None

    @classmethod
    def of(cls, record: Mapping[str, Any]) -> _Record:
        url = str(record["url"])
        return cls(
            url=url,
            canonical_url=record.get("canonical_url"),
            site=record.get("site"),
            source=record.get("source"),
            title=record.get("title"),
            published=record.get("published"),
            body=record.get("body") or "",
            # An article the dedup left unclustered is its own copy and event cluster.
            copy_cluster=record.get("copy_cluster") or url,
            event_cluster=record.get("event_cluster"),
        )

    def is_named_by(self, cluster_id: str) -> bool:
        return cluster_id in (self.url, self.canonical_url)


@dataclass(frozen=True)
class _CopyGroup:
    id: str
    event: str
    records: tuple[_Record, ...]  # representative first

    @property
    def representative(self) -> _Record:
        return self.records[0]


def build_clusters(
    records: Iterable[Mapping[str, Any]],
    similarities: Mapping[str, float] | None = None,
    *,
    progress: ProgressCallback | None = None,
    explanations: Mapping[str, Mapping[str, Any]] | None = None,
) -> ClusterDocument:
    """Group records by their `copy_cluster` and `event_cluster` ids into a ClusterDocument.

    `similarities` maps a URL to the score that joined that article: for a copy, its similarity
    to its copy cluster's representative; for a copy cluster's representative, that cluster's
    similarity to the event's representative. URLs it lacks (or all, when it is None) get a score
    computed from the bodies: word 5-shingle Jaccard for copies, word-set Jaccard for events.

    A record without `copy_cluster` is its own copy cluster; a copy cluster's event is the one
    most of its members name (the copy cluster itself when none does). A later record with an
    URL already seen is ignored. Events come largest first, then earliest, then by id.

    `explanations` (URL -> the dedup's explanation, `crawler.report.explained`) go with their
    members into the document."""
    unique = _unique(records)
    groups = _copy_groups(unique)
    by_event: defaultdict[str, list[_CopyGroup]] = defaultdict(list)
    for group in groups:
        by_event[group.event].append(group)
    events = []
    for done, (event_id, members) in enumerate(sorted(by_event.items()), start=1):
        events.append(_event(event_id, members, similarities or {}, explanations or {}))
        report_progress(progress, "clusters", done, len(by_event))
    events.sort(key=lambda e: (-e.size, date_key(e.first_published), e.id))
    return ClusterDocument(events=tuple(events), similarity=GIVEN if similarities else COMPUTED)


def _unique(records: Iterable[Mapping[str, Any]]) -> list[_Record]:
    seen: dict[str, _Record] = {}
    for record in records:
        parsed = _Record.of(record)
        seen.setdefault(parsed.url, parsed)
    return list(seen.values())


def _representative_first(cluster_id: str, records: list[_Record]) -> tuple[_Record, ...]:
    """The record the id names (the original an aggregator credits), else the earliest."""
    ordered = sorted(records, key=lambda r: (date_key(r.published), r.url))
    named = [r for r in ordered if r.is_named_by(cluster_id)]
    first = named[0] if named else ordered[0]
    return (first, *(r for r in ordered if r is not first))


def _copy_groups(records: list[_Record]) -> list[_CopyGroup]:
    by_copy: defaultdict[str, list[_Record]] = defaultdict(list)
    for record in records:
        by_copy[record.copy_cluster].append(record)
    return [
        _CopyGroup(id=copy_id, event=_event_id(copy_id, members),
                   records=_representative_first(copy_id, members))
        for copy_id, members in sorted(by_copy.items())
    ]


def _event_id(copy_id: str, records: list[_Record]) -> str:
    # An event cluster is a union of copy clusters, so members should agree; if the dedup ever
    # splits a copy cluster across events, the majority wins (ties: smallest id) deterministically.
    votes = Counter(r.event_cluster for r in records if r.event_cluster)
    if not votes:
        return copy_id
    return min(votes, key=lambda event: (-votes[event], event))


def _event(event_id: str, groups: list[_CopyGroup], given: Mapping[str, float],
           explanations: Mapping[str, Mapping[str, Any]]) -> EventCluster:
    heads = [group.representative for group in groups]
    ordered_heads = _representative_first(event_id, heads)
    order = {record.url: rank for rank, record in enumerate(ordered_heads)}
    groups = sorted(groups, key=lambda g: order[g.representative.url])
    head = ordered_heads[0]
    copies = tuple(_copy(group, head, given, explanations) for group in groups)
    return EventCluster(id=event_id, copies=copies)


def _copy(group: _CopyGroup, event_head: _Record, given: Mapping[str, float],
          explanations: Mapping[str, Mapping[str, Any]]) -> CopyCluster:
    head = group.representative
    members = tuple(
        _member(record, 1.0 if record is head else _score(given, record, head, copy_similarity),
                explanations.get(record.url))
        for record in group.records
    )
    similarity = 1.0 if head is event_head else _score(given, head, event_head, event_similarity)
    return CopyCluster(id=group.id, similarity=similarity, members=members)


def _score(
    given: Mapping[str, float], record: _Record, reference: _Record, measure: Measure
) -> float:
    if record.url in given:
        return round(float(given[record.url]), 4)
    return float(measure(record.body, reference.body))


def _member(record: _Record, similarity: float,
            explanation: Mapping[str, Any] | None = None) -> Member:
    return Member(
        url=record.url,
        site=record.site,
        source=record.source,
        title=record.title,
        published=record.published,
        similarity=similarity,
        explanation=explanation,
    )
