"""Validation: no row without url, title and source; nothing silently lost.

An invalid item is dropped with `Quarantined`, which the Parquet pipeline writes
to the quarantine dataset with its reason. Items without a body or a date are
kept and counted. Per-field coverage goes to stats (`omskcrawl/fields/<name>`),
and from there into the run manifest.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

REQUIRED = ("url", "title", "source")
COUNTED = ("body", "published_at")
COVERAGE = ("title", "published_at", "body", "lead", "tags", "authors", "section", "image_url")


class Quarantined(DropItem):
    """An item not fit for the dataset; kept in the quarantine dataset with `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"quarantined: {reason}")
        self.reason = reason


class ValidationPipeline:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        missing = [name for name in REQUIRED if not adapter.get(name)]
        if missing:
            reason = "missing " + ",".join(missing)
            self.stats.inc_value(f"omskcrawl/dropped/{reason.replace(' ', '_')}")
            raise Quarantined(reason)
        for name in COUNTED:
            if not adapter.get(name):
                self.stats.inc_value(f"omskcrawl/missing/{name}")
        source = adapter["source"]
        self.stats.inc_value(f"omskcrawl/items/{source}")
        for name in COVERAGE:
            if adapter.get(name):
                self.stats.inc_value(f"omskcrawl/fields/{source}/{name}")
        return item
