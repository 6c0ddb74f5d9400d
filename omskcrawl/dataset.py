"""The analysts' API: read what the writer wrote. No Scrapy here.

    from omskcrawl import dataset
    df = dataset.load("exports", sources=["gorod55"], since="2024-11-01", until="2024-11-08")

`load` asks pyarrow's dataset scanner for only what it needs: `sources` and
`filters` on `crawl_date` prune partition folders, `since`/`until` on
`published_at` skip files and row groups by their min/max statistics (the
writer sorts each batch by `published_at`, `scrapy compact` sorts whole
partitions), `columns` reads only those columns.

It returns one row per URL at its newest version by default
(`latest_versions=True`); `latest_versions=False` returns every version;
`unique_stories=True` keeps one row per story (its head, the row whose
`duplicate_of` is null). Types: `docs/schema.md` ("Types in pandas, DuckDB and
Polars").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal, TypeAlias

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from omskcrawl.schema import ARTICLE_SCHEMA, PARTITION_COLUMNS, QUARANTINE_SCHEMA

# Typed hive partitioning: `crawl_date=2024-11-20` is read as a date, not a string.
# `pd.read_parquet("exports/articles", partitioning=dataset.PARTITIONING)` uses it too.
PARTITIONING = ds.partitioning(
    pa.schema([ARTICLE_SCHEMA.field(name) for name in PARTITION_COLUMNS]), flavor="hive"
)

LIST_COLUMNS = tuple(f.name for f in ARTICLE_SCHEMA if pa.types.is_list(f.type))

# Columns `load` needs for its own work (newest version, order, one row per story).
_ORDER = ["published_at", "crawled_at", "url"]
_LATEST = ["url", "version"]
_STORIES = ["story_id", "duplicate_of"]

Filters: TypeAlias = ds.Expression | Sequence[Any]
_TS = ARTICLE_SCHEMA.field("published_at").type


def articles_dataset(path: str | Path = "exports") -> ds.Dataset:
    """The article files under `<path>/articles` as one pyarrow dataset, typed by the schema."""
    return ds.dataset(
        Path(path) / "articles", schema=ARTICLE_SCHEMA, format="parquet", partitioning=PARTITIONING
    )


def utc_timestamp(value: date | datetime | str) -> datetime:
    """A bound for `published_at`: dates are midnight UTC, naive datetimes are UTC.

    >>> utc_timestamp("2024-11-20")
    datetime.datetime(2024, 11, 20, 0, 0, tzinfo=datetime.timezone.utc)
    >>> utc_timestamp("2024-11-20T10:00:00+06:00").isoformat()
    '2024-11-20T04:00:00+00:00'
    """
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def row_filter(
    sources: Iterable[str] | None = None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    filters: Filters | None = None,
) -> ds.Expression | None:
    """One pyarrow expression for `load`'s arguments; None when there is nothing to filter.

    `since` is inclusive, `until` exclusive; rows without `published_at` fail both.
    `filters` is a pyarrow expression or pandas/pyarrow-style tuples
    (`[("crawl_date", ">=", date(2024, 11, 1))]`).
    """
    parts: list[ds.Expression] = []
    if sources is not None:
        parts.append(pc.field("source").isin(list(sources)))
    if since is not None:
        parts.append(pc.field("published_at") >= pa.scalar(utc_timestamp(since), type=_TS))
    if until is not None:
        parts.append(pc.field("published_at") < pa.scalar(utc_timestamp(until), type=_TS))
    if filters is not None:
        expr = filters if isinstance(filters, ds.Expression) else pq.filters_to_expression(filters)
        parts.append(expr)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part
    return combined


def load(
    path: str | Path = "exports",
    *,
    sources: Iterable[str] | None = None,
    since: date | datetime | str | None = None,
    until: date | datetime | str | None = None,
    columns: list[str] | None = None,
    filters: Filters | None = None,
    latest_versions: bool = True,
    unique_stories: bool = False,
    dtype_backend: Literal["numpy", "pyarrow"] = "numpy",
    as_of: date | datetime | str | None = None,
) -> pd.DataFrame:
    """The dataset as a DataFrame, filtered and projected before anything is read.

    `as_of`: the dataset as it was known then — rows captured by then
    (`crawled_at <= as_of`), so the newest version per URL is the newest as of then.

    With the default `dtype_backend="numpy"`: timestamps `datetime64[us, UTC]`,
    `tags`/`tag_keys`/`authors`/`attachments` Python lists, `crawl_date` Python
    `date` objects, strings `str`, integers nullable `Int32`. With `"pyarrow"` every column is a
    `pd.ArrowDtype` (lists stay Arrow lists; cheapest for large reads).
    Filters apply to rows before the newest version of each URL is picked.
    """
    wanted = list(columns) if columns else list(ARTICLE_SCHEMA.names)
    unknown = [c for c in wanted if c not in ARTICLE_SCHEMA.names]
    if unknown:
        raise KeyError(f"no such column(s): {unknown}")
    extra = _ORDER + (_LATEST if latest_versions else []) + (_STORIES if unique_stories else [])
    needed = list(dict.fromkeys(wanted + extra))

    if (Path(path) / "articles").exists():
        where = row_filter(sources, since, until, filters)
        if as_of is not None:
            known = pc.field("crawled_at") <= pa.scalar(utc_timestamp(as_of), type=_TS)
            where = known if where is None else where & known
        table = articles_dataset(path).to_table(columns=needed, filter=where)
    else:
        table = ARTICLE_SCHEMA.empty_table().select(needed)
    df = _to_pandas(table, dtype_backend)
    if latest_versions:
        df = df.sort_values(_LATEST, kind="stable").drop_duplicates("url", keep="last")
    df = df.sort_values(_ORDER, na_position="last", kind="stable")
    if unique_stories:
        # The head first, so a story whose head is filtered out keeps its earliest row.
        df = df.sort_values("duplicate_of", key=lambda s: s.notna(), kind="stable")
        df = df.drop_duplicates("story_id", keep="first")
        df = df.sort_values(_ORDER, na_position="last", kind="stable")
    return df.reset_index(drop=True)[wanted]


def _to_pandas(table: pa.Table, dtype_backend: str) -> pd.DataFrame:
    if dtype_backend == "pyarrow":
        return table.to_pandas(types_mapper=pd.ArrowDtype)
    if dtype_backend != "numpy":
        raise ValueError(f"dtype_backend must be 'numpy' or 'pyarrow', not {dtype_backend!r}")
    # Nullable Int32: a numpy int32 column would turn float64 as soon as it holds a null.
    df = table.to_pandas(types_mapper={pa.int32(): pd.Int32Dtype()}.get)
    for name in LIST_COLUMNS:
        if name in df.columns:
            # pyarrow hands lists over as numpy arrays; analysts expect lists.
            df[name] = pd.Series(table.column(name).to_pylist(), index=df.index, dtype=object)
    return df


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
