"""The writer's note under an article: a line about the author, not part of the story."""

from __future__ import annotations

import re

_NOTE_LINES = 3
"""The writer's note and what follows it (a disclosure, a follow prompt) are the last lines."""
_MAX_NOTE_WORDS = 60
"""A biography or disclosure is a sentence or three; a longer line is the article's."""
_LEADING_NAME_RE = re.compile(r"([A-Z][\w.'\u2019-]*(?:\s+[A-Z][\w.'\u2019-]*){1,3})\s+\w")
"""Two to four capitalised words opening a line, followed by more words: "Eric Song is"."""


def without_writer_note(lines: list[str], authors: list[str]) -> list[str]:
    """Drop the note about the writer closing the article, and what follows it.

    Publishers close a story with a line that opens with its writer's name ("Eric Song is IGN's
    deal curator …", "Keith Noonan owns shares of …", "Shahien Nasiripour is the business
    reporter …"): a biography, a disclosure, a way to reach them. A line among the last three
    that opens with the name of an author the page declares (two words or more, so a one-word
    name or a company is no match) ends the article. A profile's last paragraph names its
    subject, not its writer.
    """
    names = [author.lower() for author in authors if len(author.split()) >= 2]
    if not names or len(lines) <= _NOTE_LINES:
        return lines
    for index in range(len(lines) - _NOTE_LINES, len(lines)):
        if _opens_with_writer(lines[index], names):
            return lines[:index]
    return lines


def _opens_with_writer(line: str, names: list[str]) -> bool:
    if len(line.split()) > _MAX_NOTE_WORDS:
        return False
    match = _LEADING_NAME_RE.match(line)
    if match is None:
        return False
    leading = match.group(1).lower()
    return any(name.startswith(leading) for name in names)
