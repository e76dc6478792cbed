"""The dedup's explanations (`crawler.dedup.explain`) for the report: their JSON form by URL,
a copy's with the readable diff against its original (`crawler.report.diff`), the scores they
give the report's similarity fields, and their text for a terminal (`scrapy cluster --explain`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crawler.dedup.explain import Explanation, explain, left_out_of_copies
from crawler.dedup.records import Assignment, Document
from crawler.report.diff import copy_diff, summary_text
from crawler.report.terminal import terminal_text

if TYPE_CHECKING:
    from crawler.dedup.index import DedupIndex


@dataclass(frozen=True)
class Explained:
    """Explanations by record URL (JSON form), and the scores the dedup gave each article:
    a copy's Jaccard to its original, a story's event score."""

    by_url: dict[str, dict[str, Any]]
    similarities: dict[str, float]


def record_key(record: Mapping[str, Any]) -> str | None:
    """The key the dedup index knows a record by (its `id`, else its URL); None when the
    record is no article the index takes."""
    try:
        return Document.from_record(record).key
    except ValueError:
        return None


def record_assignments(records: Iterable[Mapping[str, Any]]) -> dict[str, Assignment]:
    """The clustering the records carry (`copy_cluster`, `event_cluster`), by key; a record
    without ids is its own cluster, as the report reads it."""
    found: dict[str, Assignment] = {}
    for record in records:
        key = record_key(record)
        if key is not None and key not in found:
            copy = record.get("copy_cluster") or key
            found[key] = Assignment(key, copy, record.get("event_cluster") or copy)
    return found


def explain_records(records: Sequence[Mapping[str, Any]], index: DedupIndex,
                    assignments: Mapping[str, Assignment] | None = None) -> Explained:
    """Explain every record's place in the clustering `assignments` (default: the ids the
    records carry) of the articles in `index`."""
    keyed: dict[str, Mapping[str, Any]] = {}
    for record in records:
        key = record_key(record)
        if key is not None:
            keyed.setdefault(key, record)
    if assignments is None:
        assignments = record_assignments(records)
    texts = {key: (str(r.get("title") or ""), str(r.get("body") or ""))
             for key, r in keyed.items()}
    options = index.options
    explanations = explain(index.corpus(), assignments, texts, options, keys=keyed)
    left_out = left_out_of_copies(options)
    by_url: dict[str, dict[str, Any]] = {}
    similarities: dict[str, float] = {}
    for key, explanation in explanations.items():
        record = keyed[key]
        data = explanation.to_dict(options)
        copy = explanation.copy
        if copy is not None and copy.of in keyed:
            original = keyed[copy.of]
            diff = copy_diff(
                str(original.get("body") or ""), str(record.get("body") or ""), left_out,
                (str(original.get("title") or ""), str(record.get("title") or "")))
            data["copy"]["diff"] = {**diff, "text": summary_text(diff)}
        url = str(record["url"])
        by_url[url] = data
        score = _score(explanation)
        if score is not None:
            similarities[url] = round(score, 4)
    return Explained(by_url, similarities)


def _score(explanation: Explanation) -> float | None:
    """The score that put the article where it is: a copy's Jaccard to its original, a
    story's event score (None for a story alone)."""
    if explanation.copy is not None:
        return explanation.copy.jaccard
    if explanation.event is None or not explanation.event.links:
        return None
    return explanation.event.score


def explanation_text(record: Mapping[str, Any], data: Mapping[str, Any],
                     titles: Mapping[str, str]) -> str:
    """An explanation for a terminal: the article, then why it is a copy (with what differs)
    or why it is in its event (scores and the shared features)."""
    url = str(record.get("url"))
    head = [f"{url}", f"  {terminal_text(record.get('title') or '(no title)', 96)}",
            f"  copy cluster {record.get('copy_cluster')}",
            f"  event cluster {record.get('event_cluster')}"]
    copy, event = data.get("copy"), data.get("event")
    if copy is not None:
        return "\n".join(head + _copy_lines(copy))
    if event is not None:
        return "\n".join(head + _event_lines(event, titles))
    return "\n".join(head)


