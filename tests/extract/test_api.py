"""The public contract: errors only for non-HTML input, empty body for pages without text,
and the command line."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crawler.extract import ExtractionError, extract_article
from tests.conftest import saved_page_path

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "fixtures" / "golden"
URLS: dict[str, str] = json.loads((GOLDEN / "urls.json").read_text(encoding="utf-8"))
URL = "https://www.tribunnews.com/nasional/2025/01/06/x"


@pytest.mark.parametrize(
    "raw",
    [b"", "", "   \n ", b"\x00\x01\x02\x03" * 500, bytes(range(256)) * 20, "just some text"],
)
def test_not_html_raises_extraction_error(raw: bytes | str) -> None:
    with pytest.raises(ExtractionError):
        extract_article(raw, URL)
    assert issubclass(ExtractionError, ValueError)


@pytest.mark.parametrize(
    "raw",
    [
        "<html><body><nav><a href='/'>Home</a></nav></body></html>",
        "<p>x</p>",
        "<html><head><title>Only a title</title></head></html>",
        "<html><body><div><div><div>" * 300,
        b"<html><body><p>\xff\xfe broken \xc3 bytes</p></body></html>",
    ],
)
def test_page_without_article_text_gives_empty_body(raw: bytes | str) -> None:
    article = extract_article(raw, URL)
    assert article.body == ""
    assert article.url == URL
    assert article.site == "tribunnews.com"


def test_bytes_are_decoded_by_the_declared_charset() -> None:
    text = "<p>Presiden mengatakan bahwa kebijakan itu akan dimulai tahun depan, kata dia.</p>" * 3
    page = f'<html><head><meta charset="windows-1252"><title>Caf\u00e9</title></head><body>{text}'
    article = extract_article(page.encode("cp1252"), URL)
    assert article.title == "Caf\u00e9"


def test_str_and_bytes_give_the_same_article() -> None:
    raw = saved_page_path(URLS["tribun-danantara"]).read_bytes()
    assert extract_article(raw, URL) == extract_article(raw.decode("utf-8"), URL)


def test_command_line_prints_the_article_as_json() -> None:
    url = URLS["j365-seed-trump-putin"]
    done = subprocess.run(
        [sys.executable, "-m", "crawler.extract", str(saved_page_path(url)), "--url", url],
        cwd=ROOT, capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    printed = json.loads(done.stdout)
    expected = json.loads((GOLDEN / "j365-seed-trump-putin.json").read_text(encoding="utf-8"))
    assert printed == expected
    assert "Andari" in done.stdout  # ensure_ascii=False, plain text


def test_command_line_reports_non_html(tmp_path: Path) -> None:
    page = tmp_path / "empty.html"
    page.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "crawler.extract", str(page), "--url", URL],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 1
    assert "error:" in done.stderr


@pytest.mark.parametrize("page", ["/nonexistent/page.html", "."])
def test_command_line_on_what_is_no_page_says_so_in_one_line(page: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "crawler.extract", page, "--url", URL],
        cwd=ROOT, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.startswith(f"error: cannot read {page}: ") and done.stderr.count("\n") == 1


def test_command_line_reads_standard_input() -> None:
    url = URLS["j365-seed-trump-putin"]
    done = subprocess.run(
        [sys.executable, "-m", "crawler.extract", "-", "--url", url],
        cwd=ROOT, capture_output=True, check=True, timeout=60,
        input=saved_page_path(url).read_bytes(),
    )  # fmt: skip
    expected = json.loads((GOLDEN / "j365-seed-trump-putin.json").read_text(encoding="utf-8"))
    assert json.loads(done.stdout) == expected


_PIECES = [
    "<html>", "<p>", "</p>", "<div class='content'>", "<script>", "<a href=x>", "Baca juga: ",
    "Sumber : NTDTV.com", "<br>", "<meta charset='latin-1'>", "Kamis, 13 Februari 2025 07:15 WIB",
    "<h1>", "(Tribunnews.com, A)", "\x00", "<time>",
    '<script type="application/ld+json">{"@type":"NewsArticle",',
]  # fmt: skip
_MARKUP = st.lists(st.sampled_from(_PIECES) | st.text(max_size=40), max_size=60).map("".join)


@settings(max_examples=60, deadline=None)
@given(st.one_of(st.binary(max_size=600), st.text(max_size=600), _MARKUP))
def test_any_input_gives_an_article_or_extraction_error(raw: bytes | str) -> None:
    try:
        article = extract_article(raw, URL)
    except ExtractionError:
        return
    assert isinstance(article.body, str)
