"""The item and the explicit schema are one contract."""

from __future__ import annotations

import pyarrow as pa

from omskcrawl.items import ArticleItem
from omskcrawl.schema import (
    ARTICLE_SCHEMA,
    COLUMN_DOCS,
    FILE_SCHEMA,
    PARTITION_COLUMNS,
    QUARANTINE_SCHEMA,
    SCHEMA_VERSION,
)


def test_item_fields_equal_schema_columns() -> None:
    assert set(ArticleItem.fields) == set(ARTICLE_SCHEMA.names)


def test_every_column_is_documented() -> None:
    assert set(COLUMN_DOCS) == set(ARTICLE_SCHEMA.names)


def test_file_schema_is_dataset_schema_without_partition_keys() -> None:
    assert FILE_SCHEMA.names == [n for n in ARTICLE_SCHEMA.names if n not in PARTITION_COLUMNS]
    assert FILE_SCHEMA.metadata[b"omskcrawl.schema_version"] == SCHEMA_VERSION.encode()


def test_analyst_types() -> None:
    assert ARTICLE_SCHEMA.field("published_at").type == pa.timestamp("us", tz="UTC")
    assert ARTICLE_SCHEMA.field("crawled_at").type == pa.timestamp("us", tz="UTC")
    assert ARTICLE_SCHEMA.field("tags").type == pa.list_(pa.string())
    assert ARTICLE_SCHEMA.field("authors").type == pa.list_(pa.string())
    assert not ARTICLE_SCHEMA.field("url").nullable


def test_quarantine_keeps_every_column_and_a_reason() -> None:
    assert set(FILE_SCHEMA.names) | {"source", "reason"} == set(QUARANTINE_SCHEMA.names)
    assert all(f.nullable for f in QUARANTINE_SCHEMA if f.name != "reason")


def test_docs_schema_md_lists_every_column() -> None:
    from pathlib import Path

    text = (Path(__file__).parent.parent / "docs" / "schema.md").read_text("utf-8")
    for name in ARTICLE_SCHEMA.names:
        assert f"`{name}`" in text, name
