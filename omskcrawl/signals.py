"""omskcrawl's own signals."""

from __future__ import annotations

# Sent by the Parquet pipeline after it published files: state that describes
# their rows may now be committed (see omskcrawl.dedup.state).
files_published = object()
