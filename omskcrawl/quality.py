"""Quality alarms: a site that silently stopped yielding good rows is heard about.

Per site and run, `site_quality` reads from the crawl stats: items, the share of
items with a date, a body and tags, and the shares of duplicates, quarantined
pages, mojibake (repaired or quarantined) and articles found only through a
listing (its feed or sitemap gave nothing). `alarms` compares them with the
thresholds (OMSKCRAWL_ALARM_* settings) and with the median of the site's last
runs (from their manifests): a share that fell by more than
OMSKCRAWL_ALARM_MAX_DROP is an alarm too. Sites with fewer than
OMSKCRAWL_ALARM_MIN_ITEMS items are not judged (too few to tell). Each alarm is
a line naming the site and the field; any alarm makes the run exit 1 (unless
OMSKCRAWL_ALARMS_FAIL is off).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import Any

logger = logging.getLogger(__name__)

# Shares of good things: an alarm when below the minimum or fallen since earlier runs.
COVERAGE = ("date_share", "body_share", "tags_share")
# Shares of bad things: an alarm when above the maximum.
BAD = ("duplicate_share", "quarantined_share", "mojibake_share", "listing_share")


@dataclass(frozen=True)
class Thresholds:
    min_items: int = 5
    min_date_share: float = 0.5
    min_body_share: float = 0.8
    min_tags_share: float = 0.0  # many sites have no tags: off by default
    max_duplicate_share: float = 0.5
    max_quarantined_share: float = 0.2
    max_mojibake_share: float = 0.05
    max_listing_share: float = 1.0  # listings are read on every run: off by default
    max_drop: float = 0.25  # a coverage share this much below the median of earlier runs
    history: int = 5  # earlier runs compared with

    @classmethod
    def from_settings(cls, settings: Any) -> Thresholds:
        values: dict[str, Any] = {}
        for name, default in cls().__dict__.items():
            key = f"OMSKCRAWL_ALARM_{name.upper()}"
            if settings.get(key) not in (None, ""):
                getter = settings.getint if isinstance(default, int) else settings.getfloat
                values[name] = getter(key)
        return cls(**values)


def _int(stats: Mapping[str, Any], key: str) -> int:
    return int(stats.get(key, 0) or 0)


def _share(part: int, whole: int) -> float:
    return round(part / whole, 3) if whole else 0.0


def site_quality(name: str, stats: Mapping[str, Any]) -> dict[str, Any]:
    """One site's quality figures for the manifest, from its crawl stats."""
    items = _int(stats, f"omskcrawl/items/{name}")
    fields = f"omskcrawl/fields/{name}/"
    quarantined = sum(
        int(v) for k, v in stats.items() if k.startswith(f"omskcrawl/quarantined/{name}/")
    )
    duplicates = sum(int(v) for k, v in stats.items() if k.startswith("omskcrawl/duplicates/"))
    duplicates += _int(stats, "omskcrawl/dedup/story_duplicate")
    mojibake = _int(stats, f"omskcrawl/mojibake/{name}") + _int(
        stats, f"omskcrawl/encoding_fixed/{name}"
    )
    found = {via: _int(stats, f"omskcrawl/discovery/{via}") for via in ("feed", "sitemap")}
    listing = _int(stats, "omskcrawl/discovery/listing")
    pages = items + quarantined
    return {
        "items": items,
        "date_share": _share(_int(stats, fields + "published_at"), items),
        "body_share": _share(_int(stats, fields + "body"), items),
        "tags_share": _share(_int(stats, fields + "tags"), items),
        "duplicate_share": _share(
            duplicates, items + _int(stats, "omskcrawl/duplicates/same_content")
        ),
        "quarantined_share": _share(quarantined, pages),
        "mojibake_share": _share(mojibake, pages),
        "listing_share": _share(listing, listing + sum(found.values())),
    }


def earlier_quality(root: Path, run_id: str, history: int) -> dict[str, list[dict[str, Any]]]:
    """Each site's quality figures in the last `history` earlier runs (newest last)."""
    runs = []
    for path in (root / "runs").glob("*.json"):
        try:
            manifest = json.loads(path.read_text("utf-8"))
        except (OSError, ValueError):
            continue
        if manifest.get("run_id") != run_id:
            runs.append(manifest)
    runs.sort(key=lambda m: m.get("started_at", ""))
    per_site: dict[str, list[dict[str, Any]]] = {}
    for manifest in runs:
        for site in manifest.get("per_spider", []):
            if site.get("quality"):
                per_site.setdefault(site["spider"], []).append(site["quality"])
    return {site: figures[-history:] for site, figures in per_site.items()}


def alarms(
    sites: list[dict[str, Any]], earlier: dict[str, list[dict[str, Any]]], limits: Thresholds
) -> list[dict[str, Any]]:
    """Alarms of this run: {site, field, value, limit, message} each."""
    found = []

    def alarm(site: str, field: str, value: float, limit: float, why: str) -> None:
        message = f"ALARM {site} {field}: {value:.0%} {why}"
        found.append(
            {"site": site, "field": field, "value": value, "limit": limit, "message": message}
        )

    for summary in sites:
        site, quality = summary["spider"], summary.get("quality") or {}
        if quality.get("items", 0) < limits.min_items:
            continue
        for field in COVERAGE:
            value = quality[field]
            minimum = getattr(limits, f"min_{field}")
            if value < minimum:
                alarm(site, field, value, minimum, f"is below the minimum {minimum:.0%}")
                continue
            before = [
                q[field] for q in earlier.get(site, []) if q.get("items", 0) >= limits.min_items
            ]
            if before and value < median(before) - limits.max_drop:
                was = median(before)
                alarm(
                    site,
                    field,
                    value,
                    was,
                    f"fell from {was:.0%} (median of {len(before)} earlier runs)",
                )
        for field in BAD:
            value = quality[field]
            maximum = getattr(limits, f"max_{field}")
            if value > maximum:
                alarm(site, field, value, maximum, f"is above the maximum {maximum:.0%}")
    for entry in found:
        logger.error(entry["message"])
    return found
