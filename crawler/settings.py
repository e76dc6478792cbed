"""Scrapy settings of the crawler: Scrapy's defaults, overridden only where a reason says why.

Our own settings (documented in the README):

- OFFLINE_FIXTURES: manifest of saved pages to crawl from; empty crawls the live sites.
- DEFAULT_FEED: where articles go when no -o/-O or FEEDS is given; `%(name)s` is the spider.
- REJECTS_FILE: JSON lines of every rejected or missed page with its reason; `%(name)s` is the
  spider name.
- CRAWL_SUMMARY_FILE: JSON of the page counts by outcome and reason, written at the end.
- ARTICLE_MIN_BODY_CHARS: shorter bodies are rejected as no article (video and photo pages).
- CANONICAL_WAIT: seconds a page whose rel=canonical names another article page waits for it.
- EXTRACT_PROCESSES: worker processes that run the extraction beside the crawl; 0 = inline.
- EXTRACT_TIMEOUT: seconds one page may take in a worker before it is rejected.
- EXTRACT_NICE: how much lower the workers' scheduling priority is than the crawl process's.
- REDIS_URL (env CRAWLER_REDIS_URL), CRAWL_JOB, CRAWL_WORKER, CRAWL_WORKER_TTL: the distributed
  mode, see crawler/distributed/.
- DEDUP_INDEX: the crawl's persisted dedup index; empty keeps it in memory for one crawl.
- DEDUP_RESET: start the crawl's dedup index afresh.
- DEDUP_DECISIONS: a reviewer's decisions file, saved from the cluster report, applied to the
  clustering (crawler/dedup/decisions.py); empty = none.
- DEDUP_SHARED_INDEX: provisional cluster ids against one index in Redis (distributed mode).
- CLUSTER_REPORT_DIR: where the cluster report goes at the end of a crawl; empty = none.
"""

from pathlib import Path

from crawler.items import RECORD_FIELDS

PROJECT_ROOT = Path(__file__).resolve().parent.parent

BOT_NAME = "crawler"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"
COMMANDS_MODULE = "crawler.commands"

# The embedded default: crawl the saved fixture sites, no network. -s OFFLINE_FIXTURES= goes live.
OFFLINE_FIXTURES = str(PROJECT_ROOT / "fixtures" / "manifest.json")
ADDONS = {
    # First: a mistyped setting or a value of the wrong kind stops the run before anything runs.
    "crawler.checks.CheckSettings": -10,
    "crawler.offline.OfflineFixtures": 0,
    "crawler.feeds.DefaultFeed": 0,
    # After DefaultFeed: gives the default feed a per-worker name in the distributed mode.
    "crawler.distributed.addon.DistributedCrawl": 10,
    # -s JOBDIR=DIR: a crawl killed at any point resumes where it stopped (crawler/resume.py).
    # After DistributedCrawl: a Redis frontier keeps the job itself, and JOBDIR is left alone.
    "crawler.resume.ResumableJob": 20,
}
# Distributed mode (crawler/distributed/): several crawl processes share one Redis frontier.
# Empty = the embedded frontier, no server. The environment variable CRAWLER_REDIS_URL also works.
REDIS_URL = ""
# The job's Redis key prefix (empty: the spider's name), this worker's name in its file names
# (empty: <host>-<pid>, or env CRAWLER_WORKER), and the heartbeat age after which a worker is dead
# and its in-flight requests go back to the queue (crawler/distributed/).
CRAWL_JOB = ""
CRAWL_WORKER = ""
CRAWL_WORKER_TTL = 10.0

# Online politeness (the offline add-on lifts these): news sites throttle aggressive crawlers.
USER_AGENT = "news-crawler/0.1 (+https://example.org/news-crawler)"  # default names Scrapy only
ROBOTSTXT_OBEY = True  # default False
CONCURRENT_REQUESTS_PER_DOMAIN = 4  # default 8
DOWNLOAD_DELAY = 0.25  # default 0
AUTOTHROTTLE_ENABLED = True  # default False

# Scrapy starts CONCURRENT_ITEMS asyncio tasks per response to process its output, and a page
# yields at most one item: one task for it (it may wait in CanonicalDuplicatesPipeline), one for
# the requests so they are not held behind it. Each task more costs CPU in Scrapy's thread, the
# crawl's bottleneck (100 tasks per page were a third of its work).
CONCURRENT_ITEMS = 2  # default 100

