"""A reviewer's corrections to the clustering, kept in a small JSON file and applied to every
later clustering as must-link and cannot-link constraints.

The cluster report (`report.html`) saves the file; `scrapy cluster --decisions FILE` and a
crawl with `DEDUP_DECISIONS=FILE` apply it. Three kinds of decision, each naming articles by
their key (the URL of a crawled article), so they outlive re-crawls:

- `same-event`: `url` and every article of `others` end in one event cluster (must-link);
- `not-this-event`: `url`, with its copies, shares an event with none of `others`
  (cannot-link between the sides);
- `not-a-copy`: `url` shares a copy cluster with none of `others`; it stays in its event.

The rules cluster first; the decisions then move the fewest articles that satisfy them, so
every cluster no decision names stays as the rules made it (`apply`). An article a decision
names that is no longer in the corpus is left out of it; a decision left with nothing to
apply to is reported, not an error (`verify`). When two decisions contradict each other on the
same pair of articles, the later one in the file stands.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from crawler.dedup.options import SettingsLike
from crawler.dedup.records import Assignment

SCHEMA = "news-crawler/decisions"
VERSION = 1
SAME_EVENT, NOT_THIS_EVENT, NOT_A_COPY = "same-event", "not-this-event", "not-a-copy"
KINDS = (SAME_EVENT, NOT_THIS_EVENT, NOT_A_COPY)

Pair = tuple[int, int]


class DecisionsError(ValueError):
    """The decisions file cannot be read; the message is one line naming the file."""


@dataclass(frozen=True)
class Decision:
    """One correction: `kind` (one of `KINDS`) about `url` against `others`."""

    kind: str
    url: str
    others: tuple[str, ...]
    made: str | None = None
    """When the reviewer made it (ISO 8601), for the reader of the file."""

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "url": self.url, "others": list(self.others)}
        if self.made is not None:
            data["made"] = self.made
        return data


@dataclass(frozen=True)
class Verdict:
    """What became of one decision in a clustering."""

    decision: Decision
    status: str
    """`obeyed`; `stale` (its articles are no longer in the corpus); `replaced` (a later
    decision about the same articles says otherwise); `not obeyable` (see `reason`)."""
    reason: str = ""


@dataclass(frozen=True)
class Outcome:
    """Every decision's verdict, and one line for a person."""

    verdicts: tuple[Verdict, ...]

    def count(self, status: str) -> int:
        return sum(1 for v in self.verdicts if v.status == status)

    def line(self) -> str:
        """`decisions: 2 obeyed, 1 about articles no longer in the corpus (URL)…`."""
        parts = [f"{self.count('obeyed')} obeyed"]
        for status, words in (("stale", "about articles no longer in the corpus"),
                              ("replaced", "replaced by later ones"),
                              ("not obeyable", "could not be obeyed")):
            found = [v for v in self.verdicts if v.status == status]
            if found:
                first = found[0]
                detail = first.reason or first.decision.url
                parts.append(f"{len(found)} {words} ({detail}"
                             + (f", and {len(found) - 1} more)" if len(found) > 1 else ")"))
        return "decisions: " + ", ".join(parts)


@dataclass(frozen=True)
class Decisions:
    """The decisions of one file, in file order (see the module docstring)."""

    items: tuple[Decision, ...] = field(default_factory=tuple)

    def __len__(self) -> int:
        return len(self.items)

    def to_json(self) -> str:
        items = [json.dumps(d.to_dict(), ensure_ascii=False) for d in self.items]
        return (f'{{"schema": "{SCHEMA}", "version": {VERSION}, "decisions": [\n'
                + ",\n".join(items) + "\n]}\n")

    def in_force(self) -> list[tuple[Decision, list[tuple[str, str]]]]:
        """Each decision with the pairs `(url, other)` it still decides: of two decisions
        that contradict each other on a pair (same event / not this event), the later one."""
        latest: dict[frozenset[str], int] = {}
        for number, decision in enumerate(self.items):
            if decision.kind != NOT_A_COPY:
                for other in decision.others:
                    latest[frozenset((decision.url, other))] = number
        return [
            (d, [(d.url, o) for o in d.others if o != d.url and (
                d.kind == NOT_A_COPY or latest[frozenset((d.url, o))] == number)])
            for number, d in enumerate(self.items)
        ]

    def apply(self, keys: Sequence[str], copy_labels: np.ndarray, event_labels: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray]:
        """Copy and event labels (each the smallest member position of its cluster, as
        `crawler.dedup.cluster` gives them for the documents `keys`) that obey the decisions.

        In order: an article that is `not-a-copy` leaves its copy cluster alone; a copy
        cluster that is `not-this-event` leaves its event; `same-event` unites events; a
        union that brought a `not-this-event` pair together loses that copy cluster again.
        Nothing else moves."""
        position = {key: i for i, key in enumerate(keys)}
        pairs: dict[str, list[Pair]] = {kind: [] for kind in KINDS}
        for decision, decided in self.in_force():
            pairs[decision.kind] += [(position[a], position[b]) for a, b in decided
                                     if a in position and b in position]
        if not any(pairs.values()):
            return copy_labels, event_labels
        copy, event = copy_labels.astype(np.int64), event_labels.astype(np.int64)
        fresh = itertools.count(len(keys))
        for x, other in pairs[NOT_A_COPY]:
            if copy[x] == copy[other]:
                copy[x] = next(fresh)
        units = _members(copy, {copy[x] for x, _ in pairs[NOT_THIS_EVENT]})
        _split(event, copy, units, pairs[NOT_THIS_EVENT], fresh)
        _unite(event, pairs[SAME_EVENT])
        _split(event, copy, units, pairs[NOT_THIS_EVENT], fresh)
        return by_smallest_member(copy), by_smallest_member(event)

    def verify(self, assignments: Mapping[str, Assignment]) -> Outcome:
        """Whether the clustering `assignments` obeys each decision (see `Verdict`)."""
        return Outcome(tuple(
            _verdict(decision, assignments) if decided else Verdict(decision, "replaced")
            for decision, decided in self.in_force()))


