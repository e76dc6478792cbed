"""A reviewer's decisions as must-link and cannot-link constraints: the file, the constraints on
labels, the hook in the index, `scrapy cluster --decisions` and the crawl's DEDUP_DECISIONS."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scrapy.utils.test import get_crawler

from crawler.clustering import CrawlClusters
from crawler.dedup import Assignment, DedupIndex, DedupOptions, Document
from crawler.dedup.decisions import (
    NOT_A_COPY,
    NOT_THIS_EVENT,
    SAME_EVENT,
    Decision,
    Decisions,
    DecisionsError,
    parse,
    read_decisions,
)
from tests.conftest import PROJECT_ROOT

KEYS = ["a", "b", "c", "d", "e", "f", "g"]
COPIES = np.array([0, 0, 2, 3, 4, 4, 6])  # a b copies; e f copies
EVENTS = np.array([0, 0, 0, 0, 4, 4, 6])  # {a b c d}, {e f}, {g}


def decide(*items: tuple[str, str, list[str]]) -> Decisions:
    return Decisions(tuple(Decision(kind, url, tuple(others)) for kind, url, others in items))


def applied(*items: tuple[str, str, list[str]]) -> tuple[list[int], list[int]]:
    copies, events = decide(*items).apply(KEYS, COPIES, EVENTS)
    return copies.tolist(), events.tolist()


def test_no_decision_leaves_the_labels_as_they_are() -> None:
    copies, events = Decisions().apply(KEYS, COPIES, EVENTS)
    assert copies is COPIES and events is EVENTS


def test_not_this_event_moves_that_story_with_its_copies_and_nothing_else() -> None:
    assert applied((NOT_THIS_EVENT, "c", ["a", "b", "d"])) == (
        COPIES.tolist(), [0, 0, 2, 0, 4, 4, 6])
    # The story holding the smallest position leaves: the rest is named by its own smallest.
    assert applied((NOT_THIS_EVENT, "b", ["c", "d"])) == (
        COPIES.tolist(), [0, 0, 2, 2, 4, 4, 6])


def test_not_a_copy_leaves_the_copy_cluster_but_not_the_event() -> None:
    assert applied((NOT_A_COPY, "b", ["a"])) == ([0, 1, 2, 3, 4, 4, 6], EVENTS.tolist())


def test_same_event_unites_two_events() -> None:
    assert applied((SAME_EVENT, "g", ["e"])) == (COPIES.tolist(), [0, 0, 0, 0, 4, 4, 4])


def test_stories_taken_out_of_an_event_can_be_put_together() -> None:
    _, events = applied((NOT_THIS_EVENT, "c", ["a", "b"]), (NOT_THIS_EVENT, "d", ["a"]),
                        (SAME_EVENT, "c", ["d"]))
    assert events == [0, 0, 2, 2, 4, 4, 6]


def test_of_two_contradicting_decisions_the_later_stands() -> None:
    apart = applied((SAME_EVENT, "e", ["a"]), (NOT_THIS_EVENT, "e", ["a"]))[1]
    together = applied((NOT_THIS_EVENT, "e", ["a"]), (SAME_EVENT, "e", ["a"]))[1]
    assert apart == EVENTS.tolist()
    assert together == [0, 0, 0, 0, 0, 0, 6]
    verdicts = decide((SAME_EVENT, "e", ["a"]), (NOT_THIS_EVENT, "e", ["a"])).verify(
        assignments(EVENTS))
    assert [v.status for v in verdicts.verdicts] == ["replaced", "obeyed"]


def test_a_union_that_brings_a_cannot_pair_together_loses_that_story() -> None:
    decisions = decide((NOT_THIS_EVENT, "e", ["c"]), (SAME_EVENT, "a", ["g"]),
                       (SAME_EVENT, "g", ["f"]))
    copies, events = decisions.apply(KEYS, COPIES, EVENTS)
    assert events.tolist() == [0, 0, 0, 0, 4, 4, 0]  # e's story stays out, g joins a's event
    outcome = decisions.verify(assignments(events, copies))
    assert [v.status for v in outcome.verdicts] == ["obeyed", "obeyed", "not obeyable"]


def test_decisions_about_articles_gone_from_the_corpus_are_stale_not_errors() -> None:
    decisions = decide((NOT_THIS_EVENT, "zz", ["a"]), (SAME_EVENT, "a", ["gone", "g"]),
                       (NOT_A_COPY, "b", ["gone"]))
    copies, events = decisions.apply(KEYS, COPIES, EVENTS)
    assert events.tolist() == [0, 0, 0, 0, 4, 4, 0]
    outcome = decisions.verify(assignments(events, copies))
    assert [v.status for v in outcome.verdicts] == ["stale", "obeyed", "stale"]
    assert outcome.line() == ("decisions: 1 obeyed, 2 about articles no longer in the corpus "
                              "(zz is not in the corpus, and 1 more)")


def test_a_story_cannot_leave_the_event_of_its_own_copy() -> None:
    decisions = decide((NOT_THIS_EVENT, "b", ["a"]))
    copies, events = decisions.apply(KEYS, COPIES, EVENTS)
    assert events.tolist() == EVENTS.tolist()
    [verdict] = decisions.verify(assignments(events, copies)).verdicts
    assert verdict.status == "not obeyable" and "mark it not a copy" in verdict.reason


def assignments(events: np.ndarray, copies: np.ndarray = COPIES) -> dict[str, Assignment]:
    return {k: Assignment(k, KEYS[int(c)], KEYS[int(e)])
            for k, c, e in zip(KEYS, copies, events, strict=True)}


def test_the_index_obeys_and_leaves_every_other_cluster_as_it_was(
    fixture_documents: list[Document],
) -> None:
    options = DedupOptions(workers=1)
    index = DedupIndex(options)
    index.add_many(fixture_documents)
    before = index.assignments()
    events: dict[str, list[str]] = {}
    for a in before.values():
        events.setdefault(a.event_cluster, []).append(a.key)
    two_stories = [e for e, keys in events.items()
                   if len({before[k].copy_cluster for k in keys}) == 2]
    split, (first, second) = two_stories[0], two_stories[1:3]
    story = next(before[k].copy_cluster for k in events[split] if before[k].copy_cluster != split)
    index.decisions = decide(
        (NOT_THIS_EVENT, story, [k for k in events[split] if before[k].copy_cluster != story]),
        (SAME_EVENT, first, events[first] + events[second]))
    after = index.assignments()
    assert index.decisions.verify(after).line() == "decisions: 2 obeyed"
    moved = {k for k in events[split] if before[k].copy_cluster == story}
    assert {after[k].event_cluster for k in moved} == {story}
    assert {after[k].event_cluster for k in set(events[split]) - moved} == {split}
    assert {after[k].event_cluster for k in events[first] + events[second]} == {first}
    untouched = set(before) - set(events[split] + events[first] + events[second])
    assert {k: after[k] for k in untouched} == {k: before[k] for k in untouched}
    assert all(after[k].copy_cluster == before[k].copy_cluster for k in before)


@pytest.mark.parametrize(("content", "says"), [
    ("{not json", "is not JSON (line 1"),
    ('{"schema": "other"}', "is not a news-crawler/decisions file"),
    ('{"schema": "news-crawler/decisions", "version": 9, "decisions": []}', "is version 9"),
    ('{"schema": "news-crawler/decisions", "version": 1, "decisions": [{"kind": "merge", '
     '"url": "a", "others": ["b"]}]}', "decision 1: kind 'merge' is none of"),
    ('{"schema": "news-crawler/decisions", "version": 1, "decisions": [{"kind": "same-event", '
     '"url": "a", "others": []}]}', "'others' must be a list of URLs"),
])
def test_a_bad_file_is_one_line_naming_it(tmp_path: Path, content: str, says: str) -> None:
    path = tmp_path / "decisions.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(DecisionsError) as error:
        read_decisions(path)
    assert says in str(error.value) and str(path) in str(error.value)
    assert "\n" not in str(error.value)


def test_a_missing_file_is_one_line(tmp_path: Path) -> None:
    with pytest.raises(DecisionsError, match=r"cannot read decisions file .*No such file"):
        read_decisions(tmp_path / "none.json")


def test_the_file_round_trips() -> None:
    decisions = Decisions((Decision(SAME_EVENT, "a", ("b", "c"), "2026-12-06T10:00:00Z"),
                           Decision(NOT_A_COPY, "x", ("y",))))
    assert parse(json.loads(decisions.to_json())) == decisions


def test_the_crawl_refuses_a_bad_decisions_file_before_it_starts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str],
) -> None:
    bad = tmp_path / "decisions.json"
    bad.write_text("[]", encoding="utf-8")
    crawler = get_crawler(settings_dict={"DEDUP_DECISIONS": str(bad), "DEDUP_INDEX": ""})
    with pytest.raises(SystemExit) as exit_:
        CrawlClusters.from_crawler(crawler)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "(setting DEDUP_DECISIONS)" in err


def test_scrapy_cluster_refuses_a_bad_decisions_file_and_writes_nothing(tmp_path: Path) -> None:
    src, dst, bad = tmp_path / "in.jsonl", tmp_path / "out.jsonl", tmp_path / "d.json"
    src.write_text('{"url": "https://a.example/1", "title": "t", "body": "b"}\n',
                   encoding="utf-8")
    bad.write_text('{"schema": "news-crawler/decisions"}', encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "scrapy", "cluster", str(src), "-o", str(dst), "--decisions",
         str(bad)], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1 and not dst.exists()
    assert done.stderr.strip() == (f"scrapy cluster: decisions file {bad} is version None; "
                                   "this crawler reads version 1")
