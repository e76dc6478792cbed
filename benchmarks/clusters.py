"""Clustering benchmarks: quality on a labelled JSONL, speed on synthetic articles.

    python benchmarks/clusters.py quality [--data FILE]
    python benchmarks/clusters.py speed [--docs 100000] [--baseline-docs N]

`quality` clusters the labelled file (field `gold_event`; `topic` to split tuning and held-out
halves) with our event level and two baselines, word 5-shingle MinHash LSH with connected
components, and TF-IDF cosine with average link (scikit-learn, baseline only), whose threshold is
picked on the odd topics like ours was. It prints B-cubed P/R/F1, pairwise F1, ARI and docs/s for
all topics, the odd (tuning) topics and the even (held-out) topics.

`speed` writes deterministic synthetic articles (Zipf word frequencies, capitalised names,
numbers, 10% republished copies with aggregator edits) to a JSONL file, then times our command
path (`cluster_jsonl`: read, both levels, write) against datasketch's `MinHash.update_batch` per
document into `MinHashLSH`, and reports the index size per article.
"""

from __future__ import annotations

import argparse
import json
import re
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from datasketch import MinHash, MinHashLSH

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.jsonl import cluster_jsonl

SHARED = Path(__file__).resolve().parents[1].parent / "shared"  # ../shared beside the project
DEFAULT_DATA = SHARED / "data" / "events" / "ecbplus-dev.jsonl"
WORD = re.compile(r"\w+")

Labels = list[str]


