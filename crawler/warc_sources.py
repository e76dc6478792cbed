"""Which web archives a crawl reads (`files=`, `OFFLINE_FIXTURES=`), and a record's date."""

from __future__ import annotations

import glob
from datetime import datetime
from pathlib import Path

REMOTE = ("http://", "https://")


def archive_sources(pattern: str) -> list[str]:
    """The archives a comma-separated list of paths, globs and http(s) URLs names. ValueError
    for a local part that matches nothing (a remote file is known missing only once asked)."""
    sources: list[str] = []
    for part in (p.strip() for p in pattern.split(",") if p.strip()):
        if part.startswith(REMOTE):
            sources.append(part)
            continue
        matched = sorted(glob.glob(part)) or ([part] if Path(part).exists() else [])
        if not matched:
            raise ValueError(f"no WARC file matches {part!r}")
        sources += matched
    if not sources:
        raise ValueError("files= names no WARC file")
    return sources


def parse_warc_date(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
