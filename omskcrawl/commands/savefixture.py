"""`scrapy savefixture SITE (URL | --warc FILE --url URL)`: a real page becomes a fixture folder.

With a URL the page is fetched live, through the project's settings (User-Agent,
robots.txt) and archived to WARC on the way; with `--warc` it is read from an
archive (ours or another tool's; the newest capture of the URL). The folder
`<sites root>/<SITE>/<case>/` gets the page bytes, `meta.json` (URL, kind,
capture time in the site's zone, Content-Type, `"reconstruction": false`) and
`expected.json` from today's extraction, for a person to review before commit.
"""

from __future__ import annotations

import argparse
import re
import shutil
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from omskcrawl.fixtures import SAMPLE_ROOT, guess_kind, save_fixture
from omskcrawl.spiders.base import NewsSpider
from omskcrawl.warc.index import WarcIndex, read_capture

KINDS = ("article", "feed", "sitemap", "listing")


class FetchOne(scrapy.Spider):
    """Fetches one URL; the WARC middleware archives it."""

    name = "savefixture"

    def __init__(self, url: str, found: list[str], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url = url
        self.found = found  # the URL answered (after redirects)

    async def start(self) -> AsyncIterator[Any]:
        yield scrapy.Request(self.url, callback=self.parse, dont_filter=True)

    def parse(self, response: Response) -> None:
        self.found.append(response.url)


def case_name(kind: str, url: str) -> str:
    """A folder name from the kind and the URL's last path segment.

    >>> case_name("article", "https://www.omskinform.ru/news/218377")
    'article-218377'
    >>> case_name("feed", "https://gorod55.ru/rss/")
    'feed-rss'
    """
    segments = [s for s in urlsplit(url).path.split("/") if s]
    slug = re.sub(r"[^\w-]+", "-", segments[-1] if segments else "index").strip("-")
    return f"{kind}-{slug[:60] or 'index'}"


class Command(ScrapyCommand):
    requires_project = True

    def syntax(self) -> str:
        return "SITE (URL | --warc FILE --url URL) [--kind KIND] [--case NAME] [--out DIR]"

    def short_desc(self) -> str:
        return "Save a real page (live or from a WARC) as a fixture folder of a site"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--warc", help="read the page from this WARC file instead of live")
        parser.add_argument("--url", help="the page's URL (with --warc)")
        parser.add_argument("--kind", choices=KINDS, help="default: guessed from URL and body")
        parser.add_argument("--case", help="folder name (default: <kind>-<last URL segment>)")
        parser.add_argument("--out", help=f"sites root (default: {SAMPLE_ROOT})")

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        self.capture_dir: Path | None = None
        if opts.warc:
            return
        # A live fetch writes only its WARC, into a folder of its own.
        self.capture_dir = Path(tempfile.mkdtemp(prefix="omskcrawl-savefixture-"))
        overrides = {
            "OMSKCRAWL_EXPORT_DIR": str(self.capture_dir),
            "OMSKCRAWL_REPLAY_WARC": [],
            "OMSKCRAWL_WARC_ENABLED": True,
            "OMSKCRAWL_MANIFEST_PER_SPIDER": False,
            "ITEM_PIPELINES": {},
            "DOWNLOADER_MIDDLEWARES": {
                **self.settings.getdict("DOWNLOADER_MIDDLEWARES"),
                "omskcrawl.middlewares.IncrementalMiddleware": None,
            },
        }
        for name, value in overrides.items():
            self.settings.set(name, value, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        try:
            self._run(args, opts)
        finally:
            if self.capture_dir is not None:
                shutil.rmtree(self.capture_dir, ignore_errors=True)

    def _run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.warc:
            if len(args) != 1 or not opts.url:
                raise UsageError("give SITE --warc FILE --url URL")
            warc, url = Path(opts.warc), opts.url
            if not warc.is_file():
                raise UsageError(f"no such WARC file: {warc}")
        else:
            if len(args) != 2:
                raise UsageError("give SITE URL, or SITE --warc FILE --url URL")
            url = args[1]
            warc, url = self._fetch(url)
        site = args[0]
        process = self.crawler_process
        assert process is not None and self.settings is not None
        try:
            spidercls = process.spider_loader.load(site)
        except KeyError as e:
            raise UsageError(f"no site named {site!r}; see `scrapy list`") from e
        if not issubclass(spidercls, NewsSpider):
            raise UsageError(f"{site} is not a news site spider")
        # A spider bound to a crawler with the project's settings (as in a crawl), not started.
        crawler = get_crawler(spidercls, self.settings.copy_to_dict())
        spider = spidercls.from_crawler(crawler, since="1990-01-01")
        captures = WarcIndex([str(warc)], keep=False).find(url)
        if not captures:
            raise UsageError(f"{url} is not in {warc}")
        capture = captures[-1]  # the newest
        response = read_capture(capture, url)
        kind = opts.kind or guess_kind(spider, url, response)
        root = Path(opts.out) if opts.out else SAMPLE_ROOT
        folder = root / site / (opts.case or case_name(kind, url))
        if folder.exists():
            raise UsageError(f"{folder} exists; give another --case")
        note = f"Captured {capture.date} ({Path(capture.path).name} {capture.record_id})."
        save_fixture(folder, spider, response, capture.captured_at, kind=kind, note=note)
        print(f"saved {kind} fixture {folder}: review expected.json before committing it")

    def _fetch(self, url: str) -> tuple[Path, str]:
        process = self.crawler_process
        assert process is not None and self.capture_dir is not None
        found: list[str] = []
        process.crawl(FetchOne, url=url, found=found)
        process.start()
        warcs = sorted((self.capture_dir / "warc").glob("*.warc.gz"))
        if not found or not warcs:
            raise UsageError(f"could not fetch {url} (see the log)")
        return warcs[-1], found[0]
