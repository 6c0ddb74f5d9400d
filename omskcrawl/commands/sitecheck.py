"""`scrapy sitecheck [SITE ...]`: is each site still readable?

Fetches one feed/listing and one article per site (live, or replayed with
`-s OMSKCRAWL_REPLAY_WARC=...`) and prints which fields came out. Nothing is
written to the dataset. Exit code 1 when a site gave no article or an article
without title, date or body.
"""

from __future__ import annotations

import argparse
from typing import Any

from scrapy import signals
from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from omskcrawl.network import CAUSE, summary_line  # noqa: F401 (CAUSE: doctest)
from omskcrawl.spiders.base import site_names

FIELDS = ("title", "published_at", "body", "tags", "authors", "lead", "image_url")
LABELS = ("title", "date", "body", "tags", "authors", "lead", "image")
ESSENTIAL = ("title", "published_at", "body")


class Command(ScrapyCommand):
    requires_project = True
    # Probing writes nothing: no dataset, no state, no manifest.
    overrides = {
        "LOG_LEVEL": "WARNING",
        "ITEM_PIPELINES": {},
        "DOWNLOADER_MIDDLEWARES": {
            "omskcrawl.middlewares.IncrementalMiddleware": None,
            "omskcrawl.network.NetworkFailureMiddleware": 40,
        },
        "OMSKCRAWL_MANIFEST_PER_SPIDER": False,
        "CLOSESPIDER_ITEMCOUNT": 1,
    }

    def syntax(self) -> str:
        return "[SITE ...] | --url URL [--tz ZONE]"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--url", help="a site with no module: what the `auto` spider finds there"
        )
        parser.add_argument("--tz", help="that site's time zone (default Asia/Omsk)")

    def short_desc(self) -> str:
        return "Fetch one feed/listing and one article per site; show which fields came out"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        for name, value in self.overrides.items():
            if name != "LOG_LEVEL" or not opts.loglevel:
                self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        process = self.crawler_process
        assert process is not None
        if opts.url:
            if args:
                raise UsageError("give sites or --url, not both")
            self.exitcode = check_url(process, opts.url, opts.tz)
            return
        available = site_names(process.spider_loader)
        unknown = sorted(set(args) - set(available))
        if unknown:
            raise UsageError(f"unknown site(s): {', '.join(unknown)}; see `scrapy list`")
        results: dict[str, list[dict[str, Any]]] = {}
        crawlers: list[Crawler] = []
        for name in args or sorted(available):
            crawler = process.create_crawler(name)
            found: list[dict[str, Any]] = results.setdefault(name, [])
            crawler.signals.connect(
                lambda item, found=found, **kw: found.append(dict(item)),
                signal=signals.item_scraped,
                weak=False,
            )
            crawlers.append(crawler)
            process.crawl(crawler, probe="1")
        process.start()
        self.exitcode = print_report(results, crawlers)


def why_no_article(stats: dict[str, Any]) -> str:
    """Network failure, HTTP errors, or pages that came back but could not be read.

    >>> why_no_article({CAUSE + "DNS lookup failed for bk55.ru": 2})
    'NETWORK: no response — DNS lookup failed for bk55.ru (2 requests)'
    >>> why_no_article({"downloader/response_status_count/403": 2})
    'HTTP: no page came back 2xx (403 ×2)'
    >>> why_no_article({"downloader/response_status_count/200": 2})
    'MARKUP: no article (feed/listing gave nothing readable)'
    """
    prefix = "downloader/response_status_count/"
    statuses = {k[len(prefix) :]: int(v) for k, v in stats.items() if k.startswith(prefix)}
    ok = sum(n for code, n in statuses.items() if code.startswith("2"))
    network = summary_line("", stats)
    if ok == 0 and network:
        return "NETWORK: " + network.split(": ", 1)[-1]
    if ok == 0 and statuses:
        codes = ", ".join(f"{code} ×{n}" for code, n in sorted(statuses.items()))
        return f"HTTP: no page came back 2xx ({codes})"
    return "MARKUP: no article (feed/listing gave nothing readable)"


def check_url(process: Any, url: str, tz: str | None) -> int:
    """`--url`: run `auto` in probe mode (every source found, a few articles) and report."""
    crawler = process.create_crawler("auto")
    # All discovery answers are wanted here, not just the first article.
    crawler.settings.set("CLOSESPIDER_ITEMCOUNT", 0, priority="cmdline")
    found: list[dict[str, Any]] = []
    crawler.signals.connect(
        lambda item, **kw: found.append(dict(item)), signal=signals.item_scraped, weak=False
    )
    kwargs = {"url": url, "probe": "1", **({"tz": tz} if tz else {})}
    try:
        process.crawl(crawler, **kwargs)
    except ValueError as e:
        raise UsageError(str(e)) from e
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    print(f"feeds: {', '.join(stats.get('omskcrawl/auto/feeds', [])) or 'none found'}")
    print(f"sitemaps: {', '.join(stats.get('omskcrawl/auto/sitemaps', [])) or 'none found'}")
    print(f"homepage article links: {stats.get('omskcrawl/auto/homepage_links', 0)}")
    name = crawler.spider.name if crawler.spider else "auto"
    return print_report({"auto": found}, [crawler], site=name)


def print_report(
    results: dict[str, list[dict[str, Any]]], crawlers: list[Crawler], site: str | None = None
) -> int:
    header = f"{'site':<14} {'pages':>5}  " + " ".join(f"{label:<7}" for label in LABELS) + "  url"
    print(header)
    broken = 0
    for crawler in crawlers:
        assert crawler.spidercls is not None
        name = crawler.spidercls.name
        shown = site or name
        stats = crawler.stats.get_stats() if crawler.stats else {}
        pages = int(stats.get("downloader/response_status_count/200", 0))
        items = results.get(name, [])
        if not items:
            broken += 1
            print(f"{shown:<14} {pages:>5}  {why_no_article(stats)}")
            continue
        item = items[0]
        marks = " ".join(f"{'yes' if item.get(f) else '-':<7}" for f in FIELDS)
        if not all(item.get(f) for f in ESSENTIAL):
            broken += 1
        print(f"{shown:<14} {pages:>5}  {marks}  {item.get('url')}")
    print(f"{len(crawlers) - broken} of {len(crawlers)} sites OK")
    return 1 if broken else 0
