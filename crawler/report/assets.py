"""The report page's stylesheet and script, read from the package's `static/` folder, to be
inlined: `report.html` must be one self-contained file. Real .css and .js files rather than
Python strings, so editors and linters read them as what they are.

The script is several files (`SCRIPTS`) sharing one function scope: each declares functions and
constants, `report.js` last, whose final lines start the page.
"""

from __future__ import annotations

from functools import cache
from importlib import resources

SCRIPTS = ("explain.js", "review.js", "lost.js", "report.js")


@cache
def asset(name: str) -> str:
    """The text of `static/<name>` (read once per process: it never changes while it runs)."""
    return resources.files("crawler.report").joinpath("static", name).read_text(encoding="utf-8")


def style() -> str:
    return asset("report.css")


def script(page_size: int) -> str:
    """The page's script, with its page size (events per page) filled in: the files of
    `SCRIPTS` in one strict-mode function, so that they share helpers and leak no global."""
    body = "\n".join(asset(name) for name in SCRIPTS)
    return ("(function () {\n  'use strict';\n" + body.replace("__PAGE_SIZE__", str(page_size))
            + "\n})();\n")
