"""The one exception extraction raises."""

from __future__ import annotations


class ExtractionError(ValueError):
    """The input cannot be treated as an HTML page at all (empty, binary, no document)."""
