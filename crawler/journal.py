"""The journal file of a resumable job: one line per page that reached its final outcome,
appended as the outcome is known. Its owner is the job (`crawler.resume.ResumableJob`), which
says why and how a job resumes from it."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

@dataclass
class JournalEntry:
    """One page's final outcome as the journal holds it."""

    url: str
    """The URL the outcome is reported under (the article's `url`, the rejects file's `url`)."""
    outcome: str
    """An outcome of `crawler.accounting.OUTCOMES` other than `listing`."""
    reason: str = ""
    """The reject, miss or skip reason; empty for an article."""
    aliases: list[str] = field(default_factory=list)
    """The page's other URLs: the requests that redirected to it."""
    article: dict[str, Any] | None = None
    """The article's record, for an article."""
    follow: list[str] = field(default_factory=list)
    """The URLs the crawl requested from the page, requested again by a resumed crawl."""

    def to_line(self) -> bytes:
        record: dict[str, Any] = {"url": self.url, "outcome": self.outcome}
        if self.reason:
            record["reason"] = self.reason
        if self.aliases:
            record["aliases"] = self.aliases
        if self.article is not None:
            record["article"] = self.article
        if self.follow:
            record["follow"] = self.follow
        return (json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8")


@dataclass
class JournalContents:
    """A journal as a resumed crawl reads it (`Journal.read`)."""

    urls: set[str] = field(default_factory=set)
    """Every URL and alias of every entry, replaced entries included: a replayed article that a
    later run rejected has its aliases only in its article entry."""
    latest: list[JournalEntry] = field(default_factory=list)
    """One entry per page, as `Journal.latest` returns them."""


class Journal:
    """The append-only journal of a job's finished pages (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._fd: int | None = None

    def exists(self) -> bool:
        return self.path.exists()

    def entries(self) -> Iterator[JournalEntry]:
        """The complete lines, in the order written. Streamed: a journal may hold a million
        articles."""
        if not self.path.exists():
            return
        with self.path.open("rb") as lines:
            for line in lines:
                if not line.endswith(b"\n"):
                    return  # cut off by a kill mid-write: the page is crawled again
                try:
                    record = json.loads(line)
                except ValueError:
                    logger.warning("Skipping an unreadable line of %s", self.path)
                    continue
                yield JournalEntry(
                    url=record["url"],
                    outcome=record["outcome"],
                    reason=record.get("reason", ""),
                    aliases=record.get("aliases", []),
                    article=record.get("article"),
                    follow=record.get("follow", []),
                )

    def read(self) -> JournalContents:
        """What a resumed crawl needs of the journal, in one pass over it."""
        contents = JournalContents()
        latest: dict[str, JournalEntry] = {}
        for entry in self.entries():
            latest[entry.url] = entry
            contents.urls.add(entry.url)
            contents.urls.update(entry.aliases)
        contents.latest = list(latest.values())
        return contents

    def latest(self) -> list[JournalEntry]:
        """One entry per page, the last written for it (a replayed article a later run rejected
        is rejected), in first-written order."""
        return self.read().latest

    def open(self) -> None:
        """Open for appending, after cutting off a last line a kill left unfinished."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if self.path.exists():
            data_end = complete_lines_end(self.path)
            if data_end < self.path.stat().st_size:
                logger.info("Cutting an unfinished last line off %s", self.path)
                os.truncate(self.path, data_end)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)

    def append(self, entry: JournalEntry) -> None:
        """Write one line with one write(2): a kill leaves all of it or a cut-off line, which the
        next read drops. No fsync: a killed process loses nothing the kernel holds."""
        if self._fd is None:
            raise RuntimeError(f"journal {self.path} is not open")
        data = entry.to_line()
        written = os.write(self._fd, data)
        while written < len(data):  # a regular file takes it whole unless the disk is full
            written += os.write(self._fd, data[written:])

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def complete_lines_end(path: Path, chunk: int = 1 << 16) -> int:
    """The offset just past the file's last newline (0 if it has none)."""
    with path.open("rb") as data:
        end = data.seek(0, os.SEEK_END)
        while end > 0:
            start = max(0, end - chunk)
            data.seek(start)
            block = data.read(end - start)
            newline = block.rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            end = start
    return 0
