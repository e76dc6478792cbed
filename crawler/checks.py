"""One check of the settings a user gives: a mistyped name or a value of the wrong kind stops the
run with one line naming it, instead of being ignored or ending in a traceback later.

Known names are Scrapy's own settings, scrapy-redis's, this project's (`crawler/settings.py`
declares each with its default) and the dedup options (`DEDUP_<field>` of `DedupOptions`). A
name that is none of these is an error when it is close to a known one (`DEDUP_COPY_TRESHOLD`,
did you mean `DEDUP_COPY_THRESHOLD`?) or carries one of this project's prefixes; any other
unknown name may belong to a user's own component and only gets a warning. A value must be
what the setting's default is: a number, a number within [0, 1] for a dedup threshold, a
boolean. Plain Python on Scrapy's `BaseSettings`.
"""

from __future__ import annotations

import difflib
import logging
from dataclasses import fields
from functools import cache
from typing import TYPE_CHECKING

from crawler.dedup.options import DedupOptions

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

PREFIXES = ("ARTICLE_", "CANONICAL_", "CLUSTER_", "CRAWL_", "DEDUP_", "EXTRACT_", "OFFLINE_",
            "REJECTS_", "WARC_")
"""Prefixes of this project's settings: an unknown name with one of them is a mistake."""

RENAMED = {"DEDUP_CRAWL_INDEX": "DEDUP_INDEX", "DEDUP_INDEX_PATH": "DEDUP_INDEX"}
"""Former names of this project's settings: the run says what they are called now."""

SCRAPY_REDIS = ("DUPEFILTER_KEY", "REDIS_CLS", "REDIS_ENCODING", "REDIS_HOST", "REDIS_ITEMS_KEY",
                "REDIS_ITEMS_SERIALIZER", "REDIS_PARAMS", "REDIS_PORT", "REDIS_START_URLS_AS_SET",
                "REDIS_START_URLS_AS_ZSET", "REDIS_START_URLS_KEY", "REDIS_URL",
                "SCHEDULER_DUPEFILTER_CLASS", "SCHEDULER_DUPEFILTER_KEY",
                "SCHEDULER_FLUSH_ON_START", "SCHEDULER_IDLE_BEFORE_CLOSE", "SCHEDULER_PERSIST",
                "SCHEDULER_QUEUE_CLASS", "SCHEDULER_QUEUE_KEY", "SCHEDULER_SERIALIZER",
                "MAX_IDLE_TIME_BEFORE_CLOSE")
"""The settings scrapy-redis reads (its `defaults` module names only some of them)."""

SCRAPY_SET = ("SETTINGS_MODULE",)
"""Settings Scrapy itself sets at project priority (from `scrapy.cfg`), named nowhere else."""


class SettingsError(ValueError):
    """A setting the user gave is unknown or has a value of the wrong kind."""


@cache
def known_settings() -> dict[str, tuple[object, bool]]:
    """Every known setting name -> its default and whether a number given for it must be
    whole. Scrapy's integer defaults take any number (`DOWNLOAD_DELAY = 0` takes 0.25);
    this project's and the dedup options' are whole where the default is."""
    from scrapy.settings import default_settings

    from crawler import settings as project

    known: dict[str, tuple[object, bool]] = {
        n: (getattr(default_settings, n), False) for n in dir(default_settings) if n.isupper()}
    known.update({n: (None, False) for n in (*SCRAPY_REDIS, *SCRAPY_SET)})
    known.update({n: (getattr(project, n), True) for n in dir(project) if n.isupper()})
    defaults = DedupOptions()
    known.update({f"DEDUP_{f.name.upper()}": (getattr(defaults, f.name), True)
                  for f in fields(defaults)})
    return known


def check_settings(settings: BaseSettings) -> None:
    """Raise `SettingsError` for the first setting the user gave that is mistyped or of the
    wrong kind (see the module docstring); warn of unknown names that may be a user's own."""
    known = known_settings()
    for name in sorted(name for name, _ in settings.items()):
        priority = settings.getpriority(name)
        if priority is None or priority < _priority("project"):
            continue
        if name in RENAMED:
            raise SettingsError(f"setting {name} is now called {RENAMED[name]}")
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1, cutoff=0.85)
            if close:
                raise SettingsError(f"unknown setting {name}: did you mean {close[0]}?")
            if name.startswith(PREFIXES):
                raise SettingsError(f"unknown setting {name} (see the README's settings table)")
            logger.warning("Setting %s is used neither by Scrapy nor by this project", name)
            continue
        _check_value(name, settings, *known[name])
    try:
        DedupOptions.from_settings(settings)
    except ValueError as exc:
        raise SettingsError(f"a DEDUP_* setting is out of range: {exc}") from exc


def _check_value(name: str, settings: BaseSettings, default: object, whole: bool) -> None:
    value = settings.get(name)
    if value is None or not isinstance(default, bool | int | float):
        return
    try:
        if isinstance(default, bool):
            kind = "true or false"
            settings.getbool(name)
        elif isinstance(default, int) and whole:
            kind = "a whole number"
            settings.getint(name)
        else:
            kind = "a number"
            settings.getfloat(name)
    except ValueError:
        raise SettingsError(f"setting {name}={value!r} must be {kind}") from None


def _priority(name: str) -> int:
    from scrapy.settings import SETTINGS_PRIORITIES

    return SETTINGS_PRIORITIES[name]


class CheckSettings:
    """Scrapy add-on: checks the settings before the crawl starts; a mistake ends the run with
    one line and exit status 2, before anything is written."""

    def update_settings(self, settings: BaseSettings) -> None:
        try:
            check_settings(settings)
        except SettingsError as exc:
            exit_with(str(exc))


def exit_with(message: str) -> None:
    import sys

    print(f"Error: {message}", file=sys.stderr)
    raise SystemExit(2)
