from __future__ import annotations

import asyncio
import copy
import io

import pytest
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from crawler.accounting import DuplicatePage
from crawler.clustering import CrawlClusters
from crawler.dedup import DedupOptions
from crawler.items import Article, PageReject
from crawler.pipelines import (
    CanonicalDuplicatesPipeline,
    ClusterArticlesPipeline,
    ValidateArticlePipeline,
)

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


def article_items(corpus: list[dict]) -> list[Article]:
    return [
        Article(
            url=f"https://{story['publisher']}.test/{story['id']}",
            site=f"{story['publisher']}.test",
            title=story["title"],
            body="\n".join(story["body"]),
            published=story["published"],
        )
        for story in corpus
    ]


@pytest.fixture(scope="module")
def corpus_articles() -> list[Article]:
    import json

    from tests.conftest import FIXTURES

    stories = []
    for name in ("seed_stories.json", "stories_a.json", "stories_b.json"):
        stories += json.loads((FIXTURES / "corpus" / name).read_text(encoding="utf-8"))
    return article_items(stories)


def cluster_pipeline(index_path, **settings) -> ClusterArticlesPipeline:
    crawler = get_crawler(settings_dict={"DEDUP_INDEX": str(index_path), **settings})
    crawler.stats.open_spider()
    pipeline = ClusterArticlesPipeline(CrawlClusters.from_crawler(crawler), None)
    pipeline.open_spider()
    return pipeline


def crawl_through(pipeline: ClusterArticlesPipeline, items: list[Article]) -> None:
    for item in items:
        out = pipeline.process_item(item)
        assert out.copy_cluster and out.event_cluster
    pipeline.clusters.finish()


def test_two_crawls_on_a_persisted_index_cluster_like_one_crawl(tmp_path, corpus_articles):
    whole = cluster_pipeline(tmp_path / "whole.npz")
    crawl_through(whole, copy.deepcopy(corpus_articles))
    half = len(corpus_articles) // 2
    first = cluster_pipeline(tmp_path / "split.npz")
    crawl_through(first, copy.deepcopy(corpus_articles[:half]))
    second = cluster_pipeline(tmp_path / "split.npz")
    assert len(second.clusters.index) == half  # the first crawl's articles were kept
    crawl_through(second, copy.deepcopy(corpus_articles[half:]))
    assert second.clusters.final == whole.clusters.final


def test_reset_starts_the_index_afresh(tmp_path, corpus_articles):
    crawl_through(cluster_pipeline(tmp_path / "i.npz"), copy.deepcopy(corpus_articles[:5]))
    assert len(cluster_pipeline(tmp_path / "i.npz").clusters.index) == 5
    assert len(cluster_pipeline(tmp_path / "i.npz", DEDUP_RESET=True).clusters.index) == 0


def test_the_seed_stories_share_an_event_but_not_a_copy_cluster(tmp_path, corpus_articles):
    pipeline = cluster_pipeline(tmp_path / "i.npz")
    crawl_through(pipeline, copy.deepcopy(corpus_articles))
    seeds = [a.url for a in corpus_articles[:2]]
    final = pipeline.clusters.final
    assert final is not None
    first, second = (final[url] for url in seeds)
    assert first.event_cluster == second.event_cluster
    assert first.copy_cluster != second.copy_cluster


# --- one article per canonical URL ----------------------------------------------------------------

CANONICAL = "https://a.test/berita/7/banjir"
SECOND_ADDRESS = Article(url=CANONICAL + "?hal=semua", canonical_url=CANONICAL, title="Banjir",
                         body=BODY)
CANONICAL_PAGE = Article(url=CANONICAL, canonical_url=CANONICAL, title="Banjir", body=BODY)


def canonical_pipeline(wait: float = 5) -> CanonicalDuplicatesPipeline:
    crawler = get_crawler(settings_dict={"CANONICAL_WAIT": wait})
    return CanonicalDuplicatesPipeline.from_crawler(crawler)


