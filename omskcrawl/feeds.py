"""A Parquet feed exporter, for Scrapy's FEEDS and its storage backends (S3, GCS, FTP...).

The dataset writer (omskcrawl.pipelines.parquet) stays the default output. Users who want
Scrapy's feed storages instead get the same typed rows with the same explicit schema:

    scrapy crawl gorod55 -O s3://bucket/omsk/%(name)s-%(time)s.parquet

(`FEED_EXPORTERS` maps the `parquet` format to `ParquetItemExporter`). Rows are buffered and
written as record batches of OMSKCRAWL_PARQUET_BATCH_SIZE; the file is one Parquet file
with `schema.ARTICLE_SCHEMA`, partition columns included.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, BinaryIO

import pyarrow.parquet as pq
from itemadapter import ItemAdapter
from scrapy.exporters import BaseItemExporter

from omskcrawl.rowbatch import record_batch
from omskcrawl.schema import ARTICLE_SCHEMA

BATCH_SIZE = 500


class ParquetItemExporter(BaseItemExporter):
    def __init__(self, file: BinaryIO, *, batch_size: int = BATCH_SIZE, **kwargs: Any) -> None:
        super().__init__(dont_fail=True, **kwargs)
        self.file = file
        self.batch_size = batch_size
        self.rows: list[dict[str, Any]] = []
        self.writer: pq.ParquetWriter | None = None

    def start_exporting(self) -> None:
        self.writer = pq.ParquetWriter(self.file, ARTICLE_SCHEMA, compression="zstd")

    def export_item(self, item: Any) -> None:
        row = ItemAdapter(item).asdict()
        crawled = row.get("crawled_at")
        if row.get("crawl_date") is None and isinstance(crawled, datetime):
            row["crawl_date"] = crawled.date()
        self.rows.append({name: row.get(name) for name in ARTICLE_SCHEMA.names})
        if len(self.rows) >= self.batch_size:
            self._flush()

    def _flush(self) -> None:
        if self.rows and self.writer is not None:
            self.writer.write_batch(record_batch(self.rows, ARTICLE_SCHEMA))
            self.rows.clear()

    def finish_exporting(self) -> None:
        self._flush()
        if self.writer is not None:
            self.writer.close()
