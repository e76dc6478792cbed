"""The crawl's default feed, and edits of finished JSON-lines feed files."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.files import replace_atomically

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class DefaultFeed:
    """Scrapy add-on: with no feed asked for (no `-o`/`-O`, no `FEEDS`), write the articles to
    `DEFAULT_FEED` as JSON lines.

    Not a `FEEDS` entry in settings.py, because Scrapy merges `-o`/`-O` into `FEEDS` rather than
    replacing it: a crawl told `-O out.jsonl` would also write the default file.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        target = settings.get("DEFAULT_FEED")
        if not target or settings.getdict("FEEDS"):
            return
        settings.set(
            "FEEDS", {target: {"format": "jsonlines", "overwrite": True}}, priority="project"
        )


def rewrite_fields(path: Path, updates: Mapping[str, Mapping[str, object]]) -> int:
    """Set fields on the records of a JSON-lines file, by `url`: `updates[url]` is merged into
    the record of that URL. Written to a temporary file and renamed over the original, so a
    crash leaves the old file or the new one. Returns how many lines changed."""
    if not updates:
        return 0
    changed = 0
    with replace_atomically(path) as out, path.open(encoding="utf-8") as lines:
        for line in lines:
            record = json.loads(line) if line.strip() else None
            update = updates.get(record.get("url", "")) if isinstance(record, dict) else None
            if record is None or update is None:
                out.write(line.encode("utf-8"))
                continue
            record.update(update)
            out.write((json.dumps(record, ensure_ascii=False) + "\n").encode("utf-8"))
            changed += 1
    return changed
