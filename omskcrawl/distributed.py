"""Distributed crawling: many worker processes, on any machines, share one frontier and one state.

`OMSKCRAWL_DISTRIBUTED = True` (`DistributedAddon`) switches a crawl to scrapy-redis's
scheduler and duplicate filter, keyed by spider under OMSKCRAWL_REDIS_PREFIX, and the dedup
state to the Redis backend at OMSKCRAWL_REDIS_URL. Every worker runs the same command
(`scrapy crawl SITE` or `scrapy crawlall`); their start requests meet in one duplicate
filter, so each page is fetched once by whichever worker pops it. Each worker has its own
run id, so its Parquet files and manifest have their own names in the one dataset.

scrapy-redis forgets a request once it is popped; a worker killed with its requests in
hand would lose them. `Scheduler` keeps each popped request in the worker's in-flight
hash until its outcome is durable — its follow-up requests are in the queue, its items are
in a published Parquet file (`files_published`), or it failed for good — and each worker
refreshes a heartbeat key. A worker whose heartbeat has expired
(OMSKCRAWL_DISTRIBUTED_HEARTBEAT seconds) is dead: the others put its in-flight requests
back into the queue. A worker waits while others are busy (they may still discover pages);
the last one to finish clears the frontier, so the next run starts fresh.

When Redis goes away mid-crawl the worker stops (finish reason `redis_lost`, exit 1): its
Parquet files are published as they are, the state it could not commit is rebuilt from
the dataset by `scrapy dedupstate --rebuild`, and its unfinished requests are crawled again.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from typing import Any

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from scrapy.utils.defer import deferred_from_coro
from scrapy_redis.scheduler import Scheduler as RedisScheduler
from twisted.internet.task import LoopingCall

from omskcrawl.distributedaddon import DistributedAddon  # noqa: F401 (its former place)
from omskcrawl.signals import files_published

logger = logging.getLogger(__name__)

INFLIGHT = "omskcrawl_inflight"  # request.meta: the id of its in-flight record
REDIS_LOST = "redis_lost"
request_parsed = object()  # signal: (record, items) from InflightMiddleware


@dataclass
class Taken:
    """A request this worker popped: how many items it yielded, how many are through."""

    yielded: int = 0
    done: int = 0
    parsed: bool = False


# Pop the best request and record it as in flight, in one step: a worker killed between
# the two would otherwise lose it.
POP = """
local found = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if #found == 0 then return nil end
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, 0)
local id = redis.call('INCR', KEYS[4])
redis.call('HSET', KEYS[2], id, found[1])
redis.call('HSET', KEYS[3], id, found[2])
return {id, found[1]}
"""

# Put a dead worker's in-flight requests back into the queue, in one step (two workers
# reclaiming at once must not queue them twice).
RECLAIM = """
local data = redis.call('HGETALL', KEYS[2])
local n = 0
for i = 1, #data, 2 do
  local score = redis.call('HGET', KEYS[3], data[i]) or '0'
  redis.call('ZADD', KEYS[1], score, data[i + 1])
  n = n + 1
