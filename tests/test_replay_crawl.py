"""End to end: every spider over the replayed sample, through a real Scrapy crawler, to Parquet.

The commands run in this process (tests/runs.py), as `scrapy replay ...` would run them.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from warcio.warcwriter import WARCWriter

from omskcrawl.dataset import articles_dataset, load
from omskcrawl.fixtures import Fixture, iter_fixtures
from omskcrawl.pipelines.dedup import item_id
from omskcrawl.schema import ARTICLE_SCHEMA
from omskcrawl.storage import PartitionedWriter
from omskcrawl.warc.sample import write_sample_warc
from tests import runs
from tests.runs import write_response

SPIDERS = sorted({f.spider for f in iter_fixtures()})


def scrapy(*args: str, exports: Path) -> runs.Ran:
    return runs.scrapy(*args, "-s", f"OMSKCRAWL_EXPORT_DIR={exports}", "-L", "WARNING")


@pytest.fixture(scope="module")
def first_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, runs.Ran]:
    exports = tmp_path_factory.mktemp("replay") / "exports"
    return exports, scrapy("replay", "--sample", exports=exports)


def manifests(exports: Path) -> list[dict]:
    paths = sorted((exports / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    return [json.loads(p.read_text("utf-8")) for p in paths]


def test_every_site_yields_rows(first_run: tuple[Path, runs.Ran]) -> None:
    exports, result = first_run
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "dates parsed" in result.stdout and "pd.read_parquet" in result.stdout
    df = pd.read_parquet(exports / "articles")
    per_source = df.groupby(df["source"].astype(str)).size()
    for spider in SPIDERS:
        assert per_source.get(spider, 0) >= 2, f"{spider}: {per_source.get(spider, 0)} rows"
    (manifest,) = manifests(exports)
    assert manifest["failed_spiders"] == []
    assert sorted(manifest["spiders"]) == SPIDERS
    assert sum(f["rows"] for f in manifest["files"]) == len(df)
    assert manifest["totals"]["written"] == len(df)
    assert manifest["same_story_model"] == ["latent terms + word overlap"]


def test_dataset_types_with_pandas_and_pyarrow(first_run: tuple[Path, object]) -> None:
    exports, _ = first_run
    df = pd.read_parquet(exports / "articles")
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    assert str(df["crawled_at"].dtype) == "datetime64[us, UTC]"
    tags = df["tags"].dropna()
    assert len(tags) == len(df)  # a list on every row, empty when the page has none
    assert all(isinstance(tag, str) and tag and tag == tag.strip() for t in tags for tag in t)
    assert sum(len(t) > 0 for t in tags) > len(df) / 2
    table = articles_dataset(exports).to_table()
    assert table.schema.remove_metadata() == ARTICLE_SCHEMA.remove_metadata()
    assert table.num_rows == len(df)
    assert df["url"].is_unique
    assert (df["version"] == 1).all()
    assert df["published_at"].notna().mean() > 0.9


def test_seed_article_row(first_run: tuple[Path, object]) -> None:
    exports, _ = first_run
    df = load(exports)
    seed = df[(df["source"] == "gorod55") & df["title"].str.contains("Алихановым")]
    assert len(seed) == 1
    row = seed.iloc[0]
    assert row["title"] == "Виталий Хоценко обсудил развитие промышленности с министром Алихановым"
    assert row["published_at"] == pd.Timestamp("2024-11-20T04:55:00Z")
    assert "Напомним" in row["body"] and "Подпишитесь" not in row["body"]
    assert row["body"].count("Правительство Омской области") == 1
    assert len(row["tags"]) == 9
    # Time comes from the capture: crawled_at and the crawl_date partition.
    page = next(f for f in iter_fixtures() if f.url == row["fetched_url"])
    assert row["crawled_at"] == pd.Timestamp(page.crawl_time)
    assert row["crawl_date"] == page.crawl_time.astimezone(UTC).date()
    assert row["warc_file"] == "sample.warc.gz" and row["warc_record_id"].startswith("<urn:uuid:")


def test_one_story_on_several_outlets(first_run: tuple[Path, object]) -> None:
    exports, _ = first_run
    df = load(exports)
    story = df[df["body"].fillna("").str.contains("Алиханов")]
    assert story["source"].nunique() >= 3
    assert story["story_id"].nunique() == 1, story[["source", "title", "story_id"]]
    # One head: the story's first stored item, whose id is the story id.
    (head,) = story.loc[story["duplicate_of"].isna(), "url"]
    assert item_id(head) == story["story_id"].iloc[0]
    others = story[story["url"] != head]
    assert (others["duplicate_of"] == head).all()
    assert len(load(exports, unique_stories=True)) == len(df) - len(others)


def test_files_and_load_agree_on_story_heads(first_run: tuple[Path, object]) -> None:
    exports, _ = first_run
    on_disk = pd.read_parquet(exports / "articles").set_index("url")
    loaded = load(exports).set_index("url")
    assert len(on_disk) == len(loaded)
    for column in ("story_id", "duplicate_of"):
        pd.testing.assert_series_equal(
            on_disk[column].sort_index(), loaded[column].sort_index(), check_dtype=False
        )
    heads = on_disk[on_disk["duplicate_of"].isna()]
    assert heads["story_id"].is_unique  # no story has two heads


def test_rerun_over_unchanged_pages_writes_nothing(first_run: tuple[Path, object]) -> None:
    exports, _ = first_run
    before = len(pd.read_parquet(exports / "articles"))
    result = scrapy("replay", "--sample", "-s", "OMSKCRAWL_REVISIT_AFTER_HOURS=0", exports=exports)
    assert result.returncode == 0, result.stderr[-3000:]
    assert len(pd.read_parquet(exports / "articles")) == before
    last = manifests(exports)[-1]
    assert last["totals"]["written"] == 0
    assert last["totals"]["unchanged"] == before


def gorod55_pages() -> tuple[Fixture, Fixture]:
    """The gorod55 feed and its article about the meeting with Alikhanov."""
    feed = next(f for f in iter_fixtures() if f.spider == "gorod55" and f.kind == "feed")
    article = next(
        f
        for f in iter_fixtures()
        if f.spider == "gorod55" and f.kind == "article" and "Алихановым".encode() in f.body
    )
    return feed, article


def write_warc(path: Path, pages: list[tuple[Fixture, bytes]], date: str) -> None:
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for page, body in pages:
            captured = datetime.fromisoformat(date.replace("Z", "+00:00"))
            write_response(writer, page.url, body, list(page.headers.items()), captured)


def edit(body: bytes, new: str) -> bytes:
    edited = body.replace("7 млрд рублей".encode(), new.encode())
    assert edited != body
    return edited


def test_edited_page_becomes_version_2(first_run: tuple[Path, object], tmp_path: Path) -> None:
    exports, _ = first_run
    feed, article = gorod55_pages()
    warc = tmp_path / "edited.warc.gz"
    later = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    write_warc(warc, [(feed, feed.body), (article, edit(article.body, "7,5 млрд рублей"))], later)
    result = scrapy(
        "replay",
        str(warc),
        "--spider",
        "gorod55",
        "-s",
        "OMSKCRAWL_REVISIT_AFTER_HOURS=0",
        exports=exports,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    history = load(exports, latest_versions=False)
    versions = history[history["fetched_url"] == article.url].sort_values("version")
    assert versions["version"].tolist() == [1, 2]
    assert versions.iloc[1]["previous_hash"] == versions.iloc[0]["content_hash"]
    assert "7,5 млрд" in versions.iloc[1]["body"] and "7 млрд" in versions.iloc[0]["body"]
    assert versions["story_id"].nunique() == 1
    latest = load(exports)
    assert latest[latest["fetched_url"] == article.url]["version"].tolist() == [2]
    # As known just before the edit was captured: the earlier version.
    before = load(exports, as_of=datetime.fromisoformat(later) - timedelta(seconds=1))
    assert before[before["fetched_url"] == article.url]["version"].tolist() == [1]
    assert "7 млрд" in before[before["fetched_url"] == article.url].iloc[0]["body"]


def test_unpublished_rows_are_bounded_per_process_and_change_no_result(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """14 crawlers share a limit of 14 rows not yet published, one each, where the default
    lets every row of the sample wait; the rows, story groups included, are the same."""
    unpublished: dict[int, int] = {}
    most = 0
    write = PartitionedWriter.write

    def counting_write(self: PartitionedWriter, row: Any) -> Any:
        nonlocal most
        done = write(self, row)
        unpublished[id(self)] = self.unpublished_rows
        most = max(most, sum(unpublished.values()))
        return done

    monkeypatch.setattr(PartitionedWriter, "write", counting_write)
    columns = ["url", "title", "published_at", "story_id", "duplicate_of", "version"]
    found = {}
    for limit in ("2000", "14"):
        unpublished.clear()
        most = 0
        exports = tmp_path / limit
        ran = scrapy(
            "replay",
            "--sample",
            "-s",
            f"OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS={limit}",
            exports=exports,
        )
        assert ran.returncode == 0, ran.stderr[-3000:]
        rows = pd.read_parquet(exports / "articles", columns=columns)
        found[limit] = (most, rows.sort_values("url").reset_index(drop=True))
    (most_default, default), (most_bounded, bounded) = found["2000"], found["14"]
    assert most_default > 14 >= most_bounded > 0
    assert len(default) > 14 and default["duplicate_of"].notna().any()
    pd.testing.assert_frame_equal(bounded, default)


def test_a_nonsense_unpublished_limit_is_refused(tmp_path: Path) -> None:
    for value in ("0", "many"):
        ran = scrapy(
            "replay",
            "--sample",
            "-s",
            f"OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS={value}",
            exports=tmp_path,
        )
        assert ran.returncode == 2
        assert "OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS" in ran.stderr + ran.stdout
    assert not (tmp_path / "articles").exists()


def test_every_capture_in_one_replay_in_capture_order(tmp_path: Path) -> None:
    """Three captures of one article in three archives, the newest named first: each is
    replayed, oldest first, as a version dated and partitioned by its capture."""
    _, article = gorod55_pages()
    sample = tmp_path / "sample.warc.gz"  # the article as captured on its fixture's crawl time
    write_sample_warc(sample)
    newer, older = tmp_path / "newer.warc.gz", tmp_path / "older.warc.gz"
    write_warc(newer, [(article, edit(article.body, "7,5 млрд рублей"))], "2026-12-01T02:00:00Z")
    write_warc(older, [(article, edit(article.body, "6 млрд рублей"))], "2024-11-20T06:00:00Z")
    exports = tmp_path / "exports"
    result = scrapy(
        "replay", str(newer), str(sample), str(older), "--spider", "gorod55", exports=exports
    )
    assert result.returncode == 0, result.stderr[-3000:]
    history = load(exports, latest_versions=False)
    rows = history[history["fetched_url"] == article.url].sort_values("version")
    assert rows["version"].tolist() == [1, 2, 3]
    assert rows["crawled_at"].is_monotonic_increasing
    assert [str(d) for d in rows["crawl_date"]] == [
        "2024-11-20",
        str(article.crawl_time.astimezone(UTC).date()),
        "2026-12-01",
    ]
    assert "6 млрд" in rows.iloc[0]["body"] and "7,5 млрд" in rows.iloc[2]["body"]
    assert rows["warc_file"].tolist() == ["older.warc.gz", "sample.warc.gz", "newer.warc.gz"]
