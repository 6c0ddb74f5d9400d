"""Compaction: a partition's small files merged into files of a target size (`scrapy compact`).

Hourly runs leave one small file per source and day each; readers pay per file.
For every `source=…/crawl_date=…` folder before a date holding at least two files
smaller than the target, `compact` reads those files, drops rows that are exact
copies (only a compaction interrupted after publishing leaves those), sorts the rows
by `published_at` (tight row-group statistics), and writes them into
`part-compact-<run_id>-<n>.parquet` files of about the target size. Order of work,
so that no reader ever misses a row:

1. new files are written under dot-names and renamed into place (published);
2. the run manifest `runs/<run_id>.json` lists them (path, rows, bytes, sha256,
   kind) and, under `removed`, the files they replace, with the entries those had;
3. only then are the replaced files deleted.

Between 1 and 3 a reader can see a row twice (`load`'s newest-version pick hides
it); a crash there leaves copies that the next compaction merges away. Rows keep
every column, `run_id` and `crawled_at` included, so `load(as_of=…)` is unchanged.
Running it again on a compacted folder does nothing. The caller holds the run lock.
"""

from __future__ import annotations

import logging
import math
import os
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.dataset as ds
import pyarrow.parquet as pq

from omskcrawl.manifest import file_entry, save_manifest
from omskcrawl.schema import FILE_SCHEMA, SCHEMA_VERSION
from omskcrawl.storage import parquet_writer

if TYPE_CHECKING:
    from omskcrawl.dedup.state import State

logger = logging.getLogger(__name__)

# Rows per row group in compacted files: small enough that a `published_at` filter
# skips most of a file by its statistics, large enough to keep the footer small.
ROW_GROUP_ROWS = 5_000
# The columns that make two rows the same copy of one write.
COPY_KEY = ["url", "version", "content_hash", "run_id", "crawled_at"]
SORT_KEYS = [("published_at", "ascending"), ("url", "ascending"), ("version", "ascending")]


@dataclass
class CompactionResult:
    run_id: str
    partitions: int = 0
    written: list[dict[str, Any]] = field(default_factory=list)
    removed: list[dict[str, Any]] = field(default_factory=list)
    copies_dropped: int = 0
    manifest: Path | None = None


def partitions_before(root: Path, before: date) -> list[Path]:
    """`articles/source=*/crawl_date=*` folders whose date is before `before`."""
    found = []
    for folder in sorted((root / "articles").glob("source=*/crawl_date=*")):
        day = date.fromisoformat(folder.name.split("=", 1)[1])
        if folder.is_dir() and day < before:
            found.append(folder)
    return found


def small_files(folder: Path, target_bytes: int) -> list[Path]:
    return sorted(p for p in folder.glob("part-*.parquet") if p.stat().st_size < target_bytes)


def compact(
    root: Path, run_id: str, *, before: date, target_bytes: int = 128 * 1024 * 1024
) -> CompactionResult:
    """Compact every partition of `root/articles` before `before`; see the module doc."""
    result = CompactionResult(run_id)
    started = datetime.now(UTC)
    replaced: list[Path] = []
    counter = 0
    for folder in partitions_before(root, before):
        inputs = small_files(folder, target_bytes)
        if len(inputs) < 2:
            continue
        result.removed += [file_entry(root, p, pq.ParquetFile(p).metadata.num_rows) for p in inputs]
        table = merged(inputs)
        copies = table.num_rows
        table = drop_copies(table)
        result.copies_dropped += copies - table.num_rows
        in_bytes = sum(p.stat().st_size for p in inputs)
        # As many files as the inputs' bytes fill at the target size, rows shared evenly.
        n_files = max(1, math.ceil(in_bytes / target_bytes))
        rows_per_file = max(1, math.ceil(table.num_rows / n_files))
        for start in range(0, table.num_rows, rows_per_file):
            counter += 1
            path = folder / f"part-compact-{run_id}-{counter}.parquet"
            chunk = table.slice(start, rows_per_file)
            publish(path, chunk, {"omskcrawl.run_id": run_id, "omskcrawl.compacted": "1"})
            result.written.append(file_entry(root, path, chunk.num_rows))
        replaced += inputs
        result.partitions += 1
        logger.info("compacted %s: %d files → %d rows", folder, len(inputs), table.num_rows)
    if not result.partitions:
        return result
    result.manifest = write_compaction_manifest(root, result, started, before)
    for path in replaced:
        path.unlink(missing_ok=True)
    return result


def record_in_state(state: State, result: CompactionResult) -> bool:
    """Tell the dedup state the new files hold rows it has, so `catch_up` skips them.

    Only when the state knew every replaced file; otherwise the new files are left
    for `catch_up` to read (applying known rows again is harmless, missing some is not).
    """
    known = state.known_files()
    if not result.written or not all(e["path"] in known for e in result.removed):
        return False
    state.apply([], [e["path"] for e in result.written])
    return True


def merged(paths: list[Path]) -> pa.Table:
    """The rows of `paths` in the current file schema (columns added since are null)."""
    table = ds.dataset([str(p) for p in paths], schema=FILE_SCHEMA, format="parquet").to_table()
    return table.sort_by(SORT_KEYS)


def drop_copies(table: pa.Table) -> pa.Table:
    """Keep the first of rows equal in `COPY_KEY` (the table stays sorted)."""
    index = pa.array(np.arange(table.num_rows, dtype=np.int64))
    keys = table.select(COPY_KEY).append_column("_i", index)
    first = keys.group_by(COPY_KEY, use_threads=False).aggregate([("_i", "min")])
    keep = pc.sort_indices(first.column("_i_min"))
    return table.take(pc.take(first.column("_i_min"), keep))


def publish(path: Path, table: pa.Table, metadata: dict[str, str]) -> None:
    """Write under a dot-name, then rename: readers see the whole file or none."""
    tmp = path.with_name("." + path.name + ".tmp")
    schema = FILE_SCHEMA.with_metadata({**(FILE_SCHEMA.metadata or {}), **metadata})
    writer = parquet_writer(tmp, schema)
    try:
        writer.write_table(table.cast(schema), row_group_size=ROW_GROUP_ROWS)
    finally:
        writer.close()
    os.replace(tmp, path)


def write_compaction_manifest(
    root: Path, result: CompactionResult, started: datetime, before: date
) -> Path:
    """`runs/<run_id>.json` in the run manifests' shape: `files` written, `removed` paths."""
    manifest = {
        "run_id": result.run_id,
        "kind": "compaction",
        "schema_version": SCHEMA_VERSION,
        "started_at": started.isoformat(),
        "finished_at": datetime.now(UTC).isoformat(),
        "before": before.isoformat(),
        "partitions": result.partitions,
        "copies_dropped": result.copies_dropped,
        "files": result.written,
        "removed": [entry["path"] for entry in result.removed],
        "replaced": result.removed,
    }
    return save_manifest(root, result.run_id, manifest)
