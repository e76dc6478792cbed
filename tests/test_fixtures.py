"""The saved fixture sites are what `fixtures/build.py` makes from the story corpus, and their
labels cover every article page."""

from __future__ import annotations

import filecmp
import json
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES


def test_build_reproduces_the_committed_fixtures(tmp_path: Path):
    copy = tmp_path / "fixtures"
    copy.mkdir()
    shutil.copy(FIXTURES / "build.py", copy / "build.py")
    shutil.copytree(FIXTURES / "corpus", copy / "corpus")
    subprocess.run([sys.executable, str(copy / "build.py")], check=True, capture_output=True)
    for name in ("manifest.json", "truth.json"):
        assert (copy / name).read_bytes() == (FIXTURES / name).read_bytes(), name
    comparison = filecmp.dircmp(copy / "sites", FIXTURES / "sites")
    assert not comparison.left_only and not comparison.right_only
    built = sorted(p.relative_to(copy) for p in (copy / "sites").rglob("*") if p.is_file())
    mismatched = [p for p in built if (copy / p).read_bytes() != (FIXTURES / p).read_bytes()]
    assert mismatched == []


def test_truth_labels_every_article_page(fixture_manifest):
    truth = json.loads((FIXTURES / "truth.json").read_text(encoding="utf-8"))
    articles = {p["url"] for p in fixture_manifest["pages"] if p["expect"] == "article"}
    assert set(truth["articles"]) == articles
    members = {url for urls in truth["events"].values() for url in urls}
    assert members == articles
    for url, label in truth["articles"].items():
        original = truth["articles"][label["copy_of"]]
        assert original["copy_of"] == label["copy_of"], url  # an original names itself
        assert original["event"] == label["event"], url


def test_every_saved_file_is_in_the_manifest(fixture_manifest):
    listed = {FIXTURES / page["file"] for page in fixture_manifest["pages"]}
    saved = {path for path in (FIXTURES / "sites").rglob("*") if path.is_file()}
    assert saved == listed
