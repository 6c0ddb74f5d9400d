"""WARC pieces in process: the rotating writer, the capture middleware, the replay index
(ours and a wget-style archive), and several captures of one URL replayed in order."""

from __future__ import annotations

import asyncio
import gzip
import os
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from omskcrawl.replay import (
    REPLAY_CAPTURE,
    REPLAY_NEXT,
    ReplayCapturesMiddleware,
    ReplayOrLiveHandler,
)
from omskcrawl.warc import CAPTURED_AT, WARC_RECORD
from omskcrawl.warc.capture import WarcCaptureMiddleware
from omskcrawl.warc.index import WarcIndex, read_capture
from omskcrawl.warc.writer import Exchange, RotatingWarcWriter

PAGE = (
    "<html><head><meta charset='windows-1251'><title>Омск</title></head>"
    "<body><p>Мэрия Омска сообщила о ремонте моста.</p></body></html>"
).encode("cp1251")
HTML_1251 = "text/html; charset=windows-1251"


def exchange(url: str, body: bytes, date: str = "2026-12-01T10:00:00Z") -> Exchange:
    return Exchange(
        url=url,
        date=date,
        request_line="GET /news/1 HTTP/1.1",
        request_headers=[("Host", "127.0.0.1"), ("User-Agent", "omskcrawl-test")],
        request_body=b"",
        status_line="200 OK",
        protocol="HTTP/1.1",
        response_headers=[("Content-Type", HTML_1251), ("Content-Length", str(len(body)))],
        response_body=body,
    )


def records(path: Path) -> list[tuple[str, str, bytes]]:
    """(type, HTTP head, raw payload) of every record."""
    out = []
    with open(path, "rb") as f:
        for record in ArchiveIterator(f):
            head = str(record.http_headers) if record.http_headers else ""
            out.append((record.rec_type, head, record.raw_stream.read()))
    return out


def test_writer_rotates_publishes_and_never_overwrites(tmp_path: Path) -> None:
    folder = tmp_path / "warc"
    folder.mkdir()
    taken = folder / "run1-site-00002.warc.gz"
    taken.write_bytes(b"an earlier archive")
    writer = RotatingWarcWriter(folder, "run1-site", 3000, {"software": "omskcrawl/test"})
    names = [
        writer.write(exchange(f"http://127.0.0.1/news/{n}", os.urandom(2500)))[0] for n in range(5)
    ]
    files = writer.close()
    assert taken.read_bytes() == b"an earlier archive"
    assert "run1-site-00002.warc.gz" not in names
    assert [f.path.name for f in files] == sorted(set(names))
    assert len(files) >= 3
    assert not list(folder.glob(".*"))
    responses = 0
    for f in files:
        kinds = [kind for kind, _, _ in records(f.path)]
        assert kinds[0] == "warcinfo"
        responses += kinds.count("response")
        assert kinds.count("request") == kinds.count("response") == f.records
    assert responses == 5


def crawler_settings(tmp_path: Path, **extra: object) -> dict[str, object]:
    return {
        "OMSKCRAWL_RUN_ID": "run1",
        "OMSKCRAWL_EXPORT_DIR": str(tmp_path),
        "OMSKCRAWL_WARC_ENABLED": True,
        "OMSKCRAWL_WARC_MAX_BYTES": 1_000_000,
        **extra,
    }


class SiteSpider(Spider):
    name = "site"


def test_capture_keeps_bytes_as_received_and_replays_them(tmp_path: Path) -> None:
    crawler = get_crawler(SiteSpider, crawler_settings(tmp_path))
    mw = WarcCaptureMiddleware.from_crawler(crawler)
    url = "http://127.0.0.1:8080/news/1?id=7"
    request = Request(url, headers={"Accept-Encoding": "gzip"})
    wire = gzip.compress(PAGE)
    headers = {"Content-Type": HTML_1251, "Content-Encoding": "gzip"}
    response = Response(url, status=200, headers=headers, body=wire, request=request)
    assert mw.process_response(request, response) is response
    cached = Response(url, body=b"x", flags=["cached"], request=Request(url))
    mw.process_response(cached.request, cached)
    mw.spider_closed(crawler.spidercls())
    assert crawler.stats is not None
    (listed,) = crawler.stats.get_value("omskcrawl/files")
    assert listed["kind"] == "warc" and listed["rows"] == 1
    path = Path(listed["path"])
    name, record_id = request.meta[WARC_RECORD]
    assert path.name == name
    kinds = records(path)
    assert [k for k, _, _ in kinds] == ["warcinfo", "response", "request"]
    assert kinds[1][2].endswith(wire), "the body is archived as sent: gzip-encoded"
    assert "GET /news/1?id=7 HTTP/1.1" in kinds[2][1]
    assert "Host: 127.0.0.1:8080" in kinds[2][1]
    assert crawler.stats.get_value("omskcrawl/warc/from_cache") == 1
    # Replayed from the archive: the body decoded, the page's encoding intact.
    (capture,) = WarcIndex([str(path)]).find(url)
    assert capture.record_id == record_id
    assert capture.captured_at == request.meta[CAPTURED_AT]
    replayed = read_capture(capture, url)
    assert isinstance(replayed, HtmlResponse)
    assert replayed.body == PAGE
    assert "Мэрия Омска" in replayed.text


