"""The switch of omskcrawl.distributed (`OMSKCRAWL_DISTRIBUTED = True`), apart from it.

Scrapy loads every addon listed in ADDONS for every crawl, distributed or not; the scheduler
and middleware of `omskcrawl.distributed` import redis and scrapy-redis (~5 MB of RSS), so the
addon lives here and names them by their paths only.
"""

from __future__ import annotations

from scrapy.settings import BaseSettings


class DistributedAddon:
    """OMSKCRAWL_DISTRIBUTED = True: scrapy-redis frontier, Redis state, no local run lock."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.getbool("OMSKCRAWL_DISTRIBUTED"):
            return
        prefix = settings.get("OMSKCRAWL_REDIS_PREFIX", "omskcrawl")
        for name, value in {
            "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
            "SCHEDULER_QUEUE_CLASS": "scrapy_redis.queue.PriorityQueue",
            "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
            "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:dupefilter",
            # Workers come and go; the frontier outlives each (the last one clears it).
            "SCHEDULER_PERSIST": True,
            "REDIS_URL": settings.get("OMSKCRAWL_REDIS_URL"),
            "SPIDER_MIDDLEWARES": {
                **settings.getdict("SPIDER_MIDDLEWARES"),
                "omskcrawl.distributed.InflightMiddleware": 10,
            },
        }.items():
            settings.set(name, value, priority="addon")
        # These are project settings: the switch overrides them at the project's priority.
        settings.set("SCHEDULER", "omskcrawl.distributed.Scheduler", priority="project")
        settings.set("OMSKCRAWL_STATE_BACKEND", "redis", priority="project")
        # Workers share one dataset by design; Redis, not a file lock, coordinates them.
        settings.set("OMSKCRAWL_RUN_LOCK", False, priority="project")
