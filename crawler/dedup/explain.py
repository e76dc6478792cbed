"""Why the clustering put an article where it is: the evidence its own rules weighed.

- A **copy** is explained by what `crawler.dedup.cluster.copy_clusters` compared: the estimated
  shingle Jaccard of the two signatures, the shingle counts, and `rules.is_copy`'s verdict
  against the thresholds; when the article is a copy of its original only through another
  copy, that copy (`via`).
- A **story** (a copy cluster's original) is explained by the event graph the clustering
  agglomerated (`crawler.dedup.event_graph`, the steps of `event_graph.event_clusters`): its score
  to each other story of its event (raw similarity, the feature vectors' cosine mixed with the
  leads', locally scaled; 0 for a pair that never became a candidate), their average weighed
  by each story's articles (what average link compares with `event_threshold`), and the shared
  features behind it, each with its weight in the story's vector and its share of that
  average: the shares add up to the score. The event's representative is explained by its
  links to the others, never by itself. A story alone in its event gets its nearest candidate
  instead.

`tests/dedup/test_explain.py` checks that average link over that graph gives exactly the
clustering's labels, so an explanation cannot drift from what was decided.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from crawler.dedup import rules
from crawler.dedup.analyse import drop_line_regex
from crawler.dedup.cluster import copy_clusters, document_frequency
from crawler.dedup.event_graph import EventGraph, event_graph
from crawler.dedup.features import feature_hashes
from crawler.dedup.options import DedupOptions
from crawler.dedup.records import Assignment
from crawler.dedup.tokens import encode_texts, tokenize_buffer
from crawler.dedup.vectors import unpack

if TYPE_CHECKING:
    from crawler.dedup.index import Corpus

FEATURES_SHOWN = 12


@dataclass(frozen=True)
class Feature:
    """A feature a story shares with its event."""

    text: str
    """As the article writes it (the clustering compares it lower-cased)."""
    kind: str
    """`name` (capitalised inside a sentence: people, places, organisations), `number`
    (digits: counts, years, dates) or `word` (any other word that is no function word)."""
    weight: float
    """Its weight in the story's feature vector (unit length), as the clustering weighed it:
    rarity, kind and frequency."""
    stories: int
    """In how many copy clusters of the corpus it occurs (its document frequency)."""
    contribution: float
    """Its share of the story's score to the event."""


@dataclass(frozen=True)
class Link:
    """The story's score to one other story (copy cluster), named by its original."""

    key: str
    articles: int
    similarity: float
    """Raw similarity: the cosine of the two feature vectors mixed with that of their lead
    vectors (`rules.raw_similarity`)."""
    score: float
    """The similarity locally scaled (`rules.scaled_similarity`, `event_scores`); 0 when the
    pair never became a candidate (no shared salient feature, or too far apart in time)."""
    candidate: bool


@dataclass(frozen=True)
class EventEvidence:
    score: float
    """Average of the links' scores, each weighed by its story's articles."""
    threshold: float
    links: tuple[Link, ...]
    """To every other story of the event, highest score first."""
    features: tuple[Feature, ...]
    nearest: Link | None
    """The best-scoring candidate outside the event, if any."""


@dataclass(frozen=True)
class CopyEvidence:
    """What the copy rule saw, against the copy cluster's original."""

    of: str
    """The copy cluster's original."""
    jaccard: float
    """Estimated Jaccard of the two articles' word shingles (equal signature slots)."""
    containment: float
    """Estimated share of the shorter article's shingles found in the longer (at most 1)."""
    shingles: tuple[int, int]
    """Shingle counts of this article and of the original."""
    is_copy: bool
    """`rules.is_copy`'s verdict against the original."""
    via: tuple[str, float] | None = None
    """When the rule does not hold against the original: the copy of the cluster it holds
    against (the highest Jaccard), and that Jaccard; copies are clusters of such links."""


