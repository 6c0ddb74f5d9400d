"""Every live response to WARC, as received: `WarcCaptureMiddleware`.

A downloader middleware placed next to the download handler (priority 950,
after Scrapy's HTTP cache at 900), so it sees each response before
decompression, redirects or retries touch it: the status, headers and body
bytes as the server sent them (a `Content-Encoding: gzip` body stays gzip;
warcio's readers decode it on replay). Chunked transfer coding is undone by
the HTTP client; should a `Transfer-Encoding` header still come through, it is
kept as `X-Crawler-Transfer-Encoding`, as other crawlers do, so the record replays.

Responses served from Scrapy's HTTP cache (flag `cached`) are not archived
again: they were archived when fetched. Replays write no WARC: the input
archives are the record. Each response gets its capture time
(`meta[CAPTURED_AT]`, whole seconds, = WARC-Date) and its record
(`meta[WARC_RECORD]`), which become `crawled_at`, `warc_file`, `warc_record_id`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Headers, Response
from scrapy.statscollectors import StatsCollector

from omskcrawl.manifest import software_versions
from omskcrawl.warc import CAPTURED_AT, WARC_RECORD
from omskcrawl.warc.writer import Exchange, RotatingWarcWriter


def _pairs(headers: Headers) -> list[tuple[str, str]]:
    out = []
    for name, values in headers.items():
        text = name.decode("latin-1")
        for value in values:
            out.append((text, value.decode("latin-1")))
    return out


def exchange_of(request: Request, response: Response, date: str) -> Exchange:
    parts = urlsplit(request.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_headers = _pairs(request.headers)
    if not any(name.lower() == "host" for name, _ in request_headers):
        request_headers.insert(0, ("Host", parts.netloc))
    response_headers = []
    for name, value in _pairs(response.headers):
        if name.lower() == "transfer-encoding":
            name = "X-Crawler-Transfer-Encoding"
        response_headers.append((name, value))
    try:
        phrase = HTTPStatus(response.status).phrase
    except ValueError:
        phrase = ""
    protocol = response.protocol or "HTTP/1.1"
    return Exchange(
        url=request.url,
        date=date,
        request_line=f"{request.method} {target} {protocol}",
        request_headers=request_headers,
        request_body=request.body,
        status_line=f"{response.status} {phrase}".strip(),
        protocol=protocol,
        response_headers=response_headers,
        response_body=response.body,
        ip_address=str(response.ip_address) if response.ip_address else None,
    )


class WarcCaptureMiddleware:
    def __init__(self, writer: RotatingWarcWriter, stats: StatsCollector) -> None:
        self.writer = writer
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcCaptureMiddleware:
        settings = crawler.settings
        if not settings.getbool("OMSKCRAWL_WARC_ENABLED", True):
            raise NotConfigured("OMSKCRAWL_WARC_ENABLED is off")
        if settings.getlist("OMSKCRAWL_REPLAY_WARC"):
            raise NotConfigured  # replaying: the input archives are the record
        assert crawler.stats is not None and crawler.spidercls is not None
        run_id = settings["OMSKCRAWL_RUN_ID"]
        info = {
            "software": f"omskcrawl/{software_versions()['omskcrawl']}",
            "format": "WARC File Format 1.0",
            "isPartOf": run_id,
            "http-header-user-agent": settings.get("USER_AGENT", ""),
            "robots": "obey" if settings.getbool("ROBOTSTXT_OBEY") else "ignore",
            "spider": crawler.spidercls.name,
        }
        writer = RotatingWarcWriter(
            Path(settings["OMSKCRAWL_EXPORT_DIR"]) / "warc",
            f"{run_id}-{crawler.spidercls.name}",
            settings.getint("OMSKCRAWL_WARC_MAX_BYTES"),
            info,
        )
        mw = cls(writer, crawler.stats)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        return mw

    def process_response(self, request: Request, response: Response) -> Response:
        if "cached" in response.flags:
            self.stats.inc_value("omskcrawl/warc/from_cache")
            return response
        if not request.url.startswith(("http://", "https://")):
            return response
        now = datetime.now(UTC).replace(microsecond=0)
        name, record_id = self.writer.write(
            exchange_of(request, response, now.strftime("%Y-%m-%dT%H:%M:%SZ"))
        )
        request.meta[CAPTURED_AT] = now
        request.meta[WARC_RECORD] = (name, record_id)
        self.stats.inc_value("omskcrawl/warc/records")
        return response

    def spider_closed(self, spider: Spider) -> None:
        files = self.writer.close()
        listed = self.stats.get_value("omskcrawl/files") or []
        listed += [{"path": str(f.path), "rows": f.records, "kind": "warc"} for f in files]
        self.stats.set_value("omskcrawl/files", listed)