async def outcomes(pipeline: CanonicalDuplicatesPipeline, *items: Article) -> dict[str, str]:
    """URL -> "article" or "skipped" for items sent through the pipeline concurrently, in order."""

    async def one(item: Article) -> str:
        try:
            await pipeline.process_item(copy.deepcopy(item))
        except DuplicatePage:
            return "skipped"
        return "article"

    tasks = []
    for item in items:
        tasks.append(asyncio.ensure_future(one(item)))
        await asyncio.sleep(0)  # the first reaches the pipeline first
    return dict(zip([item.url for item in items], await asyncio.gather(*tasks), strict=True))


@pytest.mark.parametrize("order", ["canonical first", "second address first"])
def test_canonical_page_is_the_article_whatever_the_order(order):
    items = [CANONICAL_PAGE, SECOND_ADDRESS]
    if order == "second address first":
        items.reverse()
    result = asyncio.run(outcomes(canonical_pipeline(), *items))
    assert result == {CANONICAL: "article", SECOND_ADDRESS.url: "skipped"}


def test_second_address_is_written_when_its_canonical_page_is_no_article():
    pipeline = canonical_pipeline()

    async def crawl() -> dict[str, str]:
        waiting = asyncio.ensure_future(outcomes(pipeline, SECOND_ADDRESS))
        await asyncio.sleep(0.01)
        assert not waiting.done()  # held for its canonical page
        pipeline.page_finished(CANONICAL, "missed", [])
        return await waiting

    assert asyncio.run(crawl()) == {SECOND_ADDRESS.url: "article"}


def test_second_address_waits_at_most_canonical_wait():
    result = asyncio.run(outcomes(canonical_pipeline(wait=0.05), SECOND_ADDRESS))
    assert result == {SECOND_ADDRESS.url: "article"}


def second_address_alone(pipeline: CanonicalDuplicatesPipeline, within: float) -> dict[str, str]:
    """The second address sent through `pipeline` alone, which must answer `within` seconds."""

    async def crawl() -> dict[str, str]:
        return await asyncio.wait_for(outcomes(pipeline, SECOND_ADDRESS), within)

    return asyncio.run(crawl())


def full_scraper_pipeline(monkeypatch: pytest.MonkeyPatch) -> CanonicalDuplicatesPipeline:
    """A pipeline in a crawl whose scraper is full (Scrapy fetches nothing more)."""
    pipeline = canonical_pipeline(wait=30)
    monkeypatch.setattr(pipeline, "scraper_full", lambda: True)
    monkeypatch.setattr(pipeline, "STUCK_SECONDS", 0.1)
    return pipeline


def test_no_wait_with_canonical_wait_zero():
    """The distributed mode's setting: the canonical page may be another worker's."""
    result = second_address_alone(canonical_pipeline(wait=0), within=0.5)
    assert result == {SECOND_ADDRESS.url: "article"}


def test_second_address_stops_waiting_when_the_crawl_is_stuck_on_it(monkeypatch):
    result = second_address_alone(full_scraper_pipeline(monkeypatch), within=5)
    assert result == {SECOND_ADDRESS.url: "article"}


def test_a_full_scraper_whose_pages_finish_is_no_reason_to_stop_waiting(monkeypatch):
    pipeline = full_scraper_pipeline(monkeypatch)

    async def crawl() -> dict[str, str]:
        waiting = asyncio.ensure_future(outcomes(pipeline, SECOND_ADDRESS))
        for n in range(6):  # other pages keep finishing, for over STUCK_SECONDS in all
            await asyncio.sleep(0.05)
            pipeline.page_finished(f"https://a.test/berita/{100 + n}/lain", "article", [])
        assert not waiting.done()
        await pipeline.process_item(copy.deepcopy(CANONICAL_PAGE))
        return await waiting

    assert asyncio.run(crawl()) == {SECOND_ADDRESS.url: "skipped"}


