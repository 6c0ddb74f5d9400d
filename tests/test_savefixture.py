"""`scrapy savefixture`: a page from a WARC, or fetched live from 127.0.0.1, becomes a fixture
folder that the fixture test reads like any other. The command runs in this process
(tests/runs.py)."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from omskcrawl.fixtures import Fixture, iter_fixtures, save_fixture
from omskcrawl.spiders.omskinform import OmskinformSpider
from omskcrawl.warc.sample import write_sample_warc
from tests.conftest import make_spider
from tests.localnews import Route, serve
from tests.runs import Ran
from tests.runs import scrapy as run_in_process

ROOT = Path(__file__).parent.parent
ARTICLE = next(
    f for f in iter_fixtures() if f.spider == "omskinform" and f.name.endswith("article-218377")
)


def scrapy(*args: str) -> Ran:
    return run_in_process(*args, "-L", "WARNING")


def check_saved(folder: Path, url: str) -> Fixture:
    meta = json.loads((folder / "meta.json").read_text("utf-8"))
    assert meta["url"] == url and meta["kind"] == "article"
    assert meta["reconstruction"] is False
    assert datetime.fromisoformat(meta["crawl_time"]).utcoffset() is not None
    assert meta["crawl_time"].endswith("+06:00"), "capture time in the site's zone (Asia/Omsk)"
    assert (folder / "page.html").read_bytes() == ARTICLE.body
    assert "windows-1251" in meta["headers"]["Content-Type"]
    fixture = Fixture(folder, meta)
    expected = fixture.expected()
    assert expected is not None
    # Today's extraction of the same bytes: what the reviewed fixture expects.
    reviewed = ARTICLE.expected() or {}
    for key in ("title", "published_at", "body", "tags"):
        assert expected[key] == reviewed[key], key
    assert "crawled_at" not in expected and "warc_record_id" not in expected
    return fixture


def test_savefixture_from_a_warc(tmp_path: Path) -> None:
    warc = tmp_path / "sample.warc.gz"
    write_sample_warc(warc)
    out = tmp_path / "sites"
    args = ("savefixture", "omskinform", "--warc", str(warc), "--url", ARTICLE.url)
    result = scrapy(*args, "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    folder = out / "omskinform" / "article-218377"
    fixture = check_saved(folder, ARTICLE.url)
    assert fixture.crawl_time == ARTICLE.crawl_time
    assert "sample.warc.gz <urn:uuid:" in fixture.meta["note"]
    with pytest.raises(FileExistsError):  # never overwrites a fixture folder
        save_fixture(folder, make_spider(OmskinformSpider), fixture.response(), ARTICLE.crawl_time)


def test_savefixture_live(tmp_path: Path) -> None:
    with serve() as site:
        site.routes["/news/218377"] = Route(
            content_type=ARTICLE.headers["Content-Type"], body=ARTICLE.body
        )
        url = f"{site.base}/news/218377"
        out = tmp_path / "sites"
        result = scrapy("savefixture", "omskinform", url, "--kind", "article", "--out", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    assert site.seen == ["/robots.txt", "/news/218377"]
    check_saved(out / "omskinform" / "article-218377", url)
