"""One spider per site family, and `all` for every family in one crawl (one feed, one dedup
index). Their crawl rules live in `sites.toml`."""

from __future__ import annotations

from crawler.spiders.news import NewsSpider, all_site_rules


class TribunnewsSpider(NewsSpider):
    """tribunnews.com: original publisher."""

    name = "tribunnews"
    site_names = ("tribunnews",)


class EtindonesiaSpider(NewsSpider):
    """etindonesia.com: original publisher."""

    name = "etindonesia"
    site_names = ("etindonesia",)


class Jakarta365Spider(NewsSpider):
    """jakarta365.net: aggregator republishing other outlets' articles."""

    name = "jakarta365"
    site_names = ("jakarta365",)


class Berita247Spider(NewsSpider):
    """berita247.net: aggregator republishing other outlets' articles."""

    name = "berita247"
    site_names = ("berita247",)


class AllSitesSpider(NewsSpider):
    """Every site family of `sites.toml` in one crawl."""

    name = "all"
    site_names = tuple(all_site_rules())
