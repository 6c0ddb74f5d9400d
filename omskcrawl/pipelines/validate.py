"""Validation: no row without url, title and source; nothing silently lost.

An invalid item is dropped with `Quarantined`, which the Parquet pipeline writes
to the quarantine dataset with its reason: a page the spider rejected
(`RejectedPage`: empty, binary, soft 404, ...), a required field missing, a
title, lead or body longer than its limit (OMSKCRAWL_MAX_*_CHARS: an unclosed
`<h1>` or a wrong selector, and every later step pays for each character; the
quarantined row keeps the field cut at the limit), or text decoded with the
wrong codec (mojibake). Reasons are counted per site
(`omskcrawl/quarantined/<site>/<kind>`). Items without a body or a date are
kept and counted. Per-field coverage goes to stats (`omskcrawl/fields/<name>`),
and from there into the run manifest.
"""

from __future__ import annotations

from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from omskcrawl.extract.pagecheck import mojibake
from omskcrawl.items import RejectedPage

REQUIRED = ("url", "title", "source")
# Default length limits in characters (settings OMSKCRAWL_MAX_TITLE_CHARS and friends).
MAX_CHARS = {"title": 500, "lead": 3000, "body": 500_000}
COUNTED = ("body", "published_at")
COVERAGE = ("title", "published_at", "body", "lead", "tags", "authors", "section", "image_url")


class Quarantined(DropItem):
    """An item not fit for the dataset; kept in the quarantine dataset with `reason`."""

    def __init__(self, reason: str) -> None:
        super().__init__(f"quarantined: {reason}", log_level="WARNING")
        self.reason = reason


def reason_kind(reason: str) -> str:
    """The counter name of a quarantine reason: its words before any detail.

    >>> reason_kind("title too long (39622 chars > 500)")
    'title_too_long'
    >>> reason_kind("extraction error: ValueError: bad")
    'extraction_error'
    """
    head = reason.split("(")[0].split(":")[0].strip()
    return head.replace(" ", "_").replace(",", "_") or "other"


class ValidationPipeline:
    def __init__(self, stats: StatsCollector, max_chars: dict[str, int] | None = None) -> None:
        self.stats = stats
        self.max_chars = {**MAX_CHARS, **(max_chars or {})}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        assert crawler.stats is not None
        settings = crawler.settings
        limits = {
            name: settings.getint(f"OMSKCRAWL_MAX_{name.upper()}_CHARS", default)
            for name, default in MAX_CHARS.items()
        }
        return cls(crawler.stats, limits)

    def _quarantine(self, source: str, reason: str) -> Quarantined:
        self.stats.inc_value(f"omskcrawl/quarantined/{source}/{reason_kind(reason)}")
        return Quarantined(reason)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        source = adapter.get("source") or "unknown"
        if isinstance(item, RejectedPage):
            raise self._quarantine(source, adapter["reason"])
        missing = [name for name in REQUIRED if not adapter.get(name)]
        if missing:
            reason = "missing " + ",".join(missing)
            self.stats.inc_value(f"omskcrawl/dropped/{reason.replace(' ', '_')}")
            raise self._quarantine(source, reason)
        for name, limit in self.max_chars.items():
            value = adapter.get(name)
            if value and len(value) > limit:
                adapter[name] = value[:limit]
                raise self._quarantine(source, f"{name} too long ({len(value)} chars > {limit})")
        if mojibake(adapter.get("title")) or mojibake((adapter.get("body") or "")[:5000]):
            self.stats.inc_value(f"omskcrawl/mojibake/{source}")
            raise self._quarantine(source, "mojibake: text decoded with the wrong codec")
        for name in COUNTED:
            if not adapter.get(name):
                self.stats.inc_value(f"omskcrawl/missing/{name}")
        self.stats.inc_value(f"omskcrawl/items/{source}")
        for name in COVERAGE:
            if adapter.get(name):
                self.stats.inc_value(f"omskcrawl/fields/{source}/{name}")
        return item
