"""Replay recorded pages from WARC files through Scrapy's download handler slot.

With `OMSKCRAWL_REPLAY_WARC` set (paths or globs), every http(s) request is
answered from the archives: spiders run unchanged with their real URLs. A URL
not in the archives gets a 404 (stat `omskcrawl/replay/miss`). Without it,
requests go to Scrapy's normal HTTP handler. The response carries its capture
time (`WARC-Date`) in `meta["omskcrawl_captured_at"]`, so relative dates
(«вчера», «5 минут назад») are read against the moment the page was fetched.

`write_sample_warc` packs the bundled sample pages (fixture folders) into a
WARC, the same form a live capture takes.
"""

from __future__ import annotations

import glob
import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.core.downloader.handlers.base import BaseDownloadHandler
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.crawler import Crawler
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.utils.misc import build_from_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from omskcrawl.spiders.base import CAPTURED_AT

logger = logging.getLogger(__name__)

SAMPLE_ROOT = Path(__file__).parent / "sample" / "sites"


def _variants(url: str) -> list[str]:
    """The same resource under http/https and with or without `www.`."""
    out = [url]
    scheme, _, rest = url.partition("://")
    other = "https" if scheme == "http" else "http"
    hosts = [rest]
    if rest.startswith("www."):
        hosts.append(rest[4:])
    else:
        hosts.append("www." + rest)
    for host in hosts:
        for s in (scheme, other):
            candidate = f"{s}://{host}"
            if candidate not in out:
                out.append(candidate)
    return out


@dataclass(frozen=True)
class Capture:
    path: str
    offset: int


class WarcIndex:
    """URL → where its response record sits; built by one streaming pass."""

    def __init__(self, paths: list[str]) -> None:
        self.entries: dict[str, Capture] = {}
        for pattern in paths:
            matches = sorted(glob.glob(pattern)) or [pattern]
            for path in matches:
                self._index(path)

    def _index(self, path: str) -> None:
        with open(path, "rb") as f:
            records = ArchiveIterator(f)
            for record in records:
                if record.rec_type != "response":
                    continue
                url = record.rec_headers.get_header("WARC-Target-URI")
                # Later captures of a URL replace earlier ones.
                self.entries[url] = Capture(path, records.get_record_offset())

    def find(self, url: str) -> Capture | None:
        for candidate in _variants(url):
            if candidate in self.entries:
                return self.entries[candidate]
        return None

    def __len__(self) -> int:
        return len(self.entries)


def read_capture(capture: Capture, url: str) -> tuple[Response, datetime]:
    with open(capture.path, "rb") as f:
        f.seek(capture.offset)
        record = next(iter(ArchiveIterator(f)))
        http = record.http_headers
        status = int(http.get_statuscode()) if http else 200
        headers = Headers()
        for name, value in http.headers if http else []:
            if name.lower() not in ("content-length", "transfer-encoding", "content-encoding"):
                headers.appendlist(name, value)
        body = record.content_stream().read()
        captured = datetime.fromisoformat(
            record.rec_headers.get_header("WARC-Date").replace("Z", "+00:00")
        )
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body), captured


class ReplayOrLiveHandler(BaseDownloadHandler):
    """http/https handler: replay from WARC when configured, else live HTTP."""

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        paths = crawler.settings.getlist("OMSKCRAWL_REPLAY_WARC")
        self.index = WarcIndex(paths) if paths else None
        self.live = None if paths else build_from_crawler(HTTP11DownloadHandler, crawler)
        if self.index is not None:
            logger.info("replaying %d captures from %s", len(self.index), paths)

    async def download_request(self, request: Request) -> Response:
        if self.index is None:
            assert self.live is not None
            return await self.live.download_request(request)
        stats = self.crawler.stats
        capture = self.index.find(request.url)
        if capture is None:
            if stats:
                stats.inc_value("omskcrawl/replay/miss")
            return Response(request.url, status=404, body=b"", request=request)
        response, captured = read_capture(capture, request.url)
        request.meta[CAPTURED_AT] = captured
        if stats:
            stats.inc_value("omskcrawl/replay/hit")
        return response

    async def close(self) -> None:
        if self.live is not None:
            await self.live.close()


# Sample / fixture folders ------------------------------------------------------


@dataclass(frozen=True)
class Fixture:
    """One recorded page: `meta.json` + the page bytes (+ `expected.json`)."""

    folder: Path
    meta: dict[str, Any]

    @property
    def spider(self) -> str:
        return self.folder.parent.name

    @property
    def name(self) -> str:
        return f"{self.spider}/{self.folder.name}"

    @property
    def url(self) -> str:
        return str(self.meta["url"])

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def crawl_time(self) -> datetime:
        value = datetime.fromisoformat(self.meta["crawl_time"])
        if value.tzinfo is None:
            raise ValueError(f"{self.folder}: crawl_time needs a zone offset")
        return value

    @property
    def body(self) -> bytes:
        return (self.folder / self.meta.get("file", "page.html")).read_bytes()

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.meta.get("headers", {}))

    def expected(self) -> dict[str, Any] | None:
        path = self.folder / "expected.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    def response(self) -> Response:
        headers = Headers(self.headers)
        cls = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        request = Request(self.url, meta={CAPTURED_AT: self.crawl_time})
        return cls(
            url=self.url,
            status=int(self.meta.get("status", 200)),
            headers=headers,
            body=self.body,
            request=request,
        )


def iter_fixtures(root: Path = SAMPLE_ROOT) -> Iterator[Fixture]:
    for meta_path in sorted(root.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        yield Fixture(meta_path.parent, meta)


def write_sample_warc(out: Path, root: Path = SAMPLE_ROOT) -> int:
    """Pack every fixture page into one gzipped WARC; returns the record count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    tmp = out.with_name("." + out.name + ".tmp")
    with open(tmp, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for fixture in iter_fixtures(root):
            status = int(fixture.meta.get("status", 200))
            headers = list(fixture.headers.items())
            headers.append(("Content-Length", str(len(fixture.body))))
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            when = fixture.crawl_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            record = writer.create_warc_record(
                fixture.url,
                "response",
                payload=BytesIO(fixture.body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": when},
            )
            writer.write_record(record)
            count += 1
    tmp.replace(out)
    return count
