"""Rebuild the dedup state from the Parquet dataset (`scrapy dedupstate --rebuild`)."""

from __future__ import annotations

import logging
from datetime import datetime
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds

from omskcrawl.dataset import articles_dataset
from omskcrawl.dedup.semantic import headline_vector, vector_to_bytes
from omskcrawl.dedup.similarity import story_terms
from omskcrawl.dedup.state import BODY_KEPT, State, StoryItem, UrlRecord

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


def rebuild_state(
    state: State, root: Path, batch_rows: int = 2000, window_days: float = 3.0
) -> int:
    """Clear `state` and refill it from every row of the dataset; returns rows read.

    Streams record batches: memory is bounded by `batch_rows`, not by the dataset.
    Headline vectors (one model pass each) are computed only for items inside the
    dedup window of the newest item: older ones can no longer be candidates.
    """
    state.clear()
    if not dataset_has_rows(root):
        state.commit()
        return 0
    dataset: ds.Dataset = articles_dataset(root)
    newest = pc.max(dataset.to_table(columns=["published_at"]).column("published_at")).as_py()
    recent = newest.timestamp() - window_days * 86400 if newest else float("inf")
    rows = 0
    for batch in dataset.to_batches(columns=COLUMNS, batch_size=batch_rows):
        for row in batch.to_pylist():
            rows += 1
            known = state.get_url(row["url"])
            if known is None or known.version < (row["version"] or 1):
                state.put_url(
                    UrlRecord(
                        row["url"],
                        row["source"],
                        row["content_hash"],
                        row["version"] or 1,
                        row["story_id"] or row["url"],
                        row["duplicate_of"],
                        row["crawled_at"].timestamp() if row["crawled_at"] else 0.0,
                    )
                )
            if (row["version"] or 1) == 1:
                when: datetime | None = row["published_at"] or row["crawled_at"]
                body = row["body"]
                state.add_story_item(
                    StoryItem(
                        row["story_id"] or row["url"],
                        row["url"],
                        when.timestamp() if when else 0.0,
                        row["title"],
                        row["lead"],
                        body[:BODY_KEPT] if body else None,
                        row["duplicate_of"] or row["url"],
                        vector_to_bytes(headline_vector(row["title"]))
                        if when and when.timestamp() >= recent
                        else None,
                    ),
                    story_terms(row["title"], row["lead"]),
                )
    state.commit()
    logger.info("dedup state rebuilt from %d rows", rows)
    return rows