def _verdict(decision: Decision, assignments: Mapping[str, Assignment]) -> Verdict:
    mine = assignments.get(decision.url)
    others = [assignments[o] for o in decision.others if o in assignments and o != decision.url]
    if mine is None or not others:
        gone = decision.url if mine is None else decision.others[0]
        return Verdict(decision, "stale", f"{gone} is not in the corpus")
    if decision.kind == SAME_EVENT:
        apart = [a.key for a in others if a.event_cluster != mine.event_cluster]
        if apart:
            return Verdict(decision, "not obeyable",
                           f"{apart[0]} must stay apart from {decision.url} by another decision")
    elif decision.kind == NOT_THIS_EVENT:
        copies = [a.key for a in others if a.copy_cluster == mine.copy_cluster]
        if copies:
            return Verdict(decision, "not obeyable", f"{decision.url} is a copy of {copies[0]}: "
                           "mark it not a copy first")
        together = [a.key for a in others if a.event_cluster == mine.event_cluster]
        if together:
            return Verdict(decision, "not obeyable",
                           f"{together[0]} is joined to {decision.url} by another decision")
    elif any(a.copy_cluster == mine.copy_cluster for a in others):  # not a copy
        return Verdict(decision, "not obeyable", f"{decision.url} is still a copy")
    return Verdict(decision, "obeyed")


def _members(labels: np.ndarray, wanted: Iterable[int]) -> dict[int, np.ndarray]:
    """The positions of each cluster in `wanted`."""
    wanted = set(wanted)
    if not wanted:
        return {}
    chosen = np.flatnonzero(np.isin(labels, list(wanted)))
    return {label: chosen[labels[chosen] == label] for label in wanted}


def _split(event: np.ndarray, copy: np.ndarray, units: Mapping[int, np.ndarray],
           cannot: Sequence[Pair], fresh: Iterable[int]) -> None:
    """Each copy cluster that shares an event with one it must not leaves to an event of its
    own (in place). A pair within one copy cluster cannot be split here."""
    ids = iter(fresh)
    for x, other in cannot:
        if event[x] == event[other] and copy[x] != copy[other]:
            event[units[copy[x]]] = next(ids)


def _unite(event: np.ndarray, must: Sequence[Pair]) -> None:
    """Events joined by `must` become one (in place)."""
    parent: dict[int, int] = {}

    def root(label: int) -> int:
        while parent.get(label, label) != label:
            label = parent[label]
        return label

    for x, other in must:
        a, b = root(int(event[x])), root(int(event[other]))
        if a != b:
            parent[max(a, b)] = min(a, b)
    if parent:
        touched = np.flatnonzero(np.isin(event, list(parent)))
        event[touched] = [root(int(label)) for label in event[touched]]


def by_smallest_member(groups: np.ndarray) -> np.ndarray:
    """Labels naming each group by its smallest position, as the clustering labels them."""
    _, inverse = np.unique(groups, return_inverse=True)
    smallest = np.full(inverse.max() + 1 if len(groups) else 0, len(groups), dtype=np.int64)
    np.minimum.at(smallest, inverse, np.arange(len(groups)))
    return smallest[inverse]


def parse(data: object, name: str = "decisions file") -> Decisions:
    """Decisions from the file's JSON value; `DecisionsError` (one line) when it is none."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise DecisionsError(f"{name} is not a {SCHEMA} file")
    if data.get("version") != VERSION:
        raise DecisionsError(f"{name} is version {data.get('version')!r}; this crawler reads "
                             f"version {VERSION}")
    items = data.get("decisions")
    if not isinstance(items, list):
        raise DecisionsError(f"{name} has no list of decisions")
    return Decisions(tuple(_decision(item, number, name)
                           for number, item in enumerate(items, start=1)))


def _decision(item: object, number: int, name: str) -> Decision:
    where = f"{name}, decision {number}"
    if not isinstance(item, dict):
        raise DecisionsError(f"{where}: not a JSON object")
    kind, url, others, made = (item.get(k) for k in ("kind", "url", "others", "made"))
    if kind not in KINDS:
        raise DecisionsError(f"{where}: kind {kind!r} is none of {', '.join(KINDS)}")
    if not isinstance(url, str) or not url:
        raise DecisionsError(f"{where}: no 'url'")
    if not isinstance(others, list) or not others or not all(
            isinstance(o, str) and o for o in others):
        raise DecisionsError(f"{where}: 'others' must be a list of URLs")
    return Decision(kind, url, tuple(others), made if isinstance(made, str) else None)


def read_decisions(path: str | os.PathLike[str]) -> Decisions:
    """The decisions saved at `path`; `DecisionsError` (one line) for a missing, unreadable or
    malformed file."""
    name = f"decisions file {path}"
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else exc
        raise DecisionsError(f"cannot read {name}: {reason}") from exc
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DecisionsError(f"{name} is not JSON (line {exc.lineno}: {exc.msg})") from exc
    return parse(data, name)


def decisions_setting(settings: SettingsLike) -> Decisions | None:
    """The reviewer's decisions a crawl or a merge is given (`DEDUP_DECISIONS`), None without
    them; `DecisionsError` (one line, naming the setting) for a file it cannot use."""
    path = settings.get("DEDUP_DECISIONS") or ""
    if not path:
        return None
    try:
        return read_decisions(str(path))
    except DecisionsError as exc:
        raise DecisionsError(f"{exc} (setting DEDUP_DECISIONS)") from exc
