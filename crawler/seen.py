"""What a recurring crawl has already done: `SeenPages`, the pages of earlier runs that ended as an
article or a reject, kept in an SQLite file (`CRAWL_SEEN`) between runs.

A run that finds such a page again (in a sitemap, a feed, a listing) does not fetch it, unless its
sitemap says it changed since (`lastmod` after the time it was done). Missed pages (a server
error, a time-out) are not kept: the next run tries them again. SQLite rather than a JSON file:
a run looks up every URL it discovers, and a site's sitemaps list tens of thousands.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

KEPT_OUTCOMES = ("article", "rejected", "skipped")
"""Outcomes that are final: a page that got one is not fetched again."""


class SeenUnreadable(ValueError):
    """The seen-pages file exists but is no SQLite database of ours."""


class SeenPages:
    """URL -> (outcome, when it was done), in an SQLite file (see the module docstring)."""

    def __init__(self, path: Path) -> None:
        """Raises SeenUnreadable when `path` cannot be opened as one."""
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # One connection, used from the crawl's thread only; each page's outcome is
            # committed as it comes, so a killed run keeps what it did.
            self.db = sqlite3.connect(path, isolation_level=None)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("CREATE TABLE IF NOT EXISTS pages "
                            "(url TEXT PRIMARY KEY, outcome TEXT NOT NULL, done REAL NOT NULL)")
            self.db.execute("SELECT url, outcome, done FROM pages LIMIT 1").fetchall()
        except (sqlite3.Error, OSError) as exc:
            raise SeenUnreadable(
                f"CRAWL_SEEN {path} is not a record of seen pages ({exc}): move it away, and "
                "the next run starts afresh") from None

    def __len__(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM pages").fetchone()[0])

    def done(self, url: str, changed: datetime | None = None) -> bool:
        """Whether an earlier run finished `url`, and it did not change since (`changed`: the
        page's last modification as a sitemap gives it, if it does)."""
        row = self.db.execute("SELECT done FROM pages WHERE url = ?", (url,)).fetchone()
        if row is None:
            return False
        if changed is None:
            return True
        moment = changed if changed.tzinfo else changed.replace(tzinfo=UTC)
        return moment.timestamp() <= float(row[0])

    def record(self, url: str, outcome: str, aliases: list[str] | None = None) -> None:
        """Keep the page's outcome (and its other addresses') if it is final."""
        if outcome not in KEPT_OUTCOMES:
            return
        now = datetime.now(UTC).timestamp()
        self.db.executemany("INSERT OR REPLACE INTO pages VALUES (?, ?, ?)",
                            [(u, outcome, now) for u in (url, *(aliases or []))])

    def close(self) -> None:
        self.db.close()
