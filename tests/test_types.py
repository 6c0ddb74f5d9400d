"""What pandas, DuckDB and Polars make of the dataset is what docs/schema.md says."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import polars as pl
import pytest

from omskcrawl import dataset
from omskcrawl.schema import ARTICLE_SCHEMA, FILE_SCHEMA
from omskcrawl.storage import PartitionedWriter

DOC = Path(__file__).parent.parent / "docs" / "schema.md"
TOOLS = ("load", "load_pyarrow", "read_parquet", "duckdb", "polars")


def documented_types() -> dict[str, dict[str, str]]:
    """The table under "Types in pandas, DuckDB and Polars": column → tool → type."""
    text = DOC.read_text("utf-8")
    section = text.split("## Types in pandas, DuckDB and Polars", 1)[1].split("\n## ", 1)[0]
    table: dict[str, dict[str, str]] = {}
    for line in section.splitlines():
        cells = re.findall(r"\|\s*`([^|`]*)`", line)
        if len(cells) == 1 + len(TOOLS):
            table[cells[0]] = dict(zip(TOOLS, cells[1:], strict=True))
    return table


def article(n: int, source: str, day: str, **extra: object) -> dict[str, object]:
    row: dict[str, object] = {
        "url": f"https://{source}.ru/news/{n}",
        "source": source,
        "crawl_date": day,
        "title": f"В Омске отремонтируют дорогу {n}",
        "body": "Работы начнутся весной.",
        "published_at": datetime(2024, 11, 20, 4, n, tzinfo=UTC),
        "tags": ["Дороги", "Омск"],
        "tag_keys": ["дороги", "омск"],
        "authors": ["Иван Петров"],
        "attachments": [{"url": f"https://{source}.ru/doc{n}.pdf", "text": "Приказ"}],
        "word_count": 3,
        "version": 1,
        "story_id": f"s{n}",
        "crawled_at": datetime(2024, 11, 21, 3, 0, tzinfo=UTC),
        "run_id": "r1",
        "warc_file": "r1-site-00001.warc.gz",
        "warc_record_id": f"<urn:uuid:00000000-0000-4000-8000-{n:012d}>",
    }
    row.update(extra)
    return row


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("exports")
    w = PartitionedWriter(root / "articles", FILE_SCHEMA, ("source", "crawl_date"), "r1")
    w.write(article(1, "gorod55", "2024-11-20"))
    w.write(article(2, "ngs55", "2024-11-21", word_count=None, published_at=None, tags=[]))
    w.write(article(3, "ngs55", "2024-11-21"))
    w.close()
    return root


def test_table_lists_every_column() -> None:
    assert list(documented_types()) == ARTICLE_SCHEMA.names


def test_load(exports: Path) -> None:
    df = dataset.load(exports)
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        c: t["load"] for c, t in documented_types().items()
    }
    assert isinstance(df["tags"][0], list) and isinstance(df["attachments"][0], list)
    assert isinstance(df["crawl_date"][0], date)
    # The comparisons the issue saw fail on raw pandas work here.
    assert len(df[df["crawl_date"] >= date(2024, 11, 21)]) == 2
    assert df["word_count"].isna().sum() == 1 and df["word_count"].sum() == 6


def test_load_pyarrow_backend(exports: Path) -> None:
    df = dataset.load(exports, dtype_backend="pyarrow")
    assert {c: str(t) for c, t in df.dtypes.items()} == {
        c: t["load_pyarrow"] for c, t in documented_types().items()
    }


def test_plain_read_parquet(exports: Path) -> None:
    df = pd.read_parquet(exports / "articles")
    documented = {c: t["read_parquet"] for c, t in documented_types().items()}
    # As documented: numpy integers turn float64 once a value is null (one word_count is).
    documented["word_count"] = "float64"
    assert {c: str(df[c].dtype) for c in documented} == documented
    assert isinstance(df["tags"][0], np.ndarray)
    assert set(df["crawl_date"].astype(str)) == {"2024-11-20", "2024-11-21"}
    typed = pd.read_parquet(exports / "articles", partitioning=dataset.PARTITIONING)
    assert str(typed["source"].dtype) == "str"
    assert set(typed["crawl_date"]) == {date(2024, 11, 20), date(2024, 11, 21)}


def test_duckdb(exports: Path) -> None:
    glob = f"{exports}/articles/**/*.parquet"
    described = duckdb.sql(f"DESCRIBE SELECT * FROM '{glob}'").fetchall()
    assert {name: kind for name, kind, *_ in described} == {
        c: t["duckdb"] for c, t in documented_types().items()
    }
    days = duckdb.sql(f"SELECT crawl_date, count(*) FROM '{glob}' GROUP BY 1 ORDER BY 1").fetchall()
    assert days == [(date(2024, 11, 20), 1), (date(2024, 11, 21), 2)]


def test_polars(exports: Path) -> None:
    lazy = pl.scan_parquet(f"{exports}/articles/**/*.parquet", hive_partitioning=True)
    schema = lazy.collect_schema()
    assert {c: str(t) for c, t in schema.items()} == {
        c: t["polars"] for c, t in documented_types().items()
    }
    df = lazy.filter(pl.col("crawl_date") >= date(2024, 11, 21)).collect()
    assert df.height == 2 and df["tags"].to_list()[0] in ([], ["Дороги", "Омск"])
