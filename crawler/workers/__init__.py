"""Where the crawl runs `crawler.extract.extract_article`: in worker processes beside Scrapy, or
in its own process.

Extraction is CPU-bound Python and Scrapy runs in one thread, so inline every page's extraction
stalls the engine, and the engine's own work (scheduling, link following, pipelines) adds to it.
With `EXTRACT_PROCESSES` workers (2 in settings.py) the two overlap and a single crawl uses
every core of a small machine. `EXTRACT_PROCESSES = 0` extracts inline, which is what several
crawl workers on one machine want (one process per core).

Three modules, cut where the imports must stop:

- `pages`: the jobs a worker runs on one page (decode, extract, read the links, make the
  dedup analysis). The workers import it first, so it imports no Scrapy, datasketch or scipy.
- `pool`: `WorkerPool`, worker processes driven from the event loop through one socket each.
  It knows jobs, not pages.
- `extractor`: `PageExtractor`, the Scrapy side: settings, the pool's lifetime, and a page's
  outcome when its worker fails.

"extract" (`crawler.extract`) is what turns a page into an article; this package is where that
runs during a crawl.
"""
