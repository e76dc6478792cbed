"""The shared frontier of a job in Redis, without Scrapy: the Lua scripts that move requests
between the queue, the seen set and the in-flight hash in one step, a worker session's client
(`Frontier`) and the thread that keeps the session alive (`Heartbeat`)."""

from __future__ import annotations

import threading
import uuid
from itertools import count
from typing import TYPE_CHECKING

from crawler.dedup.shared import delete_index
from crawler.distributed.keys import REDIS_ERRORS, JobKeys, checked_name

if TYPE_CHECKING:
    from collections.abc import Sequence

    from redis import Redis

# Every script reads the clock with TIME: workers on several machines share Redis's clock only.
NOW_MS = "local t = redis.call('TIME') local now = t[1] * 1000 + math.floor(t[2] / 1000) "

JOIN = NOW_MS + """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local flushed = 0
if ARGV[3] == '1' and redis.call('ZCARD', KEYS[1]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  flushed = 1
end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1])
return flushed
"""
"""KEYS: workers, requests, dupefilter, inflight, articles. ARGV: session, ttl ms, flush (0/1).
Flushing and registering in one script: of two workers started together, only the first flushes."""

HEARTBEAT = NOW_MS + "redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), ARGV[1]) return 1"

PUSH = """
if ARGV[1] ~= '' and redis.call('SADD', KEYS[1], ARGV[1]) == 0 then return 0 end
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[3])
return 1
"""
"""KEYS: dupefilter, requests. ARGV: fingerprint ('' = dont_filter), score, request."""

POP = """
local popped = redis.call('ZPOPMIN', KEYS[1])
if #popped == 0 then return false end
redis.call('HSET', KEYS[2], ARGV[1], popped[2] .. '|' .. popped[1])
return popped[1]
"""
"""KEYS: requests, inflight. ARGV: in-flight field. The request moves, never only in memory."""

GIVE_BACK = """
local entry = redis.call('HGET', KEYS[2], ARGV[1])
if not entry then return 0 end
local sep = string.find(entry, '|', 1, true)
redis.call('ZADD', KEYS[1], string.sub(entry, 1, sep - 1), string.sub(entry, sep + 1))
redis.call('HDEL', KEYS[2], ARGV[1])
return 1
"""
"""KEYS: requests, inflight. ARGV: in-flight field. A popped request back in the queue, with its
score, as `RECOVER` puts back a dead worker's."""

RECOVER = NOW_MS + """
local live = {}
for _, session in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], now, '+inf')) do
  live[session] = true
end
local entries = redis.call('HGETALL', KEYS[3])
local requeued = 0
for i = 1, #entries, 2 do
  local session = string.match(entries[i], '^(.*)|[^|]*$')
  if not live[session] then
    local sep = string.find(entries[i + 1], '|', 1, true)
    redis.call('ZADD', KEYS[2], string.sub(entries[i + 1], 1, sep - 1),
               string.sub(entries[i + 1], sep + 1))
    redis.call('HDEL', KEYS[3], entries[i])
    requeued = requeued + 1
  end
end
return requeued
"""
"""KEYS: workers, requests, inflight. Requeues the in-flight requests of sessions whose heartbeat
deadline has passed."""

LEAVE = NOW_MS + """
redis.call('ZREM', KEYS[1], ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
if ARGV[2] == '1' and redis.call('ZCARD', KEYS[1]) == 0 and redis.call('ZCARD', KEYS[2]) == 0
   and redis.call('HLEN', KEYS[4]) == 0 then
  redis.call('DEL', KEYS[2], KEYS[3], KEYS[4], KEYS[5])
  return 1
end
return 0
"""
"""KEYS: workers, requests, dupefilter, inflight, articles. ARGV: session, clean up (0/1). Only
the last worker out of a drained job deletes it."""