end
redis.call('DEL', KEYS[2], KEYS[3])
return n
"""


class Pulse(threading.Thread):
    """The heartbeat, from a thread: a worker busy parsing (or loading its dictionaries)
    for longer than the heartbeat interval is still alive; a killed one stops beating."""

    def __init__(self, scheduler: Scheduler) -> None:
        super().__init__(name="omskcrawl-heartbeat", daemon=True)
        self.scheduler = scheduler
        self.stopped = threading.Event()
        self.error: redis.RedisError | None = None

    def run(self) -> None:
        while not self.stopped.wait(self.scheduler.heartbeat / 4):
            try:
                self.scheduler.beat()
            except redis.RedisError as e:
                self.error = e
                return

    def stop(self) -> None:
        self.stopped.set()
        self.join(timeout=5)


class Scheduler(RedisScheduler):
    """scrapy-redis's scheduler, with in-flight records, heartbeats and recovery."""

    crawler: Crawler
    heartbeat: float
    worker: str
    pending: dict[int, Taken]
    ready: list[int]
    lost: bool
    said_busy: bool
    loop: AsyncioLoopingCall | LoopingCall | None
    pulse: Pulse | None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Scheduler:
        scheduler: Scheduler = super().from_crawler(crawler)
        scheduler.crawler = crawler
        scheduler.heartbeat = crawler.settings.getfloat("OMSKCRAWL_DISTRIBUTED_HEARTBEAT", 10.0)
        scheduler.worker = crawler.settings["OMSKCRAWL_RUN_ID"]
        scheduler.pending = {}  # in-flight id → what became of the request
        scheduler.ready = []  # finished; acknowledged when their files are published
        scheduler.lost = False
        scheduler.said_busy = False
        scheduler.loop = None
        scheduler.pulse = None
        scheduler._asking = False
        crawler.signals.connect(scheduler.request_parsed, signal=request_parsed)
        crawler.signals.connect(scheduler.item_done, signal=signals.item_scraped)
        crawler.signals.connect(scheduler.item_done, signal=signals.item_dropped)
        crawler.signals.connect(scheduler.item_done, signal=signals.item_error)
        crawler.signals.connect(scheduler.acknowledge, signal=files_published)
        return scheduler

    # Keys ------------------------------------------------------------------------

    def _key(self, kind: str, worker: str | None = None) -> str:
        base = self.queue.key.rsplit(":", 1)[0]  # <prefix>:<spider>
        return f"{base}:{kind}" + (f":{worker}" if worker else "")

    # Life cycle --------------------------------------------------------------------

    def open(self, spider: Spider) -> None:
        super().open(spider)
        self._pop = self.server.register_script(POP)
        self._reclaim = self.server.register_script(RECLAIM)
        self.beat(busy=True)  # starting: its start requests are still to come
        self.pulse = Pulse(self)
        self.pulse.start()
        self.loop = create_looping_call(self.tick)
        self.loop.start(max(self.heartbeat / 4, 0.25), now=False)

    def close(self, reason: str) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        if self.pulse is not None:
            self.pulse.stop()
        if self.lost:
            return
        try:
            self.server.delete(self._key("worker", self.worker))
            if reason == "finished":
                # Everything taken either finished or failed for good.
                self.acknowledge()
                self.server.delete(self._key("inflight", self.worker))
                self.server.delete(self._key("priority", self.worker))
                if not len(self.queue) and not self._workers():
                    self.flush()  # the last worker out: the next run starts afresh
        except redis.RedisError as e:
            logger.error("Redis: could not sign off worker %s: %s", self.worker, e)

    def beat(self, busy: bool | None = None) -> None:
        """Refresh this worker's heartbeat key: alive, and whether it is working."""
        if busy is not None:
            self.said_busy = busy
        state = "busy" if self.said_busy else "idle"
        self.server.set(self._key("worker", self.worker), state, px=int(self.heartbeat * 1000))

    def tick(self) -> None:
        """In the reactor: whether this worker is busy, dead workers' requests, wake-up."""
        if self.pulse is not None and self.pulse.error is not None:
            self.redis_lost(self.pulse.error)
            return
        self.said_busy = self._busy_here()
        try:
            self.reclaim()
        except redis.RedisError as e:
            self.redis_lost(e)
            return
        nextcall = getattr(getattr(self.crawler.engine, "_slot", None), "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()  # ask for work now rather than at the engine's 5 s heartbeat

    def redis_lost(self, error: Exception) -> None:
        if self.lost:
            return
        self.lost = True
        logger.error("Redis lost (%s): stopping this worker; what it wrote is kept", error)
        assert self.crawler.engine is not None and self.crawler.stats is not None
        self.crawler.stats.set_value("omskcrawl/distributed/redis_lost", str(error))
        deferred_from_coro(self.crawler.engine.close_spider_async(reason=REDIS_LOST))

    # Frontier --------------------------------------------------------------------

    def enqueue_request(self, request: Request) -> bool:
        if self.lost:
            return False
        parent = request.meta.get(INFLIGHT)
        if getattr(request.errback, "__self__", None) is self:
            request = request.replace(errback=None)  # only spider methods serialize
        try:
            if not request.dont_filter and self.df.request_seen(request):
                self.df.log(request, self.spider)
                return False
            self.queue.push(request)
        except redis.RedisError as e:
            self.redis_lost(e)
            return False
        if self.stats:
            self.stats.inc_value("scheduler/enqueued/redis")
        if parent is not None:  # a retry or redirect: its successor is safely queued
            self.finished(parent)
        return True

    def next_request(self) -> Request | None:
        if self.lost:
            return None
        try:
            found = self._pop(
                keys=[
                    self.queue.key,
                    self._key("inflight", self.worker),
                    self._key("priority", self.worker),
                    self._key("seq"),
                ]
            )
        except redis.RedisError as e:
            self.redis_lost(e)
            return None
        if not found:
            return None
        record, data = int(found[0]), found[1]
        request: Request = self.queue._decode_request(data)
        request.meta[INFLIGHT] = record
        if request.errback is None:
            request.errback = self._failed
        self.pending[record] = Taken()
        if self.stats:
            self.stats.inc_value("scheduler/dequeued/redis")
        if not self.said_busy:
            self.beat(busy=True)  # so that idle workers wait for what this one may find
        return request

    def has_pending_requests(self) -> bool:
        if self.lost:
            return False
        if self._asking:  # asked from inside _busy_here(): this worker's own queue only
            return False
        try:
            if len(self.queue) > 0:
                return True
            self.reclaim()
            return len(self.queue) > 0 or self._workers(busy_only=True)
        except redis.RedisError as e:
            self.redis_lost(e)
            return False

    def _busy_here(self) -> bool:
        engine = self.crawler.engine
        if engine is None or getattr(engine, "_slot", None) is None or engine.scraper.slot is None:
            return True
        self._asking = True
        try:
            return not engine.spider_is_idle()
        finally:
            self._asking = False

    def _workers(self, busy_only: bool = False) -> bool:
        """Whether other workers are alive (and busy: they may still queue pages)."""
        pattern = self._key("worker", "*")
        mine = self._key("worker", self.worker)
        for key in self.server.scan_iter(match=pattern):
            name = key.decode() if isinstance(key, bytes) else key
            if name == mine:
                continue
            if not busy_only or self.server.get(name) in (b"busy", "busy"):
                return True
        return False

    def reclaim(self) -> int:
        """Requeue what dead workers held (their heartbeat expired)."""
        moved = 0
        prefix = self._key("inflight") + ":"
        for key in self.server.scan_iter(match=self._key("inflight", "*")):
            name = key.decode() if isinstance(key, bytes) else key
            worker = name[len(prefix) :]
            if worker == self.worker or self.server.exists(self._key("worker", worker)):
                continue
            n = int(
                self._reclaim(
                    keys=[self.queue.key, name, self._key("priority", worker)],
                )
            )
            if n:
                logger.warning("worker %s is gone: %d of its requests are queued again", worker, n)
                if self.stats:
                    self.stats.inc_value("omskcrawl/distributed/reclaimed", n)
            moved += n
        return moved

    # Acknowledgement ---------------------------------------------------------------

    def request_parsed(self, record: int, items: int) -> None:
        """The callback of a request returned; `items` items are on their way."""
        taken = self.pending.get(record)
        if taken is not None:
            taken.yielded += items
            taken.parsed = True
            self._settle(record, taken)

    def item_done(self, item: Any, response: Any = None, **kwargs: Any) -> None:
        request = getattr(response, "request", None)
        record = request.meta.get(INFLIGHT) if request is not None else None
        if isinstance(record, int) and record in self.pending:
            taken = self.pending[record]
            taken.done += 1
            self._settle(record, taken)

    def _settle(self, record: int, taken: Taken) -> None:
        if not taken.parsed or taken.done < taken.yielded:
            return
        del self.pending[record]
        if taken.yielded:
            self.ready.append(record)  # its rows are in a file not yet published
        else:
            self._ack([record])

    def finished(self, record: int) -> None:
        """Nothing of this request to wait for: it failed for good, or a successor is queued."""
        self.pending.setdefault(record, Taken())
        self.request_parsed(record, 0)

    def _failed(self, failure: Any) -> None:
        record = failure.request.meta.get(INFLIGHT)
        if record is not None:
            self.finished(record)

    def acknowledge(self) -> None:
        """The Parquet files are published: the requests whose rows they hold are done."""
        ready, self.ready = self.ready, []
        self._ack(ready)

    def _ack(self, records: list[int]) -> None:
        if not records or self.lost:
            return
        try:
            pipe = self.server.pipeline()
            pipe.hdel(self._key("inflight", self.worker), *records)
            pipe.hdel(self._key("priority", self.worker), *records)
            pipe.execute()
        except redis.RedisError as e:
            self.redis_lost(e)


class InflightMiddleware:
    """Says when a request's callback is done and how many items it gave (`request_parsed`)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> InflightMiddleware:
        return cls(crawler)

    def _parsed(self, response: Response | None, items: int) -> None:
        request = response.request if response is not None else None
        record = request.meta.get(INFLIGHT) if request is not None else None
        if record is not None:
            self.crawler.signals.send_catch_log(request_parsed, record=record, items=items)

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterable[Any]:
        items = 0
        for element in result:
            items += not isinstance(element, Request)
            yield element
        self._parsed(response, items)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        items = 0
        async for element in result:
            items += not isinstance(element, Request)
            yield element
        self._parsed(response, items)
