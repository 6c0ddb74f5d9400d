"""Errors a person can act on, and logs without noise: the commands as a user runs them."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from omskcrawl.fixtures import iter_fixtures
from tests.conftest import free_port
from tests.runs import scrapy, write_warc

ROOT = Path(__file__).parent.parent
FAST = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


def unreachable_site(folder: Path) -> str:
    """A spider module whose site refuses every connection (a closed port on 127.0.0.1)."""
    base = f"http://127.0.0.1:{free_port()}"
    (folder / "deadsite.py").write_text(
        textwrap.dedent(f"""
        from omskcrawl.spiders.omskinform import OmskinformSpider

        class DeadSpider(OmskinformSpider):
            name = "deadsite"
            allowed_domains = ["127.0.0.1"]
            feeds = ("{base}/rss",)
            listings = ("{base}/news/",)
        """)
    )
    return "omskcrawl.spiders,deadsite"


def test_unreachable_site_is_one_line_with_its_cause(tmp_path: Path) -> None:
    modules = unreachable_site(tmp_path)
    exports = tmp_path / "exports"
    result = scrapy(
        "crawl",
        "deadsite",
        "-s",
        f"SPIDER_MODULES={modules}",
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        *FAST,
        spiders_dir=tmp_path,
    )
    assert result.returncode == 1, result.stderr[-3000:]
    errors = [line for line in result.stderr.splitlines() if "ERROR" in line]
    assert len(errors) == 1, result.stderr[-3000:]
    assert "deadsite: no response — connection refused by 127.0.0.1 (3 requests)" in errors[0]
    assert "Traceback" not in result.stderr
    (manifest,) = (exports / "runs").glob("*.json")
    (site,) = json.loads(manifest.read_text("utf-8"))["per_spider"]
    assert site["failed"] and site["network"].startswith("deadsite: no response — connection")

    check = scrapy(
        "sitecheck", "deadsite", "-s", f"SPIDER_MODULES={modules}", *FAST, spiders_dir=tmp_path
    )
    assert check.returncode == 1
    assert "NETWORK: no response — connection refused by 127.0.0.1" in check.stdout
    assert "Traceback" not in check.stderr
    assert len([line for line in check.stderr.splitlines() if " ERROR: " in line]) == 1


def test_bad_arguments_are_one_error_and_exit_2(tmp_path: Path) -> None:
    exports = f"OMSKCRAWL_EXPORT_DIR={tmp_path}"
    for args, message in (
        (("crawl", "gorod55", "-a", "since=yesterday"), "got 'yesterday'"),
        (("crawlall", "gorod55", "-s", "OMSKCRAWL_STATE_BACKEND=mongo"), "not 'mongo'"),
    ):
        result = scrapy(*args, "-s", exports)
        assert result.returncode == 2, (args, result.stderr[-2000:])
        assert "Traceback" not in result.stderr
        assert "error: " in result.stderr.splitlines()[-1] and message in result.stderr


@pytest.mark.parametrize("switch", ["OMSKCRAWL_STATE_BACKEND=redis", "OMSKCRAWL_DISTRIBUTED=True"])
def test_unreachable_redis_is_a_clear_error(switch: str, tmp_path: Path) -> None:
    result = scrapy(
        "crawl",
        "gorod55",
        "-s",
        switch,
        "-s",
        f"OMSKCRAWL_REDIS_URL=redis://127.0.0.1:{free_port()}/0",
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={tmp_path}",
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("omskcrawl: cannot reach Redis at redis://127.0.0.1:")


def test_a_rerun_logs_no_item_dumps(tmp_path: Path) -> None:
    warc = tmp_path / "gorod55.warc.gz"
    write_warc(warc, [f for f in iter_fixtures() if f.spider == "gorod55"])
    args = ("replay", str(warc), "--spider", "gorod55", "-s", f"OMSKCRAWL_EXPORT_DIR={tmp_path}")
    first = scrapy(*args, "-s", "OMSKCRAWL_REVISIT_AFTER_HOURS=0")
    assert first.returncode == 0, first.stderr[-2000:]
    again = scrapy(*args, "-s", "OMSKCRAWL_REVISIT_AFTER_HOURS=0", "-L", "DEBUG")
    assert again.returncode == 0, again.stderr[-2000:]
    lines = again.stderr.splitlines()
    # One aggregated progress line at the end (more on long runs), no per-crawler LogStats.
    assert any(" INFO: progress: 1/1 sites done, " in line for line in lines)
    assert not any("Crawled 0 pages (at 0 pages/min)" in line for line in lines)
    assert any("DEBUG: Dropped: unchanged since version 1: https://" in line for line in lines)
    for line in lines:
        assert "'title':" not in line and "'body':" not in line, line  # no item dumps
        if " INFO: " in line or " WARNING: " in line:
            assert "Dropped" not in line and "Dumping Scrapy stats" not in line, line


def test_one_feed_file_for_many_spiders_is_refused(tmp_path: Path) -> None:
    result = scrapy("replay", "--sample", "-O", str(tmp_path / "items.jsonl"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "-O 'items-%(name)s.jsonl'" in result.stderr.splitlines()[-1]
    assert not (tmp_path / "items.jsonl").exists()


def test_parquet_feed_has_the_dataset_schema(tmp_path: Path) -> None:
    import pandas as pd

    exports, feed = tmp_path / "exports", tmp_path / "gorod55.parquet"
    result = scrapy(
        "replay",
        "--sample",
        "--spider",
        "gorod55",
        "-O",
        str(feed),
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        "-L",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr[-2000:]
    rows = pd.read_parquet(feed)
    dataset = pd.read_parquet(exports / "articles")
    assert sorted(rows["url"]) == sorted(dataset["url"]) and len(rows) >= 2
    assert str(rows["published_at"].dtype) == "datetime64[us, UTC]"
    assert (rows["source"] == "gorod55").all() and rows["crawl_date"].notna().all()
