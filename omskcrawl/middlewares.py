"""Incremental crawling: do not re-fetch articles the state already holds.

An article URL already stored is skipped (`omskcrawl/incremental/skipped`)
unless its feed/sitemap entry says it changed after it was last fetched
(`lastmod`, `updated`, or a publication date later than the last fetch), or the
re-visit window OMSKCRAWL_REVISIT_AFTER_HOURS has passed since then. Feeds,
sitemaps and listings are always fetched.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime

from scrapy import Request, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.statscollectors import StatsCollector

from omskcrawl.dedup.state import State, state_from_settings
from omskcrawl.discovery import Entry
from omskcrawl.normalize import canonical_url, parse_date
from omskcrawl.normalize.urls import PathRewrites
from omskcrawl.replay import REPLAY_CAPTURE
from omskcrawl.spiders.base import ENTRY


class IncrementalMiddleware:
    def __init__(
        self,
        state: State,
        stats: StatsCollector,
        revisit_after: float | None,
        timezone: Callable[[], str] = lambda: "Asia/Omsk",
        print_views: Callable[[], PathRewrites] = tuple,
    ) -> None:
        self.state = state
        self.timezone = timezone
        # The spider's print/AMP rewrites: a URL's identity is the one its items get.
        self.print_views = print_views
        self.stats = stats
        self.revisit_after = revisit_after

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not settings.getbool("OMSKCRAWL_INCREMENTAL", True):
            raise NotConfigured("OMSKCRAWL_INCREMENTAL is off")
        if not settings.getbool("OMSKCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("incremental crawling needs the dedup state")
        hours = settings.get("OMSKCRAWL_REVISIT_AFTER_HOURS")
        revisit = None if hours in (None, "") else float(hours) * 3600
        assert crawler.stats is not None
        state = state_from_settings(settings)
        mw = cls(
            state,
            crawler.stats,
            revisit,
            timezone=lambda: getattr(crawler.spider, "timezone", "Asia/Omsk"),
            print_views=lambda: getattr(crawler.spider, "print_views", ()),
        )
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_request(self, request: Request) -> None:
        if request.meta.get("omskcrawl_kind") != "article":
            return
        if REPLAY_CAPTURE in request.meta:  # a later capture of a replayed URL: always read
            return
        known = self.state.get_url(canonical_url(request.url, print_views=self.print_views()))
        if known is None:
            return
        entry: Entry | None = request.meta.get(ENTRY)
        if entry is not None:
            raw = entry.modified_raw or entry.published_raw
            now = datetime.now(UTC)
            changed = parse_date(raw, now=now, tz=self.timezone(), url=request.url) if raw else None
            if changed is not None and changed.timestamp() > known.fetched_ts:
                self.stats.inc_value("omskcrawl/incremental/changed")
                return
        if self.revisit_after is not None and time.time() - known.fetched_ts >= self.revisit_after:
            self.stats.inc_value("omskcrawl/incremental/revisit")
            return
        self.stats.inc_value("omskcrawl/incremental/skipped")
        raise IgnoreRequest(f"already stored, unchanged per its feed: {request.url}")

    def spider_closed(self) -> None:
        self.state.close()
