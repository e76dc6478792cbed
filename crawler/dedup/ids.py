"""Event ids that stay put as stories grow: each clustering of an index is matched to the ids
its articles had before.

The clustering itself is a function of the set of articles (`DedupIndex.assignments`); which
*name* each event cluster gets is decided here, against the ids committed by the previous
clustering of the same index:

- an event that only gained articles keeps its id;
- when events merge, the merged event keeps the oldest of their ids (the one first given; among
  ids given by one clustering, its representative's key if that is one of them, else the
  smaller), and each other one is logged as merged into it;
- when an event splits, the part holding the article the id is named after keeps it (else the
  part holding most of its earlier articles, then the one whose smallest key is smaller), and
  every other part gets a new id, logged as split from it;
- a new event is named by its representative article's key, as on the first clustering (with
  `~2`, `~3`, … appended should that name already be taken by another event, past or present).

The log of merges and splits is kept with the index, as plain dicts (`EventChange.as_dict`),
for the cluster report and for people who follow stories.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

import numpy as np


@dataclass(frozen=True)
class EventChange:
    """One entry of the log: `change` "merged" (`id` was merged into `into`) or "split" (`id`,
    a new event, was split from `into`); `clustering` counts the index's clusterings, from 1."""

    clustering: int
    change: str
    id: str
    into: str
    articles: int
    """Articles of `id` at that clustering."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass
class EventIds:
    """The committed event id of each article of an index, the clustering at which each id was
    first given, and the log of merges and splits."""

    of: dict[str, str] = field(default_factory=dict)
    """Article key -> the event id it had at the last committed clustering."""
    born: dict[str, int] = field(default_factory=dict)
    """Event id (current or retired) -> the clustering that first gave it."""
    clusterings: int = 0
    log: list[EventChange] = field(default_factory=list)

    def name(self, events: Mapping[str, Sequence[str]]) -> tuple[dict[str, str], list[EventChange]]:
        """The id of each event of a new clustering, and the changes it makes.

        `events` maps each event's representative key (its name when it is new) to its member
        keys. Nothing is committed: `commit` does that.
        """
        clustering = self.clusterings + 1
        if not self.born:  # the first clustering: every event is new, named by its representative
            return {rep: rep for rep in events}, []
        before: dict[str, Counter[str]] = {}
        for rep, members in events.items():
            held = Counter(self.of[k] for k in members if k in self.of)
            if held:
                before[rep] = held
        # Each earlier id goes to the event holding the article it is named after, else to
        # the one holding most of its articles (then the smaller key).
        owner: dict[str, tuple[bool, int, str, str]] = {}
        for rep, held in before.items():
            first = min(events[rep])
            inside = set(events[rep])
            for old, count in held.items():
                rank = (old not in inside, -count, first, rep)
                if old not in owner or rank < owner[old]:
                    owner[old] = rank
        owned: dict[str, list[str]] = defaultdict(list)
        for old, rank in owner.items():
            owned[rank[3]].append(old)
        taken = set(self.born)
        names: dict[str, str] = {}
        changes: list[EventChange] = []
        for rep in sorted(events):
            # The oldest; among ids given at once, the one a first clustering would give.
            ids = sorted(owned.get(rep, ()),
                         key=lambda i, r=rep: (self.born.get(i, clustering), i != r, i))
            if ids:
                names[rep] = ids[0]
                changes.extend(EventChange(clustering, "merged", other, ids[0],
                                           before[rep][other]) for other in ids[1:])
                continue
            names[rep] = _fresh(rep, taken)
            taken.add(names[rep])
            if rep in before:  # earlier articles, each of whose ids went elsewhere
                source = min(before[rep], key=lambda i: (-before[rep][i], i))
                changes.append(EventChange(clustering, "split", names[rep], source,
                                           len(events[rep])))
        return names, changes

    def commit(self, events: Mapping[str, Sequence[str]], names: Mapping[str, str],
               changes: Sequence[EventChange]) -> None:
        """Make `names` (from `name` over the same `events`) the committed ids."""
        self.clusterings += 1
        self.of = {k: names[rep] for rep, members in events.items() for k in members}
        for name in names.values():
            self.born.setdefault(name, self.clusterings)
        self.log.extend(changes)

    def arrays(self, keys: Sequence[str]) -> dict[str, np.ndarray]:
        """The state as arrays aligned with `keys` (the saved index's order), small on disk: an
        article whose event id is its own key (most are alone in their event) stores null."""
        of = [None if (e := self.of.get(k, k)) == k else e for k in keys]
        return {
            "event_of": _json_array(of),
            "event_born": np.array([self.born.get(self.of.get(k, ""), 0) for k in keys],
                                   dtype=np.int32),
            "event_log": _json_array({"clusterings": self.clusterings,
                                      "log": [c.as_dict() for c in self.log]}),
        }

    @classmethod
    def from_arrays(cls, keys: Sequence[str], arrays: Mapping[str, np.ndarray]) -> EventIds:
        """The state `arrays` saved (none for an index saved before ids were kept)."""
        if "event_of" not in arrays:
            return cls()
        of_list = json.loads(bytes(arrays["event_of"]).decode("utf-8"))
        born_list = arrays["event_born"].tolist()
        head = json.loads(bytes(arrays["event_log"]).decode("utf-8"))
        if len(of_list) != len(keys) or len(born_list) != len(keys):
            raise ValueError("event ids do not match the keys")
        ids = cls(clusterings=int(head["clusterings"]),
                  log=[EventChange(**c) for c in head["log"]])
        for key, event, born in zip(keys, of_list, born_list, strict=True):
            if born:  # 0: the article was added after the last clustering
                ids.of[key] = key if event is None else str(event)
                ids.born[ids.of[key]] = int(born)
        for change in ids.log:  # retired ids are never given again
            ids.born.setdefault(change.id, change.clustering)
            ids.born.setdefault(change.into, change.clustering)
        return ids


def _json_array(value: object) -> np.ndarray:
    return np.frombuffer(json.dumps(value, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)


def _fresh(name: str, taken: set[str]) -> str:
    """`name`, or `name~2`, `name~3`, … the first not in `taken`."""
    if name not in taken:
        return name
    n = 2
    while f"{name}~{n}" in taken:
        n += 1
    return f"{name}~{n}"
