from __future__ import annotations

import json

from scrapy.settings import Settings

from crawler.feeds import DefaultFeed, rewrite_fields
from crawler.files import read_jsonl


def test_default_feed_is_used_when_no_feed_is_asked_for():
    settings = Settings({"DEFAULT_FEED": "output/%(name)s/articles.jsonl"})
    DefaultFeed().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == ["output/%(name)s/articles.jsonl"]


def test_a_feed_from_the_command_line_replaces_the_default():
    settings = Settings({"DEFAULT_FEED": "output/%(name)s/articles.jsonl"})
    settings.set("FEEDS", {"out.jsonl": {"format": "jsonlines"}}, priority="cmdline")
    DefaultFeed().update_settings(settings)
    assert list(settings.getdict("FEEDS")) == ["out.jsonl"]


def test_rewrite_sets_fields_by_url_and_keeps_other_lines(tmp_path):
    feed = tmp_path / "articles.jsonl"
    records = [
        {"url": "https://a.test/1", "title": "Satu", "copy_cluster": "x"},
        {"url": "https://a.test/2", "title": "Dua “kutipan”", "copy_cluster": "y"},
    ]
    feed.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                    encoding="utf-8")
    before = feed.read_text(encoding="utf-8").splitlines()
    changed = rewrite_fields(feed, {"https://a.test/2": {"copy_cluster": "https://a.test/1"}})
    after = feed.read_text(encoding="utf-8").splitlines()
    assert changed == 1
    assert after[0] == before[0]
    assert json.loads(after[1]) == {**records[1], "copy_cluster": "https://a.test/1"}
    assert [p.name for p in tmp_path.iterdir()] == ["articles.jsonl"]  # no temporary left


def test_read_jsonl_skips_blank_lines(tmp_path):
    feed = tmp_path / "a.jsonl"
    feed.write_text('{"url": "u"}\n\n{"url": "v"}\n', encoding="utf-8")
    assert [r["url"] for r in read_jsonl(feed)] == ["u", "v"]