class Frontier:
    """One worker session's view of a job's shared frontier; plain Redis, no Scrapy.

    A session is one process's lifetime (`<worker>.<random>`): a restarted worker with the same
    name is another session, so its predecessor's in-flight requests are recovered all the same.
    """

    def __init__(self, server: Redis, keys: JobKeys, worker: str, ttl_seconds: float) -> None:
        if ttl_seconds <= 0:
            raise ValueError(f"CRAWL_WORKER_TTL must be positive, not {ttl_seconds}")
        self.server = server
        self.keys = keys
        self.session = f"{checked_name('CRAWL_WORKER', worker)}.{uuid.uuid4().hex[:8]}"
        self.ttl_ms = int(ttl_seconds * 1000)
        self._numbers = count()
        self._join = server.register_script(JOIN)
        self._heartbeat = server.register_script(HEARTBEAT)
        self._push = server.register_script(PUSH)
        self._pop = server.register_script(POP)
        self._recover = server.register_script(RECOVER)
        self._give_back = server.register_script(GIVE_BACK)
        self._leave = server.register_script(LEAVE)

    def join(self, *, flush: bool) -> bool:
        """Register this session; with `flush`, first empty the job unless a worker is alive.
        Returns whether it flushed."""
        keys = [self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.inflight,
                self.keys.articles]
        flushed = bool(self._join(keys=keys, args=[self.session, self.ttl_ms, int(flush)]))
        if flushed:
            delete_index(self.server, self.keys.dedup)
        return flushed

    def heartbeat(self) -> None:
        self._heartbeat(keys=[self.keys.workers], args=[self.session, self.ttl_ms])

    def push(self, fingerprint: str | None, score: float, data: bytes) -> bool:
        """Queue a request unless its fingerprint was seen (None: never filtered)."""
        keys = [self.keys.dupefilter, self.keys.requests]
        return bool(self._push(keys=keys, args=[fingerprint or "", score, data]))

    def pop(self) -> tuple[str, bytes] | None:
        """The next request and its in-flight token, or None when the queue is empty."""
        token = f"{self.session}|{next(self._numbers)}"
        data = self._pop(keys=[self.keys.requests, self.keys.inflight], args=[token])
        return (token, data) if data else None

    def give_back(self, token: str) -> None:
        """Put a popped request back in the queue, for another worker."""
        self._give_back(keys=[self.keys.requests, self.keys.inflight], args=[token])

    def ack(self, tokens: Sequence[str]) -> None:
        if tokens:
            self.server.hdel(self.keys.inflight, *tokens)

    def recover(self) -> int:
        """Requeue the in-flight requests of dead sessions; returns how many."""
        keys = [self.keys.workers, self.keys.requests, self.keys.inflight]
        return int(self._recover(keys=keys))

    def pending(self) -> tuple[int, int]:
        """(queued, in flight) over every worker of the job."""
        with self.server.pipeline(transaction=False) as pipe:
            pipe.zcard(self.keys.requests)
            pipe.hlen(self.keys.inflight)
            queued, in_flight = pipe.execute()
        return int(queued), int(in_flight)

    def leave(self, *, clean_up: bool) -> bool:
        """Deregister; with `clean_up`, delete the job if it is drained and nobody else is
        alive. Returns whether it deleted the job."""
        keys = [self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.inflight,
                self.keys.articles]
        deleted = bool(self._leave(keys=keys, args=[self.session, int(clean_up)]))
        if deleted:
            delete_index(self.server, self.keys.dedup)
        return deleted

    def article_exported(self, url: str) -> bool:
        return bool(self.server.sismember(self.keys.articles, url))

    def mark_exported(self, url: str) -> None:
        self.server.sadd(self.keys.articles, url)


class Heartbeat:
    """Keeps a session alive from a thread of its own: a worker is dead when its process is,
    not when its event loop is busy (a long page, a slow start) for longer than the TTL."""

    def __init__(self, frontier: Frontier, interval: float) -> None:
        self.frontier = frontier
        self.interval = interval
        self.error: Exception | None = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="frontier-heartbeat", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.frontier.heartbeat()
            except REDIS_ERRORS as exc:
                self.error = exc  # reported by the scheduler, on the event loop
                return
