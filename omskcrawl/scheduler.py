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
"""

from __future__ import annotations

import shutil
import tempfile
from typing import TYPE_CHECKING

from scrapy.core.scheduler import Scheduler

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet.defer import Deferred

__all__ = ["DiskQueueScheduler"]


class DiskQueueScheduler(Scheduler):
    temp_dir: str | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DiskQueueScheduler:
        scheduler = super().from_crawler(crawler)
        if scheduler.dqdir is None and crawler.settings.getbool("OMSKCRAWL_DISK_QUEUE", True):
            scheduler.temp_dir = tempfile.mkdtemp(prefix="omskcrawl-queue-")
            scheduler.dqdir = scheduler.temp_dir  # the disk queues are made in open()
        return scheduler

    def close(self, reason: str) -> Deferred[None] | None:
        try:
            return super().close(reason)
        finally:
            if self.temp_dir is not None:
                shutil.rmtree(self.temp_dir, ignore_errors=True)
