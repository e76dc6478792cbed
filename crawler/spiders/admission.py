"""Which discovered URLs a crawl requests: `Admission`, the decisions between finding a URL (in a
sitemap, a feed, a page's links) and requesting it, each refusal counted with its reason.

Refusals are `discovery/<reason>` stats (in summary.json too), not page outcomes: the URL was
never requested. The reasons:

- `off-site`: another site's URL (a feed linking elsewhere, a sitemap listing another host);
- `not-article`: a sitemap or feed entry that is no article page by the site's rules or shape;
- `older-than-since`: an entry dated before the crawl's `-a since=`;
- `seen`: a page an earlier run of the job finished (`CRAWL_SEEN`), unchanged since;
- `limit-pages`: over `SITE_MAX_PAGES` pages of one site in one run;
- `limit-depth`: a listing page more than `SITE_MAX_LISTING_DEPTH` listing hops from the home
  page (endless pagination, calendars);
- `limit-query`: over `SITE_MAX_QUERY_VARIANTS` query strings on one path (search pages,
  session ids, sort orders);
- `limit-documents`: over `SITE_MAX_DOCUMENTS` sitemaps and feeds of one site;
- `bad-url`: a link no request can be made of (a port that is no number).

The documents themselves are counted there too: `robots`, `sitemap-index`, `sitemap`,
`news-sitemap`, `feed` (read), `absent` (the site has none there), `unreadable/<reason>` and
`missed/<reason>`.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from crawler.discovery import Entry
    from crawler.seen import SeenPages
    from crawler.sites import Site


@dataclass
class Limits:
    """Per-site bounds of one run (0: none)."""

    pages: int = 0
    listing_depth: int = 0
    query_variants: int = 0
    documents: int = 0
    """Sitemaps and feeds (a sitemap index pointing at thousands of others)."""


@dataclass
class Admission:
    """The decisions of one crawl (see the module docstring)."""

    crawler: Crawler
    """Its stats get the refusals (they exist once the crawl starts, after the spider)."""
    limits: Limits = field(default_factory=Limits)
    since: datetime | None = None
    seen: SeenPages | None = None
    pages: Counter[str] = field(default_factory=Counter)
    documents: Counter[str] = field(default_factory=Counter)
    queries: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def count(self, what: str) -> None:
        """Count a discovery document read, missed or unreadable (`discovery/<what>`)."""
        self.crawler.stats.inc_value(f"discovery/{what}")

    def document(self, site: Site) -> bool:
        """Whether to request one more sitemap or feed of `site`."""
        if self.limits.documents and self.documents[site.name] >= self.limits.documents:
            self.refuse("limit-documents")
            return False
        self.documents[site.name] += 1
        return True

    def refuse(self, reason: str) -> None:
        self.crawler.stats.inc_value(f"discovery/{reason}")

    def entry(self, site: Site, entry: Entry, news: bool) -> bool:
        """Whether to request the page a sitemap or feed lists (`news`: a news sitemap's or a
        feed's entry, an article by what the site published)."""
        kind = site.page_kind(entry.url)
        if kind == "listing" or (kind is None and site.configured and not news):
            self.refuse("not-article")
            return False
        when = entry.published or entry.lastmod
        if self.since is not None and when is not None and _aware(when) < self.since:
            self.refuse("older-than-since")
            return False
        if self.seen is not None and self.seen.done(entry.url, entry.lastmod):
            self.refuse("seen")
            return False
        return self.page(site, entry.url)

    def link(self, site: Site, url: str, kind: str, depth: int) -> bool:
        """Whether to request a page a page links to: an article page or a listing page of
        `depth` listing hops from the home page."""
        if kind == "listing" and self.limits.listing_depth and depth > self.limits.listing_depth:
            self.refuse("limit-depth")
            return False
        if kind == "article" and self.seen is not None and self.seen.done(url):
            self.refuse("seen")
            return False
        return self.page(site, url)

    def page(self, site: Site, url: str) -> bool:
        """The per-site limits, for any page about to be requested."""
        if self.limits.pages and self.pages[site.name] >= self.limits.pages:
            self.refuse("limit-pages")
            return False
        if self.limits.query_variants:
            parts = urlsplit(url)
            if parts.query:
                variants = self.queries.setdefault((site.name, parts.path), set())
                if parts.query not in variants and len(variants) >= self.limits.query_variants:
                    self.refuse("limit-query")
                    return False
                variants.add(parts.query)
        self.pages[site.name] += 1
        return True


def _aware(moment: datetime) -> datetime:
    from datetime import UTC

    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


SPAN_RE = re.compile(r"(\d+)\s*([hHdD])")
"""`since=6h`, `since=2d`: a span back from now, in hours or days."""


def parse_since(value: str | None, now: datetime | None = None) -> datetime | None:
    """`-a since=2025-02-12` (or a full ISO 8601 time; without an offset, UTC), or a span back
    from now, `since=6h` or `since=2d`: what an hourly or daily job gives."""
    if not value:
        return None
    span = SPAN_RE.fullmatch(value.strip())
    if span:
        hours = int(span[1]) * (24 if span[2].lower() == "d" else 1)
        return (now or datetime.now(UTC)) - timedelta(hours=hours)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"since={value!r} is no date (2025-02-12, 2025-02-12T06:00+07:00)")\
            from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
