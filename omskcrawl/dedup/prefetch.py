"""Headline vectors computed ahead, in worker threads, while the crawl goes on.

The model pass (:func:`omskcrawl.dedup.semantic.headline_vector`, tens of ms) is most of the
dedup cost and runs in the engine's C code with the GIL released. When an article's response
arrives, its feed, sitemap or listing entry usually already names its headline: a worker thread
computes that headline's vector while the page waits to be parsed and extracted, so the dedup
pipeline finds it ready. The decisions stay in the pipeline, in item order, on the reactor
thread; a vector is the same whichever thread computes it, so results do not change.

A headline the page spells differently from its entry is computed inline, as without prefetch.
Pending work is bounded (``limit``): the oldest unclaimed headline is given up.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from concurrent.futures import Future, ThreadPoolExecutor

import numpy as np

from omskcrawl.dedup import semantic

logger = logging.getLogger(__name__)

PENDING_LIMIT = 256  # headlines asked for and not yet claimed; about a scraper queue's worth


def default_workers() -> int:
    """Worker threads when OMSKCRAWL_DEDUP_MODEL_THREADS is unset: one per CPU core we may use.

    The model pass is most of an article's CPU and runs without the GIL, so each core can carry
    one while the reactor thread extracts and decides (2,000 articles on 2 cores: 1.25-1.4x the
    articles/s of one worker, BENCHMARKS.md).
    """
    try:
        return len(os.sched_getaffinity(0))  # the cores this process may run on (Linux)
    except AttributeError:
        return os.cpu_count() or 1


class VectorPrefetch:
    """A pool of ``workers`` threads computing headline vectors ahead of their use."""

    def __init__(self, workers: int, limit: int = PENDING_LIMIT) -> None:
        if workers < 1:
            raise ValueError(f"workers must be at least 1, not {workers}")
        self.workers = workers
        self.limit = limit
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="omskcrawl-vectors")
        self._pending: OrderedDict[str, Future[np.ndarray]] = OrderedDict()
        self._lock = threading.Lock()

    def ask(self, title: str) -> None:
        """Start computing `title`'s vector unless it is pending already."""
        with self._lock:
            if title in self._pending:
                return
            self._pending[title] = self._pool.submit(semantic.headline_vector, title)
            while len(self._pending) > self.limit:
                _, oldest = self._pending.popitem(last=False)
                oldest.cancel()  # a running one still lands in headline_vector's cache

    def claim(self, title: str) -> np.ndarray | None:
        """`title`'s prefetched vector (waiting for it if needed); None if it was not asked for."""
        with self._lock:
            future = self._pending.pop(title, None)
        if future is None or future.cancelled():
            return None
        return future.result()

    def close(self) -> None:
        with self._lock:
            for future in self._pending.values():
                future.cancel()
            self._pending.clear()
        self._pool.shutdown(wait=True)


_SHARED: dict[int, tuple[VectorPrefetch, int]] = {}
_SHARED_LOCK = threading.Lock()


def open_prefetch(workers: int) -> VectorPrefetch:
    """The process's pool of `workers` threads, shared by every crawler (`crawlall`, `replay`)."""
    with _SHARED_LOCK:
        prefetch, users = _SHARED.get(workers, (None, 0))
        if prefetch is None:
            prefetch = VectorPrefetch(workers)
        _SHARED[workers] = (prefetch, users + 1)
        return prefetch


def close_prefetch(prefetch: VectorPrefetch) -> None:
    """One user fewer; the last one shuts the pool down."""
    with _SHARED_LOCK:
        for workers, (shared, users) in list(_SHARED.items()):
            if shared is prefetch:
                if users > 1:
                    _SHARED[workers] = (shared, users - 1)
                    return
                del _SHARED[workers]
    prefetch.close()
