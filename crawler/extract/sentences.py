"""Where a sentence ends, in every script the crawler reads: prose ends as sentences do, while
headlines, labels, bylines and menus do not. One rule for every module that asks."""

from __future__ import annotations

import re

_SENTENCE_END_RE = re.compile(r"[.!?\u2026\u3002\uff01\uff1f][\"\u201d')\]]*\s*$")
_CLAUSE_END_RE = re.compile(r"[.!?:\uff1a\u2026\u3002\uff01\uff1f][\"\u201d')\]]*\s*$")


def ends_as_sentence(text: str) -> bool:
    """Whether `text` ends as a sentence ends, in any script the crawler reads (a full stop, a
    question or exclamation mark, an ellipsis, the ideographic full stop and full-width marks,
    or a closing quote or bracket after one): prose does, headlines, labels and menus do not."""
    return _SENTENCE_END_RE.search(text) is not None


def ends_as_clause(text: str) -> bool:
    """`ends_as_sentence`, or a colon: a clause that introduces a quote or a list."""
    return _CLAUSE_END_RE.search(text) is not None
