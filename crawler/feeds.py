"""The crawl's default feed, and edits of finished local feed files (JSON lines, JSON, CSV)."""

from __future__ import annotations

import csv
import io
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


REWRITABLE = ("jsonlines", "jsonl", "json", "csv")
"""Feed formats whose finished local files get the final cluster ids."""


def rewrite_feed(path: Path, feed_format: str,
                 updates: Mapping[str, Mapping[str, object]]) -> int:
    """`rewrite_fields` for a feed file of any of the `REWRITABLE` formats; returns how many
    records changed."""
    if feed_format == "json":
        return rewrite_json(path, updates)
    if feed_format == "csv":
        return rewrite_csv(path, updates)
    return rewrite_fields(path, updates)


def rewrite_json(path: Path, updates: Mapping[str, Mapping[str, object]]) -> int:
    """The same for a JSON array of records, written back as Scrapy writes one (a record per
    line)."""
    if not updates:
        return 0
    records = json.loads(path.read_text(encoding="utf-8") or "[]")
    changed = 0
    for record in records:
        update = updates.get(record.get("url", "")) if isinstance(record, dict) else None
        if update is not None:
            record.update(update)
            changed += 1
    text = "[\n" + ",\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n]"
    with replace_atomically(path) as out:
        out.write(text.encode("utf-8"))
    return changed


def rewrite_csv(path: Path, updates: Mapping[str, Mapping[str, object]]) -> int:
    """The same for a CSV file with a header line; columns the file does not have are left
    out, every other cell is written back as it was."""
    if not updates:
        return 0
    with path.open(encoding="utf-8", newline="") as file:
        reader = csv.DictReader(file)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    if "url" not in columns:
        return 0
    changed = 0
    for row in rows:
        update = updates.get(row.get("url") or "")
        if update is not None:
            row.update({k: str(v) for k, v in update.items() if k in columns})
            changed += 1
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    with replace_atomically(path) as out:
        out.write(text.getvalue().encode("utf-8"))
    return changed
