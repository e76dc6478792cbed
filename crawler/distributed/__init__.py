"""Distributed crawling: several `scrapy crawl` processes, on one or many machines, share one crawl
frontier (request queue and seen-request set) in Redis, through scrapy-redis.

Switched on by the `REDIS_URL` setting or the `CRAWLER_REDIS_URL` environment variable (the
`DistributedCrawl` add-on); without either, the embedded default runs with no server.

What scrapy-redis gives as is, and what this module adds:

- scrapy-redis's scheduler pops a request from Redis and forgets it: a worker killed mid-page
  loses the pages it had popped (they are in the seen set, so nobody crawls them again). Here a
  pop moves the request into an in-flight hash in the same Redis script, and the request leaves
  that hash only when Scrapy has finished with it (callback done, items exported, links queued).
  Requests of a worker whose heartbeat stopped go back to the queue.
- scrapy-redis checks the seen set and pushes the request in two round trips; here it is one
  script, so a Redis lost between the two cannot leave a page marked seen but never queued.
- `MAX_IDLE_TIME_BEFORE_CLOSE` only works for `RedisSpider`; our spiders are plain spiders that
  seed through `async def start`. Here a worker stays open while the shared queue or any
  worker's in-flight hash is not empty (an idle worker must wait for a busy one whose pages will
  add links), and closes after the job has been drained for that many seconds.
- Articles: a worker exports an article only if no worker of the job has (Redis set of article
  URLs), so a page crawled again after a kill is not written twice. Feed files are written
  unbuffered, so what a killed worker had exported is on disk.

Redis keys of a job (`CRAWL_JOB`, default the spider name), all prefixed `<job>:` — `requests`
(sorted set, scrapy-redis's priority queue), `dupefilter` (set of request fingerprints), `inflight`
(hash `<session>|<n>` -> `<score>|<request>`), `workers` (sorted set: session -> heartbeat
deadline, Redis server time in ms), `articles` (set of exported article URLs).

Settings (our own, and scrapy-redis's where it has one):

- `REDIS_URL` / env `CRAWLER_REDIS_URL`: the switch; empty = embedded default.
- `CRAWL_JOB`: the job's key prefix, default the spider name. Workers of one job share its
  frontier; different jobs never meet.
- `CRAWL_WORKER` / env `CRAWLER_WORKER`: the worker's name in its file names, default
  `<host>-<pid>`.
- `SCHEDULER_PERSIST` (default False): when a job drains, the last worker out deletes its keys,
  so the next crawl of that job starts afresh. True keeps them: the job stays "done" (its seen
  set filters every page, seeds included) until flushed. An interrupted job (Ctrl-C, killed
  workers, Redis lost) is always kept, and starting workers again resumes it.
- `SCHEDULER_FLUSH_ON_START` (default False): True discards what the job holds before
  starting, unless a worker of the job is alive (a second worker must not wipe the first's work).
- `MAX_IDLE_TIME_BEFORE_CLOSE` (default 3 s): how long the job must be drained (shared queue
  empty, nothing in flight in any worker) before a worker closes.
- `CRAWL_WORKER_TTL` (default 10 s): a worker whose heartbeat is this old is dead; its in-flight
  requests go back to the queue.

Scrapy 2.13+ seeds through `async def start` (no `start_requests`): every worker runs it, and
the shared seen set drops the seeds of all but the first. Contracts (`scrapy check`) do not run
under this scheduler; run them without `REDIS_URL`.

Run N workers with `python -m crawler.distributed run --workers N SPIDER` (`__main__`).

Modules: `keys` (names and the Redis key layout of a job), `frontier` (the shared frontier in
Redis: Lua scripts, the worker session, its heartbeat thread), `scheduler` (the Scrapy
scheduler over it), `export` (articles exported once, unbuffered feed files), `addon` (the
switch and the settings it sets), `merge` (the per-worker files of a job into one, clustered
with the job's options), `__main__` (start N workers, merge).
"""

from crawler.distributed.addon import DistributedCrawl, per_worker
from crawler.distributed.export import ExportArticleOnce, UnbufferedFileFeedStorage, feed_uri_params
from crawler.distributed.frontier import Frontier, Heartbeat
from crawler.distributed.keys import JobKeys, redacted
from crawler.distributed.merge import MergeResult, merge_outputs
from crawler.distributed.scheduler import FrontierScheduler

__all__ = [
    "DistributedCrawl",
    "ExportArticleOnce",
    "Frontier",
    "FrontierScheduler",
    "Heartbeat",
    "JobKeys",
    "MergeResult",
    "UnbufferedFileFeedStorage",
    "feed_uri_params",
    "merge_outputs",
    "per_worker",
    "redacted",
]
