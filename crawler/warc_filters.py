"""Which records of a web archive are read as pages, decided before anything is extracted (a
CC-NEWS file holds tens of thousands of records from every country), and which articles fall
in the dates asked for.

`since` and `until` name a window of the articles' dates: an article's date is its `published`
time or, when the page gives none, its fetch time. A record fetched before `since` is left out
before extraction (a page is not published after it is fetched); an article outside the window
is rejected after it (`out-of-window`), since only its page tells when it was published.
`dates=fetched` puts the window on the records' fetch time (`WARC-Date`) alone: both ends are
then decided before extraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from crawler.items import published_time
from crawler.page_language import page_language
from crawler.sites import host_of

if TYPE_CHECKING:
    from collections.abc import Iterable
    from datetime import datetime

    from crawler.items import Article

DATE_KINDS = ("published", "fetched")


@dataclass(frozen=True)
class DateWindow:
    """`since` and `until`, and what they date (`published` or `fetched`)."""

    since: datetime | None = None
    until: datetime | None = None
    dates: str = "published"

    def __post_init__(self) -> None:
        if self.dates not in DATE_KINDS:
            raise ValueError(f"dates={self.dates!r}: it is published or fetched")
        if self.since and self.until and self.since > self.until:
            raise ValueError(f"since={self.since.isoformat()} is after "
                             f"until={self.until.isoformat()}")

    def record_refused(self, fetched: datetime | None) -> bool:
        """Whether a record fetched then holds no page of the window."""
        if fetched is None:
            return False
        if self.since and fetched < self.since:
            return True
        return self.dates == "fetched" and self.until is not None and fetched > self.until

    def article_refusal(self, article: Article) -> str | None:
        """Why the article is outside the window (a reject reason), or None."""
        if self.dates != "published" or not (self.since or self.until):
            return None
        published = published_time(article.published)
        moment = published or published_time(article.fetched)
        if moment is None:
            return None
        what = "published" if published else "undated, fetched"
        if self.since and moment < self.since:
            return f"out-of-window: {what} {moment.isoformat()}, before since={self.since:%F %T%z}"
        if self.until and moment > self.until:
            return f"out-of-window: {what} {moment.isoformat()}, after until={self.until:%F %T%z}"
        return None


@dataclass(frozen=True)
class RecordFilter:
    """Which response records are candidate pages."""

    hosts: frozenset[str] = frozenset()
    """Hosts (as `host_of` gives them) to keep; empty: every host."""
    tlds: tuple[str, ...] = ()
    """Top-level domains to keep (`id`, `co.id`); empty: every one."""
    window: DateWindow = DateWindow()
    langs: frozenset[str] = frozenset()
    """Page languages to keep (ISO 639-1); empty: every one. A page whose language cannot be
    told is kept (its extraction decides)."""

    def refusal(self, url: str, fetched: datetime | None) -> str | None:
        """The reason a record is left out by what its headers say, or None."""
        host = host_of(url)
        if self.hosts and host not in self.hosts:
            return "filtered-host"
        if self.tlds and not (host and host.endswith(tuple(f".{t}" for t in self.tlds))):
            return "filtered-tld"
        if self.window.record_refused(fetched):
            return "filtered-date"
        return None

    def language_refusal(self, body: bytes, content_type: str, content_language: str,
                         url: str) -> str | None:
        """`filtered-lang` for a page in none of `langs`, by its text (`page_language`)."""
        if not self.langs:
            return None
        lang = page_language(body, content_type, content_language, host_of(url))
        return "filtered-lang" if lang is not None and lang not in self.langs else None


def codes(value: str) -> tuple[str, ...]:
    """`id, .co.id,` -> ("id", "co.id"): a comma-separated argument's parts."""
    return tuple(part.strip(". ").lower() for part in value.split(",") if part.strip(". "))


def hosts_from(names: Iterable[str]) -> frozenset[str]:
    return frozenset(h for name in names if (h := host_of(name if "//" in name else
                                                           f"https://{name}/")))
