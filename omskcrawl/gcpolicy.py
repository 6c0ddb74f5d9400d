"""Fewer full garbage collections while a crawl runs.

A replayed crawl spent ~8 % of its CPU in Python's cyclic garbage collector, most of it in full
collections (~0.25 s each, 24 in 2,000 articles): Scrapy keeps a large heap of short-lived
containers (every response's output runs through `CONCURRENT_ITEMS` worker tasks), and Python
starts a full collection after every 10 collections of the middle generation once the heap has
grown by a quarter. Raising the 10 to `OMSKCRAWL_GC_FULL_EVERY` makes full collections rarer;
young collections, which free most cyclic garbage, keep their pace. Results do not change, and
peak RSS did not either (BENCHMARKS.md, issue 13).

The thresholds belong to the process: the first crawler to start sets them, the last one to
stop puts back what was there before.
"""

from __future__ import annotations

import gc
import threading

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

_lock = threading.Lock()
_users = 0
_saved: tuple[int, int, int] | None = None


def enter(full_every: int) -> None:
    """One more crawl running: full collections only after `full_every` middle ones."""
    global _users, _saved
    with _lock:
        if _users == 0:
            _saved = gc.get_threshold()
            young, middle, _ = _saved
            gc.set_threshold(young, middle, full_every)
        _users += 1


def leave() -> None:
    """One crawl fewer; the last one restores the thresholds found before the first."""
    global _users, _saved
    with _lock:
        if _users == 0:
            return
        _users -= 1
        if _users == 0 and _saved is not None:
            gc.set_threshold(*_saved)
            _saved = None


class GcPolicyExtension:
    """Sets the full-collection threshold while the engine runs (OMSKCRAWL_GC_FULL_EVERY)."""

    def __init__(self, full_every: int) -> None:
        if full_every < 1:
            raise ValueError(f"OMSKCRAWL_GC_FULL_EVERY must be 1 or more, not {full_every}")
        self.full_every = full_every
        self.entered = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> GcPolicyExtension:
        full_every = crawler.settings.getint("OMSKCRAWL_GC_FULL_EVERY", 0)
        if not full_every:
            raise NotConfigured("OMSKCRAWL_GC_FULL_EVERY is 0: Python's own thresholds")
        ext = cls(full_every)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_started(self) -> None:
        if not self.entered:
            enter(self.full_every)
            self.entered = True

    def engine_stopped(self) -> None:
        if self.entered:
            leave()
            self.entered = False
