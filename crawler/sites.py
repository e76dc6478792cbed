"""The sites a crawl knows, as data (`crawler/sites.toml`), and how it tells a site's pages apart.

A `Site` is a home page, its hosts and optional entry points and URL rules. A site with rules
tells articles from listings by them; one without (any site named by its home URL) by the shape
of the URL (`url_shape`): a path holding a date, a long numeric id or a long slug is an
article's, a short path of words, a section, tag or pagination path a listing's. The shape is a
rule for news sites in general, not for one of them: it holds for the sites in the list and for
the URL forms of the common news platforms (WordPress, Blogger, the big Indonesian publishers'
own systems).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from crawler.extract.article import site_of as host_of

_DATE = re.compile(r"/(?:19|20)\d{2}/(?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12]\d|3[01])(?:/|$)"
                   r"|/(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d*(?:/|$|-)"
                   r"|/(?:19|20)\d{2}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\d|3[01])(?:/|$)")
_LONG_ID = re.compile(r"(?:^|[/-])\d{5,}(?:[/-]|\.html?$|$)")
_SLUG_WORD = re.compile(r"[a-z0-9]+")
_LISTING_SEGMENT = re.compile(
    r"^(?:tag|tags|topik|topic|category|categories|kategori|kanal|section|rubrik|indeks|index"
    r"|terkini|terbaru|latest|news|berita|page|halaman)$")
_NOT_CONTENT = re.compile(
    r"^(?:login|masuk|logout|register|daftar|signup|sign-in|account|akun|profile|profil|about"
    r"|about-us|tentang|tentang-kami|contact|contact-us|kontak|hubungi-kami|privacy|privacy-policy"
    r"|kebijakan-privasi|terms|syarat-dan-ketentuan|disclaimer|pedoman-media-siber|redaksi"
    r"|karir|career|careers|advertise|iklan|search|cari|subscribe|langganan|feed|rss|amp|cdn-cgi"
    r"|wp-admin|wp-login\.php|wp-json)$")
_PAGE = re.compile(r"(?:^|&)(?:page|p|halaman|hal)=\d+(?:&|$)")


def url_shape(url: str) -> str | None:
    """`"article"`, `"listing"` or None (neither: an asset, a login page, a calendar) by the
    shape of the URL alone. See the module docstring."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    path = parts.path or "/"
    segments = [s for s in path.lower().split("/") if s]
    if segments and re.search(r"\.(?:jpe?g|png|gif|webp|svg|css|js|pdf|xml|json|ico|mp[34])$",
                              segments[-1]):
        return None
    if any(_NOT_CONTENT.match(s) for s in segments):
        return None
    last = segments[-1] if segments else ""
    slug_words = len(_SLUG_WORD.findall(re.sub(r"\.html?$", "", last)))
    # A dated path ending in words (a date alone is an archive page); an id beside a slug.
    if _DATE.search(path) and re.search(r"[a-z]", last):
        return "article"
    if _LONG_ID.search(path) and any(s.count("-") >= 1 and len(_SLUG_WORD.findall(s)) >= 2
                                     and not s.replace("-", "").isdigit() for s in segments):
        return "article"
    if last.count("-") >= 3 and slug_words >= 4:
        return "article"
    if not segments:
        return "listing"
    if len(segments) <= 3 and (
        any(_LISTING_SEGMENT.match(s) for s in segments)
        or (segments[-1].isdigit() and len(segments) >= 2 and segments[-2] == "page")
    ):
        return "listing"
    if len(segments) <= 2 and all(re.fullmatch(r"[a-z]+(?:-[a-z]+)?", s) for s in segments):
        return "listing" if not parts.query or _PAGE.search(parts.query) else None
    return None


