"""Rotating WARC files: `<folder>/<prefix>-<n>.warc.gz`, published only when closed.

Each file starts with a `warcinfo` record and is written under a dot-name
(`.<name>.tmp`); when it reaches `max_bytes` (or the crawl ends) it is closed
and hard-linked to its final name, which fails rather than replace a file that
exists, so an archive is never overwritten.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from io import BytesIO
from pathlib import Path
from typing import IO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

logger = logging.getLogger(__name__)


@dataclass
class Exchange:
    """One HTTP request and the response to it, as sent and received."""

    url: str
    date: str  # WARC-Date, e.g. 2026-12-01T16:00:00Z
    request_line: str  # "GET /news/1 HTTP/1.1"
    request_headers: list[tuple[str, str]]
    request_body: bytes
    status_line: str  # "200 OK"
    protocol: str  # "HTTP/1.1"
    response_headers: list[tuple[str, str]]
    response_body: bytes
    ip_address: str | None = None


@dataclass
class WarcFile:
    path: Path
    records: int


@dataclass
class RotatingWarcWriter:
    folder: Path
    prefix: str
    max_bytes: int
    info: dict[str, str]
    written: list[WarcFile] = field(default_factory=list)
    _file: IO[bytes] | None = None
    _writer: WARCWriter | None = None
    _final: Path | None = None
    _records: int = 0
    _counter: int = 0

    def _open(self) -> WARCWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        while True:
            self._counter += 1
            final = self.folder / f"{self.prefix}-{self._counter:05d}.warc.gz"
            tmp = final.with_name("." + final.name + ".tmp")
            if final.exists():
                continue
            try:
                self._file = open(tmp, "xb")  # noqa: SIM115 - closed in _publish
            except FileExistsError:
                continue  # another writer of this run holds that number
            break
        self._final = final
        self._records = 0
        writer = self._writer = WARCWriter(self._file, gzip=True)
        writer.write_record(writer.create_warcinfo_record(final.name, self.info))
        return writer

    def write(self, exchange: Exchange) -> tuple[str, str]:
        """Archive one exchange; returns (file name, WARC-Record-ID of the response record)."""
        writer = self._writer or self._open()
        assert self._final is not None and self._file is not None
        warc_headers = {"WARC-Date": exchange.date}
        if exchange.ip_address:
            warc_headers["WARC-IP-Address"] = exchange.ip_address
        response = writer.create_warc_record(
            exchange.url,
            "response",
            payload=BytesIO(exchange.response_body),
            length=len(exchange.response_body),
            http_headers=StatusAndHeaders(
                exchange.status_line, exchange.response_headers, protocol=exchange.protocol
            ),
            warc_headers_dict=warc_headers,
        )
        request = writer.create_warc_record(
            exchange.url,
            "request",
            payload=BytesIO(exchange.request_body),
            length=len(exchange.request_body),
            http_headers=StatusAndHeaders(
                exchange.request_line, exchange.request_headers, is_http_request=True
            ),
            warc_headers_dict={"WARC-Date": exchange.date},
        )
        writer.write_request_response_pair(request, response)
        self._records += 1
        name = self._final.name
        record_id = response.rec_headers.get_header("WARC-Record-ID")
        if self._file.tell() >= self.max_bytes:
            self._publish()
        return name, record_id

    def _publish(self) -> None:
        assert self._file is not None and self._final is not None
        self._file.close()
        tmp = self._final.with_name("." + self._final.name + ".tmp")
        os.link(tmp, self._final)  # FileExistsError rather than overwrite
        tmp.unlink()
        self.written.append(WarcFile(self._final, self._records))
        logger.info("wrote %s (%d responses)", self._final, self._records)
        self._file = self._writer = self._final = None

    def close(self) -> list[WarcFile]:
        if self._file is not None:
            self._publish()
        return self.written
