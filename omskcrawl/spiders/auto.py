"""`scrapy crawl auto -a url=https://some-omsk-outlet.ru/` — a site with no module.

Discovers what a site module would declare: feeds (`<link rel=alternate>` on the
homepage, else the common paths), sitemaps (robots.txt `Sitemap:` lines, else
`/sitemap.xml`) and the homepage's own article links (by URL shape), then extracts
every article with the generic layers. Time zone Asia/Omsk unless `-a tz=Area/City`.
Items carry the site's domain as `source` (also the spider's name in stats and the
manifest). `scrapy sitecheck --url URL` runs it in probe mode and reports what it found.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import urljoin, urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import scrapy
from scrapy.http import Response, TextResponse

from omskcrawl.discovery import Entry, article_links, is_feed, looks_like_article, parse_feed
from omskcrawl.normalize.urls import registrable_domain
from omskcrawl.spiders.base import NewsSpider

FEED_PATHS = ("/rss", "/rss.xml", "/feed", "/feed/", "/rss/", "/index.xml", "/atom.xml")
SITEMAP_PATHS = ("/sitemap.xml",)
FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/xml", "text/xml")
STAT = "omskcrawl/auto"


class AutoSpider(NewsSpider):
    name = "auto"
    site_module = False

    def __init__(
        self, *args: Any, url: str | None = None, tz: str | None = None, **kwargs: Any
    ) -> None:
        if not url:
            raise ValueError("the auto spider needs the site: -a url=https://example.ru/")
        parts = urlsplit(url if "://" in url else f"https://{url}")
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"not a web address: {url!r}")
        domain = registrable_domain(parts.hostname)
        super().__init__(*args, name=domain, **kwargs)
        self.home = f"{parts.scheme}://{parts.netloc}/"
        self.allowed_domains = [domain]
        zone = tz or NewsSpider.timezone
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError) as e:
            raise ValueError(f"unknown time zone {zone!r}; use an IANA name like Asia/Omsk") from e
        self.timezone = zone  # type: ignore[misc]  # per instance: the site's zone

    def is_article_url(self, url: str) -> bool:
        return looks_like_article(url)

    def wants(self, entry: Entry) -> bool:
        # A feed lists articles whatever their URLs look like; keep the site's own.
        if entry.via == "feed":
            return registrable_domain(urlsplit(entry.url).hostname or "") == self.allowed_domains[0]
        return looks_like_article(entry.url)

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.home, callback=self.parse_home, meta={"omskcrawl_kind": "home"})
        yield scrapy.Request(
            urljoin(self.home, "/robots.txt"),
            callback=self.parse_robots,
            errback=self._no_robots,
            dont_filter=True,
            meta={"omskcrawl_kind": "robots"},
        )

    def _found(self, kind: str, url: str) -> None:
        """Record a discovered source (`scrapy sitecheck --url` reports them)."""
        found = self.crawler.stats.get_value(f"{STAT}/{kind}") or []
        self.crawler.stats.set_value(f"{STAT}/{kind}", [*found, url])

    def parse_home(self, response: Response) -> Iterator[Any]:
        if not isinstance(response, TextResponse):
            return
        links = response.xpath("//link[@rel='alternate'][@href]")
        feeds = [
            response.urljoin(link.attrib["href"])
            for link in links
            if (link.attrib.get("type") or "").split(";")[0].strip().lower() in FEED_TYPES
        ]
        for url in feeds or [urljoin(self.home, path) for path in FEED_PATHS]:
            yield scrapy.Request(
                url, callback=self.parse_feed, errback=self._ignore, meta={"omskcrawl_kind": "feed"}
            )
        entries = article_links(response.selector, response.url, looks_like_article, via="listing")
        self.crawler.stats.set_value(f"{STAT}/homepage_links", len(entries))
        yield from self.follow_entries(response, entries)

    def parse_robots(self, response: Response) -> Iterator[Any]:
        text = response.text if isinstance(response, TextResponse) else ""
        sitemaps = [
            line.split(":", 1)[1].strip()
            for line in text.splitlines()
            if line.lower().startswith("sitemap:") and ":" in line
        ]
        for url in sitemaps or [urljoin(self.home, path) for path in SITEMAP_PATHS]:
            yield self._sitemap_request(url)

    def _no_robots(self, failure: Any) -> Iterator[Any]:
        for path in SITEMAP_PATHS:
            yield self._sitemap_request(urljoin(self.home, path))

    def _sitemap_request(self, url: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse_sitemap,
            errback=self._ignore,
            meta={"omskcrawl_kind": "sitemap"},
        )

    def _ignore(self, failure: Any) -> None:
        """A guessed feed or sitemap path that is not there: nothing to report."""

    def parse_feed(self, response: Response) -> Iterator[Any]:
        if not is_feed(response.body):
            return
        self._found("feeds", response.url)
        yield from self.follow_entries(response, parse_feed(response.body, response.url))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        if response.body.lstrip()[:1] in (b"<", b"\x1f"):
            self._found("sitemaps", response.url)
        yield from super().parse_sitemap(response)
