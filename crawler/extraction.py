"""Where the crawl runs `crawler.extract.extract_article`: in its own process, or in worker
processes beside Scrapy.

Extraction is CPU-bound Python and Scrapy runs in one thread, so inline every page's extraction
stalls the engine, and the engine's own work (scheduling, link following, pipelines) adds to it.
With `EXTRACT_PROCESSES` workers (2 in settings.py) the two overlap and a single crawl uses
every core of a small machine. `EXTRACT_PROCESSES = 0` extracts inline, which is what several
crawl workers on one machine want (one process per core).

The workers get the page's bytes and decode them (`crawler.extract.encoding`), extract the
article and read the page's links, so the crawl process neither decodes nor parses an article
page. They are driven from Scrapy's event loop through one socket each (`WorkerPool`), with no
helper thread: `concurrent.futures.ProcessPoolExecutor` hands every page and every answer through
two threads of the crawl process, each waiting for the interpreter lock while Scrapy's thread
runs, and its workers sat idle a tenth of the time waiting for their next page.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import pickle
import signal
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html
from w3lib.html import get_base_url

from crawler.dedup.analyse import Analysed, analyse
from crawler.dedup.options import DedupOptions
from crawler.extract import ExtractionError, extract_article
from crawler.extract.encoding import decode_html
from crawler.items import Article, PageReject

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.context import ForkServerContext
    from multiprocessing.process import BaseProcess
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

ATTEMPTS = 2
"""Tries of a page on which its worker died: the death may not be the page's fault (the machine
ran out of memory, a signal), so it gets a second try on a fresh worker before it is rejected.
The other pages sent to that worker are sent again without counting a try."""
MAX_POOL_FAILURES = 5
"""Worker deaths in a row, with no page done in between, after which extraction goes inline
(the workers cannot start: for example a script without an `if __name__ == "__main__"` guard)."""

WARM_UP_PAGE = "<html lang='id'><body><article><h1>Judul</h1><p>Teks berita.</p></article></body>"


@dataclass(frozen=True)
class PageLinks:
    """The link targets of a page: each `<a href>` as written, and the URL they are relative to."""

    hrefs: list[str]
    base_url: str
    """The page's `<base href>` made absolute, or the page's URL when it has none."""

    def absolute(self, href: str) -> str:
        """The href as Scrapy's `response.urljoin` makes it absolute."""
        href = href.strip()
        if href.startswith(("https://", "http://")) and not any(c in href for c in "?#;\t\r\n"):
            # Already absolute, and in the form urljoin would give it (it would only parse and
            # reassemble it): most links of a news page, spared that cost.
            return href
        return urljoin(self.base_url, href)


@dataclass(frozen=True)
class ExtractedPage:
    """What a worker gives back for an article page: its outcome and its links."""

    outcome: Article | PageReject
    links: PageLinks
    analysed: Analysed | None = None
    """The article's dedup analysis (`crawler.dedup.analyse` of its title and body), when it
    was asked for."""


def extract_page(
    body: bytes | str,
    url: str,
    content_type: str | None = None,
    dedup: DedupOptions | None = None,
) -> ExtractedPage:
    """The page's article (or a reject when the input is no readable HTML page), and its links.

    Bytes are decoded here (`crawler.extract.encoding`: the declared charset is checked against
    the bytes; `content_type` is the HTTP header), so the crawl process never decodes an article
    page. The links are read here too, beside the extraction, so that the crawl process does not
    parse the page a second time only to find them. With `dedup` options the article's dedup
    analysis comes along too (tokens, shingles, MinHash: a third of what clustering an article
    costs the crawl process).
    """
    html, encoding = decode_html(body, content_type) if isinstance(body, bytes) else (body, None)
    try:
        outcome: Article | PageReject = extract_article(html, url)
    except ExtractionError as exc:
        return rejected(url, f"unreadable: {exc}")
    analysed = None
    if dedup is not None and isinstance(outcome, Article) and outcome.body:
        analysed = analyse([outcome.title or ""], [outcome.body], dedup)
    return ExtractedPage(outcome, page_links(html, url, encoding), analysed)


def rejected(url: str, reason: str) -> ExtractedPage:
    return ExtractedPage(PageReject(url, reason), PageLinks([], url))


def read_links(body: bytes, url: str, content_type: str | None = None) -> PageLinks:
    """The links of a page given as bytes, decoded as `extract_page` decodes them."""
    decoded = decode_html(body, content_type)
    return page_links(decoded.text, url, decoded.encoding)


