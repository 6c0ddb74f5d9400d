"""What a crawl keeps in memory: nothing of a page once its callback is done; caches bounded."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest
from scrapy.spiderloader import SpiderLoader

from omskcrawl.dedup import similarity
from omskcrawl.dedup.similarity import HEADLINE_CACHE_SIZE
from omskcrawl.fixtures import Fixture, iter_fixtures
from tests.conftest import make_spider

ARTICLES = [f for f in iter_fixtures() if f.kind == "article"]


@pytest.fixture
def no_cycle_collection() -> Iterator[None]:
    """Only reference counting frees objects: what a cycle holds stays (as it does in a crawl
    until the next full collection, hundreds of pages later)."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


@pytest.mark.usefixtures("no_cycle_collection")
@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_a_parsed_article_page_is_freed_with_its_last_reference(
    fixture: Fixture, spider_loader: SpiderLoader
) -> None:
    spider = make_spider(spider_loader.load(fixture.spider))
    response = fixture.response()
    page = weakref.ref(response)
    (item,) = spider.parse_article(response)
    assert item["title"]
    del response
    assert page() is None, "the response (and its parsed tree) is kept alive by a cycle"


def test_the_parsed_headline_cache_stops_at_its_bound() -> None:
    for n in range(HEADLINE_CACHE_SIZE + 50):
        similarity._headline(f"Мэр Омска открыл {n} школ в Таре")
    info = similarity._headline.cache_info()
    assert info.maxsize == HEADLINE_CACHE_SIZE
    assert info.currsize == HEADLINE_CACHE_SIZE