@dataclass(frozen=True)
class Site:
    """One news site: where a crawl of it starts and which of its URLs it follows."""

    name: str
    home: str
    hosts: tuple[str, ...]
    subdomains: bool = False
    groups: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    article: re.Pattern[str] | None = None
    listing: re.Pattern[str] | None = None
    configured: bool = field(default=True, compare=False)
    """False for a site named only by its home URL (no entry in the site list)."""

    @classmethod
    def from_home(cls, url: str) -> Site:
        """A site nobody configured, from its home URL."""
        host = host_of(url)
        if host is None or not url.startswith(("http://", "https://")):
            raise ValueError(f"not a site's home URL: {url!r}")
        return cls(name=host, home=url, hosts=(host,), configured=False)

    def owns(self, host: str | None) -> bool:
        """Whether `host` (as `host_of` gives it: lower case, no `www.`) is this site's."""
        if host is None:
            return False
        return host in self.hosts or (
            self.subdomains and any(host.endswith("." + h) for h in self.hosts))

    def page_kind(self, url: str) -> str | None:
        """`"article"`, `"listing"`, or None for a URL this site's crawl does not follow: by the
        site's rules when it has them, else by `url_shape`.

        Articles are told by their path alone (a query string does not make another article);
        listings by path and query, since pagination often lives in the query.
        """
        if self.article is None and self.listing is None:
            return url_shape(url)
        parts = urlsplit(url)
        path = parts.path or "/"
        if self.article is not None and self.article.fullmatch(path):
            return "article"
        listing = f"{path}?{parts.query}" if parts.query else path
        if self.listing is not None and self.listing.fullmatch(listing):
            return "listing"
        return None


@dataclass(frozen=True)
class SiteList:
    """The sites of `sites.toml`, by name, in file order."""

    sites: dict[str, Site]

    def select(self, names: str | None = None, group: str | None = None) -> list[Site]:
        """The sites a crawl's arguments name: `names` a comma-separated list of site names or
        home URLs, `group` a group; neither: every site. Raises ValueError naming what is
        unknown."""
        chosen: list[Site] = []
        if names:
            for name in (n.strip() for n in names.split(",") if n.strip()):
                if name.startswith(("http://", "https://")):
                    known = next((s for s in self.sites.values() if s.owns(host_of(name))), None)
                    chosen.append(known or Site.from_home(name))
                elif name in self.sites:
                    chosen.append(self.sites[name])
                else:
                    raise ValueError(f"no site named {name!r} (scrapy sites lists them; a home "
                                     f"URL crawls any site)")
        if group:
            members = [s for s in self.sites.values() if group in s.groups]
            if not members:
                groups = sorted({g for s in self.sites.values() for g in s.groups})
                raise ValueError(f"no group {group!r}: groups are {', '.join(groups)}")
            chosen.extend(s for s in members if s not in chosen)
        return chosen if (names or group) else list(self.sites.values())


@cache
def site_list() -> SiteList:
    """The site list of `crawler/sites.toml` (read once per process)."""
    text = resources.files("crawler").joinpath("sites.toml").read_text(encoding="utf-8")
    return SiteList({name: _site(name, entry) for name, entry in tomllib.loads(text).items()})


def _site(name: str, entry: dict[str, object]) -> Site:
    def strings(key: str) -> tuple[str, ...]:
        value = entry.get(key, [])
        return tuple(str(v) for v in value) if isinstance(value, list) else ()

    def pattern(key: str) -> re.Pattern[str] | None:
        value = entry.get(key)
        return re.compile(str(value)) if value else None

    return Site(name=name, home=str(entry["home"]), hosts=strings("hosts"),
                subdomains=bool(entry.get("subdomains", False)), groups=strings("groups"),
                sitemaps=strings("sitemaps"), feeds=strings("feeds"), article=pattern("article"),
                listing=pattern("listing"))


TRACKING_PARAMETER = re.compile(r"utm_\w+|fbclid|gclid|dclid|msclkid|mc_eid|_ga|ref_src")


def clean_link(url: str) -> str:
    """The URL without its fragment and campaign-tracking query parameters, so that one page is
    fetched once however it was linked."""
    if url.startswith(("https://", "http://")) and not any(c in url for c in "?#\t\r\n"):
        # Most links: nothing to remove, and the URL is already in the form urlunsplit gives
        # (urlsplit would only lower-case the scheme and drop tabs and line breaks).
        return url
    parts = urlsplit(url)._replace(fragment="")
    kept = [
        (name, value)
        for name, value in parse_qsl(parts.query, keep_blank_values=True)
        if not TRACKING_PARAMETER.fullmatch(name)
    ]
    return urlunsplit(parts._replace(query=urlencode(kept)))
