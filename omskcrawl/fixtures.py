"""The fixture model: one recorded page per folder (`meta.json` + page bytes + `expected.json`).

The bundled sample under `omskcrawl/sample/sites/<spider>/<case>/` is both the
test fixtures and the offline demo's pages (see docs/fixtures.md).
`save_fixture` writes such a folder from a real capture (`scrapy savefixture`),
with `expected.json` from today's extraction for a person to review.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from omskcrawl.extract.article import item_to_json
from omskcrawl.warc import CAPTURED_AT

if TYPE_CHECKING:
    from omskcrawl.spiders.base import NewsSpider

SAMPLE_ROOT = Path(__file__).parent / "sample" / "sites"


@dataclass(frozen=True)
class Fixture:
    """One recorded page: `meta.json` + the page bytes (+ `expected.json`)."""

    folder: Path
    meta: dict[str, Any]

    @property
    def spider(self) -> str:
        return self.folder.parent.name

    @property
    def name(self) -> str:
        return f"{self.spider}/{self.folder.name}"

    @property
    def url(self) -> str:
        return str(self.meta["url"])

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def crawl_time(self) -> datetime:
        value = datetime.fromisoformat(self.meta["crawl_time"])
        if value.tzinfo is None:
            raise ValueError(f"{self.folder}: crawl_time needs a zone offset")
        return value

    @property
    def body(self) -> bytes:
        return (self.folder / self.meta.get("file", "page.html")).read_bytes()

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.meta.get("headers", {}))

    def expected(self) -> dict[str, Any] | None:
        path = self.folder / "expected.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    def response(self) -> Response:
        headers = Headers(self.headers)
        cls = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        request = Request(self.url, meta={CAPTURED_AT: self.crawl_time})
        return cls(
            url=self.url,
            status=int(self.meta.get("status", 200)),
            headers=headers,
            body=self.body,
            request=request,
        )


def iter_fixtures(root: Path = SAMPLE_ROOT) -> Iterator[Fixture]:
    for meta_path in sorted(root.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        yield Fixture(meta_path.parent, meta)


# Fields of a run, not of the page: never in expected.json.
RUN_FIELDS = frozenset(
    {
        "crawled_at",
        "crawl_date",
        "run_id",
        "version",
        "previous_hash",
        "story_id",
        "duplicate_of",
        "warc_file",
        "warc_record_id",
    }
)
PAGE_FILES = {"article": "page.html", "listing": "page.html", "feed": "feed.xml"}


def run_fixture(spider: NewsSpider, fixture: Fixture) -> list[Any]:
    """What the spider makes of the recorded page: items, or requests for discovery pages."""
    callback = {
        "article": spider.parse_article,
        "feed": spider.parse_feed,
        "sitemap": spider.parse_sitemap,
        "listing": spider.parse_listing,
    }[fixture.kind]
    return list(callback(fixture.response()))


def expected_of(spider: NewsSpider, fixture: Fixture) -> dict[str, Any]:
    """Today's extraction of the page in expected.json form (for a person to review).

    `spider` must run in backfill mode (`since` far back) so a listing's next page shows.
    """
    out = run_fixture(spider, fixture)
    if fixture.kind == "article":
        items = [item_to_json(o) for o in out if not isinstance(o, Request)]
        return {k: v for k, v in items[0].items() if k not in RUN_FIELDS} if items else {}
    requests = [o for o in out if isinstance(o, Request)]
    expected: dict[str, Any] = {
        "articles": [r.url for r in requests if r.callback == spider.parse_article]
    }
    if fixture.kind == "listing":
        pages = [r.url for r in requests if r.callback == spider.parse_listing]
        expected["next_page"] = pages[0] if pages else None
    return expected


def guess_kind(spider: NewsSpider, url: str, response: Response) -> str:
    """article when the URL is one of the site's articles, else what the body looks like."""
    if spider.is_article_url(url):
        return "article"
    head = response.body[:2000]
    if b"<urlset" in head or b"<sitemapindex" in head:
        return "sitemap"
    if b"<rss" in head or b"<feed" in head:
        return "feed"
    return "listing"


def save_fixture(
    folder: Path,
    spider: NewsSpider,
    response: Response,
    captured_at: datetime,
    *,
    kind: str | None = None,
    note: str = "",
) -> Fixture:
    """Write a fixture folder from a real capture: meta.json, the page bytes, expected.json."""
    kind = kind or guess_kind(spider, response.url, response)
    name = PAGE_FILES.get(kind, "sitemap.xml")
    folder.mkdir(parents=True, exist_ok=False)
    (folder / name).write_bytes(response.body)
    content_type = response.headers.get("Content-Type")
    meta = {
        "url": response.url,
        "kind": kind,
        "file": name,
        "crawl_time": captured_at.astimezone(ZoneInfo(spider.timezone)).isoformat(),
        "status": response.status,
        "headers": {"Content-Type": content_type.decode("latin-1")} if content_type else {},
        "reconstruction": False,
        "note": note,
    }
    (folder / "meta.json").write_text(
        json.dumps(meta, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    fixture = Fixture(folder, meta)
    expected = expected_of(spider, fixture)
    (folder / "expected.json").write_text(
        json.dumps(expected, ensure_ascii=False, indent=2) + "\n", "utf-8"
    )
    return fixture
