"""Progress reporting for long runs: a callback the command passes in, and a terminal printer."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Protocol, TextIO


class ProgressCallback(Protocol):
    """Called as work advances: `stage` names the step ("clusters", "report"), `done` of
    `total` units are finished. Called often; the callback decides how often to show it."""

    def __call__(self, stage: str, done: int, total: int) -> None: ...


def report_progress(progress: ProgressCallback | None, stage: str, done: int, total: int) -> None:
    if progress is not None:
        progress(stage, done, total)


def progress_printer(
    stream: TextIO, interval: float = 0.5, clock: Callable[[], float] = time.monotonic
) -> ProgressCallback:
    """A callback that writes `stage: done/total (pct%)` to `stream` at most every `interval`
    seconds, and always when a stage completes. On a terminal it rewrites one line; elsewhere
    (logs, CI) it writes whole lines so the output stays readable."""
    last_shown: dict[str, float] = {}
    rewrite = stream.isatty()

    def show(stage: str, done: int, total: int) -> None:
        now = clock()
        finished = done >= total
        if not finished and now - last_shown.get(stage, -interval) < interval:
            return
        last_shown[stage] = now
        percent = 100 * done // total if total else 100
        line = f"{stage}: {done}/{total} ({percent}%)"
        if rewrite:
            stream.write("\r\x1b[K" + line + ("\n" if finished else ""))
        else:
            stream.write(line + "\n")
        stream.flush()

    return show