def _copy_lines(copy: Mapping[str, Any]) -> list[str]:
    verdict = ">=" if copy["jaccard"] >= copy["threshold"] else "<"
    lines = [f"  a copy of {copy['of']}",
             f"    shingle Jaccard {copy['jaccard']:.2f} {verdict} {copy['threshold']:.2f}; "
             f"containment {copy['containment']:.2f} (needs {copy['containment_threshold']:.2f}"
             f" with Jaccard >= {copy['min_jaccard']:.2f}); shingles {copy['shingles'][0]} and "
             f"{copy['shingles'][1]}"]
    if copy.get("via"):
        lines.append(f"    matched through the copy {copy['via']['url']} "
                     f"(Jaccard {copy['via']['jaccard']:.2f})")
    diff = copy.get("diff")
    if diff is not None:
        lines.append(f"  what differs: {diff['text']}")
        if "title" in diff:
            lines += [f"    - title: {terminal_text(diff['title'][0], 90)}",
                      f"    + title: {terminal_text(diff['title'][1], 90)}"]
        for change in diff["changes"]:
            lines += _change_lines(change)
    return lines


def _change_lines(change: Mapping[str, Any]) -> list[str]:
    op = change["op"]
    if op == "same":
        n = change["lines"]
        return [f"      ({n} line{'' if n == 1 else 's'} the same)"]
    if op == "added":
        note = "   [left out of the comparison]" if change["left_out"] else ""
        return [f"    + {terminal_text(change['text'], 90)}{note}"]
    if op == "removed":
        note = "   [cut ending]" if change["ending"] else ""
        return [f"    - {terminal_text(change['text'], 90)}{note}"]
    words = "".join(_context(text) if o == "=" else f"[{o}{text}{o}]"
                    for o, text in change["words"])
    return [f"    ~ {terminal_text(words, 200)}"]


def _context(text: str, keep: int = 4) -> str:
    """An unchanged run of an edited line, cut to a few words on each side of the edits."""
    words = text.split(" ")
    if len(words) <= 2 * keep + 1:
        return text
    return " ".join(words[:keep]) + " … " + " ".join(words[-keep:])


def _event_lines(event: Mapping[str, Any], titles: Mapping[str, str]) -> list[str]:
    verdict = ">=" if event["score"] >= event["threshold"] else "<"
    if not event["stories"]:
        lines = ["  alone in its event"]
        nearest = event.get("nearest")
        if nearest:
            near = ">=" if nearest["score"] >= event["threshold"] else "<"
            lines.append(f"    nearest story: {nearest['url']} score {nearest['score']:.2f} "
                         f"{near} {event['threshold']:.3g}"
                         + (" (its event as a whole is not as close on average, or a decision "
                            "keeps them apart)" if near == ">=" else ""))
        return lines
    lines = [f"  event score {event['score']:.2f} {verdict} threshold {event['threshold']:.3g}: "
             f"average over {event['stories']} other stor"
             f"{'y' if event['stories'] == 1 else 'ies'}, each weighed by its articles"]
    for link in event["links"]:
        title = terminal_text(titles.get(link["url"]) or link["url"], 60)
        how = "" if link["candidate"] else " (never compared: no shared salient feature)"
        lines.append(f"    {link['score']:.2f}  similarity {link['similarity']:.2f}  "
                     f"x{link['articles']}  {title}{how}")
    if event["features"]:
        lines.append("  shared features (kind, weight in this story, share of the score):")
        lines += [f"    {terminal_text(f['text'], 24):<24} {f['kind']:<6} {f['weight']:.3f}  "
                  f"{f['contribution']:.3f}  in {f['stories']} stories"
                  for f in event["features"]]
    return lines
