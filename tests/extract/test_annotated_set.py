"""The hand-annotated pages of the `packages` development set can be reviewed and rebuilt: each
expected body is exactly the blocks its annotation names, taken from the stored page by the
neutral block lister (benchmarks/data/extraction/packages: blocks.py, annotated.py)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

PACKAGES = Path(__file__).resolve().parents[2] / "benchmarks" / "data" / "extraction" / "packages"


@pytest.fixture(scope="module")
def tools(request: pytest.FixtureRequest) -> Any:
    """The set's own scripts, imported as `build.py` imports them (from their folder)."""
    monkeypatch = pytest.MonkeyPatch()
    monkeypatch.syspath_prepend(str(PACKAGES))
    request.addfinalizer(monkeypatch.undo)
    import annotated
    import blocks

    return annotated, blocks


def test_a_selection_names_ranges_single_blocks_and_exclusions(tools: Any) -> None:
    annotated, _ = tools
    assert annotated.chosen("3-6 -4 9 12-13") == [3, 5, 6, 9, 12, 13]
    assert annotated.chosen("10-20 -12-18") == [10, 11, 19, 20]


def test_blocks_are_what_a_browser_shows_in_document_order(tools: Any) -> None:
    _, blocks = tools
    html = (
        b"<html><head><title>Not shown</title><style>p{}</style></head><body>"
        b"<script>var hidden = 1;</script><p>First <b>paragraph</b>.</p>"
        b"<div hidden>A hidden box</div><div style='display: none'>Another</div>"
        b"<p>Line one<br>line two</p><noscript>Enable JavaScript</noscript>"
        b"<ul><li>An item</li></ul></body></html>"
    )
    assert blocks.blocks(html) == ["First paragraph.", "Line one", "line two", "An item"]


def test_the_package_start_must_be_in_the_annotated_body(tools: Any) -> None:
    annotated, _ = tools
    page = annotated.Candidate(
        "x",
        "http://example.com/a",
        "example.com",
        "en",
        b"<p>Photo: Jane Doe</p><p>The council voted on Monday to close the old bridge.</p>",
        "Photo: Jane Doe The council voted on Monday to close",
        "test",
    )
    assert annotated.body_of(page, {"blocks": "1"}).startswith("The council voted")
    with pytest.raises(ValueError, match="start is not in the body"):
        annotated.body_of(page, {"blocks": "0"})
    assert annotated.body_of(page, {"blocks": "0", "note": "caption"}) == "Photo: Jane Doe"


def test_every_annotated_body_is_rebuilt_from_its_stored_page(tools: Any) -> None:
    annotated, blocks = tools
    annotations = annotated.load_annotations()
    rebuilt = 0
    for part in ("tune", "heldout"):
        truth = json.loads((PACKAGES / part / "truth.json").read_text(encoding="utf-8"))
        for page_id, entry in truth.items():
            if not entry["source"].endswith(", annotated"):
                continue
            raw = gzip.decompress((PACKAGES / part / "html" / f"{page_id}.html.gz").read_bytes())
            texts = blocks.blocks(raw)
            chosen = sorted(set(annotated.chosen(annotations[page_id]["blocks"])))
            assert entry["body"] == "\n".join(texts[n] for n in chosen), page_id
            rebuilt += 1
    skipped = [page_id for page_id, note in annotations.items() if "skip" in note]
    assert rebuilt + len(skipped) == len(annotations)
    assert rebuilt >= 160
