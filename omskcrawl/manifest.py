"""The run manifest `<root>/runs/<run_id>.json`: what ran, what came out, where it went.

Written by `ManifestExtension` when a single spider closes, or once for the
whole run by `scrapy crawlall` (OMSKCRAWL_MANIFEST_PER_SPIDER = False there).
Everything in it comes from the crawl stats.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from omskcrawl.failures import RUN_FAILURES
from omskcrawl.schema import SCHEMA_VERSION

OUTCOMES = {
    "scraped": "item_scraped_count",
    "written": "omskcrawl/written",
    "not_written": "omskcrawl/not_written",
    "quarantined": "omskcrawl/quarantined",
    "dropped": "item_dropped_count",
    "missing_body": "omskcrawl/missing/body",
    "missing_date": "omskcrawl/missing/published_at",
    "duplicates": "omskcrawl/duplicates",
    "unchanged": "omskcrawl/dedup/unchanged",
    "not_refetched": "omskcrawl/incremental/skipped",
    "new_versions": "omskcrawl/dedup/new_version",
    "story_duplicates": "omskcrawl/dedup/story_duplicate",
    "requests": "downloader/request_count",
    "responses": "downloader/response_count",
    "errors": "log_count/ERROR",
    "http_404": "downloader/response_status_count/404",
    "replay_misses": "omskcrawl/replay/miss",
}


FINISHED = ("finished", "closespider_itemcount", "closespider_pagecount", "closespider_timeout")


def spider_summary(
    name: str, stats: Mapping[str, Any], finish_reason: str | None
) -> dict[str, Any]:
    """One spider's part of the manifest, read from its stats."""
    counts = {key: int(stats.get(stat, 0) or 0) for key, stat in OUTCOMES.items()}
    counts["duplicates"] = sum(
        int(v) for k, v in stats.items() if k.startswith("omskcrawl/duplicates/")
    )
    items = int(stats.get(f"omskcrawl/items/{name}", 0) or 0)
    prefix = f"omskcrawl/fields/{name}/"
    coverage = (
        {
            k[len(prefix) :]: round(int(v) / items, 3)
            for k, v in stats.items()
            if k.startswith(prefix)
        }
        if items
        else {}
    )
    ok_responses = sum(
        int(v) for k, v in stats.items() if k.startswith("downloader/response_status_count/2")
    )
    # A site failed when its crawl did not finish normally, not one page came back 2xx
    # (every feed, listing and article missing, refused or erroring), or what it saw
    # did not all reach the dataset and the state (omskcrawl.failures).
    run_failures = list(stats.get(RUN_FAILURES, []))
    failed = finish_reason not in FINISHED or ok_responses == 0 or bool(run_failures)
    return {
        "spider": name,
        "finish_reason": finish_reason,
        "failed": bool(failed),
        "run_failures": run_failures,
        "counts": counts,
        "field_coverage": coverage,
        "files": list(stats.get("omskcrawl/files", [])),
    }


def write_manifest(
    root: Path, run_id: str, started: datetime, spiders: list[dict[str, Any]]
) -> Path:
    manifest = {
        "run_id": run_id,
        "schema_version": SCHEMA_VERSION,
        "started_at": started.astimezone(UTC).isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "spiders": [s["spider"] for s in spiders],
        "failed_spiders": [s["spider"] for s in spiders if s["failed"]],
        "run_failures": [
            {"spider": s["spider"], **f} for s in spiders for f in s.get("run_failures", [])
        ],
        "totals": {key: sum(s["counts"].get(key, 0) for s in spiders) for key in OUTCOMES},
        "files": [f for s in spiders for f in s["files"]],
        "per_spider": spiders,
    }
    path = root / "runs" / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return path


class ManifestExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ManifestExtension:
        if not crawler.settings.getbool("OMSKCRAWL_MANIFEST_PER_SPIDER", True):
            raise NotConfigured  # crawlall/replay write one manifest for the whole run
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        settings = self.crawler.settings
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        summary = spider_summary(spider.name, stats, reason)
        started = datetime.fromisoformat(settings["OMSKCRAWL_RUN_STARTED"])
        path = write_manifest(
            Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports")),
            settings["OMSKCRAWL_RUN_ID"],
            started,
            [summary],
        )
        self.crawler.stats.set_value("omskcrawl/manifest", str(path))
