"""Discovery rules: `since` stops a backfill; known URLs are not fetched again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Request
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from omskcrawl.dedup.state import UrlRecord
from omskcrawl.discovery import Entry
from omskcrawl.middlewares import IncrementalMiddleware
from omskcrawl.spiders.base import ENTRY
from omskcrawl.spiders.bk55 import Bk55Spider
from omskcrawl.spiders.gorod55 import Gorod55Spider
from omskcrawl.warc import CAPTURED_AT
from tests.conftest import make_spider

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def listing(items: list[tuple[str, str]], next_href: str | None) -> HtmlResponse:
    """A gorod55-style /news page with (slug, date text) items."""
    cards = "".join(
        f'<a class="item" href="/news/2026-11-26/{slug}"><div class="time">{when}</div>'
        f'<div class="title">Новость {slug}</div></a>'
        for slug, when in items
    )
    nxt = f'<link rel="next" href="{next_href}">' if next_href else ""
    html = f"<html><head>{nxt}</head><body><div class='other-mats'>{cards}</div></body></html>"
    request = Request("https://gorod55.ru/news", meta={CAPTURED_AT: NOW})
    return HtmlResponse(request.url, body=html.encode(), encoding="utf-8", request=request)


def run(spider: Any, response: HtmlResponse) -> tuple[list[str], list[str]]:
    out = list(spider.parse_listing(response))
    articles = [r.url for r in out if r.callback == spider.parse_article]
    pages = [r.url for r in out if r.callback == spider.parse_listing]
    return articles, pages


def test_backfill_follows_pages_until_items_are_older_than_since() -> None:
    spider = make_spider(Gorod55Spider, since="2026-11-20")
    page = listing([("a-1", "Сегодня, 08:00"), ("b-2", "Вчера, 16:33")], "/news?page=2")
    articles, pages = run(spider, page)
    assert len(articles) == 2 and pages == ["https://gorod55.ru/news?page=2"]
    old = listing([("c-3", "10 ноября, 10:00"), ("d-4", "9 ноября, 12:00")], "/news?page=3")
    articles, pages = run(spider, old)
    assert articles == [] and pages == []  # all older than since: stop


def test_without_since_only_the_first_listing_page_is_read() -> None:
    spider = make_spider(Gorod55Spider)
    articles, pages = run(spider, listing([("a-1", "Сегодня, 08:00")], "/news?page=2"))
    assert len(articles) == 1 and pages == []


def test_sitemap_index_children_older_than_since_are_skipped() -> None:
    spider = make_spider(Gorod55Spider, since="2026-11-01")
    body = (
        b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        b"<sitemap><loc>https://gorod55.ru/sitemap-2026-11.xml</loc>"
        b"<lastmod>2026-11-25T10:00:00+06:00</lastmod></sitemap>"
        b"<sitemap><loc>https://gorod55.ru/sitemap-2025-01.xml</loc>"
        b"<lastmod>2025-01-31T10:00:00+06:00</lastmod></sitemap></sitemapindex>"
    )
    request = Request("https://gorod55.ru/sitemap.xml", meta={CAPTURED_AT: NOW})
    response = scrapy.http.XmlResponse(request.url, body=body, request=request)
    urls = [r.url for r in spider.parse_sitemap(response)]
    assert urls == ["https://gorod55.ru/sitemap-2026-11.xml"]


@pytest.fixture
def middleware(state: Any) -> IncrementalMiddleware:
    return IncrementalMiddleware(state, MemoryStatsCollector(get_crawler()), revisit_after=None)


def article_request(url: str, modified: str | None = None) -> Request:
    entry = Entry(url, "feed", published_raw=None, modified_raw=modified)
    return Request(url, meta={ENTRY: entry, "omskcrawl_kind": "article"})


def test_known_urls_are_not_fetched_again(middleware: IncrementalMiddleware, state: Any) -> None:
    fetched = (NOW - timedelta(days=1)).timestamp()
    state.put_url(UrlRecord("https://gorod55.ru/news/1", "gorod55", "h", 1, "s", None, fetched))
    assert middleware.process_request(article_request("https://gorod55.ru/news/2")) is None
    with pytest.raises(IgnoreRequest):
        middleware.process_request(article_request("https://gorod55.ru/news/1?utm_source=vk"))
    changed = article_request("https://gorod55.ru/news/1", modified=NOW.isoformat())
    assert middleware.process_request(changed) is None
    unchanged = article_request("https://gorod55.ru/news/1", modified="2026-11-20T10:00:00+06:00")
    with pytest.raises(IgnoreRequest):
        middleware.process_request(unchanged)
    feed = Request("https://gorod55.ru/rss", meta={"omskcrawl_kind": "feed"})
    assert middleware.process_request(feed) is None
    assert middleware.stats.get_value("omskcrawl/incremental/skipped") == 2
    assert middleware.stats.get_value("omskcrawl/incremental/changed") == 1


def test_a_sites_print_view_is_the_stored_article(state: Any) -> None:
    """The URL identity the middleware checks is the one the spider's items get: bk55's
    `//print` view of a stored article is the article (its module's `print_views`)."""
    fetched = (NOW - timedelta(days=1)).timestamp()
    stored = "https://bk55.ru/news/article/27119/"
    state.put_url(UrlRecord(stored, "bk55", "h", 1, "s", None, fetched))
    stats = MemoryStatsCollector(get_crawler())
    bk55 = IncrementalMiddleware(
        state, stats, revisit_after=None, print_views=lambda: Bk55Spider.print_views
    )
    with pytest.raises(IgnoreRequest):
        bk55.process_request(article_request("https://m.bk55.ru/news/article/27119//print"))
    generic = IncrementalMiddleware(state, stats, revisit_after=None)
    assert (
        generic.process_request(article_request("https://bk55.ru/news/article/27119//print"))
        is None
    )


def test_revisit_window(state: Any) -> None:
    stats = MemoryStatsCollector(get_crawler())
    old = (datetime.now(UTC) - timedelta(hours=30)).timestamp()
    state.put_url(UrlRecord("https://gorod55.ru/news/1", "gorod55", "h", 1, "s", None, old))
    request = article_request("https://gorod55.ru/news/1")
    day = IncrementalMiddleware(state, stats, revisit_after=24 * 3600)
    assert day.process_request(request) is None
    two_days = IncrementalMiddleware(state, stats, revisit_after=48 * 3600)
    with pytest.raises(IgnoreRequest):
        two_days.process_request(request)