@dataclass(frozen=True)
class Explanation:
    key: str
    copy: CopyEvidence | None
    """None for a copy cluster's original."""
    event: EventEvidence | None
    """None for a copy: its original's evidence stands for it."""

    def to_dict(self, options: DedupOptions, links_shown: int = 10) -> dict[str, Any]:
        """JSON form, numbers to 4 places (the `explanation` of `clusters.json`)."""
        data: dict[str, Any] = {}
        if self.copy is not None:
            c = self.copy
            data["copy"] = {
                "of": c.of, "via": None if c.via is None else {"url": c.via[0],
                                                                "jaccard": _r(c.via[1])},
                "jaccard": _r(c.jaccard),
                "containment": _r(c.containment), "shingles": list(c.shingles),
                "is_copy": c.is_copy, "rule": _copy_rule(c, options),
                "threshold": options.copy_threshold,
                "containment_threshold": options.copy_containment,
                "min_jaccard": options.copy_min_jaccard,
            }
        if self.event is not None:
            e = self.event
            data["event"] = {
                "score": _r(e.score), "threshold": e.threshold, "stories": len(e.links),
                "links": [_link(link) for link in e.links[:links_shown]],
                "features": [{"text": f.text, "kind": f.kind, "weight": _r(f.weight),
                              "stories": f.stories, "contribution": _r(f.contribution)}
                             for f in e.features],
                "nearest": _link(e.nearest) if e.nearest is not None else None,
            }
        return data


def _copy_rule(copy: CopyEvidence, options: DedupOptions) -> str | None:
    """Which of `rules.is_copy`'s two tests made it a copy of the original: `jaccard`, else
    `containment` (a shortened copy); None when neither did (it is a copy through another)."""
    if not copy.is_copy:
        return None
    return "jaccard" if copy.jaccard >= options.copy_threshold else "containment"


def _r(value: float) -> float:
    return round(float(value), 4)


def _link(link: Link) -> dict[str, Any]:
    return {"url": link.key, "articles": link.articles, "similarity": _r(link.similarity),
            "score": _r(link.score), "candidate": link.candidate}


def left_out_of_copies(options: DedupOptions) -> Callable[[str], bool]:
    """Whether the copy level leaves a line out of its shingles (`drop_line_pattern`: "Baca
    juga", tag and editor lines): such a line added by an aggregator changes nothing."""
    regex = drop_line_regex(options.drop_line_pattern)
    return lambda line: regex.match(b"\n" + line.encode("utf-8", "surrogatepass")) is not None


def explain(corpus: Corpus, assignments: Mapping[str, Assignment],
            texts: Mapping[str, tuple[str, str]], options: DedupOptions,
            keys: Iterable[str] | None = None, features_shown: int = FEATURES_SHOWN
            ) -> dict[str, Explanation]:
    """The explanation of each of `keys` (default: every key of `assignments`) in the
    clustering `assignments` of `corpus` (an index's `corpus()`, clustered with `options`).
    `texts` (key -> title, body) give the features their written form; a story lists its
    `features_shown` features with the largest shares."""
    position = {key: i for i, key in enumerate(corpus.keys)}
    data = corpus.analysed
    copy_labels = copy_clusters(data.signatures, data.lengths, options)
    graph = event_graph(data.features, copy_labels, corpus.published, options)
    context = _Context(corpus, graph, assignments, texts, options, position,
                       document_frequency(data.features, copy_labels), features_shown)
    wanted = assignments.keys() if keys is None else keys
    return {key: context.explain(key) for key in wanted if key in position
            and key in assignments}


