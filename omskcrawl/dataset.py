"""The analysts' API: read what the writer wrote. No Scrapy here.

    from omskcrawl import dataset
    df = dataset.load("exports")

`load` returns one row per URL at its newest version by default
(`latest_versions=True`); `latest_versions=False` returns every version;
`unique_stories=True` keeps one row per story (its earliest item).
`pd.read_parquet("exports/articles")` works too: `source` then comes back as a
categorical column (it is a partition key), everything else as in `load`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as ds

from omskcrawl.schema import ARTICLE_SCHEMA, PARTITION_COLUMNS, QUARANTINE_SCHEMA

PARTITIONING = ds.partitioning(
    pa.schema([ARTICLE_SCHEMA.field(name) for name in PARTITION_COLUMNS]), flavor="hive"
)


def articles_dataset(path: str | Path = "exports") -> ds.Dataset:
    """The article files under `<path>/articles` as one pyarrow dataset, typed by the schema."""
    return ds.dataset(
        Path(path) / "articles", schema=ARTICLE_SCHEMA, format="parquet", partitioning=PARTITIONING
    )


def load(
    path: str | Path = "exports",
    *,
    latest_versions: bool = True,
    unique_stories: bool = False,
    columns: list[str] | None = None,
) -> pd.DataFrame:
    """The dataset as a DataFrame: UTC timestamps, list columns as lists, string `source`."""
    folder = Path(path) / "articles"
    if not folder.exists():
        return ARTICLE_SCHEMA.empty_table().to_pandas()
    table = articles_dataset(path).to_table()
    df = table.to_pandas()
    if latest_versions:
        df = df.sort_values(["url", "version"]).drop_duplicates("url", keep="last")
    df = df.sort_values(["published_at", "crawled_at", "url"], na_position="last", kind="stable")
    df["duplicate_of"] = story_heads(df)
    if unique_stories:
        df = df.drop_duplicates("story_id", keep="first")
    df = df.reset_index(drop=True)
    return df[columns] if columns else df


def story_heads(df: pd.DataFrame) -> pd.Series:
    """`duplicate_of` over the whole frame: the earliest-published URL of each story.

    Rows must be sorted by publication time. The writer can only know the items
    stored before a row; here every item of a story is known.
    """
    if df.empty:
        return df["duplicate_of"]
    heads = df.drop_duplicates("story_id").set_index("story_id")["url"]
    head = df["story_id"].map(heads)
    return head.where(head != df["url"], None)


def load_quarantine(path: str | Path = "exports") -> pd.DataFrame:
    """Items that failed validation, with `reason`."""
    folder = Path(path) / "quarantine"
    if not folder.exists():
        return QUARANTINE_SCHEMA.empty_table().to_pandas()
    part = ds.partitioning(pa.schema([("crawl_date", pa.date32())]), flavor="hive")
    schema = QUARANTINE_SCHEMA.append(pa.field("crawl_date", pa.date32()))
    return (
        ds.dataset(folder, schema=schema, format="parquet", partitioning=part)
        .to_table()
        .to_pandas()
    )
