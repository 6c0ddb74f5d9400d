"""The base news spider: discovery from feeds, sitemaps and listings; one article path.

Site modules subclass `NewsSpider` and only declare: name, domains, sources
(feeds, sitemaps, listings), selectors, time zone. Everything else is here.

- Feeds and sitemaps are read first; the first page of each listing is read
  too (it catches what a feed dropped, and is the only source of sites without
  feeds). Older listing pages are walked only for a backfill (`-a since=`),
  until a page holds nothing newer than `since` or OMSKCRAWL_MAX_PAGES is hit.
- Entries older than `since` are not fetched.
- "Now" for relative dates is the capture time of the response (the WARC date
  when replaying), so «вчера» means the day before the page was fetched.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Any, ClassVar

import scrapy
from lxml import etree
from parsel import Selector
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response, TextResponse
from scrapy.utils.gz import gunzip
from twisted.python.failure import Failure

from omskcrawl.discovery import (
    Entry,
    ListingSelectors,
    article_links,
    looks_like_article,
    parse_feed,
    parse_listing,
    parse_sitemap,
    unique_entries,
)
from omskcrawl.extract.article import (
    GENERIC,
    ArticleSelectors,
    Hints,
    extract_article,
    page_selector,
)
from omskcrawl.extract.pagecheck import (
    MAX_DEPTH,
    content_problem,
    encoding_fix,
    markup_depth,
    soft_404,
)
from omskcrawl.fetchfailures import SOURCE_KINDS, SOURCES_OK, SOURCES_REQUESTED
from omskcrawl.items import ArticleItem, RejectedPage
from omskcrawl.normalize import canonical_url, parse_date
from omskcrawl.normalize.dates import date_from_url
from omskcrawl.normalize.urls import PathRewrites
from omskcrawl.warc import CAPTURED_AT, WARC_RECORD

# Larger pages are quarantined unread: parsing one costs about a second of CPU per MiB.
MAX_PAGE_BYTES = 4 * 1024 * 1024
MAX_REJECTED_TITLE = 300


def _has_own_headline(page: Selector) -> bool:
    """The page names itself: an h1, og:title or JSON-LD headline (not only the feed)."""
    return bool(
        page.xpath("normalize-space(//h1)").get()
        or page.xpath('//meta[@property="og:title"]/@content').get()
        or "headline" in (page.xpath('//script[@type="application/ld+json"]').get() or "")
    )


PROBE_TRIES = 5
# Fields every article has: a site selector that misses them is a redesign warning.
ALWAYS_PRESENT = frozenset({"title", "body", "date"})
ENTRY = "omskcrawl_entry"


def capture_time(response: Response) -> datetime:
    """When the response was fetched: the replayed capture's date, else now."""
    value = response.meta.get(CAPTURED_AT)
    if isinstance(value, datetime):
        return value
    return datetime.now(UTC)


def parse_since(value: str | date | None) -> date | None:
    """`-a since=YYYY-MM-DD`; a clear error for anything else.

    >>> parse_since("2024-11-01")
    datetime.date(2024, 11, 1)
    >>> parse_since("1 ноября")
    Traceback (most recent call last):
    ...
    ValueError: since must be a date as YYYY-MM-DD, got '1 ноября'
    """
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value)
    except ValueError as e:
        raise ValueError(f"since must be a date as YYYY-MM-DD, got {value!r}") from e


def site_names(loader: Any) -> list[str]:
    """The spiders of site modules (`crawlall`, `sitecheck`), without `auto`."""
    return sorted(n for n in loader.list() if getattr(loader.load(n), "site_module", False))


