"""What compaction buys: reading a month of hourly runs' small files, then the compacted files.

Run from the repository root:

    .venv/bin/python benchmarks/bench_compact.py [--sources 10] [--days 30]

Builds what hourly crawls leave: per source and day, 24 files of a few rows each (one
per run), then times `dataset.load` over everything and over one source-week, runs
`compact` (timed too) and times the same reads again. Best of 3 runs per read.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_dataset import best_of, make_partition

from omskcrawl import dataset
from omskcrawl.compact import compact
from omskcrawl.schema import FILE_SCHEMA
from omskcrawl.storage import parquet_writer

FIRST_DAY = date(2025, 6, 1)
ROWS_PER_RUN = 12


def build(root: Path, sources: int, days: int) -> int:
    rng = np.random.default_rng(12)
    files = 0
    for s in range(sources):
        source = f"site{s:02d}"
        for offset in range(days):
            day = FIRST_DAY + timedelta(days=offset)
            folder = root / "articles" / f"source={source}" / f"crawl_date={day.isoformat()}"
            folder.mkdir(parents=True)
            table = make_partition(rng, source, day, 24 * ROWS_PER_RUN, files * ROWS_PER_RUN)
            for hour in range(24):
                run = table.slice(hour * ROWS_PER_RUN, ROWS_PER_RUN)
                writer = parquet_writer(folder / f"part-run{hour:02d}-1.parquet", FILE_SCHEMA)
                writer.write_table(run)
                writer.close()
                files += 1
    return files


def reads(root: Path) -> tuple[float, float, int]:
    def read(**kw: object) -> object:
        return dataset.load(root, latest_versions=False, dtype_backend="pyarrow", **kw)

    week = {"sources": ["site03"], "since": date(2025, 6, 9), "until": date(2025, 6, 16)}
    t_all, df = best_of(3, read)
    t_week, _ = best_of(3, lambda: read(**week))
    return t_all, t_week, len(df)  # type: ignore[arg-type]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sources", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    args = parser.parse_args()
    root = Path(tempfile.mkdtemp(prefix="omskcrawl-bench-compact-"))
    try:
        files = build(root, args.sources, args.days)
        all_before, week_before, rows = reads(root)
        start = time.perf_counter()
        result = compact(root, "bench", before=FIRST_DAY + timedelta(days=args.days))
        took = time.perf_counter() - start
        all_after, week_after, rows_after = reads(root)
        assert rows_after == rows
        print(f"{rows:,} rows; {files:,} hourly files → {len(result.written):,} after compaction")
        print(f"compaction: {took:.1f}s ({len(result.removed):,} files merged)")
        print(
            f"load everything:  {all_before:.3f}s → {all_after:.3f}s "
            f"({all_before / all_after:.1f}× faster)"
        )
        print(
            f"load source-week: {week_before:.3f}s → {week_after:.3f}s "
            f"({week_before / week_after:.1f}× faster)"
        )
    finally:
        shutil.rmtree(root)


if __name__ == "__main__":
    main()
