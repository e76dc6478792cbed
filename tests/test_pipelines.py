from __future__ import annotations

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.items import Article, PageReject
from crawler.pipelines import ValidateArticlePipeline

BODY = "Presiden menerima kunjungan delegasi di Istana Merdeka pada Senin pagi. " * 5


@pytest.fixture
def pipeline() -> ValidateArticlePipeline:
    crawler = get_crawler(settings_dict={"ARTICLE_MIN_BODY_CHARS": 200})
    return ValidateArticlePipeline.from_crawler(crawler)


def test_complete_article_passes_unchanged(pipeline):
    article = Article(url="https://a.test/1", title="Judul", body=BODY)
    assert pipeline.process_item(article) is article


@pytest.mark.parametrize(
    ("item", "reason"),
    [
        (PageReject("https://a.test/x", "not-html: Content-Type image/png"), "^not-html: "),
        (Article(url="https://a.test/1", title="Judul", body=""), "^no-body: "),
        (Article(url="https://a.test/1", title="Judul", body="Video: banjir."),
         "^too-short: body has 14 characters, under ARTICLE_MIN_BODY_CHARS=200"),
        (Article(url="https://a.test/1", title="", body=BODY), "^no-title: "),
    ],
)
def test_unusable_pages_are_dropped_with_their_reason(pipeline, item, reason):
    with pytest.raises(DropItem, match=reason):
        pipeline.process_item(item)


def test_threshold_comes_from_settings():
    crawler = get_crawler(settings_dict={"ARTICLE_MIN_BODY_CHARS": 10})
    pipeline = ValidateArticlePipeline.from_crawler(crawler)
    article = Article(url="https://a.test/1", title="Judul", body="Video: banjir.")
    assert pipeline.process_item(article) is article
