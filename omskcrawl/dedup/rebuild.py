"""Rebuild the dedup state from the Parquet dataset (`scrapy dedupstate --rebuild`)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from omskcrawl.dedup.semantic import headline_vector, vector_to_bytes
from omskcrawl.dedup.similarity import story_terms, use_latent
from omskcrawl.dedup.state import BODY_KEPT, Op, State, StoryItem, UrlRecord
from omskcrawl.schema import ARTICLE_SCHEMA

if TYPE_CHECKING:
    import pyarrow.dataset as ds

logger = logging.getLogger(__name__)

COLUMNS = [
    "url",
    "source",
    "content_hash",
    "version",
    "story_id",
    "duplicate_of",
    "published_at",
    "crawled_at",
    "title",
    "lead",
    "body",
]


def dataset_has_rows(root: Path) -> bool:
    folder = root / "articles"
    return folder.exists() and any(folder.rglob("part-*.parquet"))


def article_files(root: Path) -> list[str]:
    """The published article files, as paths relative to `root` (what the state records)."""
    folder = root / "articles"
    if not folder.exists():
        return []
    return sorted(p.relative_to(root).as_posix() for p in folder.rglob("part-*.parquet"))


def rebuild_state(
    state: State, root: Path, batch_rows: int = 2000, window_days: float = 3.0
) -> int:
    """Clear `state` and refill it from every row of the dataset; returns rows read."""
    state.clear()
    rows = catch_up(state, root, batch_rows, window_days)
    logger.info("dedup state rebuilt from %d rows", rows)
    return rows


def catch_up(state: State, root: Path, batch_rows: int = 2000, window_days: float = 3.0) -> int:
    """Apply the rows of every published file the state does not list; returns rows read.

    A file is in the dataset but not in the state when a run died between
    publishing it and committing its records, or that commit failed. Applying is
    idempotent (a URL already at that version is left alone), and the files are
    recorded with their rows in one transaction.
    Streams record batches: memory is bounded by `batch_rows`, not by the dataset.
    Headline vectors (one model pass each) are computed only for items inside the
    dedup window of the newest item: older ones can no longer be candidates.
    """
    known = state.known_files()
    missing = [path for path in article_files(root) if path not in known]
    if not missing:
        return 0
    # here, not at the top: every crawl calls this, and pyarrow's dataset and compute modules
    # (with pandas, which pyarrow.dataset imports) cost ~45 MB of RSS a crawl seldom needs
    import pyarrow.compute as pc

    newest = pc.max(
        _files_dataset(root, missing).to_table(columns=["published_at"]).column("published_at")
    ).as_py()
    recent = newest.timestamp() - window_days * 86400 if newest else float("inf")
    rows = 0
    for path in missing:
        for batch in _files_dataset(root, [path]).to_batches(
            columns=COLUMNS, batch_size=batch_rows
        ):
            ops: list[Op] = []
            versions: dict[str, int] = {}
            for row in batch.to_pylist():
                rows += 1
                ops.extend(_row_ops(state, row, recent, versions))
            state.apply(ops, [])
        state.apply([], [path])
    return rows


def _files_dataset(root: Path, paths: list[str]) -> ds.Dataset:
    import pyarrow.dataset as ds

    from omskcrawl.dataset import PARTITIONING

    return ds.dataset(
        [str(root / path) for path in paths],
        schema=ARTICLE_SCHEMA,
        format="parquet",
        partitioning=PARTITIONING,
        partition_base_dir=str(root / "articles"),
    )


def _row_ops(
    state: State, row: dict[str, Any], recent: float, versions: dict[str, int]
) -> list[Op]:
    """The records one dataset row adds: none when the state has that version already."""
    version = row["version"] or 1
    known = versions.get(row["url"])
    if known is None:
        record = state.get_url(row["url"])
        known = record.version if record is not None else 0
    if known >= version:
        return []
    versions[row["url"]] = version
    ops: list[Op] = [
        UrlRecord(
            row["url"],
            row["source"],
            row["content_hash"],
            version,
            row["story_id"] or row["url"],
            row["duplicate_of"],
            row["crawled_at"].timestamp() if row["crawled_at"] else 0.0,
        )
    ]
    if version == 1:
        when: datetime | None = row["published_at"] or row["crawled_at"]
        body = row["body"]
        item = StoryItem(
            row["story_id"] or row["url"],
            row["url"],
            when.timestamp() if when else 0.0,
            row["title"],
            row["lead"],
            body[:BODY_KEPT] if body else None,
            row["duplicate_of"] or row["url"],
            vector_to_bytes(headline_vector(row["title"]))
            if when and when.timestamp() >= recent and use_latent()
            else None,
        )
        ops.append((item, story_terms(row["title"], row["lead"])))
    return ops
