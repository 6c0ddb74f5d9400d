"""Every fetch failure counted per site; Retry-After honoured, within a bound.

`fetch_failures(stats)` reads one crawler's stats (one crawler = one site) into
the manifest's per-site breakdown: 4xx, 429, 5xx, timeouts, connection resets,
robots.txt refusals, redirect loops, retries exhausted, and discovery sources
(feeds, sitemaps, listings) that gave nothing. `sources_failed` is what makes a
site fail even when robots.txt answered: every source it asked for failed.

`RetryAfterMiddleware` (downloader middleware, next to Scrapy's retry and
redirect middlewares) waits what a 429/503 `Retry-After` asks before the retry
is scheduled — at most OMSKCRAWL_RETRY_AFTER_MAX seconds — and counts redirect
loops (a redirect back to a URL of its own chain, or one past REDIRECT_MAX_TIMES).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urljoin

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

# Start sources (feeds, sitemaps, listings) asked for and answered; all asked, none answered
# makes the site failed. A source the scheduler drops as already seen (another worker of a
# distributed crawl queued it, or the site lists it twice) is not counted as asked.
SOURCE_KINDS = ("feed", "sitemap", "listing")
SOURCES_REQUESTED = "omskcrawl/sources/requested"
SOURCES_OK = "omskcrawl/sources/ok"
REDIRECT_LOOPS = "omskcrawl/fetch/redirect_loop"
RETRY_AFTER_WAITED = "omskcrawl/fetch/retry_after_waits"
RETRY_AFTER_MAX = 60.0

_TIMEOUTS = ("TimeoutError", "TCPTimedOutError")
_RESETS = (
    "DownloadFailedError",  # Scrapy >= 2.13 wraps connection errors in it
    "ConnectionLost",
    "ConnectionRefusedError",
    "ResponseNeverReceived",
    "ConnectionDone",
    "ConnectError",
    "ResponseFailed",
    "ConnectionAborted",
)


def _sum(stats: Mapping[str, Any], prefix: str, keep: Any = lambda key: True) -> int:
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix) and keep(k[len(prefix) :]))


FETCH_FAILURE_KINDS = (
    "http_4xx",
    "http_429",
    "http_5xx",
    "timeouts",
    "resets",
    "robots_forbidden",
    "redirect_loops",
    "retries_exhausted",
    "sources_failed",
)


def fetch_failures(stats: Mapping[str, Any]) -> dict[str, int]:
    """The failure breakdown of one site's crawl, from its stats."""
    status = "downloader/response_status_count/"
    exceptions = "downloader/exception_type_count/"
    requested = int(stats.get(SOURCES_REQUESTED, 0) or 0)
    ok = int(stats.get(SOURCES_OK, 0) or 0)
    return {
        "http_4xx": _sum(stats, status, lambda code: code.startswith("4") and code != "429"),
        "http_429": int(stats.get(status + "429", 0) or 0),
        "http_5xx": _sum(stats, status, lambda code: code.startswith("5")),
        "timeouts": _sum(stats, exceptions, lambda name: name.endswith(_TIMEOUTS)),
        "resets": _sum(stats, exceptions, lambda name: name.endswith(_RESETS)),
        "robots_forbidden": int(stats.get("robotstxt/forbidden", 0) or 0),
        "redirect_loops": int(stats.get(REDIRECT_LOOPS, 0) or 0),
        "retries_exhausted": int(stats.get("retry/max_reached", 0) or 0),
        "sources_failed": max(requested - ok, 0),
    }


def all_sources_failed(stats: Mapping[str, Any]) -> bool:
    """Every feed, sitemap and listing the site asked for gave nothing (robots.txt aside)."""
    requested = int(stats.get(SOURCES_REQUESTED, 0) or 0)
    return requested > 0 and not stats.get(SOURCES_OK)


def retry_after_seconds(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds a `Retry-After` value asks for (delta-seconds or an HTTP date), else None.

    >>> retry_after_seconds("2"), retry_after_seconds("soon")
    (2.0, None)
    >>> retry_after_seconds("Tue, 01 Dec 2026 10:00:30 GMT",
    ...                     now=datetime(2026, 12, 1, 10, 0, tzinfo=UTC))
    30.0
    """
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max((when - (now or datetime.now(UTC))).total_seconds(), 0.0)


class RetryAfterMiddleware:
    def __init__(
        self, stats: StatsCollector, max_wait: float, max_retries: int, max_redirects: int
    ) -> None:
        self.stats = stats
        self.max_wait = max_wait
        self.max_retries = max_retries
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        settings = crawler.settings
        if not settings.getbool("OMSKCRAWL_RETRY_AFTER_ENABLED", True):
            raise NotConfigured("OMSKCRAWL_RETRY_AFTER_ENABLED is off")
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            settings.getfloat("OMSKCRAWL_RETRY_AFTER_MAX", RETRY_AFTER_MAX),
            settings.getint("RETRY_TIMES", 2),
            settings.getint("REDIRECT_MAX_TIMES", 20),
        )

    async def process_response(self, request: Request, response: Response) -> Response:
        if 300 <= response.status < 400 and "Location" in response.headers:
            self._count_loop(request, response)
        elif response.status in (429, 503):
            wait = retry_after_seconds(
                (response.headers.get("Retry-After") or b"").decode("latin-1")
            )
            retries = request.meta.get("retry_times", 0)
            if wait and retries < request.meta.get("max_retry_times", self.max_retries):
                wait = min(wait, self.max_wait)
                self.stats.inc_value(RETRY_AFTER_WAITED)
                logger.debug("Retry-After: waiting %.1f s before retrying %s", wait, request.url)
                await asyncio.sleep(wait)  # Scrapy runs on asyncio, with or without a reactor
        return response

    def _count_loop(self, request: Request, response: Response) -> None:
        location = response.headers.get("Location") or b""
        target = urljoin(request.url, location.decode("latin-1"))
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain or request.meta.get("redirect_times", 0) >= self.max_redirects:
            self.stats.inc_value(REDIRECT_LOOPS)
