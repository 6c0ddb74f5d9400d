"""Every fixture folder, checked by one test: the spider's output must equal expected.json."""

from __future__ import annotations

import json
import re
from datetime import date
from zoneinfo import ZoneInfo

import pytest
import scrapy
from scrapy.spiderloader import SpiderLoader

from omskcrawl.extract.article import item_to_json
from omskcrawl.fixtures import Fixture, iter_fixtures, run_fixture
from omskcrawl.spiders.base import NewsSpider, site_names
from tests.conftest import make_spider

FIXTURES = list(iter_fixtures())
REQUIRED_ARTICLE_KEYS = {"url", "title", "published_at", "date_source", "body", "tags", "authors"}


@pytest.mark.parametrize("fixture", FIXTURES, ids=lambda f: f.name)
def test_fixture(fixture: Fixture, spider_loader: SpiderLoader) -> None:
    spidercls = spider_loader.load(fixture.spider)
    expected = fixture.expected()
    assert expected is not None, f"{fixture.folder} has no expected.json"
    assert fixture.meta.get("reconstruction") is not None, "meta.json must say reconstruction"
    if fixture.kind == "article":
        (item,) = run_fixture(make_spider(spidercls), fixture)
        got = item_to_json(item)
        assert expected.keys() >= REQUIRED_ARTICLE_KEYS
        mismatched = {k: (got.get(k), v) for k, v in expected.items() if got.get(k) != v}
        assert not mismatched, json.dumps(mismatched, ensure_ascii=False, indent=1)
        return
    # Discovery pages: backfill mode, so a listing's next page is followed too.
    spider = make_spider(spidercls, since="1990-01-01")
    out = run_fixture(spider, fixture)
    requests = [r for r in out if isinstance(r, scrapy.Request)]
    articles = [r.url for r in requests if r.callback == spider.parse_article]
    assert articles == expected["articles"]
    if fixture.kind == "listing":
        pages = [r.url for r in requests if r.callback == spider.parse_listing]
        assert pages == ([expected["next_page"]] if expected.get("next_page") else [])


def test_every_spider_has_fixtures(spider_loader: SpiderLoader) -> None:
    """The contract: every site has an article fixture and a discovery fixture."""
    kinds: dict[str, set[str]] = {}
    for fixture in FIXTURES:
        kinds.setdefault(fixture.spider, set()).add(fixture.kind)
    for name in site_names(spider_loader):
        assert "article" in kinds.get(name, set()), f"{name}: no article fixture"
        assert kinds[name] & {"feed", "sitemap", "listing"}, f"{name}: no feed/listing fixture"
    assert set(kinds) <= set(site_names(spider_loader)), "fixture folder without a spider"


@pytest.mark.parametrize(
    "name",
    site_names(
        SpiderLoader.from_settings(
            __import__("scrapy.utils.project", fromlist=["x"]).get_project_settings()
        )
    ),
)
def test_spider_contract(name: str, spider_loader: SpiderLoader) -> None:
    spidercls = spider_loader.load(name)
    assert issubclass(spidercls, NewsSpider)
    assert spidercls.allowed_domains
    ZoneInfo(spidercls.timezone)
    assert spidercls.feeds or spidercls.sitemaps or spidercls.listings
    if spidercls.listings:
        assert spidercls.listing is not None, "listings need ListingSelectors"
    spider = make_spider(spidercls)
    for fixture in FIXTURES:
        if fixture.spider == name and fixture.kind == "article":
            assert spider.is_article_url(fixture.url), f"article_url misses {fixture.url}"


def test_since_is_validated(spider_loader: SpiderLoader) -> None:
    spidercls = spider_loader.load(site_names(spider_loader)[0])
    assert make_spider(spidercls, since="2024-11-01").since == date(2024, 11, 1)
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        make_spider(spidercls, since="вчера")


YEARLESS_OR_RELATIVE = re.compile(
    r"(?i)сегодня|вчера|позавчера|назад|^\D*\d{1,2}:\d{2}\D*$|"
    r"^\D*\d{1,2}\s+[а-я]+\.?,?\s+(?:в\s+)?\d{1,2}:\d{2}\D*$|^\D*\d{1,2}:\d{2}\s+\d{1,2}\s+[а-я]+$"
)


@pytest.mark.parametrize("name", sorted({f.spider for f in FIXTURES}))
def test_site_fixture_coverage(name: str, spider_loader: SpiderLoader) -> None:
    """Per site: two articles (one with tags, one with a relative or year-less visible date),
    the feed or sitemap it starts from, and a listing with a next page."""
    mine = [f for f in FIXTURES if f.spider == name]
    spider = make_spider(spider_loader.load(name))
    items = [run_fixture(spider, f)[0] for f in mine if f.kind == "article"]
    assert len(items) >= 2
    assert any(item.get("tags") for item in items), "no article with tags"
    assert any(
        item.get("date_source") == "text"
        and YEARLESS_OR_RELATIVE.search(item.get("published_raw") or "")
        for item in items
    ), "no article whose visible date is relative or year-less"
    assert {f.kind for f in mine} & {"feed", "sitemap"}, "no feed or sitemap"
    listings = [f.expected() or {} for f in mine if f.kind == "listing"]
    assert any(lst.get("next_page") for lst in listings), "no listing with a next page"
