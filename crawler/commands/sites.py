"""`scrapy sites [-g GROUP]`: the sites a crawl knows by name (`crawler/sites.toml`), their groups
and entry points: what `scrapy crawl news -a site=NAME` and `-a group=GROUP` choose from."""

from __future__ import annotations

import argparse

from crawler.command import ProjectCommand
from crawler.sites import site_list


class Command(ProjectCommand):
    usage = "[-g GROUP]"
    summary = "List the news sites a crawl knows by name, with their groups and entry points"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-g", "--group", help="only the sites of this group")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            sites = site_list().select(group=opts.group)
        except ValueError as exc:
            print(f"scrapy sites: {exc}")
            self.exitcode = 1
            return
        width = max(len(site.name) for site in sites)
        for site in sites:
            extra = [f"{len(site.feeds)} feeds"] if site.feeds else []
            extra += [f"{len(site.sitemaps)} sitemaps"] if site.sitemaps else []
            extra += ["URL rules"] if site.article or site.listing else []
            print(f"{site.name:<{width}}  {site.home:<40} {','.join(site.groups):<28} "
                  f"{'; '.join(extra)}".rstrip())
