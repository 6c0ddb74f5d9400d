"""Parquet writing: round trip, atomic publish, no overwrite, bounded batches."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from omskcrawl import dataset
from omskcrawl.schema import FILE_SCHEMA, SCHEMA_VERSION
from omskcrawl.storage import PartitionedWriter


def row(n: int, source: str = "omskinform", version: int = 1) -> dict[str, object]:
    return {
        "url": f"https://omskinform.ru/news/{n}",
        "source": source,
        "crawl_date": "2026-11-26",
        "title": f"Заголовок {n}",
        "body": "Первый абзац.\n\nВторой абзац.",
        "published_at": datetime(2024, 11, 20, 4, 55, tzinfo=UTC),
        "tags": ["Омск", "Промышленность"],
        "authors": [],
        "attachments": [{"url": "https://omskportal.ru/doc.pdf", "text": "Постановление"}],
        "word_count": 4,
        "version": version,
        "story_id": f"s{n}",
        "crawled_at": datetime(2026, 11, 26, 3, 0, tzinfo=UTC),
        "run_id": "r1",
    }


def writer(root: Path, run_id: str = "r1", batch: int = 3, **limits: int) -> PartitionedWriter:
    return PartitionedWriter(
        root / "articles",
        FILE_SCHEMA,
        ("source", "crawl_date"),
        run_id,
        batch,
        100_000,
        {"omskcrawl.run_id": run_id},
        **limits,
    )


def test_round_trip_with_pandas_and_pyarrow(tmp_path: Path) -> None:
    w = writer(tmp_path)
    for n in range(7):
        w.write(row(n))
    w.write(row(100, source="gorod55"))
    files = w.close()
    assert sorted(f.rows for f in files) == [1, 7]
    path = tmp_path / "articles/source=omskinform/crawl_date=2026-11-26/part-r1-1.parquet"
    meta = pq.read_schema(path).metadata
    assert meta[b"omskcrawl.schema_version"] == SCHEMA_VERSION.encode()
    assert pq.ParquetFile(path).metadata.num_row_groups == 3  # batches of 3, 3, 1

    df = pd.read_parquet(tmp_path / "articles")
    assert len(df) == 8
    assert str(df["published_at"].dtype) == "datetime64[us, UTC]"
    assert list(df.loc[df["url"].str.endswith("/0"), "tags"].iloc[0]) == ["Омск", "Промышленность"]
    assert set(df["source"].astype(str)) == {"omskinform", "gorod55"}

    loaded = dataset.load(tmp_path)
    assert loaded["source"].dtype == object or str(loaded["source"].dtype).startswith("str")
    assert loaded.loc[0, "attachments"][0]["text"] == "Постановление"


def test_unpublished_file_is_invisible(tmp_path: Path) -> None:
    w = writer(tmp_path, batch=2)
    for n in range(5):
        w.write(row(n))
    # Batches were written, but the file is not closed: readers see nothing.
    visible = list((tmp_path / "articles").rglob("part-*.parquet"))
    assert visible == []
    assert list((tmp_path / "articles").rglob(".part-*.tmp"))
    assert dataset.load(tmp_path).empty
    w.close()
    assert len(dataset.load(tmp_path)) == 5


def test_second_run_never_overwrites(tmp_path: Path) -> None:
    for _ in range(2):
        w = writer(tmp_path, run_id="same-id")
        w.write(row(1))
        w.close()
    files = sorted(p.name for p in (tmp_path / "articles").rglob("part-*.parquet"))
    assert files == ["part-same-id-1.parquet", "part-same-id-2.parquet"]


def test_load_latest_versions_and_unique_stories(tmp_path: Path) -> None:
    w = writer(tmp_path)
    w.write(row(1))
    edited = row(1, version=2)
    edited["title"] = "Заголовок 1 (исправлено)"
    w.write(edited)
    other = row(2)
    other["story_id"] = "s1"
    other["published_at"] = datetime(2024, 11, 20, 6, 0, tzinfo=UTC)
    w.write(other)
    w.close()
    assert len(dataset.load(tmp_path, latest_versions=False)) == 3
    latest = dataset.load(tmp_path)
    assert len(latest) == 2
    assert (
        latest.loc[latest["url"].str.endswith("/1"), "title"].item() == "Заголовок 1 (исправлено)"
    )
    stories = dataset.load(tmp_path, unique_stories=True)
    assert stories["url"].tolist() == ["https://omskinform.ru/news/1"]


def test_missing_required_value_is_an_error(tmp_path: Path) -> None:
    w = writer(tmp_path)
    bad = row(1)
    bad["title"] = None
    with pytest.raises((ValueError, TypeError)):
        w.write(bad)
        w.close()


def test_a_replay_over_many_days_keeps_few_files_open_and_few_rows_held(tmp_path: Path) -> None:
    """Rows of 8 capture days, interleaved: at most 2 files open, 3 rows buffered, all kept."""
    w = writer(tmp_path, max_open_files=2, max_unpublished_rows=1_000)
    published = []
    for n in range(40):
        day = 1 + (n * 3) % 8
        published += w.write(row(n) | {"crawl_date": f"2024-11-{day:02d}"})
        assert w.open_files <= 2
        assert w.buffered_rows <= 3
    assert published, "files were published before the end of the crawl"
    w.close()
    assert not w.failed
    df = pd.read_parquet(tmp_path / "articles")
    assert sorted(df["url"]) == sorted(f"https://omskinform.ru/news/{n}" for n in range(40))
    assert df["crawl_date"].nunique() == 8


def test_rows_waiting_for_publication_are_bounded(tmp_path: Path) -> None:
    """One partition (a backfill captured today): files are published every few rows."""
    w = writer(tmp_path, batch=2, max_unpublished_rows=4)
    sizes = []
    for n in range(13):
        sizes += [f.rows for f in w.write(row(n))]
        assert w.unpublished_rows <= 4
    assert sizes == [5, 5]
    assert [f.rows for f in w.close()] == [5, 5, 3]
    assert len(dataset.load(tmp_path)) == 13
