"""`scrapy extract FILE --url URL [--spider NAME] [--crawl-time ISO]`: one page → one JSON item."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import HtmlResponse
from scrapy.spiderloader import get_spider_loader

from omskcrawl.extract.article import GENERIC, extract_article, item_to_json, page_selector
from omskcrawl.normalize.urls import PathRewrites
from omskcrawl.spiders.base import NewsSpider


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "FILE --url URL [--spider NAME] [--crawl-time ISO]"

    def short_desc(self) -> str:
        return "Extract the article from a saved HTML page and print it as JSON"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--url", required=True, help="the page's URL")
        parser.add_argument("--spider", help="use this site's selectors, zone and encoding")
        parser.add_argument(
            "--crawl-time", help="when the page was fetched (ISO 8601 with offset); default now"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one FILE")
        path = Path(args[0])
        if not path.is_file():
            raise UsageError(f"no such file: {path}")
        now = datetime.now(UTC)
        if opts.crawl_time:
            try:
                now = datetime.fromisoformat(opts.crawl_time)
            except ValueError as e:
                raise UsageError(f"--crawl-time is not ISO 8601: {opts.crawl_time}") from e
            if now.tzinfo is None:
                raise UsageError("--crawl-time needs a zone offset, e.g. 2026-11-26T09:00+06:00")
        selectors, tz, encoding, source = GENERIC, "Asia/Omsk", None, None
        outlets: tuple[str, ...] = ()
        print_views: PathRewrites = ()
        if opts.spider:
            assert self.settings is not None
            try:
                spidercls = get_spider_loader(self.settings).load(opts.spider)
            except KeyError as e:
                raise UsageError(f"no spider named {opts.spider!r}") from e
            selectors = getattr(spidercls, "article", GENERIC)
            tz = getattr(spidercls, "timezone", tz)
            encoding = getattr(spidercls, "encoding", None)
            source = opts.spider
            if issubclass(spidercls, NewsSpider):
                outlets = spidercls.title_outlets()
                print_views = spidercls.print_views
        response = HtmlResponse(url=opts.url, body=path.read_bytes(), encoding=encoding)
        item = extract_article(
            page_selector(response.text, response.url),
            url=opts.url,
            now=now,
            tz=tz,
            selectors=selectors,
            source=source,
            outlets=outlets,
            print_views=print_views,
        )
        json.dump(item_to_json(item), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
