"""The run: one id for every file and manifest a crawl writes.

`RunAddon` gives each crawl process an `OMSKCRAWL_RUN_ID` (unless one was set,
as `scrapy crawlall` does to share one id among all its spiders) and a start time.
"""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime

from scrapy.settings import BaseSettings


def new_run_id(now: datetime | None = None) -> str:
    """A sortable, unique run id: UTC start time plus a random suffix.

    >>> new_run_id(datetime(2026, 11, 26, 3, 0, tzinfo=UTC))[:17]
    '20261126T030000Z-'
    """
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%dT%H%M%SZ}-{secrets.token_hex(3)}"


RUN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")


def check_run_id(run_id: str) -> str:
    """`run_id` when it is safe in a file name (letters, digits, `.`, `_`, `-`), else ValueError.

    >>> check_run_id("20261126T030000Z-a1b2c3")
    '20261126T030000Z-a1b2c3'
    >>> check_run_id("../../x")
    Traceback (most recent call last):
    ...
    ValueError: OMSKCRAWL_RUN_ID '../../x' is not a safe name: use letters, digits, '.', '_', '-'
    """
    if not RUN_ID.fullmatch(run_id) or ".." in run_id:
        raise ValueError(
            f"OMSKCRAWL_RUN_ID {run_id!r} is not a safe name: use letters, digits, '.', '_', '-'"
        )
    return run_id


def run_started(settings: BaseSettings) -> datetime:
    return datetime.fromisoformat(settings["OMSKCRAWL_RUN_STARTED"])


def ensure_run(settings: BaseSettings, priority: str = "addon") -> None:
    """Give the settings a run id and start time unless they have them."""
    now = datetime.now(UTC)
    if not settings.get("OMSKCRAWL_RUN_STARTED"):
        settings.set("OMSKCRAWL_RUN_STARTED", now.isoformat(), priority=priority)
    if not settings.get("OMSKCRAWL_RUN_ID"):
        settings.set("OMSKCRAWL_RUN_ID", new_run_id(now), priority=priority)
    check_run_id(settings["OMSKCRAWL_RUN_ID"])


class RunAddon:
    """Fills OMSKCRAWL_RUN_ID and OMSKCRAWL_RUN_STARTED before a crawler's settings freeze.

    `crawlall` and `replay` set both first, so all their crawlers share one run.
    """

    def update_settings(self, settings: BaseSettings) -> None:
        ensure_run(settings)
