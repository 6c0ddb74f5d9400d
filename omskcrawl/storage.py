"""Streaming, atomic, hive-partitioned Parquet files with the explicit schema.

One `ParquetStream` per output file: rows are buffered up to `batch_size`,
sorted by `sort_by` (so each row group's min/max statistics, which readers use to
skip row groups, cover a narrow range), written as one record batch, and the file
is only renamed to its final name
(`part-<run_id>-<n>.parquet`) when closed. Until then it is a dot-file, which
pyarrow and pandas skip, so a crash never leaves a half file in the dataset.

Memory is bounded by the limits, not by the crawl, however many partitions a
crawl spreads over (a replay of history writes one per source and capture day):
rows buffered over all partitions are at most `batch_size` (the largest buffer
is written out first), open files at most `max_open_files` (the one written to
least recently is published), and rows in files not yet published at most
`max_unpublished_rows` (the largest open file is published). Until its file is
published a row is also held by the dedup state's stage, so the last limit
bounds that too.

A write, close or rename that fails (disk full, read-only folder) aborts that
file: its dot-file is removed and `WriteFailed` names the file, the cause and
the URLs of the rows it held, so the caller can say exactly what was not written.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from omskcrawl.rowbatch import record_batch

logger = logging.getLogger(__name__)

# Rows in files not yet published (the default of OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS).
MAX_UNPUBLISHED_ROWS = 2_000


@dataclass
class WrittenFile:
    path: str
    rows: int
    urls: list[str] = field(default_factory=list, repr=False)

    def take_urls(self) -> list[str]:
        """The rows' URLs, handed over once: a published file's record then keeps its path and
        row count only, so nothing is kept per row for the rest of a crawl.

        >>> f = WrittenFile("part-1.parquet", 2, ["https://a.ru/1", "https://a.ru/2"])
        >>> f.take_urls(), f.urls
        (['https://a.ru/1', 'https://a.ru/2'], [])
        """
        urls, self.urls = self.urls, []
        return urls


class WriteFailed(OSError):
    """A file could not be written or published; its rows are not in the dataset."""

    def __init__(self, path: Path, urls: list[str], cause: OSError) -> None:
        super().__init__(cause.errno, f"{path}: {cause.strerror or cause}")
        self.path = path
        self.urls = urls
        self.cause = cause


def parquet_writer(path: Path, schema: pa.Schema) -> pq.ParquetWriter:
    """The one way this project opens a Parquet file: zstd, column statistics on."""
    return pq.ParquetWriter(path, schema, compression="zstd", write_statistics=True)


_EARLIEST = datetime.min.replace(tzinfo=UTC)


def _sort_key(value: Any) -> tuple[bool, Any]:
    """Nulls last; comparable values otherwise (datetimes here)."""
    return (value is None, _EARLIEST if value is None else value)


class ParquetStream:
    """One Parquet file written in record batches, published atomically on close."""

    def __init__(
        self,
        final_path: Path,
        schema: pa.Schema,
        batch_size: int,
        metadata: Mapping[str, str],
        sort_by: str | None = None,
    ) -> None:
        self.final_path = final_path
        self.sort_by = sort_by
        self.tmp_path = final_path.with_name("." + final_path.name + ".tmp")
        self.schema = schema.with_metadata({**(schema.metadata or {}), **metadata})
        self.batch_size = batch_size
        self.rows = 0
        self.urls: list[str] = []
        self._buffer: list[dict[str, Any]] = []
        self._writer: pq.ParquetWriter | None = None

    @property
    def held(self) -> int:
        """Rows in this file so far, written or buffered."""
        return self.rows + len(self._buffer)

    def write(self, row: Mapping[str, Any]) -> None:
        self._buffer.append({name: row.get(name) for name in self.schema.names})
        self.urls.append(str(row.get("url")))
        if len(self._buffer) >= self.batch_size:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        if self.sort_by is not None:
            column = self.sort_by
            self._buffer.sort(key=lambda row: _sort_key(row.get(column)))
        try:
            batch = record_batch(self._buffer, self.schema)
            if self._writer is None:
                self.final_path.parent.mkdir(parents=True, exist_ok=True)
                self._writer = parquet_writer(self.tmp_path, self.schema)
            self._writer.write_batch(batch)
        except OSError as e:
            raise self._abort(e) from e
        self.rows += len(self._buffer)
        self._buffer.clear()

    def close(self) -> WrittenFile | None:
        """Flush, close and publish; None when nothing was written."""
        self.flush()
        if self._writer is None:
            return None
        try:
            self._writer.close()
            self.tmp_path.replace(self.final_path)
        except OSError as e:
            raise self._abort(e) from e
        return WrittenFile(str(self.final_path), self.rows, self.urls)

    def _abort(self, cause: OSError) -> WriteFailed:
        """Give the file up: close what is open, remove the dot-file if possible."""
        if self._writer is not None:
            # The disk that failed the write may fail the footer too.
            with contextlib.suppress(OSError):
                self._writer.close()
            self._writer = None
        try:
            self.tmp_path.unlink(missing_ok=True)
        except OSError as e:
            logger.warning("could not remove %s (%s); the next run removes it", self.tmp_path, e)
        return WriteFailed(self.final_path, self.urls, cause)


@dataclass
class PartitionedWriter:
    """Rows routed to one stream per partition; file names never collide across runs."""

    root: Path
    schema: pa.Schema
    partition_by: tuple[str, ...]
    run_id: str
    batch_size: int = 500
    max_rows_per_file: int = 100_000
    metadata: dict[str, str] = field(default_factory=dict)
    sort_by: str | None = None
    max_open_files: int = 16
    max_unpublished_rows: int = MAX_UNPUBLISHED_ROWS
    written: list[WrittenFile] = field(default_factory=list)
    failed: list[WriteFailed] = field(default_factory=list)
    # Open streams, the one written to least recently first.
    _streams: dict[tuple[str, ...], ParquetStream] = field(default_factory=dict)
    _counter: int = 0
    _buffered: int = 0  # rows buffered over all streams
    _unpublished: int = 0  # rows in open streams (buffered or written)

    def _new_stream(self, key: tuple[str, ...]) -> ParquetStream:
        folder = self.root.joinpath(
            *(f"{n}={v}" for n, v in zip(self.partition_by, key, strict=True))
        )
        while True:
            self._counter += 1
            path = folder / f"part-{self.run_id}-{self._counter}.parquet"
            if not path.exists():
                break
        return ParquetStream(path, self.schema, self.batch_size, self.metadata, self.sort_by)

    @property
    def open_files(self) -> int:
        return len(self._streams)

    @property
    def buffered_rows(self) -> int:
        return self._buffered

    @property
    def unpublished_rows(self) -> int:
        return self._unpublished

    def write(self, row: Mapping[str, Any]) -> list[WrittenFile]:
        """Buffer one row; the files published meanwhile (a full one, or one a limit closed).

        Raises `WriteFailed` when the row's file failed: that file is given up. A file a
        limit closed that fails goes to `failed`, as at `close`.
        """
        key = tuple(str(row[name]) for name in self.partition_by)
        stream = self._streams.pop(key, None)
        done: list[WrittenFile] = []
        if stream is None:
            if len(self._streams) >= self.max_open_files:
                done += self._publish_quietly(next(iter(self._streams)))
            stream = self._new_stream(key)
        self._streams[key] = stream  # now the most recently written
        before = len(stream._buffer)
        try:
            stream.write(row)
        except WriteFailed:
            del self._streams[key]
            self._unpublished -= stream.rows + before
            self._buffered -= before
            raise
        self._buffered += len(stream._buffer) - before
        self._unpublished += 1
        if stream.held >= self.max_rows_per_file:
            published = self._publish(key)
            return done + ([published] if published else [])
        if self._buffered > self.batch_size:
            self._flush_largest()
        if self._unpublished > self.max_unpublished_rows:
            largest = max(
                self._streams, key=lambda k: self._streams[k].rows + len(self._streams[k]._buffer)
            )
            done += self._publish_quietly(largest)
        return done

    def _flush_largest(self) -> None:
        key = max(self._streams, key=lambda k: len(self._streams[k]._buffer))
        stream = self._streams[key]
        flushed = len(stream._buffer)
        try:
            stream.flush()
        except WriteFailed as e:
            del self._streams[key]
            self._unpublished -= stream.rows + flushed
            self.failed.append(e)
        self._buffered -= flushed

    def _publish_quietly(self, key: tuple[str, ...]) -> list[WrittenFile]:
        """Publish a file a limit closed; a failure goes to `failed`."""
        try:
            published = self._publish(key)
        except WriteFailed as e:
            self.failed.append(e)
            return []
        return [published] if published else []

    def _publish(self, key: tuple[str, ...]) -> WrittenFile | None:
        stream = self._streams.pop(key)
        self._buffered -= len(stream._buffer)
        self._unpublished -= stream.held
        done = stream.close()
        if done is not None:
            self.written.append(done)
            logger.info("wrote %s (%d rows)", done.path, done.rows)
        return done

    def close(self) -> list[WrittenFile]:
        """Publish every open file; the ones that fail go to `failed`, the others still publish."""
        for key in list(self._streams):
            try:
                self._publish(key)
            except WriteFailed as e:
                self.failed.append(e)
        return self.written


def remove_dead_tmp_files(root: Path, run_id: str) -> list[Path]:
    """Remove dot-files (`.part-*.tmp`) under `root` that other runs left behind.

    Only safe while this process holds the export folder's run lock: then no
    other run is alive, and any dot-file not of `run_id` is from a dead one.
    """
    removed = []
    for path in root.rglob(".part-*.parquet.tmp"):
        if path.name.startswith(f".part-{run_id}-"):
            continue
        try:
            path.unlink()
        except OSError as e:
            logger.warning("could not remove the dead run's %s: %s", path, e)
            continue
        removed.append(path)
    return removed
