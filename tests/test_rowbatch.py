"""omskcrawl.rowbatch builds the record batch pyarrow's from_pylist builds (values, nulls,
types, errors), without pyarrow importing pandas."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from zoneinfo import ZoneInfo

import pyarrow as pa
import pytest
from itemadapter import ItemAdapter
from scrapy.spiderloader import SpiderLoader

from omskcrawl.fixtures import iter_fixtures
from omskcrawl.rowbatch import record_batch
from omskcrawl.schema import ARTICLE_SCHEMA, FILE_SCHEMA, QUARANTINE_SCHEMA
from tests.conftest import make_spider


def same_as_pyarrow(rows: list[dict[str, Any]], schema: pa.Schema) -> pa.RecordBatch:
    ours = record_batch(rows, schema)
    ours.validate(full=True)
    theirs = pa.RecordBatch.from_pylist(rows, schema=schema)
    assert ours.schema == theirs.schema
    for name in schema.names:  # column by column, to name the one that differs
        assert ours.column(name).equals(theirs.column(name)), name
    return ours


def fixture_rows(spider_loader: SpiderLoader) -> list[dict[str, Any]]:
    """Every article fixture's item as the Parquet pipeline gets it (plus what dedup adds)."""
    rows = []
    for n, fixture in enumerate(f for f in iter_fixtures() if f.kind == "article"):
        spider = make_spider(spider_loader.load(fixture.spider))
        (item,) = spider.parse_article(fixture.response())
        row = ItemAdapter(item).asdict()
        row |= {"version": 1 + n % 3, "story_id": row["url"], "run_id": "20261201T200000Z-abc"}
        row["crawl_date"] = row["crawled_at"].date()
        rows.append(row)
    return rows


def test_real_items_make_the_same_batch(spider_loader: SpiderLoader) -> None:
    rows = fixture_rows(spider_loader)
    assert len(rows) > 30
    batch = same_as_pyarrow(rows, FILE_SCHEMA)
    assert batch.column("title").null_count == 0
    assert batch.column("published_at").null_count < len(rows)
    assert any(len(tags) for tags in batch.column("tags").to_pylist())
    same_as_pyarrow(rows, ARTICLE_SCHEMA)  # with the date partition column
    same_as_pyarrow([{**row, "reason": "no title"} for row in rows], QUARANTINE_SCHEMA)


OMSK = ZoneInfo("Asia/Omsk")


def test_nulls_empties_zones_and_odd_values_make_the_same_batch() -> None:
    rows: list[dict[str, Any]] = [
        {},  # every column null
        {"url": "", "title": "", "authors": [], "tags": [""], "attachments": []},
        {
            "url": "https://omsk.example/1",
            "title": "Мэр 🙂 ёлка\u00a0«Омск»",
            "published_at": datetime(2024, 3, 31, 2, 30, tzinfo=OMSK),
            "modified_at": datetime(1969, 12, 31, 23, 59, 59, 999_999, tzinfo=UTC),
            "crawled_at": datetime(2024, 11, 20, 8, 0, 0, 5),  # naive: read as UTC
            "authors": ["Иванов", None],
            "attachments": [{"url": "https://a/b.pdf"}, {"text": "без ссылки"}, None],
            "word_count": 2**31 - 1,
            "version": -(2**31),
        },
        {
            "published_at": datetime(1900, 1, 1, tzinfo=timezone(timedelta(hours=-3, minutes=-30))),
            "tags": None,
            "attachments": None,
            "word_count": 0,
        },
    ]
    same_as_pyarrow(rows, FILE_SCHEMA)
    same_as_pyarrow(rows[:0], FILE_SCHEMA)  # no rows
    dated = [{**row, "crawl_date": date(1969, 7, 20) if row else None} for row in rows]
    same_as_pyarrow(dated, ARTICLE_SCHEMA)


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("title", 5),  # not a str
        ("title", b"bytes"),
        ("word_count", 2**31),  # out of int32
        ("word_count", "5"),
        ("word_count", True),
        ("published_at", "2024-11-20T08:00:00+06:00"),
        ("published_at", date(2024, 11, 20)),
        ("tags", "not a list"),
        ("attachments", [{"url": "a", "other": "b"}]),  # a key the struct has not
    ],
    ids=repr,
)
def test_other_values_get_pyarrows_own_result_or_error(column: str, value: Any) -> None:
    rows = [{"url": "u", "title": "t"}, {"url": "v", "title": "w", column: value}]
    try:
        expected = pa.RecordBatch.from_pylist(rows, schema=FILE_SCHEMA)
    except (pa.ArrowException, TypeError, ValueError, OverflowError) as e:
        with pytest.raises(type(e)):
            record_batch(rows, FILE_SCHEMA)
    else:
        assert record_batch(rows, FILE_SCHEMA).equals(expected)


def test_types_it_does_not_build_are_pyarrows() -> None:
    schema = pa.schema([("share", pa.float64()), ("ok", pa.bool_()), ("at", pa.timestamp("ms"))])
    rows = [{"share": 0.5, "ok": True, "at": datetime(2024, 1, 1)}, {"share": None}]
    same_as_pyarrow(rows, schema)


def test_building_a_batch_does_not_import_pandas() -> None:
    code = (
        "import sys, datetime; from omskcrawl.rowbatch import record_batch; "
        "from omskcrawl.schema import FILE_SCHEMA; "
        "record_batch([{'url': 'u', 'title': 't', 'tags': ['a'], 'attachments': [{'url': 'x'}], "
        "'crawled_at': datetime.datetime.now(datetime.UTC), 'version': 1}], FILE_SCHEMA); "
        "print('pandas' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
