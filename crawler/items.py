"""The records the crawl produces.

This module imports nothing from Scrapy: Scrapy accepts dataclass items (through itemadapter),
and `crawler.extract` returns the same `Article` without needing a crawler.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crawler.dedup.analyse import ArticleAnalysis


@dataclass
class Article:
    """One news article page, cleaned. Only `url` is required."""

    url: str
    """The URL the page was fetched from (after redirects), as crawled."""

    canonical_url: str | None = None
    """The page's own `<link rel="canonical">` (or `og:url`), absolute; None if it declares none."""

    site: str | None = None
    """Host the page was crawled from, without a leading `www.` (for example `jakarta365.net`)."""

    source: str | None = None
    """Original publisher's host when the page credits one (aggregator credit line such as
    `(Tribunnews.com, Name)` or a `Sumber :` line), lower-cased, for example `tribunnews.com`;
    otherwise the page's own `site`."""

    title: str | None = None
    """Headline, whitespace-trimmed, without the site name suffix."""

    body: str = ""
    """Article text: paragraphs and subheadings, one per line, joined by `\\n`. Holds no image
    markdown, icon, caption, "Baca juga" link, tag line, share text or credit line."""

    published: str | None = None
    """Publication time as ISO 8601 with a UTC offset (`2025-02-13T07:15:00+07:00`); None when the
    page gives no date."""

    fetched: str | None = None
    """When the page was fetched, ISO 8601 in UTC to the second (`2025-02-13T01:02:03+00:00`):
    when this crawl downloaded it (or, offline, read its saved copy); for a page of a web archive,
    its record's `WARC-Date`. None for an article extracted outside a crawl."""

    authors: list[str] = field(default_factory=list)
    """Reporters and writers, in page order, each trimmed; editors are not authors."""

    tags: list[str] = field(default_factory=list)
    """Topic tags as the page lists them, without a leading `#`, in page order, no duplicates."""

    images: list[str] = field(default_factory=list)
    """Absolute URLs of the article's own images (lead image first); icons and ads excluded."""

    lang: str | None = None
    """Language as a two-letter ISO 639-1 code (`id` for Indonesian), from the page's markup or
    detected from the text."""

    copy_cluster: str | None = None
    """Id of the copy cluster (same article republished), set by the dedup pipeline."""

    event_cluster: str | None = None
    """Id of the event cluster (articles about the same news event), set by the dedup pipeline."""

    analysis: ArticleAnalysis | None = field(default=None, repr=False, compare=False,
                                      metadata={"exported": False})
    """Not part of the record: the URLs the crawl requests from this page (its sidebars), kept
    in a resumable job's journal with its outcome, so that a resumed crawl, which does not fetch
    the page again, still finds the pages only it linked."""

    follow: list[str] = field(default_factory=list, repr=False, compare=False,
                              metadata={"exported": False})
    """Not part of the record: the article's dedup analysis, made beside its extraction in a
    worker process, which the cluster pipeline takes off (`FEED_EXPORT_FIELDS` leaves it out
    of every feed, `record` out of the job journal)."""


RECORD_FIELDS = tuple(f.name for f in fields(Article) if f.metadata.get("exported", True))
"""The fields of an article record, in the order feeds write them (`FEED_EXPORT_FIELDS`)."""


def record(article: Article) -> dict[str, Any]:
    """The article as its record: the exported fields, values as they are."""
    return {name: getattr(article, name) for name in RECORD_FIELDS}


@dataclass
class PageReject:
    """A page that was fetched but yields no article, with the reason; never exported as an
    article, always counted and written to the rejects file."""

    url: str
    """The page's URL."""

    reason: str
    """Why it was rejected, as one human-readable line."""

    follow: list[str] = field(default_factory=list, repr=False, compare=False)
    """The URLs the crawl requests from this page (see `Article.follow`)."""


def published_time(value: object) -> datetime | None:
    """An article's `published` as an aware datetime (a time without an offset is taken as
    UTC, on every machine); None when it is absent or no ISO 8601 time."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
