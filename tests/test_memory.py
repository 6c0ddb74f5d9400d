"""What a crawl keeps in memory: nothing of a page once its callback is done; caches bounded."""

from __future__ import annotations

import gc
import json
import sqlite3
import subprocess
import sys
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy.spiderloader import SpiderLoader

from omskcrawl.dedup import similarity
from omskcrawl.dedup.similarity import HEADLINE_CACHE_SIZE
from omskcrawl.fixtures import Fixture, iter_fixtures
from tests.conftest import make_spider
from tests.runs import ROOT

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


@pytest.mark.parametrize("fixture", ARTICLES, ids=lambda f: f.name)
def test_a_parsed_article_response_keeps_no_decoded_text(
    fixture: Fixture, spider_loader: SpiderLoader
) -> None:
    """Scrapy holds a response until its item is through every pipeline (hundreds of pages
    in a replay); what parsing decoded is not kept on it, and decoding again gives the same."""
    spider = make_spider(spider_loader.load(fixture.spider))
    response = fixture.response()
    text = response.text
    (item,) = spider.parse_article(response)
    assert item["title"]
    assert response._cached_ubody is None
    assert response.text == text


def test_the_parsed_headline_cache_stops_at_its_bound() -> None:
    for n in range(HEADLINE_CACHE_SIZE + 50):
        similarity._headline(f"Мэр Омска открыл {n} школ в Таре")
    info = similarity._headline.cache_info()
    assert info.maxsize == HEADLINE_CACHE_SIZE
    assert info.currsize == HEADLINE_CACHE_SIZE


# Imported by commands and code paths a crawl does not take; each costs RSS for the whole run
# (pandas ~40 MB, pyarrow.dataset ~45 with it, RemoteControl aiohttp ~10, redis ~5).
NOT_IN_A_CRAWL = (
    "pandas",
    "pyarrow.dataset",
    "omskcrawl.compact",
    "omskcrawl.report",
    "aiohttp",
    "redis",
)
CRAWL_AND_LIST_MODULES = f"""
import json, sys
import scrapy.cmdline
try:
    scrapy.cmdline.execute(sys.argv[1:])
except SystemExit as e:
    code = e.code
print(json.dumps({{"exit": code, "imported": [m for m in {NOT_IN_A_CRAWL!r} if m in sys.modules]}}))
"""


def test_a_crawl_does_not_import_what_only_other_commands_use(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    args = ["replay", "--sample", "--spider", "gorod55", "-L", "ERROR"]
    for run in ("first", "second"):  # the second finds a dataset and catches the state up
        done = subprocess.run(
            [sys.executable, "-c", CRAWL_AND_LIST_MODULES, "scrapy", *args,
             "-s", f"OMSKCRAWL_EXPORT_DIR={exports}"],
            cwd=ROOT, capture_output=True, text=True, timeout=300, check=False,
        )  # fmt: skip
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result == {"exit": 0, "imported": []}, (run, done.stderr[-3000:])
    assert list((exports / "articles").rglob("*.parquet"))


def test_a_failed_state_write_is_caught_without_importing_redis_first() -> None:
    import redis  # as a Redis state does

    from omskcrawl.dedup.state import StateError, state_errors

    assert {StateError, sqlite3.Error, redis.RedisError} <= set(state_errors())
