"""The run manifest `<root>/runs/<run_id>.json`: what ran, what came out, where it went.

Written by `ManifestExtension` when a single crawl ends, or once for the
whole run by `scrapy crawlall` / `scrapy replay` (OMSKCRAWL_MANIFEST_PER_SPIDER =
False there). Counts come from the crawl stats. Every file the run wrote
(Parquet, quarantine, WARC) is listed with its size and sha256 (`file_entry`),
beside the input WARCs of a replay, the software versions and the settings
that shaped the run; `verify` checks an export folder against its manifests.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings

from omskcrawl.failures import RUN_FAILURES
from omskcrawl.fetchfailures import FETCH_FAILURE_KINDS, all_sources_failed, fetch_failures
from omskcrawl.network import summary_line as network_summary
from omskcrawl.quality import Thresholds, alarms, earlier_quality, site_quality
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
    "listing_fallback": "omskcrawl/listing_fallback",
}
SELECTOR_MISS = "omskcrawl/selector_miss/"


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
    # A site whose every feed/sitemap/listing failed fails too, whatever robots.txt answered.
    run_failures = list(stats.get(RUN_FAILURES, []))
    failed = (
        finish_reason not in FINISHED
        or ok_responses == 0
        or all_sources_failed(stats)
        or bool(run_failures)
    )
    return {
        "spider": name,
        "finish_reason": finish_reason,
        "failed": bool(failed),
        "run_failures": run_failures,
        "fetch_failures": fetch_failures(stats),
        "quality": site_quality(name, stats),
        "counts": counts,
        "field_coverage": coverage,
        # Declared article selectors that matched nothing, per field (the generic layer
        # filled in): a redesign shows here before the data goes bad.
        "selector_misses": {
            k[len(SELECTOR_MISS) :]: int(v) for k, v in stats.items() if k.startswith(SELECTOR_MISS)
        },
        # One line on requests that failed for a network reason (omskcrawl.network), if any.
        "network": network_summary(name, stats),
        "files": list(stats.get("omskcrawl/files", [])),
        "same_story_model": stats.get("omskcrawl/dedup/similarity"),
    }


# Top folders of the export root whose files a manifest lists.
LISTED_FOLDERS = ("articles", "quarantine", "warc")
SOFTWARE = ("omskcrawl", "scrapy", "warcio", "pyarrow")
# Scrapy settings that change what a run fetches or writes (besides every OMSKCRAWL_*).
SHAPING_SETTINGS = (
    "USER_AGENT",
    "ROBOTSTXT_OBEY",
    "DOWNLOAD_DELAY",
    "CONCURRENT_REQUESTS",
    "CONCURRENT_REQUESTS_PER_DOMAIN",
    "AUTOTHROTTLE_ENABLED",
    "DOWNLOAD_MAXSIZE",
    "HTTPCACHE_ENABLED",
)


def sha256_of(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def relative(root: Path, path: str | Path) -> str:
    """`path` relative to the export root (as manifests store it), when it lies inside.

    >>> relative(Path("exports"), "exports/warc/a.warc.gz")
    'warc/a.warc.gz'
    """
    try:
        return Path(path).resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def kind_of(rel_path: str) -> str:
    """The file kind from its folder: articles, quarantine or warc.

    >>> kind_of("articles/source=bk55/crawl_date=2026-12-01/part-r-1.parquet")
    'articles'
    """
    return rel_path.split("/", 1)[0]


def file_entry(root: Path, path: str | Path, rows: int | None = None) -> dict[str, Any]:
    """How a manifest lists one written file: path (relative to root), kind, rows, size, sha256."""
    rel = relative(root, path)
    full = root / rel
    return {
        "path": rel,
        "kind": kind_of(rel),
        "rows": rows,
        "bytes": full.stat().st_size,
        "sha256": sha256_of(full),
    }


def software_versions() -> dict[str, str]:
    out = {}
    for name in SOFTWARE:
        try:
            out[name] = version(name)
        except PackageNotFoundError:
            out[name] = "unknown"
    return out


def run_context(settings: BaseSettings) -> dict[str, Any]:
    """Software, the settings that shaped the run, and the WARC files a replay read."""
    from omskcrawl.warc.index import shared_index

    names = sorted(k for k in settings.attributes if k.startswith("OMSKCRAWL_"))
    shaping = {name: settings.get(name) for name in (*SHAPING_SETTINGS, *names)}
    warcs = settings.getlist("OMSKCRAWL_REPLAY_WARC")
    inputs = [vars(a) for a in shared_index(warcs).archives] if warcs else []
    return {
        "software": software_versions(),
        "settings": json.loads(json.dumps(shaping, default=str)),
        "inputs": inputs,
    }


def write_manifest(
    root: Path,
    run_id: str,
    started: datetime,
    spiders: list[dict[str, Any]],
    context: Mapping[str, Any] | None = None,
) -> Path:
    files = [file_entry(root, f["path"], f.get("rows")) for s in spiders for f in s["files"]]
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
        "fetch_failures": {
            key: sum(s.get("fetch_failures", {}).get(key, 0) for s in spiders)
            for key in FETCH_FAILURE_KINDS
        },
        "files": files,
        "same_story_model": sorted({s["same_story_model"] for s in spiders} - {None}),
        **(context or {}),
        "per_spider": [
            {**s, "files": [relative(root, f["path"]) for f in s["files"]]} for s in spiders
        ],
    }
    return save_manifest(root, run_id, manifest)


def save_manifest(root: Path, run_id: str, manifest: Mapping[str, Any]) -> Path:
    """`<root>/runs/<run_id>.json`, written under a dot-name and renamed (never half a file)."""
    path = root / "runs" / f"{run_id}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name("." + path.name + ".tmp")
    tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    os.replace(tmp, path)
    return path


def run_alarms(
    root: Path, settings: BaseSettings, summaries: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """This run's quality alarms (thresholds and earlier runs from the settings' folder)."""
    limits = Thresholds.from_settings(settings)
    earlier = earlier_quality(root, settings["OMSKCRAWL_RUN_ID"], limits.history)
    return alarms(summaries, earlier, limits)


class ManifestExtension:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ManifestExtension:
        if not crawler.settings.getbool("OMSKCRAWL_MANIFEST_PER_SPIDER", True):
            raise NotConfigured  # crawlall/replay write one manifest for the whole run
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.closed = (spider.name, reason)

    def engine_stopped(self) -> None:
        # After spider_closed: every component (the WARC writer too) has listed its files.
        if not hasattr(self, "closed"):
            return
        name, reason = self.closed
        settings = self.crawler.settings
        assert self.crawler.stats is not None
        stats = self.crawler.stats.get_stats()
        started = datetime.fromisoformat(settings["OMSKCRAWL_RUN_STARTED"])
        root = Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
        summaries = [spider_summary(name, stats, reason)]
        found = run_alarms(root, settings, summaries)
        path = write_manifest(
            root,
            settings["OMSKCRAWL_RUN_ID"],
            started,
            summaries,
            {**run_context(settings), "alarms": found},
        )
        self.crawler.stats.set_value("omskcrawl/manifest", str(path))
        if found and settings.getbool("OMSKCRAWL_ALARMS_FAIL", True):
            self.crawler.stats.set_value("omskcrawl/alarms", len(found))


# Fixity ----------------------------------------------------------------------


@dataclass
class Verification:
    """An export folder checked against its manifests."""

    checked: int = 0
    missing: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unlisted: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.missing or self.changed or self.unlisted)


def verify(root: Path) -> Verification:
    """Every file each manifest lists (size, sha256), and files no manifest lists.

    A manifest may list `removed` paths (files a later step such as compaction
    deleted on purpose); those are not reported missing.
    """
    result = Verification()
    listed: dict[str, dict[str, Any]] = {}
    removed: set[str] = set()
    for manifest_path in sorted((root / "runs").glob("*.json")):
        manifest = json.loads(manifest_path.read_text("utf-8"))
        removed.update(manifest.get("removed", []))
        for entry in manifest.get("files", []):
            listed[entry["path"]] = entry
    for rel, entry in sorted(listed.items()):
        if rel in removed:
            continue
        path = root / rel
        result.checked += 1
        if not path.is_file():
            result.missing.append(rel)
        elif path.stat().st_size != entry.get("bytes") or sha256_of(path) != entry.get("sha256"):
            result.changed.append(rel)
    for folder in LISTED_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if not path.is_file() or path.name.startswith(".") or path.suffix == ".cdxj":
                continue
            rel = path.relative_to(root).as_posix()
            if rel not in listed:
                result.unlisted.append(rel)
    return result
