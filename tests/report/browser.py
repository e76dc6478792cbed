"""Headless Chromium for the report tests: the page as a person's browser renders it.

`--dump-dom` prints the DOM after the page's script ran, so the test reads what is on screen
without a DevTools client. In CI (env CI set) a missing browser fails the test instead of
skipping it: `.ci/run` installs Debian's `chromium`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import lxml.html

from tests.conftest import unavailable

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
         "--disable-background-networking")


def chromium_path() -> str:
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    unavailable("Chromium (apt-get install -y chromium)")
    raise AssertionError  # unreachable: unavailable() skips or fails


def _run(url: str, profile: Path, *extra: str, budget_ms: int = 5000) -> str:
    command = [chromium_path(), *FLAGS, f"--user-data-dir={profile}",
               f"--virtual-time-budget={budget_ms}", *extra, url]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def page_url(report: Path, state: str = "") -> str:
    """file:// URL of the report with `state` (for example `#site=x&q=y`) as the page reads it."""
    return report.resolve().as_uri() + state


def rendered_dom(url: str, profile: Path) -> lxml.html.HtmlElement:
    """The page's DOM after its script ran, parsed; fails if the script did not finish."""
    # libxml2 does not know <wbr> is empty and would nest what follows each one, past its depth
    # limit on a long line; the break hints carry no text, so they are dropped before parsing.
    dom = lxml.html.fromstring(_run(url, profile, "--dump-dom").replace("<wbr>", ""))
    assert dom.get("data-ready") == "1", "the report's script did not run to the end"
    return dom


def page_width(report: Path, profile: Path, width: int) -> tuple[int, int]:
    """(scroll width, widest event title) of the report laid out in a window `width` pixels
    wide, measured by a script added to a copy of the page (the report itself is left as it
    is)."""
    probe = report.with_name("width-probe.html")
    # Headless Chromium keeps its window 500 px wide at least: the page is also held to
    # `width`, and what overflows it shows in the body's scroll width.
    measure = (f"<style>html {{ width: {width}px }}</style>"
               "<script>addEventListener('load', () => setTimeout(() => {"
               "const titles = [...document.querySelectorAll('.event-head .title')];"
               "document.body.dataset.scrollWidth = document.body.scrollWidth;"
               "document.body.dataset.titleWidth = Math.min(...titles.map(t => t.clientWidth));"
               "}, 500));</script>")
    probe.write_text(report.read_text(encoding="utf-8").replace("</body>", measure + "</body>"),
                     encoding="utf-8")
    html = _run(probe.resolve().as_uri(), profile, "--dump-dom", f"--window-size={width},900")
    body = lxml.html.fromstring(html.replace("<wbr>", "")).find("body")
    assert body is not None and body.get("data-scroll-width"), "the probe did not run"
    return int(body.get("data-scroll-width")), int(body.get("data-title-width"))


def screenshot(url: str, profile: Path, path: Path, size: str = "1280,2000") -> Path:
    _run(url, profile, f"--screenshot={path}", f"--window-size={size}")
    assert path.stat().st_size > 10_000, "screenshot is empty"
    return path


def text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())