@pytest.mark.parametrize(
    ("canonical", "title"),
    [
        ("https://other.test/berita/7/banjir", "Banjir"),  # another site: a syndication credit
        (CANONICAL, "Gempa"),  # another headline: a template fault, not the same page
        ("http://[a.test/berita/7", "Banjir"),  # no URL at all
    ],
)
def test_canonical_that_names_no_copy_of_the_page_keeps_both(canonical, title):
    other = Article(url="https://a.test/berita/8/gempa", canonical_url=canonical, title=title,
                    body=BODY)
    result = asyncio.run(outcomes(canonical_pipeline(wait=0.05), CANONICAL_PAGE, other))
    assert result == {CANONICAL: "article", other.url: "article"}


# --- analyses made by the extraction workers ---------------------------------------------------


def analysed_by_workers(pipeline: ClusterArticlesPipeline, article: Article, text: Article,
                        options: DedupOptions | None = None) -> None:
    """Give `article` the analysis a worker would have made of `text`'s title and body: a test
    can tell whether the pipeline used it."""
    from crawler.dedup.analyse import ArticleAnalysis, analyse

    options = options or pipeline.clusters.options
    article.analysis = ArticleAnalysis(
        options, article.title or "", article.body,
        analyse([text.title or ""], [text.body], pipeline.clusters.options))


def test_an_article_analysed_by_the_workers_is_not_analysed_again(corpus_articles):
    first, other = copy.deepcopy(corpus_articles[2]), copy.deepcopy(corpus_articles[10])
    pipeline = cluster_pipeline("")
    pipeline.process_item(first)
    # The analysis `other` carries is that of `first`: used as it is, it makes a copy.
    analysed_by_workers(pipeline, other, first)
    out = pipeline.process_item(other)
    assert out.copy_cluster == first.url
    assert out.analysis is None  # not kept beyond the pipeline


def test_an_analysis_of_text_changed_since_is_not_used(corpus_articles):
    first, other = copy.deepcopy(corpus_articles[2]), copy.deepcopy(corpus_articles[10])
    pipeline = cluster_pipeline("")
    pipeline.process_item(first)
    analysed_by_workers(pipeline, other, first)
    other.body = other.body + "\nTambahan."  # a pipeline before this one changed the body
    assert pipeline.process_item(other).copy_cluster == other.url


def test_an_analysis_with_other_options_is_not_used(corpus_articles):
    from dataclasses import replace

    first, other = copy.deepcopy(corpus_articles[2]), copy.deepcopy(corpus_articles[10])
    pipeline = cluster_pipeline("")
    pipeline.process_item(first)
    options = pipeline.clusters.options
    analysed_by_workers(pipeline, other, first,
                        replace(options, shingle_size=options.shingle_size + 1))
    assert pipeline.process_item(other).copy_cluster == other.url


def test_the_analysis_is_in_no_record_feed_or_journal(corpus_articles):
    from scrapy.exporters import CsvItemExporter, JsonLinesItemExporter
    from scrapy.utils.project import get_project_settings

    from crawler.items import RECORD_FIELDS, record

    article = copy.deepcopy(corpus_articles[2])
    analysed_by_workers(cluster_pipeline(""), article, article)
    fields = get_project_settings().getlist("FEED_EXPORT_FIELDS")
    assert fields == list(RECORD_FIELDS) and "analysis" not in fields
    assert list(record(article)) == fields
    for exporter_class in (JsonLinesItemExporter, CsvItemExporter):
        out = io.BytesIO()
        exporter = exporter_class(out, fields_to_export=fields)
        exporter.start_exporting()
        exporter.export_item(article)
        exporter.finish_exporting()
        assert b"analysis" not in out.getvalue() and b"signatures" not in out.getvalue()


def test_the_cluster_pipeline_asks_the_spiders_workers_for_the_analysis():
    from crawler.workers.extractor import PageExtractor

    crawler = get_crawler(settings_dict={"DEDUP_INDEX": ""})
    crawler.stats.open_spider()
    extractor = PageExtractor(0)
    assert extractor.dedup is None  # no cluster pipeline, no analysis
    pipeline = ClusterArticlesPipeline(CrawlClusters.from_crawler(crawler), extractor)
    pipeline.open_spider()
    assert extractor.dedup == pipeline.clusters.options

