"""Where a sentence ends, in every script the crawler reads: prose ends as sentences do, while
headlines, labels, bylines and menus do not. One rule for every module that asks."""

from __future__ import annotations

import re

_CLOSING = r"[\"\u201d')\]]*"
_CREDIT = r"(?:\s*\([^()]{1,40}\))?"
"""The initials or credit a paragraph may close with after its full stop: "… terdampak. (Fa)"."""
_SENTENCE_END_RE = re.compile(rf"[.!?\u2026\u3002\uff01\uff1f]{_CLOSING}{_CREDIT}\s*$")
_CLAUSE_END_RE = re.compile(rf"[.!?:\uff1a\u2026\u3002\uff01\uff1f]{_CLOSING}{_CREDIT}\s*$")


def ends_as_sentence(text: str) -> bool:
    """Whether `text` ends as a sentence ends, in any script the crawler reads (a full stop, a
    question or exclamation mark, an ellipsis, the ideographic full stop and full-width marks,
    or a closing quote or bracket after one, and a writer's initials or credit in parentheses
    after that): prose does, headlines, labels and menus do not."""
    return _SENTENCE_END_RE.search(text) is not None


def ends_as_clause(text: str) -> bool:
    """`ends_as_sentence`, or a colon: a clause that introduces a quote or a list."""
    return _CLAUSE_END_RE.search(text) is not None
