"""Progress of a run: one aggregated log line per interval, and a bar on a terminal.

Scrapy's LogStats logs one line per crawler per minute — fourteen lines a minute for
`crawlall`. `ProgressExtension` replaces it with one line for the whole process
(every crawler of a `crawlall`/`replay` run) each OMSKCRAWL_PROGRESS_INTERVAL seconds:
pages, items, rows written, errors, sites finished; per site too with
OMSKCRAWL_PROGRESS_PER_SITE. When stderr is a terminal (OMSKCRAWL_PROGRESS_BAR = auto)
a one-line bar is redrawn there twice a second; it is never written to a log file.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import AsyncioLoopingCall, create_looping_call
from twisted.internet.task import LoopingCall

logger = logging.getLogger(__name__)

BAR_SECONDS = 0.5
BAR_WIDTH = 20
BAR_CHOICES = ("auto", "on", "off")


@dataclass(frozen=True)
class Counts:
    pages: int = 0
    items: int = 0
    rows: int = 0
    errors: int = 0
    queued: int = 0  # requests scheduled and not yet taken

    @classmethod
    def of(cls, stats: Mapping[str, Any]) -> Counts:
        """The numbers a person watches, from one crawler's stats.

        >>> Counts.of({"response_received_count": 9, "item_scraped_count": 4,
        ...     "omskcrawl/written": 3, "log_count/ERROR": 1,
        ...     "omskcrawl/network/failed/DNS lookup failed for a.ru": 2,
        ...     "scheduler/enqueued": 12, "scheduler/dequeued": 10})
        Counts(pages=9, items=4, rows=3, errors=3, queued=2)
        """
        network = sum(int(v) for k, v in stats.items() if k.startswith("omskcrawl/network/failed/"))
        return cls(
            pages=int(stats.get("response_received_count", 0)),
            items=int(stats.get("item_scraped_count", 0)),
            rows=int(stats.get("omskcrawl/written", 0)),
            errors=int(stats.get("log_count/ERROR", 0)) + network,
            queued=int(stats.get("scheduler/enqueued", 0))
            - int(stats.get("scheduler/dequeued", 0)),
        )

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.pages + other.pages,
            self.items + other.items,
            self.rows + other.rows,
            self.errors + other.errors,
            self.queued + other.queued,
        )

    def text(self) -> str:
        return (
            f"{self.pages} pages, {self.items} items, {self.rows} rows written, "
            f"{self.errors} errors"
        )


def progress_line(total: Counts, done: int, sites: int) -> str:
    """
    >>> progress_line(Counts(120, 40, 35, 2, 7), 3, 14)
    'progress: 3/14 sites done, 120 pages, 40 items, 35 rows written, 2 errors'
    """
    return f"progress: {done}/{sites} sites done, {total.text()}"


def bar(total: Counts, done: int, sites: int, width: int = BAR_WIDTH) -> str:
    """The terminal bar: pages fetched out of fetched + still queued.

    >>> bar(Counts(30, 10, 10, 0, 10), 1, 2, width=10)
    '[#######...] 1/2 sites · 30 pages · 10 items · 10 rows · 0 errors'
    """
    known = total.pages + max(total.queued, 0)
    filled = round(width * total.pages / known) if known else 0
    return (
        f"[{'#' * filled}{'.' * (width - filled)}] {done}/{sites} sites · {total.pages} pages · "
        f"{total.items} items · {total.rows} rows · {total.errors} errors"
    )


@dataclass
class Board:
    """Every crawler of this process; one board, one line, one bar."""

    interval: float
    per_site: bool
    stream: TextIO | None  # the terminal for the bar, or None
    crawlers: dict[str, Crawler] = field(default_factory=dict)
    closed: set[str] = field(default_factory=set)
    loops: list[AsyncioLoopingCall | LoopingCall] = field(default_factory=list)

    def counts(self) -> dict[str, Counts]:
        return {
            name: Counts.of(crawler.stats.get_stats() if crawler.stats else {})
            for name, crawler in self.crawlers.items()
        }

    def total(self) -> tuple[Counts, dict[str, Counts]]:
        per = self.counts()
        return sum(per.values(), Counts()), per

    def start(self) -> None:
        if self.loops:
            return
        log = create_looping_call(self.log)
        log.start(self.interval, now=False)
        self.loops.append(log)
        if self.stream is not None:
            draw = create_looping_call(self.draw)
            draw.start(BAR_SECONDS, now=True)
            self.loops.append(draw)

    def log(self) -> None:
        total, per = self.total()
        logger.info(progress_line(total, len(self.closed), len(self.crawlers)))
        if self.per_site:
            for name, counts in sorted(per.items()):
                state = "done" if name in self.closed else "running"
                logger.info("progress: %s %s: %s", name, state, counts.text())

    def draw(self) -> None:
        assert self.stream is not None
        total, _ = self.total()
        self.stream.write("\r\x1b[K" + bar(total, len(self.closed), len(self.crawlers)))
        self.stream.flush()

    def spider_closed(self, name: str) -> None:
        self.closed.add(name)
        if len(self.closed) < len(self.crawlers):
            return
        for loop in self.loops:
            if loop.running:
                loop.stop()
        self.loops.clear()
        if self.stream is not None:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
        self.log()


_BOARD: Board | None = None


class ProgressExtension:
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProgressExtension:
        global _BOARD
        settings = crawler.settings
        interval = settings.getfloat("OMSKCRAWL_PROGRESS_INTERVAL", 60.0)
        if interval <= 0:
            raise NotConfigured("OMSKCRAWL_PROGRESS_INTERVAL is 0")
        choice = settings.get("OMSKCRAWL_PROGRESS_BAR", "auto")
        if choice not in BAR_CHOICES:
            raise ValueError(f"OMSKCRAWL_PROGRESS_BAR must be one of {BAR_CHOICES}, not {choice!r}")
        if _BOARD is None or len(_BOARD.closed) == len(_BOARD.crawlers) > 0:
            tty = choice == "on" or (choice == "auto" and sys.stderr.isatty())
            _BOARD = Board(
                interval,
                settings.getbool("OMSKCRAWL_PROGRESS_PER_SITE"),
                sys.stderr if tty else None,
            )
        board = _BOARD
        assert crawler.spidercls is not None
        name = crawler.spidercls.name
        board.crawlers[name] = crawler
        ext = cls()
        crawler.signals.connect(board.start, signal=signals.engine_started, weak=False)
        crawler.signals.connect(
            lambda **kw: board.spider_closed(name), signal=signals.spider_closed, weak=False
        )
        return ext