class _Context:
    """What every explanation of one clustering reads, computed once."""

    def __init__(self, corpus: Corpus, graph: EventGraph, assignments: Mapping[str, Assignment],
                 texts: Mapping[str, tuple[str, str]], options: DedupOptions,
                 position: Mapping[str, int], df: np.ndarray, features_shown: int) -> None:
        self.corpus, self.graph, self.assignments = corpus, graph, assignments
        self.texts, self.options, self.position, self.df = texts, options, position, df
        self.features_shown = features_shown
        events = [assignments[k].event_cluster if k in assignments else k for k in corpus.keys]
        _, self.event_of = np.unique(np.array(events, dtype=object), return_inverse=True)
        self.event_members = _groups(self.event_of, int(self.event_of.max(initial=-1)) + 1)
        self.unit_members = _groups(graph.unit_of, len(graph.unit_label))
        self.copy_members: dict[str, list[int]] = {}
        for key, i in position.items():
            if key in assignments:
                self.copy_members.setdefault(assignments[key].copy_cluster, []).append(i)
        # Each unit's candidate neighbours, both directions, by unit.
        p = graph.pairs
        ends, others = np.concatenate((p[:, 0], p[:, 1])), np.concatenate((p[:, 1], p[:, 0]))
        order = np.argsort(ends, kind="stable")
        self.neighbours = others[order]
        self.neighbour_pair = np.concatenate((np.arange(len(p)), np.arange(len(p))))[order]
        self.neighbour_ptr = np.searchsorted(ends[order], np.arange(len(graph.unit_label) + 1))

    def explain(self, key: str) -> Explanation:
        mine = self.assignments[key]
        if mine.copy_cluster != key and mine.copy_cluster in self.position:
            return Explanation(key, self.copy_evidence(key, mine), None)
        return Explanation(key, None, self.event_evidence(key))

    def copy_evidence(self, key: str, mine: Assignment) -> CopyEvidence:
        data, d = self.corpus.analysed, self.position[key]
        original = self.position[mine.copy_cluster]
        members = self.copy_members[mine.copy_cluster]
        rows = np.array([original, *(m for m in members if m not in (original, d))],
                        dtype=np.int64)
        jaccard = (data.signatures[rows] == data.signatures[d]).mean(axis=1)
        lengths = data.lengths[rows]
        verdict = rules.is_copy(jaccard, np.full(len(rows), data.lengths[d]), lengths,
                                self.options)
        via = None
        if not verdict[0] and verdict.any():
            best = int(np.argmax(np.where(verdict, jaccard, -1.0)))
            via = (self.corpus.keys[rows[best]], float(jaccard[best]))
        j, mine_len, theirs = float(jaccard[0]), int(data.lengths[d]), int(lengths[0])
        # The containment `rules.is_copy` estimates, shown beside its verdict.
        union = (mine_len + theirs) / (1.0 + j)
        containment = min(j * union / max(min(mine_len, theirs), 1), 1.0)
        return CopyEvidence(mine.copy_cluster, j, containment, (mine_len, theirs),
                            bool(verdict[0]), via)

    def story_key(self, unit: int, event: int) -> str:
        """The key that names a unit in an event: the original of its first article there."""
        docs = self.event_members[event]
        first = int(docs[self.graph.unit_of[docs] == unit][0])
        key = self.corpus.keys[first]
        return self.assignments[key].copy_cluster if key in self.assignments else key

    def event_evidence(self, key: str) -> EventEvidence:
        g, d = self.graph, self.position[key]
        unit, event = int(g.unit_of[d]), int(self.event_of[d])
        docs = self.event_members[event]
        others, counts = np.unique(g.unit_of[docs][g.unit_of[docs] != unit], return_counts=True)
        lo, hi = self.neighbour_ptr[unit], self.neighbour_ptr[unit + 1]
        near, near_pair = self.neighbours[lo:hi], self.neighbour_pair[lo:hi]
        at = {int(v): int(p) for v, p in zip(near, near_pair, strict=True)}
        absent = [int(v) for v in others if int(v) not in at]
        absent_sims = g.raw(np.array([[unit, v] for v in absent], dtype=np.int64),
                            self.options)
        absent_sim = dict(zip(absent, absent_sims.tolist(), strict=True))
        links = []
        for v, count in zip(others.tolist(), counts.tolist(), strict=True):
            p = at.get(v)
            similarity = float(g.similarity[p]) if p is not None else absent_sim[v]
            score = float(g.scores[p]) if p is not None else 0.0
            links.append((v, Link(self.story_key(v, event), count, similarity, score,
                                  p is not None)))
        total = max(sum(link.articles for _, link in links), 1)
        score = sum(link.articles * link.score for _, link in links) / total
        features = self.features(unit, d, [(v, link.articles / total * (
            link.score / link.similarity if link.similarity > 0 else 0.0)) for v, link in links])
        inside = set(others.tolist())
        outside = [(float(g.scores[p]), int(v)) for v, p in zip(near, near_pair, strict=True)
                   if int(v) not in inside]
        nearest = None
        if outside:
            best, v = max(outside, key=lambda item: (item[0], -item[1]))
            p = at[v]
            where = int(self.event_of[self.unit_members[v][0]])
            nearest = Link(self.story_key(v, where), int(g.size[v]), float(g.similarity[p]), best,
                           True)
        ranked = tuple(sorted((link for _, link in links), key=lambda k: (-k.score, k.key)))
        return EventEvidence(score, self.options.event_threshold, ranked, features, nearest)

    def features(self, unit: int, doc: int, factors: list[tuple[int, float]]) -> tuple[
            Feature, ...]:
        """The unit's features by their share of its score: each linked unit's weight
        products, times that link's share of the average (`factors`)."""
        hashes, weights = unpack(self.graph.vectors[unit])
        share = _shares(self.graph.vectors, factors, hashes, weights)
        if self.graph.leads is not None:
            # The raw similarity mixes the two cosines (`rules.raw_similarity`): a feature's
            # share is its products in both, each times the cosine's part of the mix.
            lead_weight = self.options.event_lead_weight
            lead_hashes, lead_weights = unpack(self.graph.leads[unit])
            in_lead = _shares(self.graph.leads, factors, lead_hashes, lead_weights)
            full_hashes, full_weights = hashes, weights
            hashes, inverse = np.unique(np.concatenate((full_hashes, lead_hashes)),
                                        return_inverse=True)
            share = np.bincount(inverse, weights=np.concatenate(
                ((1 - lead_weight) * share, lead_weight * in_lead)), minlength=len(hashes))
            weights = np.zeros(len(hashes))
            weights[np.searchsorted(hashes, full_hashes)] = full_weights
        order = [i for i in np.lexsort((hashes, -share)) if share[i] > 0][:self.features_shown]
        if not order:
            return ()
        entries = self.entries(unit, doc)
        written = self.written(unit, doc, {int(hashes[i]) for i in order})
        found = []
        for i in order:
            h = int(hashes[i])
            flags, stories = entries.get(h, (0, 0))
            kind = "number" if flags & 2 else "name" if flags & 1 else "word"
            found.append(Feature(written.get(h, f"#{h:08x}"), kind, float(weights[i]), stories,
                                 float(share[i])))
        return tuple(found)

    def unit_docs(self, unit: int, doc: int) -> list[int]:
        """The unit's documents, `doc` first."""
        return [doc, *(x for x in self.unit_members[unit].tolist() if x != doc)]

    def entries(self, unit: int, doc: int) -> dict[int, tuple[int, int]]:
        """Hash -> (kind flags, document frequency) over the unit's documents."""
        f = self.corpus.analysed.features
        found: dict[int, tuple[int, int]] = {}
        for x in self.unit_docs(unit, doc):
            for h, flags, df in zip(f.hashes[f.ptr[x]:f.ptr[x + 1]].tolist(),
                                    f.flags[f.ptr[x]:f.ptr[x + 1]].tolist(),
                                    self.df[f.ptr[x]:f.ptr[x + 1]].tolist(), strict=True):
                old = found.get(h, (0, 0))
                found[h] = (old[0] | flags, max(old[1], df))
        return found

    def written(self, unit: int, doc: int, wanted: set[int]) -> dict[int, str]:
        """How the unit's articles write the features `wanted`: a name's form inside a
        sentence, else the first."""
        found: dict[int, str] = {}
        for x in self.unit_docs(unit, doc):
            text = self.texts.get(self.corpus.keys[x])
            if text is None or not wanted - found.keys():
                continue
            found.update((h, w) for h, w in surface_forms(text, wanted - found.keys()).items())
        return found


