"""What every project command of `scrapy` (crawler/commands) shares. Kept outside that package:
Scrapy takes every command class defined there for a command of its own."""

from __future__ import annotations

from scrapy.commands import ScrapyCommand


class ProjectCommand(ScrapyCommand):
    """A command that reads files, not the web: no crawler process, no log lines of its own
    (it prints what it has to say); `usage` and `summary` are its `scrapy -h` lines."""

    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}  # noqa: RUF012 (Scrapy declares it a ClassVar)
    usage = ""
    summary = ""

    def syntax(self) -> str:
        return self.usage

    def short_desc(self) -> str:
        return self.summary
