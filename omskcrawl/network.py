"""Network failures, one line per site: what failed, why, how often.

`NetworkFailureMiddleware` (a downloader middleware placed before the retry middleware
on the way back, so it sees only requests that failed for good) counts each failure by
its cause — "DNS lookup failed for www.omskinform.ru" — in stats `omskcrawl/network/failed/<cause>`.
When the spider closes it logs one line: at ERROR when not one response came back
("omskinform: no response — DNS lookup failed for www.omskinform.ru (3 requests)"), at
WARNING when only some requests failed. `summary_line` makes the same line from the
stats for the run manifest (`network`) and the summary printed after a run.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    ResponseDataLossError,
)
from scrapy.statscollectors import StatsCollector
from twisted.internet import error as net
from twisted.web.client import ResponseFailed, ResponseNeverReceived

logger = logging.getLogger(__name__)

CAUSE = "omskcrawl/network/failed/"  # + cause: requests that failed for good

# (exception types, how the cause reads); the first match wins. Scrapy wraps Twisted's
# errors in its own (scrapy.exceptions); both are listed.
CAUSES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((CannotResolveHostError, net.DNSLookupError), "DNS lookup failed for {host}"),
    ((DownloadConnectionRefusedError, net.ConnectionRefusedError), "connection refused by {host}"),
    (
        (DownloadTimeoutError, net.TimeoutError, net.TCPTimedOutError, TimeoutError),
        "timed out waiting for {host}",
    ),
    ((net.NoRouteError,), "no route to {host}"),
    (
        (
            DownloadFailedError,
            ResponseDataLossError,
            ResponseNeverReceived,
            ResponseFailed,
            net.ConnectionLost,
            net.ConnectionDone,
        ),
        "connection to {host} lost",
    ),
    ((net.ConnectError, ConnectionError), "cannot connect to {host}"),
)


def _tls_errors() -> tuple[type[BaseException], ...]:
    try:
        from OpenSSL.SSL import Error
    except ImportError:  # pragma: no cover - pyOpenSSL is a Scrapy dependency
        return ()
    return (Error,)


TLS = _tls_errors()


def describe(exception: BaseException, url: str) -> str | None:
    """The cause of a network failure in words; None when it is not a network failure.

    >>> describe(CannotResolveHostError("no results"), "https://www.omskinform.ru/rss")
    'DNS lookup failed for www.omskinform.ru'
    >>> describe(ValueError("bad"), "https://a.ru/") is None
    True
    """
    host = urlsplit(url).hostname or url
    for types, text in CAUSES:
        if isinstance(exception, types):
            return text.format(host=host)
    if TLS and isinstance(exception, TLS):
        return f"TLS handshake with {host} failed"
    return None


def is_network_error(exception: BaseException) -> bool:
    return describe(exception, "") is not None


def summary_line(site: str, stats: Mapping[str, Any]) -> str | None:
    """One line for the log, the manifest and a person; None when nothing failed.

    >>> summary_line("omskinform", {CAUSE + "DNS lookup failed for www.omskinform.ru": 3})
    'omskinform: no response — DNS lookup failed for www.omskinform.ru (3 requests)'
    >>> summary_line("bk55", {CAUSE + "timed out waiting for bk55.ru": 2,
    ...     "downloader/response_status_count/200": 40, "downloader/request_count": 46})
    'bk55: 2 of 46 requests failed — timed out waiting for bk55.ru (2 requests)'
    """
    causes = Counter({k[len(CAUSE) :]: int(v) for k, v in stats.items() if k.startswith(CAUSE)})
    if not causes:
        return None
    parts = "; ".join(
        f"{cause} ({n} request{'s' if n != 1 else ''})" for cause, n in causes.most_common()
    )
    if ok_responses(stats) == 0:
        return f"{site}: no response — {parts}"
    requests = int(stats.get("downloader/request_count", 0))
    return f"{site}: {sum(causes.values())} of {requests} requests failed — {parts}"


def ok_responses(stats: Mapping[str, Any]) -> int:
    prefix = "downloader/response_status_count/2"
    return sum(int(v) for k, v in stats.items() if k.startswith(prefix))


class NetworkFailureMiddleware:
    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NetworkFailureMiddleware:
        assert crawler.stats is not None
        mw = cls(crawler.stats)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_exception(self, request: Request, exception: BaseException) -> None:
        cause = describe(exception, request.url)
        if cause is not None:
            self.stats.inc_value(CAUSE + cause)

    def spider_closed(self, spider: Spider) -> None:
        stats = self.stats.get_stats()
        line = summary_line(spider.name, stats)
        if line is not None:
            logger.log(logging.ERROR if ok_responses(stats) == 0 else logging.WARNING, line)