def _groups(labels: np.ndarray, count: int) -> list[np.ndarray]:
    """The positions holding each label `0..count-1`, in increasing order."""
    order = np.argsort(labels, kind="stable")
    return np.split(order, np.searchsorted(labels[order], np.arange(1, count)))


def surface_forms(text: tuple[str, str], wanted: set[int]) -> dict[int, str]:
    """Feature hash -> the token of `text` (title, body) that gives it, as written (the most
    frequent of its forms; the first, inside a sentence before after a stop, among equals)."""
    data, offsets = encode_texts(list(text))
    tokens = tokenize_buffer(data, offsets)
    h32 = feature_hashes(tokens).astype(np.int64)
    hit = np.flatnonzero(np.isin(h32, list(wanted)))
    # Inside a sentence first (a name's own capital), then in text order.
    hit = hit[np.lexsort((hit, tokens.sentence_start[hit]))]
    # A feature is a stem ("Zelensky" and "Zelenskyy" are one): its most frequent form.
    forms: dict[int, Counter[str]] = {}
    for i in hit.tolist():
        start = int(tokens.start[i])
        form = data[start:start + int(tokens.length[i])].decode("utf-8", "replace")
        forms.setdefault(int(h32[i]), Counter())[form] += 1
    return {h: counts.most_common(1)[0][0] for h, counts in forms.items()}


def _shares(vectors: np.ndarray, factors: list[tuple[int, float]], hashes: np.ndarray,
            weights: np.ndarray) -> np.ndarray:
    """For each of `hashes` (a unit's row of `vectors`, unpacked with its `weights`), its weight
    products with each linked unit's row, times that link's factor."""
    share = np.zeros(len(hashes))
    for other, factor in factors:
        if factor <= 0:
            continue
        theirs, their_weights = unpack(vectors[other])
        at = np.minimum(np.searchsorted(theirs, hashes), max(len(theirs) - 1, 0))
        common = theirs[at] == hashes if len(theirs) else np.zeros(len(hashes), dtype=bool)
        share[common] += factor * weights[common] * their_weights[at[common]]
    return share