def page_links(html: str, url: str, encoding: str | None = None) -> PageLinks:
    """The page's hrefs and base URL, as Scrapy's `response.xpath("//a/@href")` and
    `response.urljoin` read them (the `<base href>` within the first 4 KB, as Scrapy looks)."""
    base_url = get_base_url(html[:4096], url, encoding or "utf-8")
    return PageLinks(link_hrefs(html), base_url)


def link_hrefs(html: str) -> list[str]:
    """The `href` of every `<a>`, in page order: what `response.xpath("//a/@href")` gives, read
    the way parsel builds a response's tree (`parsel.selector.create_root_node`: NUL characters
    dropped, UTF-8 bytes, so that an XML declaration naming another encoding is no error, and
    no depth limit, or a page nested 256 levels deep loses every link after that point).

    Plain lxml rather than parsel itself: a `Selector` wraps every result in an object, which
    made reading a listing page's links three times slower, and importing parsel would add to
    every worker's start.
    """
    data = html.strip().replace("\x00", "").encode("utf-8") or b"<html/>"
    parser = lxml.html.HTMLParser(recover=True, encoding="utf-8", huge_tree=True)
    try:
        root = lxml.etree.fromstring(data, parser)
    except (ValueError, lxml.etree.ParserError):
        return []
    return [] if root is None else [str(href) for href in root.xpath("//a/@href")]


def warm_up() -> None:
    """Pay the extractor's one-time costs (trafilatura's stop lists; the dedup analysis's
    patterns and numpy's first calls) before the first page."""
    extract_page(WARM_UP_PAGE, "https://warm.up/", dedup=DedupOptions())


# --- the worker processes --------------------------------------------------------------------

_LENGTH_BYTES = 8
"""Each message on a worker's socket is its length (big-endian) and a pickle."""
_READ_SIZE = 1 << 16
"""Bytes asked of a socket per read: a page's answer fits, and a larger buffer would be a fresh
memory mapping on every read."""


def _message(value: object) -> bytes:
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return len(payload).to_bytes(_LENGTH_BYTES, "big") + payload


def _next_message(buffer: bytearray) -> bytes | None:
    """The first whole message's pickle, taken off `buffer`; None while it is incomplete."""
    if len(buffer) < _LENGTH_BYTES:
        return None
    end = _LENGTH_BYTES + int.from_bytes(buffer[:_LENGTH_BYTES], "big")
    if len(buffer) < end:
        return None
    payload = bytes(buffer[_LENGTH_BYTES:end])
    del buffer[:end]
    return payload


