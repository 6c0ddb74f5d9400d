"""`dataset.load` reads only what it is asked for: partitions, row groups, columns."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from omskcrawl import dataset
from omskcrawl.schema import FILE_SCHEMA
from omskcrawl.storage import PartitionedWriter

START = datetime(2024, 11, 1, 6, 0, tzinfo=UTC)


def row(n: int, source: str, published: datetime | None) -> dict[str, object]:
    return {
        "url": f"https://{source}.ru/news/{n}",
        "source": source,
        "crawl_date": (published or START).date().isoformat(),
        "title": f"Новость {n}",
        "published_at": published,
        "tags": ["Омск"],
        "version": 1,
        "story_id": f"{source}-{n}",
        "run_id": "r1",
    }


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three sources, 20 days, 4 rows a day each, written in reverse order in batches of 4."""
    root = tmp_path_factory.mktemp("exports")
    w = PartitionedWriter(
        root / "articles",
        FILE_SCHEMA,
        ("source", "crawl_date"),
        "r1",
        batch_size=4,
        sort_by="published_at",
    )
    n = 0
    for source in ("gorod55", "ngs55", "bk55"):
        for day in reversed(range(20)):
            for hour in (9, 3, 6, 0):
                n += 1
                w.write(row(n, source, START + timedelta(days=day, hours=hour)))
    w.write(row(n + 1, "gorod55", None))
    w.close()
    return root


def test_sources_and_published_range(exports: Path) -> None:
    df = dataset.load(exports, sources=["ngs55"], since="2024-11-05", until=date(2024, 11, 12))
    assert set(df["source"]) == {"ngs55"}
    assert len(df) == 7 * 4
    assert df["published_at"].min() == datetime(2024, 11, 5, 6, tzinfo=UTC)
    assert df["published_at"].max() < datetime(2024, 11, 12, tzinfo=UTC)
    assert df["published_at"].is_monotonic_increasing


def test_columns_are_projected(exports: Path) -> None:
    df = dataset.load(exports, columns=["url", "tags"], sources=["bk55"])
    assert list(df.columns) == ["url", "tags"] and len(df) == 80
    only_source = dataset.load(exports, columns=["source"], unique_stories=True)
    assert list(only_source.columns) == ["source"] and len(only_source) == 241
    assert df["tags"][0] == ["Омск"]
    with pytest.raises(KeyError, match="nope"):
        dataset.load(exports, columns=["nope"])


def test_filters_as_tuples_or_expression(exports: Path) -> None:
    tuples = dataset.load(exports, filters=[("crawl_date", ">=", date(2024, 11, 19))])
    expr = dataset.load(exports, filters=pc.field("crawl_date") >= date(2024, 11, 19))
    assert len(tuples) == len(expr) == 3 * 2 * 4
    assert tuples["url"].tolist() == expr["url"].tolist()


def test_rows_without_a_date_are_outside_every_range(exports: Path) -> None:
    everything = dataset.load(exports, sources=["gorod55"])
    ranged = dataset.load(exports, sources=["gorod55"], since="2000-01-01")
    assert len(everything) == len(ranged) + 1


def test_partitions_are_pruned_before_reading(exports: Path) -> None:
    data = dataset.articles_dataset(exports)
    expr = dataset.row_filter(sources=["ngs55"], filters=[("crawl_date", "<", date(2024, 11, 3))])
    fragments = list(data.get_fragments(filter=expr))
    assert len(fragments) == 2  # of 61 files
    assert all("source=ngs55" in f.path for f in fragments)


def test_row_groups_are_sorted_and_skipped_by_statistics(tmp_path: Path) -> None:
    """A backfill crawl writes newest first; each batch is sorted, so min/max skip row groups."""
    w = PartitionedWriter(
        tmp_path / "articles",
        FILE_SCHEMA,
        ("source", "crawl_date"),
        "r1",
        batch_size=4,
        sort_by="published_at",
    )
    for n in reversed(range(40)):
        published = START + timedelta(hours=6 * n)
        w.write(row(n, "gorod55", published) | {"crawl_date": "2024-11-20"})
    (written,) = w.close()
    meta = pq.ParquetFile(written.path).metadata
    assert meta.num_row_groups == 10
    column = FILE_SCHEMA.get_field_index("published_at")
    for i in range(meta.num_row_groups):
        stats = meta.row_group(i).column(column).statistics
        assert stats.has_min_max and stats.min < stats.max
        group = pq.ParquetFile(written.path).read_row_group(i, columns=["published_at"])
        values = group.column(0).to_pylist()
        assert values == sorted(values)
    (fragment,) = dataset.articles_dataset(tmp_path).get_fragments()
    last_two_days = pc.field("published_at") >= datetime(2024, 11, 9, 6, tzinfo=UTC)
    assert len(fragment.split_by_row_group(last_two_days)) == 2
    df = dataset.load(tmp_path, since=datetime(2024, 11, 9, 6, tzinfo=UTC))
    assert len(df) == 8


def test_unique_stories_keeps_the_head_or_the_earliest_row_left(tmp_path: Path) -> None:
    w = PartitionedWriter(tmp_path / "articles", FILE_SCHEMA, ("source", "crawl_date"), "r1")
    head = row(1, "gorod55", START + timedelta(hours=5))
    later = row(2, "ngs55", START + timedelta(hours=7)) | {"story_id": head["story_id"]}
    earlier = row(3, "ngs55", START + timedelta(hours=1)) | {"story_id": head["story_id"]}
    for member in (later, earlier):
        member["duplicate_of"] = head["url"]
    for r in (head, later, earlier):
        w.write(r)
    w.close()
    # The head stands for the story, though another outlet published first.
    assert dataset.load(tmp_path, unique_stories=True)["url"].tolist() == [head["url"]]
    # Without the head's outlet, the story's earliest remaining row does.
    only_ngs = dataset.load(tmp_path, sources=["ngs55"], unique_stories=True)
    assert only_ngs["url"].tolist() == [earlier["url"]]
