"""omskcrawl's own signals."""

from __future__ import annotations

# Sent by the Parquet pipeline each time it published an article file, with
# `paths` (relative to the export folder) and `urls` (the rows it holds): the
# state records of those URLs may now be stored (see omskcrawl.dedup.state).
files_published = object()

# Sent by the Parquet pipeline when rows could not be written (`urls`): their
# staged state records must never be stored.
rows_lost = object()