# ---------------------------------------------------------------- scores


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 over documents."""
    by_gold: dict[str, set[int]] = defaultdict(set)
    by_pred: dict[str, set[int]] = defaultdict(set)
    for i, (g, p) in enumerate(zip(gold, pred, strict=True)):
        by_gold[g].add(i)
        by_pred[p].add(i)
    precision = recall = 0.0
    for g, p in zip(gold, pred, strict=True):
        both = len(by_gold[g] & by_pred[p])
        precision += both / len(by_pred[p])
        recall += both / len(by_gold[g])
    precision, recall = precision / len(gold), recall / len(gold)
    return precision, recall, 2 * precision * recall / (precision + recall)


def pairwise_f1(gold: Sequence[str], pred: Sequence[str]) -> float:
    """F1 over same-cluster document pairs."""
    def pairs(labels: Sequence[str]) -> set[tuple[int, int]]:
        groups: dict[str, list[int]] = defaultdict(list)
        for i, x in enumerate(labels):
            groups[x].append(i)
        return {(a, b) for m in groups.values() for k, a in enumerate(m) for b in m[k + 1 :]}

    g, p = pairs(gold), pairs(pred)
    if not g or not p:
        return 0.0
    tp = len(g & p)
    return 2 * tp / (len(g) + len(p))


def ari(gold: Sequence[str], pred: Sequence[str]) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(gold, pred))


# ---------------------------------------------------------------- methods


def ours(records: list[dict]) -> Labels:
    index = DedupIndex(DedupOptions())
    docs = [Document.from_record(r) for r in records]
    index.add_many(docs)
    final = index.assignments()
    return [final[d.key].event_cluster for d in docs]


def word_shingles(text: str, k: int = 5) -> list[bytes]:
    tokens = WORD.findall(text.lower())
    if len(tokens) <= k:
        return [" ".join(tokens).encode()] if tokens else []
    return [" ".join(tokens[i : i + k]).encode() for i in range(len(tokens) - k + 1)]


def shingle_baseline(records: list[dict], threshold: float = 0.5, num_perm: int = 128) -> Labels:
    """Word 5-shingle MinHash (datasketch update_batch) into MinHashLSH; connected components."""
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    sketches = []
    for i, r in enumerate(records):
        m = MinHash(num_perm=num_perm, seed=1)
        m.update_batch(word_shingles(f"{r.get('title') or ''}\n{r['body']}"))
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


def tfidf_baseline(records: list[dict], distance: float) -> Labels:
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.feature_extraction.text import TfidfVectorizer

    texts = [f"{r.get('title') or ''}\n{r['body']}" for r in records]
    x = TfidfVectorizer(sublinear_tf=True, stop_words="english").fit_transform(texts)
    sim = (x @ x.T).toarray()
    model = AgglomerativeClustering(
        n_clusters=None, metric="precomputed", linkage="average", distance_threshold=distance
    )
    return [str(v) for v in model.fit_predict(1 - sim)]


# ---------------------------------------------------------------- quality


def quality(path: Path) -> None:
    records = [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]
    halves = {
        "all": records,
        "odd (tuned)": [r for r in records if r["topic"] % 2 == 1],
        "even (held out)": [r for r in records if r["topic"] % 2 == 0],
    }
    tfidf_distance = _pick_tfidf_threshold(halves["odd (tuned)"])
    methods: list[tuple[str, Callable[[list[dict]], Labels]]] = [
        ("ours (event level)", ours),
        ("word 5-shingle MinHash LSH + CC", shingle_baseline),
        (f"TF-IDF cosine avg link (d={tfidf_distance})",
         lambda rs: tfidf_baseline(rs, tfidf_distance)),
    ]
    print(f"data: {path} ({len(records)} documents, "
          f"{len({r['gold_event'] for r in records})} events)")
    header = f"{'topics':16} {'method':44} {'B3 P':>6} {'B3 R':>6} {'B3 F1':>6} " \
             f"{'pair F1':>7} {'ARI':>6} {'docs/s':>8}"
    print(header)
    print("-" * len(header))
    for name, subset in halves.items():
        gold = [r["gold_event"] for r in subset]
        for label, method in methods:
            start = time.perf_counter()
            pred = method(subset)
            rate = len(subset) / (time.perf_counter() - start)
            p, r, f = bcubed(gold, pred)
            print(f"{name:16} {label:44} {p:6.3f} {r:6.3f} {f:6.3f} "
                  f"{pairwise_f1(gold, pred):7.3f} {ari(gold, pred):6.3f} {rate:8.0f}")


def _pick_tfidf_threshold(records: list[dict]) -> float:
    gold = [r["gold_event"] for r in records]
    grid = [0.7, 0.75, 0.8, 0.85, 0.9]
    return max(grid, key=lambda d: bcubed(gold, tfidf_baseline(records, d))[2])


# ---------------------------------------------------------------- speed


def synthetic(path: Path, n_docs: int, seed: int = 7, words: int = 400) -> None:
    """Deterministic synthetic news: Zipf(1.1) words over 60,000 pseudo-words, 5% capitalised
    name tokens from 8,000 names, some numbers, sentences of ~15 words; 10% of the articles are
    copies of an earlier one with a "Baca juga" line, a new title, a shortened ending or ~2% of
    words replaced."""
    rng = np.random.default_rng(seed)
    letters = np.array(list("abcdefghijklmnopqrstuvwxyz"))
    vocab = np.array(["".join(rng.choice(letters, size=rng.integers(3, 11)))
                      for _ in range(60_000)])
    names = np.array([w.capitalize() for w in vocab[rng.permutation(60_000)[:8_000]]])
    p = 1.0 / np.arange(1, len(vocab) + 1) ** 1.1
    cdf = np.cumsum(p / p.sum())
    bodies: list[str] = []
    with path.open("w", encoding="utf-8") as out:
        for i in range(n_docs):
            if i > 100 and rng.random() < 0.1:
                body = _edited_copy(bodies[int(rng.integers(0, len(bodies)))], rng, vocab)
            else:
                body = _article(rng, vocab, names, cdf, words)
            bodies.append(body)
            record = {"url": f"https://synthetic.example/{i:06d}",
                      "title": " ".join(body.split()[:8]), "body": body}
            out.write(json.dumps(record) + "\n")


def _article(rng: np.random.Generator, vocab: np.ndarray, names: np.ndarray, cdf: np.ndarray,
             words: int) -> str:
    picks = np.minimum(np.searchsorted(cdf, rng.random(words)), len(vocab) - 1)
    tokens = vocab[picks].astype(object)
    is_name = rng.random(words) < 0.05
    tokens[is_name] = names[rng.integers(0, len(names), size=int(is_name.sum()))]
    is_num = rng.random(words) < 0.01
    tokens[is_num] = [str(v) for v in rng.integers(1, 3000, size=int(is_num.sum()))]
    sentences = []
    for lo in range(0, words, 15):
        part = list(tokens[lo : lo + 15])
        part[0] = part[0].capitalize()
        sentences.append(" ".join(part) + ".")
    return "\n".join(" ".join(sentences[k : k + 3]) for k in range(0, len(sentences), 3))


def _edited_copy(body: str, rng: np.random.Generator, vocab: np.ndarray) -> str:
    words = body.split(" ")
    for k in rng.choice(len(words), size=len(words) // 50, replace=False):
        words[k] = str(vocab[int(rng.integers(0, len(vocab)))])
    text = " ".join(words)
    lines = text.split("\n")
    lines.insert(len(lines) // 2, "Baca juga: " + " ".join(vocab[rng.integers(0, 5000, 6)]))
    return "\n".join(lines[: max(2, int(len(lines) * 0.85))])


def speed(n_docs: int, baseline_docs: int | None) -> None:
    workdir = Path(tempfile.gettempdir()) / "dedup-bench"
    workdir.mkdir(exist_ok=True)
    data = workdir / f"synthetic-{n_docs}.jsonl"
    if not data.exists():
        start = time.perf_counter()
        synthetic(data, n_docs)
        print(f"generated {data} in {time.perf_counter() - start:.1f} s")
    options = DedupOptions()
    start = time.perf_counter()
    index = DedupIndex(options)
    report = cluster_jsonl(data, workdir / "out.jsonl", options, index=index)
    ours_s = time.perf_counter() - start
    index_file = workdir / "index.npz"
    index.save(index_file)
    base_n = baseline_docs or n_docs
    records = []
    with data.open(encoding="utf-8") as fh:
        for line, _ in zip(fh, range(base_n), strict=False):
            records.append(json.loads(line))
    start = time.perf_counter()
    shingle_baseline(records, threshold=options.copy_lsh_threshold, num_perm=128)
    base_s = (time.perf_counter() - start) * n_docs / base_n
    per_doc = index_file.stat().st_size / n_docs
    print(f"{'path':58} {'docs':>7} {'seconds':>8} {'docs/s':>8}")
    print(f"{'ours: cluster_jsonl (read, both levels, write), 2 workers':58} "
          f"{n_docs:7d} {ours_s:8.1f} {n_docs / ours_s:8.0f}")
    note = "" if base_n == n_docs else f" (timed on {base_n}, scaled)"
    print(f"{'datasketch: regex shingles, update_batch, MinHashLSH, CC' + note:58} "
          f"{n_docs:7d} {base_s:8.1f} {n_docs / base_s:8.0f}")
    print(f"speed-up {base_s / ours_s:.1f}x; copy clusters {report.copy_clusters}, "
          f"event clusters {report.event_clusters}; index file {per_doc:.0f} bytes/article")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    q = sub.add_parser("quality")
    q.add_argument("--data", type=Path, default=DEFAULT_DATA)
    s = sub.add_parser("speed")
    s.add_argument("--docs", type=int, default=100_000)
    s.add_argument("--baseline-docs", type=int, default=None,
                   help="time the baseline on the first N documents and scale (default: all)")
    args = parser.parse_args()
    if args.mode == "quality":
        quality(args.data)
    else:
        speed(args.docs, args.baseline_docs)


if __name__ == "__main__":
    main()
