"""`scrapy crawl`: Scrapy's own command, with a wrong spider name answered in one line that
names the spiders there are (Scrapy's ends in a traceback of its spider loader)."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from scrapy.commands.crawl import Command as ScrapyCrawl

if TYPE_CHECKING:
    import argparse


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            known = sorted(self.crawler_process.spider_loader.list())
            if args[0] not in known:
                print(f"Error: no spider named {args[0]!r} (there are: {', '.join(known)})",
                      file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
