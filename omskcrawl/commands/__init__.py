"""Project commands (COMMANDS_MODULE). Shared: the checks every crawl command runs first."""

from __future__ import annotations

import sys
from typing import Any

from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from omskcrawl.dedup.state import BACKENDS, StateError, state_from_settings
from omskcrawl.spiders.base import parse_since

EXIT_FAILED = 1


def check_run_options(settings: BaseSettings, spargs: dict[str, Any]) -> None:
    """Bad arguments or settings: one clear `UsageError` (exit 2) before any crawler starts."""
    from omskcrawl.pipelines.dedup import POLICIES  # the similarity model loads lazily

    try:
        parse_since(spargs.get("since"))
    except ValueError as e:
        raise UsageError(str(e)) from None
    backend = settings.get("OMSKCRAWL_STATE_BACKEND")
    if backend not in BACKENDS:
        raise UsageError(f"OMSKCRAWL_STATE_BACKEND must be one of {BACKENDS}, not {backend!r}")
    policy = settings.get("OMSKCRAWL_DEDUP_STORY_POLICY")
    if policy not in POLICIES:
        raise UsageError(f"OMSKCRAWL_DEDUP_STORY_POLICY must be one of {POLICIES}, not {policy!r}")
    limit = settings.get("OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS")
    try:
        ok = int(limit) >= 1
    except (TypeError, ValueError):
        ok = False
    if not ok:
        raise UsageError(
            f"OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS must be a whole number >= 1, not {limit!r}"
        )


def check_state_reachable(settings: BaseSettings) -> None:
    """A Redis (state or distributed frontier) that cannot be reached: one line, exit 1."""
    distributed = settings.getbool("OMSKCRAWL_DISTRIBUTED")
    if settings.get("OMSKCRAWL_STATE_BACKEND") != "redis" and not distributed:
        return
    if not settings.getbool("OMSKCRAWL_DEDUP_ENABLED", True) and not distributed:
        return
    try:
        state = state_from_settings(settings, backend="redis")
    except StateError as e:
        print(f"omskcrawl: {e}", file=sys.stderr)
        raise SystemExit(EXIT_FAILED) from None
    state.close()


def check_feeds(opts: Any, spiders: list[str]) -> None:
    """`-o/-O` with several crawlers in one process: one file per spider, or refused.

    Scrapy gives each crawler its own exporter; several of them appending to one file
    interleave their writes (broken lines, a broken Parquet footer).
    """
    feeds = list(getattr(opts, "output", None) or []) + list(
        getattr(opts, "overwrite_output", None) or []
    )
    if len(spiders) == 1:
        return
    shared = [uri for uri in feeds if "%(name)s" not in uri]
    if shared:
        raise UsageError(
            f"-o/-O {shared[0]}: {len(spiders) or 'all'} spiders would write one file at once; "
            "name a file per spider, e.g. -O 'items-%(name)s.jsonl', or use the Parquet dataset"
        )
