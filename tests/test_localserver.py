"""One crawl through the real HTTP stack (robots.txt, throttling, decoding) on 127.0.0.1.

In this process (tests/runs.py): Scrapy's download handler without a Twisted reactor (aiohttp).
"""

from __future__ import annotations

import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pandas as pd
import pytest

from omskcrawl.fixtures import iter_fixtures
from tests.runs import NO_DELAY, scrapy

ARTICLES = [f for f in iter_fixtures() if f.spider == "omskinform" and f.kind == "article"]


class Site(BaseHTTPRequestHandler):
    pages: dict[str, tuple[int, str, bytes]] = {}
    seen: list[str] = []

    def do_GET(self) -> None:
        self.seen.append(self.path)
        status, ctype, body = self.pages.get(self.path, (404, "text/plain", b"not found"))
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    base = f"http://127.0.0.1:{server.server_port}"
    items = []
    Site.pages = {
        "/robots.txt": (200, "text/plain", b"User-agent: *\nDisallow: /private/\n"),
        "/private/1": (200, "text/html", b"<html><body>must not be fetched</body></html>"),
    }
    Site.seen = []
    for n, fixture in enumerate(ARTICLES, start=1):
        ctype = fixture.headers.get("Content-Type", "text/html; charset=utf-8")
        Site.pages[f"/news/{n}"] = (200, ctype, fixture.body)
        items.append(f"<item><title>t{n}</title><link>{base}/news/{n}</link></item>")
    items.append(f"<item><title>private</title><link>{base}/private/1</link></item>")
    items.append(f"<item><title>gone</title><link>{base}/news/999</link></item>")
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{"".join(items)}</channel></rss>'
    Site.pages["/rss"] = (200, "application/rss+xml", feed.encode())
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.skipif(not ARTICLES, reason="no omskinform article fixtures")
def test_crawl_over_http(site: str, tmp_path: Path) -> None:
    spider_file = tmp_path / "local_spider.py"
    spider_file.write_text(
        textwrap.dedent(f"""
        from omskcrawl.spiders.omskinform import OmskinformSpider

        class LocalSpider(OmskinformSpider):
            name = "localsite"
            allowed_domains = ["127.0.0.1"]
            feeds = ("{site}/rss",)
            listings = ()
            article_url = r"/(news|private)/\\d+"
    """)
    )
    exports = tmp_path / "exports"
    result = scrapy(
        "runspider",
        str(spider_file),
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        *NO_DELAY,
        "-L",
        "INFO",
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "/private/1" not in Site.seen, "robots.txt must be obeyed"
    assert "/robots.txt" in Site.seen
    df = pd.read_parquet(exports / "articles")
    assert len(df) == len(ARTICLES)
    assert set(df["source"].astype(str)) == {"localsite"}
    assert df["title"].notna().all() and df["body"].notna().all()
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    # Windows-1251 pages decoded: Cyrillic, no mojibake.
    assert df["body"].str.contains("[а-яА-Я]{4}", regex=True).all()
    assert not df["body"].str.contains("Ð|Ã", regex=True).any()
