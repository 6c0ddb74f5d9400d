"""Quiet logs: what a person reading a cron mail needs, nothing that repeats per page.

- `QuietLogFormatter` (LOG_FORMATTER): a dropped item logs its reason, never the whole
  item; the level is the `DropItem`'s own (`unchanged` at DEBUG, duplicates at INFO via
  DEFAULT_DROPITEM_LOG_LEVEL, quarantine at WARNING).
- `demote_noise()` (installed by the formatter) puts filters on Scrapy's loggers: a
  download that failed for a network reason (DNS, refused, timeout, lost connection, TLS)
  is logged at DEBUG without its traceback — `omskcrawl.network` reports it once per site
  instead — and the per-crawler component lists, stats dumps and per-page "Ignoring
  response <404>" lines go to DEBUG (the run manifest keeps the numbers).
"""

from __future__ import annotations

import logging
from typing import Any, Self

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult
from twisted.python.failure import Failure

from omskcrawl.network import is_network_error


class QuietLogFormatter(LogFormatter):
    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        demote_noise()
        return super().from_crawler(crawler)

    def dropped(
        self,
        item: Any,
        exception: BaseException,
        response: Response | Failure | None,
        spider: Spider,
    ) -> LogFormatterResult:
        result = super().dropped(item, exception, response, spider)
        result["msg"] = "Dropped: %(exception)s"
        args = result.get("args")
        result["args"] = {"exception": args["exception"] if isinstance(args, dict) else exception}
        return result


class NetworkNoise(logging.Filter):
    """A failed download with a network cause: DEBUG, one line, no traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and is_network_error(exc) and record.levelno > logging.DEBUG:
            record.msg = f"{record.getMessage()} [{type(exc).__name__}: {exc}]"
            record.args = None
            record.exc_info = record.exc_text = None
            _demote(record)
        return True


class Repetitive(logging.Filter):
    """Messages logged once per crawler or per page, which the manifest sums up: DEBUG."""

    PREFIXES = (
        "Enabled %(componentname)s",  # component lists, dozens of lines per crawler
        "Dumping Scrapy stats",
        "Overridden settings",
        "Ignoring response %(response)r",  # a 404 per missing page; the manifest counts them
    )

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and record.msg.startswith(self.PREFIXES):
            _demote(record)
        return True


def _demote(record: logging.LogRecord) -> None:
    record.levelno = logging.DEBUG
    record.levelname = logging.getLevelName(logging.DEBUG)


NOISY = {
    "scrapy.core.scraper": NetworkNoise,
    "scrapy.downloadermiddlewares.robotstxt": NetworkNoise,
    "scrapy.middleware": Repetitive,
    "scrapy.statscollectors": Repetitive,
    "scrapy.crawler": Repetitive,
    "scrapy.spidermiddlewares.httperror": Repetitive,
}


def demote_noise() -> None:
    """Install the filters once per process (idempotent)."""
    for name, kind in NOISY.items():
        logger = logging.getLogger(name)
        if not any(isinstance(f, kind) for f in logger.filters):
            logger.addFilter(kind())