DOWNLOADER_MIDDLEWARES = {
    # Early (small number): sees each page once, before redirects and retries re-issue it.
    "crawler.accounting.PageAccounting": 50,
    # After it: a page read from a web archive (crawler.warc) is answered, not downloaded.
    "crawler.warc.ArchivedResponses": 60,
    # Scrapy's retry, in its place, honouring Retry-After on 429 and 503 (Scrapy ignores it).
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.politeness.RetryAfterMiddleware": 550,
}
# The longest Retry-After waited for, in seconds; a server asking for more is missed (http-429).
RETRY_AFTER_MAX = 120.0
# With HTTPCACHE_ENABLED=True (off by default): robots.txt, sitemaps and feeds kept and asked for
# again with conditional requests, pages never (crawler.politeness).
HTTPCACHE_POLICY = "crawler.politeness.DiscoveryCachePolicy"
ITEM_PIPELINES = {
    "crawler.pipelines.ValidateArticlePipeline": 100,
    # Before clustering: a second address of an article neither reaches the feed nor the index.
    "crawler.pipelines.CanonicalDuplicatesPipeline": 200,
    # After validation: only articles that reach the feed enter the dedup index.
    "crawler.pipelines.ClusterArticlesPipeline": 300,
}
EXTENSIONS = {
    # With WARC_OUTPUT set: every response of the crawl, as fetched, in WARC files.
    "crawler.warc_output.WarcOutput": 10,
    # The crawl's dedup index and its end: final ids, the saved index, feeds rewritten, the report.
    "crawler.clustering.CrawlClusters": 0,
}
LOG_FORMATTER = "crawler.accounting.ArticleLogFormatter"  # one line per reject, not the item

# Used when no -o/-O or FEEDS is given (see crawler.feeds.DefaultFeed); -O out.jsonl replaces it.
DEFAULT_FEED = str(PROJECT_ROOT / "output" / "%(name)s" / "articles.jsonl")
FEED_EXPORT_ENCODING = "utf-8"  # default escapes every non-ASCII character
# The record schema, in the README's order (default: every field of the item, and an article
# also carries its dedup analysis on its way to the cluster pipeline).
FEED_EXPORT_FIELDS = list(RECORD_FIELDS)
REJECTS_FILE = str(PROJECT_ROOT / "output" / "%(name)s" / "rejects.jsonl")
CRAWL_SUMMARY_FILE = str(PROJECT_ROOT / "output" / "%(name)s" / "summary.json")
ARTICLE_MIN_BODY_CHARS = 200
# Seconds a second address of a page (rel=canonical to another article page) waits for that page
# to be crawled before it is written itself (crawler.pipelines.CanonicalDuplicatesPipeline).
CANONICAL_WAIT = 30.0
# A news page is well under 2 MB; one far larger is no article and would stall the extractor.
DOWNLOAD_MAXSIZE = 10 * 1024 * 1024  # default 1 GiB
# Extraction in worker processes beside Scrapy's thread (crawler/workers/); 0 = inline.
# Two keep a 2-core machine busy while the crawl process runs Scrapy and the pipelines.
EXTRACT_PROCESSES = 2
# The workers run at a lower priority (nice level) than the crawl process: every page passes
# through Scrapy's thread, and when a worker takes its core, pages and answers wait for it (it
# spent a third of a crawl waiting for a core). The workers still get every core it leaves.
# 0 = the same priority, for a machine shared with other CPU-heavy work.
EXTRACT_NICE = 10
# One pathological page must not stall the crawl: past this many seconds it is rejected and its
# worker restarted (0: no limit; inline extraction cannot be stopped).
EXTRACT_TIMEOUT = 30.0

# The crawl's dedup index, kept between crawls; -s DEDUP_RESET=1 starts it afresh. DEDUP_* options
# (thresholds, features) are documented in crawler/dedup/options.py and the README.
DEDUP_INDEX = str(PROJECT_ROOT / "output" / "dedup-index.npz")
DEDUP_RESET = False
# A reviewer's decisions, saved from report.html ("not this event", "same event", "not a copy"):
# every clustering of the crawl obeys them (crawler/dedup/decisions.py). Empty: none.
DEDUP_DECISIONS = ""
# Provisional ids against one index in Redis (REDIS_URL, keys <CRAWL_JOB>:dedup…); the distributed
# add-on turns it on.
DEDUP_SHARED_INDEX = False
CLUSTER_REPORT_DIR = str(PROJECT_ROOT / "output" / "%(name)s" / "report")

# A recurring job's record of the pages it finished (SQLite; %(name)s is the spider): a later run
# requests none of them again unless its sitemap says it changed. Empty: every run starts afresh.
CRAWL_SEEN = ""
# Per site and run, so that a calendar, a search page or endless pagination cannot keep a crawl
# busy forever (0: no limit; each limit hit is counted, discovery/limit-*).
SITE_MAX_PAGES = 0
SITE_MAX_LISTING_DEPTH = 10
SITE_MAX_QUERY_VARIANTS = 20
SITE_MAX_DOCUMENTS = 500

# A folder (%(name)s: the spider) for the crawl as a web archive, WARC files gzipped per record,
# a new file past WARC_MAX_BYTES; empty: none. `scrapy crawl warc -a files=…` reads it again.
WARC_OUTPUT = ""
WARC_MAX_BYTES = 1_000_000_000

LOG_LEVEL = "INFO"  # default DEBUG logs every request and item
# With STATS_CLASS = "crawler.stats.JsonFileStatsCollector": all crawl stats as JSON here.
STATS_FILE = ""
