"""Shared crawl frontier for workers on one Redis state: article requests fetched once in all.

Article requests go to one Redis list (scrapy-redis's FifoQueue encoding); a worker only
pushes a page whose canonical URL key it wins in ``frontier:queued`` (so URL variants
found by two workers are fetched once). Popping moves the request into the worker's
``frontier:inflight:<worker>`` set in the same atomic step; it leaves that set when the
worker closes cleanly, and is pushed back to the queue (unless its article is kept by
then) when the worker dies or stops early. Source requests (feeds, sitemaps, homepages)
stay in a local queue so every worker reads every source and reports its health.
An idle worker waits while another live worker is busy (it may still push requests);
the last worker to finish empties ``frontier:queued`` so the next run starts afresh.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, Self

import redis
from scrapy import signals
from scrapy.core.scheduler import Scheduler
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis import picklecompat
from scrapy_redis.queue import FifoQueue

from crawler.middlewares import ARTICLE_META
from crawler.urls import url_key
from pipelines.neardup_redis import text

if TYPE_CHECKING:
    from scrapy import Request, Spider
    from scrapy.crawler import Crawler
    from twisted.python.failure import Failure

    from pipelines.state_redis import RedisState

logger = logging.getLogger(__name__)

CLOSE_REASON = "redis_unavailable"

_PUSH = (
    "if redis.call('HSETNX', KEYS[1], ARGV[1], ARGV[2]) == 0 then return 0 end\n"
    "redis.call('LPUSH', KEYS[2], ARGV[3])\n"
    "return 1\n"
)
_POP = (
    "local data = redis.call('RPOP', KEYS[1])\n"
    "if not data then return false end\n"
    "redis.call('SADD', KEYS[2], data)\n"
    "redis.call('DEL', KEYS[3])\n"
    "redis.call('SADD', KEYS[4], ARGV[1])\n"
    "return data\n"
)


class RedisFrontierScheduler:
    """Scrapy scheduler: local queue for source requests, the shared Redis queue for articles."""

    def __init__(self, crawler: Crawler, store: RedisState) -> None:
        self.crawler = crawler
        self.store = store
        self.client = store.client
        self.worker = store.worker
        prefix = f"{store.prefix}frontier:"
        self.keys = {
            "queue": f"{prefix}requests",
            "queued": f"{prefix}queued",
            "inflight": f"{prefix}inflight:{store.worker}",
            "idle": f"{prefix}idle:{store.worker}",
            "owners": f"{prefix}owners",
        }
        self.prefix = prefix
        self.local = Scheduler.from_crawler(crawler)
        self.queue: FifoQueue | None = None
        self.failed = False
        self.prefetch = crawler.settings.getint("NEWSDEDUP_FRONTIER_PREFETCH", 4)
        self._push = self.client.register_script(_PUSH)
        self._pop = self.client.register_script(_POP)
        crawler.signals.connect(self._on_idle, signal=signals.spider_idle)
        crawler.signals.connect(self._on_item_error, signal=signals.item_error)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self | Scheduler:
        """The shared frontier on a Redis state; Scrapy's own scheduler on any other state."""
        from pipelines.runtime import open_runtime
        from pipelines.state_redis import RedisState

        store = open_runtime(crawler.settings).store
        if not isinstance(store, RedisState):
            return Scheduler.from_crawler(crawler)
        return cls(crawler, store)

    def open(self, spider: Spider) -> Any:
        """Open the local queue, attach to the state, re-queue what dead workers left."""
        self.queue = FifoQueue(self.client, spider, self.keys["queue"], picklecompat)
        self.store.hold_lease = True  # released in close(), after the pipelines are done
        self.store.requeue = self.requeue
        self.requeue(self.worker)  # a killed earlier run under this worker name
        for owner in self.client.smembers(self.keys["owners"]):
            name = text(owner)
            if name != self.worker and not self.client.exists(f"{self.store.prefix}lease:{name}"):
                self.requeue(name)
        return self.local.open(spider)

    def has_pending_requests(self) -> bool:
        """Local requests, or articles waiting in the shared queue."""
        if self.local.has_pending_requests():
            return True
        return not self.failed and self._redis(lambda: self.client.llen(self.keys["queue"]), 0) > 0

    def enqueue_request(self, request: Request) -> bool:
        """Article requests: shared queue if this worker wins the URL key; others: local."""
        if not request.meta.get(ARTICLE_META):
            return bool(self.local.enqueue_request(request))
        if self.queue is None or self.failed:
            return False
        data = self.queue._encode_request(request)
        keys = [self.keys["queued"], self.keys["queue"]]
        won = self._redis(
            lambda: self._push(keys=keys, args=[url_key(request.url), request.url, data]), 0
        )
        if not won:
            self.crawler.stats.inc_value("newsdedup/skipped/queued_by_other_worker")
        return bool(won)

    def next_request(self) -> Request | None:
        """A local request first, else the next shared article request."""
        request = self.local.next_request()
        if request is not None or self.queue is None or self.failed or self._saturated():
            return request
        keys = [self.keys["queue"], self.keys["inflight"], self.keys["idle"], self.keys["owners"]]
        data = self._redis(lambda: self._pop(keys=keys, args=[self.worker]), None)
        if data is None:
            return None
        self.crawler.stats.inc_value("newsdedup/frontier/popped")
        shared: Request = self.queue._decode_request(data)
        return shared

    def _saturated(self) -> bool:
        """True while the downloader holds PREFETCH requests: leave the rest to other workers."""
        engine = self.crawler.engine
        return engine is not None and len(engine.downloader.active) >= self.prefetch

    def __len__(self) -> int:
        """Requests queued locally (the shared queue is not counted)."""
        return len(self.local)

    def requeue(self, worker: str) -> int:
        """Push WORKER's in-flight requests back to the queue unless their article is kept."""
        key = f"{self.prefix}inflight:{worker}"
        pushed = 0
        for data in self.client.smembers(key):
            url = picklecompat.loads(data)["url"]
            if self.store.article_for_url_keys([url_key(url)]) is None:
                self.client.rpush(self.keys["queue"], data)  # RPOP end: fetched next
                pushed += 1
        self.client.delete(key)
        if pushed:
            logger.warning("re-queued %d unfinished article requests of worker %s", pushed, worker)
        return pushed

    def close(self, reason: str) -> Any:
        """Finish: forget or hand back in-flight requests, release the worker's lease."""
        result = self.local.close(reason)
        clean = reason == "finished" and not self.failed
        try:
            if clean:
                self.client.delete(self.keys["inflight"], self.keys["idle"])
                self._end_generation()
            else:
                self.requeue(self.worker)
            self.client.srem(self.keys["owners"], self.worker)
        except redis.RedisError as exc:
            logger.error("Redis frontier: could not close worker %s cleanly: %s", self.worker, exc)
        self.store.release()
        return result

    def _end_generation(self) -> None:
        """The last live worker, with nothing queued, forgets which URLs were queued."""
        others = [text(w) for w in self.client.smembers(f"{self.store.prefix}workers")]
        alive = [
            w
            for w in others
            if w != self.worker and self.client.exists(f"{self.store.prefix}lease:{w}")
        ]
        if not alive and not self.client.llen(self.keys["queue"]):
            self.client.delete(self.keys["queued"])

    def _on_idle(self, spider: Spider) -> None:
        """Keep an idle worker open while another live worker may still push requests."""
        if self.failed or not self.store.lease.healthy:
            self._fail("lost the Redis state")
            return
        self.client.set(self.keys["idle"], 1)
        for owner in self.client.smembers(f"{self.store.prefix}workers"):
            name = text(owner)
            if name == self.worker or not self.client.exists(f"{self.store.prefix}lease:{name}"):
                continue
            if not self.client.exists(f"{self.prefix}idle:{name}"):
                raise DontCloseSpider(f"worker {name} is still busy")

    def _on_item_error(self, item: Any, response: Any, spider: Spider, failure: Failure) -> None:
        """A Redis error in a pipeline stops the crawl: its in-flight pages are handed back."""
        from pipelines.state_redis import RedisStateError

        if failure.check(redis.RedisError, RedisStateError):  # type: ignore[no-untyped-call]
            self._fail(f"Redis state error while processing {getattr(item, 'url', item)}")

    def _redis(self, call: Any, default: Any) -> Any:
        """Run a Redis call; on failure (after the client's retries) stop the crawl."""
        try:
            return call()
        except redis.RedisError as exc:
            self._fail(str(exc))
            return default

    def _fail(self, why: str) -> None:
        """Log once and close the spider with reason redis_unavailable."""
        if not self.failed:
            self.failed = True
            logger.error("Redis state unavailable (%s): stopping; rerun to finish the work", why)
            self.crawler.stats.set_value("newsdedup/redis_unavailable", 1)
            self.store.fail_fast()
            if self.crawler.engine is not None:
                deferred_from_coro(self.crawler.engine.close_spider_async(reason=CLOSE_REASON))
