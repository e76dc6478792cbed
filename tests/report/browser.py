"""Headless Chromium for the report tests: the page as a person's browser renders it.

`--dump-dom` prints the DOM after the page's script ran, so the test reads what is on screen
without a DevTools client; a test that clicks and downloads drives the same browser with
Playwright (`driven_chromium`). In CI (env CI set) a missing browser fails the test instead of
skipping it: `.ci/run` installs Debian's `chromium`, pip installs Playwright (a dev dependency)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import lxml.html

from tests.conftest import unavailable

if TYPE_CHECKING:
    from playwright.sync_api import Browser, Page

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


def screenshot(url: str, profile: Path, path: Path, size: str = "1280,2000") -> Path:
    _run(url, profile, f"--screenshot={path}", f"--window-size={size}")
    assert path.stat().st_size > 10_000, "screenshot is empty"
    return path


def text(node: lxml.html.HtmlElement) -> str:
    return " ".join(node.text_content().split())


@contextmanager
def driven_chromium() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright over the DevTools protocol, for what a dump of
    the DOM cannot do (clicks, a download). Playwright's own browser download is not used: it
    launches the system's `chromium`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(),
                                             args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()


def open_page(browser: Browser, url: str, width: int) -> Page:
    """A new page `width` pixels wide at `url`, once its script has run without an error."""
    page = browser.new_page(viewport={"width": width, "height": 900}, accept_downloads=True)
    page.set_default_timeout(5000)  # a missing element fails in seconds, not half a minute
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_selector("html[data-ready]")
    assert not errors, errors
    return page