def serve(conn: Connection, nice: int = 0) -> None:
    """A worker's main loop: run each job `(function, args)` read from `conn` and write back
    `("ok", result)` or `("error", exception)`, in order, until the crawl closes the socket.
    `nice` lowers the worker's scheduling priority (see `PageExtractor`)."""
    # Ctrl-C reaches the whole process group; the crawl process decides when its workers stop
    # (a graceful shutdown still needs them for the pages in flight).
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    warm_up()
    if nice:
        os.nice(nice)  # after the warm-up, which should be over before the crawl needs it
    fd = conn.fileno()
    buffer = bytearray()
    while True:
        while (job := _next_message(buffer)) is None:
            chunk = os.read(fd, _READ_SIZE)
            if not chunk:
                return
            buffer += chunk
        function, args = pickle.loads(job)
        try:
            answer = _message(("ok", function(*args)))
        except Exception as exc:  # the caller gets it, as from a call in its own process
            try:
                answer = _message(("error", exc))
            except Exception:  # an exception that cannot be pickled
                answer = _message(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        view = memoryview(answer)
        while view:
            view = view[os.write(fd, view) :]


class WorkerDied(Exception):
    """The worker died while running the job, on every try."""


class JobTimedOut(Exception):
    """The job ran over the pool's time limit; its worker was killed."""


class PoolUnavailable(Exception):
    """Workers kept dying before finishing any job (they cannot start), so the pool gave up."""


@dataclass(eq=False)
class _Job:
    message: bytes
    future: asyncio.Future[Any]
    tries: int = 0

    def settle(self, result: Any = None, error: BaseException | None = None) -> None:
        """Give the caller its answer, unless it stopped waiting (cancelled, or its event loop
        is gone)."""
        if self.future.done() or self.future.get_loop().is_closed():
            return
        if error is None:
            self.future.set_result(result)
        else:
            self.future.set_exception(error)


@dataclass(eq=False)
class _Worker:
    process: BaseProcess
    conn: Connection
    sent: deque[_Job] = field(default_factory=deque)
    """Jobs sent and not answered, in order: the first is running, the others wait in the socket."""
    inbox: bytearray = field(default_factory=bytearray)
    outbox: bytearray = field(default_factory=bytearray)
    watchdog: asyncio.TimerHandle | None = None

    @property
    def fd(self) -> int:
        return self.conn.fileno()


class WorkerPool:
    """Worker processes that run jobs `(function, args)` for the coroutines of an event loop.

    Each worker has a socket of its own, driven by the event loop (readers and writers, no
    thread), and is sent `DEPTH` jobs ahead of its answers, so it starts its next page as soon
    as it has answered one instead of waiting for the crawl process to send it. Because each
    worker's jobs are known, a worker that dies only costs a try of the job it was running (the
    others are sent again), and `timeout` counts from the moment a job starts in its worker,
    not from when it was queued.
    """

    DEPTH = 4
    """Jobs sent to a worker ahead of its answers. Scrapy's thread can be busy for tens of
    milliseconds at a time, during which it reads no answer and sends no job; the pages queued
    behind the running one keep the worker busy meanwhile."""

    def __init__(
        self,
        processes: int,
        timeout: float,
        context: ForkServerContext,
        max_failures: int,
        nice: int = 0,
    ) -> None:
        self.processes = processes
        self.timeout = timeout
        self.nice = nice
        self.context = context
        self.max_failures = max_failures
        self._workers: list[_Worker] = []
        self._pending: deque[_Job] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._failures_in_a_row = 0
        self.closed = False

    def start(self) -> None:
        while len(self._workers) < self.processes:
            self._start_worker()

    async def run(self, function: Callable[..., Any], *args: Any, first: bool = False) -> Any:
        """`function(*args)` in a worker, after the jobs already waiting (before them if
        `first`). Raises what the function raised, `JobTimedOut`, `WorkerDied` or
        `PoolUnavailable`."""
        if self.closed:
            raise PoolUnavailable("the worker pool is closed")
        loop = asyncio.get_running_loop()
        self._attach(loop)
        job = _Job(_message((function, args)), loop.create_future())
        if first:
            self._pending.appendleft(job)
        else:
            self._pending.append(job)
        self._dispatch()
        return await job.future

    def close(self, error: BaseException | None = None) -> None:
        """Stop the workers (they exit when their socket closes). Jobs not answered are cancelled,
        or fail with `error`."""
        self.closed = True
        workers, self._workers = self._workers, []
        unanswered = [job for worker in workers for job in worker.sent] + list(self._pending)
        self._pending.clear()
        for worker in workers:
            self._detach(worker)
            worker.conn.close()
        for worker in workers:
            worker.process.join(1)
            if worker.process.is_alive():
                worker.process.kill()
                worker.process.join()
        for job in unanswered:
            if error is None:
                job.future.cancel()
            else:
                job.settle(error=error)

    # -- sending ---------------------------------------------------------------------------

    def _dispatch(self) -> None:
        while self._pending:
            # The worker with the least work queued, by bytes: extraction time grows with the
            # page, so the workers finish their last pages at about the same time.
            open_workers = [w for w in self._workers if len(w.sent) < self.DEPTH]
            if not open_workers:
                return
            worker = min(open_workers, key=lambda w: sum(len(j.message) for j in w.sent))
            job = self._pending.popleft()
            if job.future.done():
                continue  # its caller stopped waiting before it was sent
            worker.sent.append(job)
            self._send(worker, job.message)
            if len(worker.sent) == 1:
                self._watch(worker)

    def _send(self, worker: _Worker, message: bytes) -> None:
        if not worker.outbox:
            try:
                written = os.write(worker.fd, message)
            except BlockingIOError:
                written = 0
            except OSError:
                return  # the worker is gone: its socket's end-of-file says so to the reader
            if written == len(message):
                return
            message = message[written:]
            assert self._loop is not None  # typing: attached before the first send
            self._loop.add_writer(worker.fd, self._flush, worker)
        worker.outbox += message

    def _flush(self, worker: _Worker) -> None:
        try:
            written = os.write(worker.fd, worker.outbox)
        except BlockingIOError:
            return
        except OSError:
            written = len(worker.outbox)
        del worker.outbox[:written]
        if not worker.outbox and self._loop is not None:
            self._loop.remove_writer(worker.fd)

    # -- answers and failures ----------------------------------------------------------------

    def _readable(self, worker: _Worker) -> None:
        try:
            chunk = os.read(worker.fd, _READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            chunk = b""
        if not chunk:
            self._died(worker)
            return
        worker.inbox += chunk
        while (answer := _next_message(worker.inbox)) is not None:
            job = worker.sent.popleft()
            self._failures_in_a_row = 0
            status, value = pickle.loads(answer)
            job.settle(*((value, None) if status == "ok" else (None, value)))
            self._watch(worker)
        self._dispatch()

    def _watch(self, worker: _Worker) -> None:
        """Time the job now running in `worker` (the first it has not answered)."""
        if worker.watchdog is not None:
            worker.watchdog.cancel()
            worker.watchdog = None
        if self.timeout and worker.sent and self._loop is not None:
            worker.watchdog = self._loop.call_later(
                self.timeout, self._overdue, worker, worker.sent[0]
            )

    def _overdue(self, worker: _Worker, job: _Job) -> None:
        if worker not in self._workers or not worker.sent or worker.sent[0] is not job:
            return
        logger.warning("Extraction of a page ran over %g s; restarting its worker", self.timeout)
        # A running job cannot be interrupted, and one stuck in native code would hold its
        # worker for good: the worker goes, the jobs queued behind it go to the others.
        self._retire(worker)
        job.settle(error=JobTimedOut(f"over {self.timeout:g} s"))
        self._start_worker()
        self._dispatch()

    def _died(self, worker: _Worker) -> None:
        job = self._retire(worker)
        self._failures_in_a_row += 1
        if job is not None:
            job.tries += 1
            if job.tries < ATTEMPTS:
                self._pending.appendleft(job)
            else:
                job.settle(error=WorkerDied("the worker died running it"))
        if self._failures_in_a_row >= self.max_failures:
            logger.error("Extraction workers died %d times in a row", self._failures_in_a_row)
            self.close(PoolUnavailable("extraction workers cannot start"))
            return
        logger.warning("An extraction worker died; starting a new one")
        self._start_worker()
        self._dispatch()

    def _retire(self, worker: _Worker) -> _Job | None:
        """Stop and forget `worker`; its waiting jobs go back to the front of the queue. Returns
        the job it was running."""
        self._workers.remove(worker)
        self._detach(worker)
        worker.conn.close()
        if worker.process.is_alive():
            worker.process.kill()
        worker.process.join()
        running = worker.sent.popleft() if worker.sent else None
        self._pending.extendleft(reversed(worker.sent))
        worker.sent.clear()
        return running

    # -- processes and the event loop ----------------------------------------------------------

    def _start_worker(self) -> None:
        ours, theirs = self.context.Pipe(duplex=True)
        process = self.context.Process(target=serve, args=(theirs, self.nice), daemon=True)
        process.start()
        theirs.close()
        os.set_blocking(ours.fileno(), False)
        worker = _Worker(process, ours)
        self._workers.append(worker)
        if self._loop is not None and not self._loop.is_closed():
            self._loop.add_reader(worker.fd, self._readable, worker)

    def _attach(self, loop: asyncio.AbstractEventLoop) -> None:
        """Watch the workers' sockets from `loop` (a crawl has one event loop; tests run each
        call in a new one)."""
        if loop is self._loop:
            return
        for worker in self._workers:
            self._detach(worker)
        self._loop = loop
        for worker in self._workers:
            loop.add_reader(worker.fd, self._readable, worker)
            if worker.outbox:
                loop.add_writer(worker.fd, self._flush, worker)
            self._watch(worker)

    def _detach(self, worker: _Worker) -> None:
        if worker.watchdog is not None:
            worker.watchdog.cancel()
            worker.watchdog = None
        if self._loop is not None and not self._loop.is_closed():
            self._loop.remove_reader(worker.fd)
            self._loop.remove_writer(worker.fd)


# --- the crawl's side ----------------------------------------------------------------------------

article_analysed = object()
"""Signal a spider sends when the workers analysed an article for the dedup index, before it
yields the article. Arguments: `article` (the `Article` object), `analysed` (`Analysed`),
`options` (the `DedupOptions` it was analysed with)."""


class PageExtractor:
    """Extracts pages for the spiders, inline or in a pool of `processes` workers."""

    def __init__(
        self,
        processes: int,
        timeout: float = 0,
        nice: int = 0,
        dedup: DedupOptions | None = None,
    ) -> None:
        if processes < 0:
            raise ValueError(f"EXTRACT_PROCESSES must be 0 or more, got {processes}")
        if timeout < 0:
            raise ValueError(f"EXTRACT_TIMEOUT must be 0 or more, got {timeout}")
        if not 0 <= nice <= 19:
            raise ValueError(f"EXTRACT_NICE must be 0 to 19, got {nice}")
        self.processes = processes
        self.timeout = timeout
        """Seconds one page may take in a worker before it is rejected and the worker killed;
        0: no limit. Only workers can be stopped: inline extraction has no limit."""
        self.nice = nice
        """How much lower the workers' scheduling priority is than the crawl process's (Unix
        nice levels). Scrapy's thread is the crawl's bottleneck: every page passes through it,
        and while a worker holds its core, answers and new pages wait for it."""
        self.dedup = dedup
        """Options of the dedup analysis the workers add to each article (`extract_page`), or
        None. Inline extraction never analyses: the cluster pipeline would do the same work in
        the same process."""
        self._pool: WorkerPool | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Here, not at the top: the workers import this module, and Scrapy would add a quarter
        # of a second to their start.
        from scrapy import signals

        settings = crawler.settings
        extractor = cls(
            settings.getint("EXTRACT_PROCESSES", 0),
            settings.getfloat("EXTRACT_TIMEOUT", 0),
            settings.getint("EXTRACT_NICE", 0),
            DedupOptions.from_settings(settings) if clusters_articles(settings) else None,
        )
        # Started with the crawler, before the spider opens: the workers import and warm up the
        # extractor while Scrapy starts its engine and fetches the first listing pages.
        extractor.start()
        crawler.signals.connect(extractor.close, signals.spider_closed)
        return extractor

    def start(self) -> None:
        if self.processes and self._pool is None:
            # forkserver, not fork: the crawl process has threads (Twisted's pool, DNS), and a
            # forked copy of a threaded process can deadlock.
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["crawler.extraction"])
            self._pool = WorkerPool(
                self.processes, self.timeout, context, MAX_POOL_FAILURES, self.nice
            )
            self._pool.start()
            logger.info("Extracting pages in %d worker process(es)", self.processes)

    async def extract(
        self, body: bytes | str, url: str, content_type: str | None = None
    ) -> ExtractedPage:
        """`extract_page` of an article page, in a worker (or inline). `content_type`: the HTTP
        header."""
        pool = self._workers()
        if pool is not None:
            try:
                page: ExtractedPage = await pool.run(
                    extract_page, body, url, content_type, self.dedup
                )
                return page
            except JobTimedOut:
                slow = f"extraction-timeout: over EXTRACT_TIMEOUT={self.timeout:g} s on this page"
                return rejected(url, slow)
            except WorkerDied:
                return rejected(url, "extraction-crashed: the extraction worker died on this page")
            except PoolUnavailable:
                self._go_inline()
        return extract_page(body, url, content_type)

    async def links(self, body: bytes, url: str, content_type: str | None = None) -> PageLinks:
        """`read_links` of a listing page, in a worker (or inline), ahead of the article pages
        waiting for one: its links feed the crawl."""
        pool = self._workers()
        if pool is not None:
            try:
                links: PageLinks = await pool.run(read_links, body, url, content_type, first=True)
                return links
            except (JobTimedOut, WorkerDied) as exc:
                # Reading links is a plain lxml parse; a page that kills it would kill the
                # crawl process too.
                logger.error("The links of %s could not be read: %r", url, exc)
                return PageLinks([], url)
            except PoolUnavailable:
                self._go_inline()
        return read_links(body, url, content_type)

    def _workers(self) -> WorkerPool | None:
        if not self.processes:
            return None
        self.start()
        return self._pool

    def _go_inline(self) -> None:
        if self.processes:  # every page waiting for the pool comes here: say it once
            logger.error("Extracting in the crawl process from now on (EXTRACT_PROCESSES=0)")
        self.processes = 0
        self._pool = None

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None


def clusters_articles(settings: BaseSettings) -> bool:
    """Whether the crawl's item pipelines include the cluster pipeline (or one derived from
    it): only then is the workers' dedup analysis of use."""
    from scrapy.utils.conf import build_component_list
    from scrapy.utils.misc import load_object

    from crawler.pipelines import ClusterArticlesPipeline

    return any(
        isinstance(cls := load_object(path), type) and issubclass(cls, ClusterArticlesPipeline)
        for path in build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    )
