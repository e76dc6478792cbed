"""Property tests of the dedup signatures and clustering: any text in, no exception out; the same
input gives the same signatures and ids; the order documents arrive in does not matter."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from crawler.dedup import DedupIndex, DedupOptions, Document
from crawler.dedup.analyse import analyse

OPTIONS = DedupOptions(workers=1)
# Any text but lone surrogates, which no decoded page can hold.
texts = st.text(alphabet=st.characters(exclude_categories=["Cs"]), max_size=400)


@settings(max_examples=60, deadline=None)
@given(title=texts, body=texts)
def test_any_text_gives_the_same_signatures_twice(title, body):
    first = analyse([title], [body], OPTIONS)
    second = analyse([title], [body], OPTIONS)
    assert np.array_equal(first.signatures, second.signatures)
    assert np.array_equal(first.lengths, second.lengths)


@settings(max_examples=30, deadline=None)
@given(pages=st.lists(st.tuples(texts, texts), min_size=1, max_size=6))
def test_any_texts_cluster_without_error_and_every_document_is_assigned(pages):
    index = DedupIndex(OPTIONS)
    for number, (title, body) in enumerate(pages):
        assignment = index.add(Document(f"doc{number}", title, body))
        assert assignment.key == f"doc{number}"
    final = index.assignments()
    assert set(final) == {f"doc{number}" for number in range(len(pages))}
    for assignment in final.values():
        assert assignment.copy_cluster in final and assignment.event_cluster in final


@pytest.fixture(scope="module")
def stories(corpus_stories: list[dict]) -> list[Document]:
    return [
        Document(story["id"], story["title"], "\n".join(story["body"]))
        for story in corpus_stories
    ]


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(29)))
def test_clusters_do_not_depend_on_input_order(stories, order):
    assert len(stories) == 29
    expected = DedupIndex(OPTIONS)
    expected.add_many(stories)
    shuffled = DedupIndex(OPTIONS)
    shuffled.add_many([stories[i] for i in order])
    assert shuffled.assignments() == expected.assignments()
