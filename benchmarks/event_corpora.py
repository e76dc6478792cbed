"""The labelled corpora of the event-level quality benchmark, their tuning and held-out parts,
and how each is scored (`../shared/data/README.md`, "How clustering is scored").

- ECB+ (English, no dates): B-cubed against `gold_event`; odd topics tune, even topics are
  held out.
- SemEval-2022 Task 8 (English, German, Spanish, no dates): all documents are clustered at once,
  and a rated pair counts as "same story" when both documents share a cluster; precision, recall
  and F1 against `label` (null labels left out), monolingual and cross-lingual pairs apart. A
  pair belongs to the tuning part when the SHA-1 of its smaller document id is even, else to the
  held-out part.
- The fixture corpus (Indonesian, dated): the fixture sites' article pages as the crawl extracts
  them, B-cubed against `fixtures/truth.json`; too small to split, so every method's figure
  there is a held-out one for ours and a tuned one for the baselines.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"  # ../shared beside the project
EVENTS = SHARED / "data" / "events"
ECB = EVENTS / "ecbplus-dev.jsonl"
SEMEVAL_DOCS = EVENTS / "semeval-dev-docs.jsonl"
SEMEVAL_PAIRS = EVENTS / "semeval-dev-pairs.jsonl"

Labels = list[str]


@dataclass
class Scored:
    """One method's figures on one slice: precision, recall, F1 (B-cubed or pairwise)."""

    precision: float
    recall: float
    f1: float


@dataclass
class Slice:
    """Records clustered together, and how a clustering of them is scored on each of its
    parts (name -> scorer); `tune` names the part that cuts are tuned on."""

    name: str
    family: str
    """Slices of one family share the baselines' tuned cuts."""
    records: list[dict]
    parts: dict[str, Callable[[Labels], Scored]]
    tune: str
    """The part the baselines' cuts are tuned on; "" to take the family's cut tuned on an
    earlier slice (a held-out half)."""
    same: list[tuple[int, int]] = field(default_factory=list)
    """Record positions of the pairs labelled as one event (for the candidates' recall)."""
    notes: list[str] = field(default_factory=list)
    judged: dict[str, list[tuple[int, int, bool]]] = field(default_factory=dict)
    """Per part, the record pairs it judges and whether each is one event (for telling where
    our errors come from; B-cubed parts judge every pair)."""


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def bcubed(gold: Sequence[str], pred: Sequence[str]) -> Scored:
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
    return Scored(precision, recall, 2 * precision * recall / (precision + recall or 1.0))


def every_pair(gold: Sequence[str]) -> list[tuple[int, int, bool]]:
    """Every pair of positions and whether the gold labels make it one event."""
    return [(a, b, gold[a] == gold[b]) for a, b in combinations(range(len(gold)), 2)]


def same_pairs(gold: Sequence[str]) -> list[tuple[int, int]]:
    groups: dict[str, list[int]] = defaultdict(list)
    for i, g in enumerate(gold):
        groups[g].append(i)
    return [(a, b) for m in groups.values() for k, a in enumerate(m) for b in m[k + 1 :]]


def pair_scores(pairs: Sequence[dict], position: dict[str, int], pred: Labels) -> Scored:
    """Precision, recall and F1 of "same cluster" against the pairs' `label`."""
    tp = fp = fn = 0
    for p in pairs:
        same = pred[position[p["a"]]] == pred[position[p["b"]]]
        tp += same and p["label"] == 1
        fp += same and p["label"] == 0
        fn += (not same) and p["label"] == 1
    precision, recall = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return Scored(precision, recall, 2 * precision * recall / (precision + recall or 1.0))


def semeval_part(pair: dict) -> str:
    """`tune` or `held out`, by the SHA-1 of the pair's smaller document id."""
    digest = hashlib.sha1(min(pair["a"], pair["b"]).encode("utf-8")).digest()
    return "tune" if digest[-1] % 2 == 0 else "held out"


def ecb_slices(path: Path = ECB) -> list[Slice]:
    records = read_jsonl(path)
    out = []
    for name, keep in (("ECB+ odd topics (tune)", 1), ("ECB+ even topics (held out)", 0)):
        subset = [r for r in records if r["topic"] % 2 == keep]
        gold = [r["gold_event"] for r in subset]
        out.append(Slice(name, "ECB+", subset, {"B3": partial(bcubed, gold)},
                         "B3" if keep else "", same_pairs(gold), judged={"B3": every_pair(gold)}))
    return out


def semeval_slice() -> Slice:
    records = read_jsonl(SEMEVAL_DOCS)
    position = {r["id"]: i for i, r in enumerate(records)}
    rated = [p for p in read_jsonl(SEMEVAL_PAIRS) if p["label"] is not None]
    groups: dict[str, list[dict]] = defaultdict(list)
    for p in rated:
        a, b = p["langs"].split("-")
        kind = "mono" if a == b else "cross"
        groups[f"{kind} {semeval_part(p)}"].append(p)
        groups[f"{kind} all"].append(p)
        groups[f"tune {semeval_part(p)}"].append(p)
    parts: dict[str, Callable[[Labels], Scored]] = {
        name: partial(pair_scores, groups[name], position)
        for name in ("mono tune", "mono held out", "mono all",
                     "cross tune", "cross held out", "cross all")
    }
    parts["tune"] = partial(pair_scores, groups["tune tune"], position)
    notes = [f"{name}: {len(groups[name])} pairs, {sum(p['label'] for p in groups[name])} same"
             for name in ("mono tune", "mono held out", "cross tune", "cross held out")]
    same = [(position[p["a"]], position[p["b"]]) for p in rated if p["label"] == 1]
    judged = {name: [(position[p["a"]], position[p["b"]], bool(p["label"])) for p in groups[name]]
              for name in ("mono tune", "mono held out", "cross tune", "cross held out")}
    return Slice("SemEval-2022 dev pairs", "SemEval", records, parts, "tune", same, notes, judged)


def fixture_slice() -> Slice:
    """The fixture sites' article pages, extracted as the crawl extracts them."""
    from crawler.extract import extract_article

    truth = json.loads((ROOT / "fixtures/truth.json").read_text(encoding="utf-8"))["articles"]
    manifest = json.loads((ROOT / "fixtures/manifest.json").read_text(encoding="utf-8"))
    pages = {p["url"]: p for p in manifest["pages"]}
    records, gold = [], []
    for url in sorted(truth):
        article = extract_article((ROOT / "fixtures" / pages[url]["file"]).read_bytes(), url)
        records.append({"url": url, "title": article.title or "", "body": article.body,
                        "published": article.published, "site": article.site,
                        "source": article.source})
        gold.append(truth[url]["event"])
    return Slice("fixture corpus (dated)", "fixtures", records,
                 {"B3": partial(bcubed, gold)}, "B3", same_pairs(gold),
                 judged={"B3": every_pair(gold)})


def available_slices() -> tuple[list[Slice], list[str]]:
    """Every corpus present beside the project, and a line for each one missing."""
    slices, missing = [], []
    if ECB.exists():
        slices.extend(ecb_slices())
    else:
        missing.append(f"ECB+: no {ECB}")
    if SEMEVAL_DOCS.exists() and SEMEVAL_PAIRS.exists():
        slices.append(semeval_slice())
    else:
        missing.append(f"SemEval: no {SEMEVAL_DOCS}")
    slices.append(fixture_slice())
    return slices, missing