def test_capture_is_off_by_setting_and_while_replaying(tmp_path: Path) -> None:
    off = get_crawler(SiteSpider, crawler_settings(tmp_path, OMSKCRAWL_WARC_ENABLED=False))
    with pytest.raises(NotConfigured):
        WarcCaptureMiddleware.from_crawler(off)
    replaying = crawler_settings(tmp_path, OMSKCRAWL_REPLAY_WARC=["x.warc.gz"])
    with pytest.raises(NotConfigured):
        WarcCaptureMiddleware.from_crawler(get_crawler(SiteSpider, replaying))


def wget_style_warc(path: Path, url: str, body: bytes, date: str) -> None:
    """What `wget --warc-file --no-warc-compression` leaves: uncompressed records, the socket's
    bytes (chunked, gzip) in the response, the URI in angle brackets, a metadata record."""
    data = gzip.compress(body)
    chunked = b"%x\r\n%s\r\n0\r\n\r\n" % (len(data), data)
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=False)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "Wget/1.21"}))
        http = StatusAndHeaders(
            "200 OK",
            [
                ("Content-Type", HTML_1251),
                ("Content-Encoding", "gzip"),
                ("Transfer-Encoding", "chunked"),
            ],
            protocol="HTTP/1.1",
        )
        headers = {"WARC-Date": date, "WARC-Target-URI": f"<{url}>"}
        response = writer.create_warc_record(
            url, "response", payload=BytesIO(chunked), length=len(chunked), http_headers=http
        )
        for name, value in headers.items():
            response.rec_headers.replace_header(name, value)
        writer.write_record(response)
        meta = writer.create_warc_record(
            "metadata://gnu.org/software/wget/warc/MANIFEST.txt",
            "metadata",
            payload=BytesIO(b"00000000"),
            length=8,
        )
        writer.write_record(meta)


def test_index_reads_other_tools_archives_and_keeps_a_side_file(tmp_path: Path) -> None:
    url = "https://www.omskinform.ru/news/218377"
    old, new = tmp_path / "wget-2024.warc", tmp_path / "ours-2026.warc"
    wget_style_warc(old, url, PAGE, "2024-11-20T06:00:00Z")
    edited = PAGE.replace("ремонте".encode("cp1251"), "закрытии".encode("cp1251"))
    wget_style_warc(new, url, edited, "2026-12-01T06:00:00Z")
    # Newer archive named first: captures still come back oldest first.
    index = WarcIndex([str(new), str(old)])
    assert index.scanned == 2
    captures = index.find(url.replace("https://www.", "http://"))
    assert [c.captured_at.year for c in captures] == [2024, 2026]
    assert read_capture(captures[0], url).body == PAGE
    assert read_capture(captures[1], url).body == edited
    assert (tmp_path / "wget-2024.warc.cdxj").read_text().startswith("!meta ")
    again = WarcIndex([str(tmp_path / "*.warc")])
    assert again.scanned == 0, "the kept index is read instead of the archive"
    assert [c.record_id for c in again.find(url)] == [c.record_id for c in captures]
    with open(old, "ab") as f:  # the archive changed: its side file no longer describes it
        f.write(b"\r\n")
    assert WarcIndex([str(old)]).scanned == 1


def test_every_capture_of_a_url_is_replayed_in_capture_order(tmp_path: Path) -> None:
    url = "https://www.omskinform.ru/news/218377"
    warc = tmp_path / "two.warc"
    wget_style_warc(warc, url, PAGE, "2026-12-01T06:00:00Z")
    crawler = get_crawler(SiteSpider, crawler_settings(tmp_path, OMSKCRAWL_REPLAY_WARC=[str(warc)]))
    http, https = ReplayOrLiveHandler(crawler), ReplayOrLiveHandler(crawler)
    assert http.index is https.index, "one index per process, not one per handler"
    # A second capture of the same URL, older, in another file.
    older = tmp_path / "older.warc"
    wget_style_warc(older, url, b"<html><body><p>old</p></body></html>", "2025-01-01T00:00:00Z")
    paths = [str(warc), str(older)]
    crawler = get_crawler(SiteSpider, crawler_settings(tmp_path, OMSKCRAWL_REPLAY_WARC=paths))
    handler = ReplayOrLiveHandler(crawler)
    middleware = ReplayCapturesMiddleware.from_crawler(crawler)
    request = Request(url)
    first = asyncio.run(handler.download_request(request))
    first.request = request
    assert request.meta[CAPTURED_AT] == datetime(2025, 1, 1, tzinfo=UTC)
    assert b"old" in first.body
    (follow,) = list(middleware.process_spider_output(first, []))
    assert follow.meta[REPLAY_CAPTURE] == (url, 1) and follow.dont_filter
    second = asyncio.run(handler.download_request(follow))
    second.request = follow
    assert follow.meta[CAPTURED_AT] == datetime(2026, 12, 1, 6, tzinfo=UTC)
    assert second.body == PAGE
    assert REPLAY_NEXT not in follow.meta
    assert list(middleware.process_spider_output(second, [])) == []
    missing = asyncio.run(handler.download_request(Request("https://www.omskinform.ru/x")))
    assert missing.status == 404
