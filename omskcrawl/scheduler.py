"""Scrapy's scheduler with the requests waiting for download on disk, even without JOBDIR.

A replay of a large archive, or a backfill (`-a since=`), discovers its articles long before it
can fetch them: feeds, sitemaps and listings give thousands at once, and Scrapy's memory queue
held every one as a live `Request` with its headers and meta, ~1.7 kB each (8,500 at once in a
10,000-article replay, ~15 MB, and more with every larger archive). Scrapy has disk queues for
exactly this (pickled requests, one file per priority, popped in the order the memory queues
pop them: the same crawl order, the same rows); it uses them only under JOBDIR. This scheduler
gives them a temporary folder when JOBDIR is not set, removed when the crawler closes
(`OMSKCRAWL_DISK_QUEUE`, on by default; the folder is made in the system's temporary folder,
`TMPDIR`). With JOBDIR set, Scrapy's persistent queue is used unchanged. A request that cannot
be pickled goes to the memory queue, Scrapy's own fallback, counted as
`scheduler/unserializable`. The distributed mode replaces the scheduler with its Redis one.

**A disk that fails.** No temporary folder can be made: the memory queue, with a warning.
A write or read of the queue fails (the temporary folder's disk is full): the disk queue is
given up and the crawl goes on with the memory queue. The requests that can still be read back
move there (in an order that may differ from the disk's); those that cannot (stat
`omskcrawl/request_queue/given_up`) are a run failure (`request_queue`: the run exits 1; nothing
of them was stored, so the next run fetches them). With none lost it is a warning.
"""

from __future__ import annotations

import contextlib
import io
import logging
import shutil
import tempfile
from collections import deque
from typing import TYPE_CHECKING, Any

from scrapy.core.scheduler import Scheduler

from omskcrawl.failures import record_failure

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

__all__ = ["DiskQueueScheduler"]

logger = logging.getLogger(__name__)


class DiskQueueScheduler(Scheduler):
    temp_dir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskQueueScheduler:
        scheduler = super().from_crawler(crawler)
        if scheduler.dqdir is None and crawler.settings.getbool("OMSKCRAWL_DISK_QUEUE", True):
            try:
                scheduler.temp_dir = tempfile.mkdtemp(prefix="omskcrawl-queue-")
            except OSError as e:
                logger.warning("requests wait in memory: no temporary folder for them (%s)", e)
            else:
                scheduler.dqdir = scheduler.temp_dir  # the disk queues are made in open()
        return scheduler

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        finally:
            if self.temp_dir is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)

    # Scrapy's own steps (2.19, pinned) around every disk queue operation.
    def _dqpush(self, request: Request) -> bool:
        try:
            return super()._dqpush(request)
        except OSError as e:
            self._give_up_disk(e)
            return False  # Scrapy keeps it in the memory queue

    def _dqpop(self) -> Request | None:
        try:
            return super()._dqpop()
        except OSError as e:
            self._give_up_disk(e)
            # The requests read back are in memory now: the next one at once, so the engine
            # does not wait for its heartbeat (an hour in a replay) to ask again.
            return self.mqs.pop()

    def _give_up_disk(self, error: OSError) -> None:
        queue, self.dqs = self.dqs, None
        saved: list[Request] = []
        lost = 0
        if queue is not None:
            try:  # what can still be read back waits in memory instead
                while (request := queue.pop()) is not None:
                    saved.append(request)
            except Exception:  # the same full disk, or a record cut short
                lost = len(queue)
            _close_files(queue)
        for request in reversed(saved):  # the last one popped is the last one to fetch
            self.mqs.push(request)
        if self.temp_dir is not None:
            shutil.rmtree(self.temp_dir, ignore_errors=True)
        assert self.stats is not None
        self.stats.inc_value("omskcrawl/request_queue/moved_to_memory", len(saved))
        self.stats.inc_value("omskcrawl/request_queue/given_up", lost)
        where = f"the request queue in {self.dqdir} failed ({error})"
        if not lost:
            logger.warning("%s; its %d requests and the rest wait in memory", where, len(saved))
            return
        record_failure(
            self.stats,
            "request_queue",
            f"{where}: {lost} requests waiting there could not be read back and were given up "
            f"(the next run fetches them); {len(saved)} and the rest wait in memory",
        )


# Where Scrapy's disk queues keep their files: its priority queues, its pickling queues and
# queuelib's file queues. Nothing else is walked (a priority queue also refers to the crawler).
_QUEUE_MODULES = frozenset({"scrapy.pqueues", "scrapy.squeues", "queuelib.queue"})


def _close_files(queue: Any, depth: int = 0) -> None:
    """Close the files of a disk queue given up, without its `close()`, which writes to them."""
    if isinstance(queue, io.IOBase):
        with contextlib.suppress(OSError, ValueError):  # buffered bytes the full disk refused
            queue.close()
        return
    if depth > 8:
        return
    if isinstance(queue, dict):
        children: Any = queue.values()
    elif isinstance(queue, list | tuple | deque):
        children = queue
    elif type(queue).__module__ in _QUEUE_MODULES and hasattr(queue, "__dict__"):
        children = vars(queue).values()
    else:
        return
    for child in list(children):
        _close_files(child, depth + 1)
