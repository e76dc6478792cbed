"""Reading and writing the project's files: JSON lines in, whole files out atomically.

Every file the crawler or a command writes in full (the dedup index, a rewritten feed, the
summary, the report, `scrapy cluster`'s output) goes through `replace_atomically`: a killed
process, a full disk or an exception leaves the old file or the new one, never half of one.
Plain Python, no Scrapy: the dedup and report packages use it too.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    """The JSON values of a JSON-lines file, skipping blank lines. A line that is no JSON
    raises ValueError naming the file and the line."""
    with path.open(encoding="utf-8-sig") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except ValueError as exc:
                raise ValueError(f"{path}, line {number}: not JSON ({exc})") from None


@contextmanager
def replace_atomically(path: str | os.PathLike[str]) -> Iterator[IO[bytes]]:
    """A binary file to write `path`'s new content to; on leaving the block it is flushed to
    disk and renamed over `path`, and on an exception it is removed, `path` untouched.

    The new file keeps the permission bits of the file it replaces, or gets those the umask
    gives a new file (`tempfile.mkstemp` would make it private, 0600).
    """
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            yield out
            out.flush()
            os.fsync(out.fileno())
        # A new file keeps what the umask gave it.
        with contextlib.suppress(FileNotFoundError):
            os.chmod(temporary, stat.S_IMODE(target.stat().st_mode))
        os.replace(temporary, target)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: str | os.PathLike[str], text: str) -> None:
    """`text` as UTF-8 at `path`, atomically (a lone surrogate, from a badly decoded page,
    is written as `?` rather than failing the whole file)."""
    with replace_atomically(path) as out:
        out.write(text.encode("utf-8", errors="replace"))


def write_json_atomically(path: str | os.PathLike[str], data: Any) -> None:
    """`data` as indented JSON at `path`, atomically."""
    write_text_atomically(path, json.dumps(data, default=str, indent=2, sort_keys=True) + "\n")