class NewsSpider(scrapy.Spider):
    """Base for every site. Subclasses declare; they do not override methods."""

    # A module for one site (its fixtures, its contract); `auto` is none.
    site_module: ClassVar[bool] = True
    timezone: ClassVar[str] = "Asia/Omsk"
    feeds: ClassVar[tuple[str, ...]] = ()
    sitemaps: ClassVar[tuple[str, ...]] = ()
    listings: ClassVar[tuple[str, ...]] = ()
    listing: ClassVar[ListingSelectors | None] = None
    article: ClassVar[ArticleSelectors] = GENERIC
    # Regex an article URL matches; discovery ignores other links (menus, tags, ads).
    article_url: ClassVar[str] = r""
    # Force a page encoding where a site declares none or a wrong one.
    encoding: ClassVar[str | None] = None
    # Names the outlet signs its headlines with («… — Омск-информ»): stripped from titles.
    # Case-insensitive; a space matches any run of spaces; list spelling variants.
    outlet_names: ClassVar[tuple[str, ...]] = ()
    # Outlets without a module of their own that any site's headline may credit.
    credited_outlets: ClassVar[tuple[str, ...]] = (
        "Омская правда",
        "Вести-Омск",
        "Вести Омск",
        "ГТРК Иртыш",
        "ГТРК «Иртыш»",
        'ГТРК "Иртыш"',
        "Омск здесь",
        "Omskzdes",
        "ОмскМедиа",
        "Omskmedia",
        "ОмскПресс",
        "Омск-Пресс",
        "Вечерний Омск",
        "Омский вестник",
        "РБК",
        "Комсомольская правда",
        "Российская газета",
        "ТАСС",
        "РИА Новости",
        "Интерфакс",
    )
    # Path rewrites (regex, replacement) that fold the site's own print/AMP views onto the
    # article URL, the article's identity (`canonical_url`); generic `/amp`, `?amp`,
    # `?print` need none.
    print_views: ClassVar[PathRewrites] = ()

    def __init__(
        self, *args: Any, since: str | None = None, probe: bool | str = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.since = parse_since(since)
        # Probe mode (`scrapy sitecheck`): one feed/listing and one article only.
        self.probe = probe not in (False, "", "0", "false", "False")
        self._article_re = re.compile(self.article_url) if self.article_url else None
        self._warned: set[str] = set()

    @property
    def max_pages(self) -> int:
        return self.settings.getint("OMSKCRAWL_MAX_PAGES", 50) if hasattr(self, "crawler") else 50

    def start_urls_all(self) -> Iterator[tuple[str, str]]:
        for url in self.feeds:
            yield url, "feed"
        for url in self.sitemaps:
            yield url, "sitemap"
        for url in self.listings:
            yield url, "listing"

    async def start(self) -> AsyncIterator[Any]:
        for request in self.start_requests_all():
            yield request

    def start_requests_all(self) -> Iterator[scrapy.Request]:
        sources = list(self.start_urls_all())
        if self.probe:
            sources = sources[:1]
        for url, kind in sources:
            self._count(SOURCES_REQUESTED)
            callback = {
                "feed": self.parse_feed,
                "sitemap": self.parse_sitemap,
                "listing": self.parse_listing,
            }[kind]
            yield scrapy.Request(url, callback=callback, meta={"omskcrawl_kind": kind})

    # Discovery -----------------------------------------------------------------

    def is_article_url(self, url: str) -> bool:
        return self._article_re is None or bool(self._article_re.search(url))

    def wants(self, entry: Entry) -> bool:
        """Whether a discovered entry is an article of this site worth fetching."""
        return self.is_article_url(entry.url)

    def _entry_date(self, entry: Entry, now: datetime) -> datetime | None:
        """The entry's date; a date in its URL when discovery gave none."""
        raw = entry.published_raw or entry.modified_raw
        if raw:
            return parse_date(raw, now=now, tz=self.timezone, url=entry.url)
        day = date_from_url(entry.url)
        return parse_date(day.isoformat(), now=now, tz=self.timezone) if day else None

    def _too_old(self, when: datetime | None) -> bool:
        return bool(self.since and when and when.date() < self.since)

    def follow_entries(self, response: Response, entries: Iterable[Entry]) -> Iterator[Any]:
        now = capture_time(response)
        stats = self.crawler.stats if hasattr(self, "crawler") else None
        wanted = []
        for entry in unique_entries(list(entries)):
            if not self.wants(entry):
                if stats:
                    stats.inc_value(f"omskcrawl/discovery/not_article/{entry.via}")
                continue
            if self._too_old(self._entry_date(entry, now)):
                if stats:
                    stats.inc_value("omskcrawl/discovery/older_than_since")
                continue
            if stats:
                stats.inc_value(f"omskcrawl/discovery/{entry.via}")
            wanted.append(entry)
        if self.probe:
            if wanted:
                yield self._probe_request(wanted[:PROBE_TRIES])
            return
        for entry in wanted:
            yield self._article_request(entry)

    def _article_request(self, entry: Entry, **kwargs: Any) -> scrapy.Request:
        meta = {ENTRY: entry, "omskcrawl_kind": "article", **kwargs.pop("meta", {})}
        return scrapy.Request(entry.url, callback=self.parse_article, meta=meta, **kwargs)

    def _probe_request(self, entries: list[Entry]) -> scrapy.Request:
        """Probe mode: one article; when it fails, the next entry instead."""
        return self._article_request(
            entries[0], errback=self._probe_next, meta={"omskcrawl_probe_rest": entries[1:]}
        )

    def _probe_next(self, failure: Failure) -> Iterator[scrapy.Request]:
        rest = failure.request.meta.get("omskcrawl_probe_rest")  # type: ignore[attr-defined]
        if rest:
            yield self._probe_request(rest)

    @classmethod
    def title_outlets(cls) -> tuple[str, ...]:
        """Outlet names stripped from this site's headlines: its own, then credited ones."""
        return cls.outlet_names + cls.credited_outlets

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._request_dropped, signal=signals.request_dropped)
        return spider

    def _request_dropped(self, request: scrapy.Request, spider: scrapy.Spider) -> None:
        """A start source the scheduler dropped as already seen was not asked for by this
        crawl, so it cannot make the site fail (fetchfailures.all_sources_failed)."""
        is_start = "depth" not in request.meta  # DepthMiddleware marks followed requests
        if spider is self and is_start and request.meta.get("omskcrawl_kind") in SOURCE_KINDS:
            self.crawler.stats.inc_value(SOURCES_REQUESTED, -1)

    def _count(self, key: str) -> None:
        if hasattr(self, "crawler") and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)

    def parse_feed(self, response: Response) -> Iterator[Any]:
        self._count(SOURCES_OK)
        yield from self.follow_entries(response, parse_feed(response.body, response.url))

    def parse_sitemap(self, response: Response) -> Iterator[Any]:
        self._count(SOURCES_OK)
        body = response.body
        if body[:2] == b"\x1f\x8b":  # sitemap.xml.gz served as a file, not Content-Encoding
            body = gunzip(body)
        children, entries = parse_sitemap(body)
        now = capture_time(response)
        for child in children[:1] if self.probe else children:
            if self._too_old(self._entry_date(child, now)):
                continue
            yield response.follow(child.url, callback=self.parse_sitemap)
        yield from self.follow_entries(response, entries)

    def parse_listing(self, response: Response, page: int = 1) -> Iterator[Any]:
        if page == 1:
            self._count(SOURCES_OK)
        if not isinstance(response, TextResponse):
            return
        response = self._decoded(response)
        entries: list[Entry] = []
        next_url = None
        if self.listing is not None:
            entries, next_url = parse_listing(response.selector, response.url, self.listing)
        if not entries:
            entries = self._listing_fallback(response)
        yield from self.follow_entries(response, entries)
        if not (self.since and next_url) or page >= self.max_pages or self.probe:
            return
        now = capture_time(response)
        dates = [self._entry_date(e, now) for e in entries]
        known = [d for d in dates if d is not None]
        if known and all(self._too_old(d) for d in known):
            return
        yield scrapy.Request(
            next_url,
            callback=self.parse_listing,
            cb_kwargs={"page": page + 1},
            meta={"omskcrawl_kind": "listing"},
        )

    def _listing_fallback(self, response: TextResponse) -> list[Entry]:
        """The page's own links that look like articles, when the listing selectors match
        nothing (a redesign) or the spider has none (`auto`): counted, warned once."""
        is_article = self.is_article_url if self._article_re else looks_like_article
        entries = article_links(response.selector, response.url, is_article)
        if self.listing is not None and entries:
            self._count("omskcrawl/listing_fallback")
            self._warn_once(
                "listing",
                "%s: listing selectors matched nothing on %s; following %d links that match "
                "the article URL pattern instead (has the site changed its design?)",
                self.name,
                response.url,
                len(entries),
            )
        return entries

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            self.logger.warning(message, *args)

    def _selector_missed(self, field: str) -> None:
        """A declared article selector matched nothing; the generic layer filled in.

        Every article has a title, body and date, so a miss there is a redesign warning.
        Many articles have no lead, byline, tags or section: those misses are counted (the
        quality alarms watch their shares) and said once at INFO.
        """
        self._count(f"omskcrawl/selector_miss/{field}")
        key = f"article/{field}"
        if key in self._warned:
            return
        self._warned.add(key)
        level = logging.WARNING if field in ALWAYS_PRESENT else logging.INFO
        self.logger.log(
            level,
            "%s: the article selector for %s matched nothing; using the generic layer%s",
            self.name,
            field,
            " (has the site changed its design?)" if level == logging.WARNING else "",
        )

    # Articles ------------------------------------------------------------------

    def _decoded(self, response: TextResponse) -> TextResponse:
        if self.encoding and response.encoding != self.encoding:
            return response.replace(encoding=self.encoding)
        return response

    def _page_encoding(self, response: TextResponse) -> TextResponse:
        """The response decoded with the codec its bytes are really in."""
        response = self._decoded(response)
        fixed = encoding_fix(response.body, response.encoding)
        if fixed is None:
            return response
        self._count(f"omskcrawl/encoding_fixed/{self.name}")
        return response.replace(encoding=fixed)

    def _rejected(self, response: Response, reason: str, title: str | None = None) -> RejectedPage:
        warc_file, warc_record_id = response.meta.get(WARC_RECORD, (None, None))
        return RejectedPage(
            url=canonical_url(response.url, print_views=self.print_views),
            fetched_url=response.url,
            source=self.name,
            title=title[:MAX_REJECTED_TITLE] if title else None,
            crawled_at=capture_time(response).astimezone(UTC),
            warc_file=warc_file,
            warc_record_id=warc_record_id,
            reason=reason,
        )

    def parse_article(self, response: Response) -> Iterator[ArticleItem | RejectedPage]:
        try:
            yield from self._parse_article(response)
        finally:
            _forget_text(response)

    def _parse_article(self, response: Response) -> Iterator[ArticleItem | RejectedPage]:
        max_bytes = (
            self.settings.getint("OMSKCRAWL_MAX_PAGE_BYTES", MAX_PAGE_BYTES)
            if hasattr(self, "crawler")
            else MAX_PAGE_BYTES
        )
        if len(response.body) > max_bytes:
            yield self._rejected(response, f"page too large ({len(response.body)} bytes)")
            return
        if not isinstance(response, TextResponse):
            problem = content_problem(response.body, "")
            yield self._rejected(response, problem or "not an article (not a text page)")
            return
        response = self._page_encoding(response)
        problem = content_problem(response.body, response.text)
        if problem is not None:
            yield self._rejected(response, problem)
            return
        # The page's own tree, not `response.selector`: that one is cached on the response and
        # points back to it, a cycle only a full garbage collection frees, so hundreds of parsed
        # pages (libxml2 trees, ~1 MB each) stayed in memory between collections. This one
        # goes with the callback.
        page = page_selector(response.text, response.url)
        depth = markup_depth(page.root)
        if depth > MAX_DEPTH:
            yield self._rejected(response, f"extraction error: markup nested {depth} levels deep")
            return
        entry: Entry | None = response.meta.get(ENTRY)
        # Feed and sitemap dates are machine dates; listing dates (often a bare time under a
        # day heading) only decide what to fetch, never the article's date.
        trusted = entry is not None and entry.via in ("feed", "sitemap")
        hints = Hints(
            published_raw=entry.published_raw if entry and trusted else None,
            modified_raw=entry.modified_raw if entry and trusted else None,
            title=entry.title if entry else None,
        )
        now = capture_time(response)
        try:
            item = extract_article(
                page,
                url=response.url,
                now=now,
                tz=self.timezone,
                selectors=self.article,
                hints=hints,
                source=self.name,
                on_miss=self._selector_missed,
                outlets=self.title_outlets(),
                print_views=self.print_views,
            )
        except (ValueError, RecursionError, etree.LxmlError) as e:
            yield self._rejected(response, f"extraction error: {type(e).__name__}: {e}"[:300])
            return
        page_title = (page.xpath("normalize-space(//title)").get() or "")[:300]
        if soft_404(page_title) or soft_404(item.get("title")):
            yield self._rejected(response, "soft 404", page_title)
            return
        if not item.get("body") and not _has_own_headline(page):
            yield self._rejected(response, "not an article: no headline and no text on the page")
            return
        item["crawled_at"] = now.astimezone(UTC)
        item["warc_file"], item["warc_record_id"] = response.meta.get(WARC_RECORD, (None, None))
        yield item


def _forget_text(response: Response) -> None:
    """Drop the page's decoded text that `response.text` cached on the response: Scrapy keeps
    the response until its item is through every pipeline, and a replay has ~400 pages there at
    a time (~17 MB of text at 1,000 articles, BENCHMARKS.md). A later `.text` decodes again."""
    if isinstance(response, TextResponse):
        response._cached_ubody = None
