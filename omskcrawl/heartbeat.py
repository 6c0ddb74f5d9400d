"""The engine's heartbeat per run (`OMSKCRAWL_ENGINE_HEARTBEAT`): a replay repeats itself.

Scrapy's engine looks for its next request when a download ends, when a response's items are
through, when a request is scheduled, and on a timer, every 5 seconds (its heartbeat), a safety
net for schedulers that report requests but hand none out. In a replay, downloads end inside long
stretches of work on the reactor thread (extraction, the model, dedup), and the timer fires
whenever the wall clock says: sometimes before the call the engine had already asked for, so one
of the 14 crawlers started its next 2-16 requests a little earlier. Its items then reached the
dedup stage in another order, and story decisions depend on item order (the head of a story is
its first stored item): two replays of one archive wrote a few rows into other story groups
(2,000 articles: 2-6 rows; 10,000: 5-29; BENCHMARKS.md, issue 13).

`scrapy replay` sets the heartbeat to an hour: the engine then moves only on its own events,
which happen in the same order in every run, and a replay of the same archive gives the same
rows. A live crawl keeps Scrapy's 5 seconds unless the setting says otherwise.
"""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

# Scrapy 2.19 reads the interval from this engine attribute when the crawl starts.
ENGINE_ATTRIBUTE = "_SLOT_HEARTBEAT_INTERVAL"
REPLAY_HEARTBEAT = 3600.0  # seconds; what `scrapy replay` sets


class EngineHeartbeatExtension:
    """Sets this crawler's engine heartbeat to `OMSKCRAWL_ENGINE_HEARTBEAT` seconds."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        if interval <= 0:
            raise ValueError(f"OMSKCRAWL_ENGINE_HEARTBEAT must be above 0, not {interval}")
        self.crawler = crawler
        self.interval = interval

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> EngineHeartbeatExtension:
        value = crawler.settings.get("OMSKCRAWL_ENGINE_HEARTBEAT")
        if value in (None, ""):
            raise NotConfigured("OMSKCRAWL_ENGINE_HEARTBEAT unset: Scrapy's heartbeat")
        ext = cls(crawler, float(value))
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        engine = self.crawler.engine
        if engine is None:
            return
        if not hasattr(ExecutionEngine, ENGINE_ATTRIBUTE):  # a Scrapy that moved it
            logger.warning(
                "this Scrapy has no ExecutionEngine.%s: OMSKCRAWL_ENGINE_HEARTBEAT ignored",
                ENGINE_ATTRIBUTE,
            )
            return
        # On this engine only: other crawlers of the process keep their own.
        setattr(engine, ENGINE_ATTRIBUTE, self.interval)
