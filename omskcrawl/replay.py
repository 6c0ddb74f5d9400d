"""Replay recorded pages from WARC files through Scrapy's download handler slot.

With `OMSKCRAWL_REPLAY_WARC` set (paths or globs), every http(s) request is
answered from the archives: spiders run unchanged with their real URLs. A URL
not in the archives gets a 404 (stat `omskcrawl/replay/miss`). Without it,
requests go to Scrapy's normal HTTP handler.

Each replayed response carries its capture time (`WARC-Date`) in
`meta[CAPTURED_AT]` (relative dates, `crawled_at`, the `crawl_date` partition)
and its record in `meta[WARC_RECORD]`. A URL captured several times is replayed
once per capture, oldest first: the handler answers with the capture asked for
in `meta[REPLAY_CAPTURE]` (the first by default) and `ReplayCapturesMiddleware`
asks for the next one once the spider has handled this one.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.utils.misc import build_from_crawler, load_object

from omskcrawl.warc import CAPTURED_AT, WARC_RECORD
from omskcrawl.warc.index import read_capture, shared_index

logger = logging.getLogger(__name__)

# (url, n): answer `url` with its n-th capture (0 = oldest).
REPLAY_CAPTURE = "omskcrawl_replay_capture"
# (url, n): the capture the spider middleware asks for after this response.
REPLAY_NEXT = "omskcrawl_replay_next"


class ReplayOrLiveHandler(BaseDownloadHandler):
    """http/https handler: replay from WARC when configured, else live HTTP."""

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        paths = crawler.settings.getlist("OMSKCRAWL_REPLAY_WARC")
        self.index = shared_index(paths) if paths else None
        # Scrapy's own handler for the mode it runs in (HTTP/1.1 on the Twisted reactor, aiohttp
        # without one, as the in-process tests run)
        live = crawler.settings.getdict("DOWNLOAD_HANDLERS_BASE")["https"]
        self.live = None if paths else build_from_crawler(load_object(live), crawler)

    async def download_request(self, request: Request) -> Response:
        if self.index is None:
            assert self.live is not None
            return await self.live.download_request(request)
        stats = self.crawler.stats
        captures = self.index.find(request.url)
        asked_url, n = request.meta.get(REPLAY_CAPTURE, (request.url, 0))
        n = n if asked_url == request.url else 0
        if n >= len(captures):
            if stats:
                stats.inc_value("omskcrawl/replay/miss")
            return Response(request.url, status=404, body=b"", request=request)
        capture = captures[n]
        response = read_capture(capture, request.url)
        request.meta[CAPTURED_AT] = capture.captured_at
        request.meta[WARC_RECORD] = (Path(capture.path).name, capture.record_id)
        if n + 1 < len(captures):
            request.meta[REPLAY_NEXT] = (request.url, n + 1)
        else:
            request.meta.pop(REPLAY_NEXT, None)
        if stats:
            stats.inc_value("omskcrawl/replay/hit")
        return response

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()


class ReplayCapturesMiddleware:
    """Spider middleware: after a replayed response, request the URL's next capture.

    The next capture goes through the same callback, after this one's output, so
    the captures of one URL reach the pipelines in capture order.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ReplayCapturesMiddleware:
        if not crawler.settings.getlist("OMSKCRAWL_REPLAY_WARC"):
            raise NotConfigured
        return cls()

    def _next(self, response: Response) -> Request | None:
        nxt = response.meta.get(REPLAY_NEXT)
        if nxt is None or response.request is None:
            return None
        url, n = nxt
        meta = {k: v for k, v in response.meta.items() if k not in (REPLAY_NEXT, WARC_RECORD)}
        meta[REPLAY_CAPTURE] = (url, n)
        for key in [k for k in meta if k.startswith("redirect_")]:
            del meta[key]
        return response.request.replace(url=url, meta=meta, dont_filter=True)

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        yield from result
        nxt = self._next(response)
        if nxt is not None:
            yield nxt

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any]
    ) -> AsyncIterator[Any]:
        async for item in result:
            yield item
        nxt = self._next(response)
        if nxt is not None:
            yield nxt
