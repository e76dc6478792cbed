"""Per-site rules kept as data (`sites.json`), loaded once."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class SiteRules:
    """What one site needs beyond the general rules."""

    prune_xpath: tuple[str, ...] = ()
    """XPath expressions of elements removed before the main text is extracted."""

    drop_lines: tuple[re.Pattern[str], ...] = field(default=())
    """Lines matching any of these (at the start) are dropped."""

    def is_boilerplate(self, text: str) -> bool:
        return any(pattern.match(text) for pattern in self.drop_lines)


NO_RULES = SiteRules()


@cache
def _all_rules() -> dict[str, SiteRules]:
    raw = json.loads(resources.files(__package__).joinpath("sites.json").read_text("utf-8"))
    return {
        host: SiteRules(
            prune_xpath=tuple(entry.get("prune_xpath", ())),
            drop_lines=tuple(re.compile(p, re.IGNORECASE) for p in entry.get("drop_lines", ())),
        )
        for host, entry in raw["sites"].items()
    }


def rules_for(site: str | None) -> SiteRules:
    """Rules of `site` (host without www.), or of its parent domain, or none."""
    rules = _all_rules()
    host = site or ""
    while host:
        if host in rules:
            return rules[host]
        _, _, host = host.partition(".")
    return NO_RULES
