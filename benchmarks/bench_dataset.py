"""How much of a 1M-row dataset `dataset.load` touches for one source-week, against all of it.

Run from the repository root:

    .venv/bin/python benchmarks/bench_dataset.py [--rows 1000000] [--keep DIR]

Builds a synthetic dataset shaped like a year of crawls: 10 sources x 365 crawl days,
one file per partition (what `scrapy compact` leaves), rows sorted by `published_at`
in row groups of 500 (the writer's batch), each item published up to two days before
its crawl. Then reads it whole and reads one source-week, the same way both times
(`load(..., latest_versions=False, dtype_backend="pyarrow")`), and prints the share of
files, row groups and time the filtered read needs. Timings are the best of 3 runs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omskcrawl import dataset
from omskcrawl.schema import FILE_SCHEMA
from omskcrawl.storage import parquet_writer

SOURCES = [f"site{i:02d}" for i in range(10)]
DAYS = 365
FIRST_DAY = date(2025, 1, 1)
ROW_GROUP = 500
WORD_TEXT = (
    "губернатор область омск министр дорога ремонт школа бюджет рубль проект завод район "
    "жители город мэрия совет депутат больница врач транспорт автобус мост улица парк "
    "строительство промышленность предприятие фестиваль театр спорт хоккей авангард"
)
WORDS = np.array(WORD_TEXT.split())


def make_partition(
    rng: np.random.Generator, source: str, day: date, rows: int, first_n: int
) -> pa.Table:
    crawl = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    lag_s = np.sort(rng.integers(0, 2 * 86400, rows))[::-1]
    published = [crawl - timedelta(seconds=int(s)) for s in lag_s]
    words = rng.choice(WORDS, size=(rows, 60))
    titles = [" ".join(w[:8]).capitalize() for w in words]
    bodies = [" ".join(w).capitalize() + "." for w in words]
    tags = [[str(t) for t in w[:3]] for w in words]
    urls = [f"https://{source}.ru/news/{first_n + i}" for i in range(rows)]
    columns = {
        "url": urls,
        "title": titles,
        "body": bodies,
        "published_at": published,
        "tags": tags,
        "tag_keys": tags,
        "authors": [[] for _ in range(rows)],
        "attachments": [[] for _ in range(rows)],
        "word_count": [60] * rows,
        "version": [1] * rows,
        "story_id": [u[-12:] for u in urls],
        "crawled_at": [crawl] * rows,
        "run_id": [f"{day.isoformat()}T03"] * rows,
    }
    full = {name: columns.get(name, [None] * rows) for name in FILE_SCHEMA.names}
    return pa.Table.from_pydict(full, schema=FILE_SCHEMA)


def build(root: Path, total_rows: int) -> int:
    rng = np.random.default_rng(12)
    per_partition = total_rows // (len(SOURCES) * DAYS)
    n = 0
    for source in SOURCES:
        for offset in range(DAYS):
            day = FIRST_DAY + timedelta(days=offset)
            folder = root / "articles" / f"source={source}" / f"crawl_date={day.isoformat()}"
            folder.mkdir(parents=True)
            table = make_partition(rng, source, day, per_partition, n)
            n += per_partition
            writer = parquet_writer(folder / "part-bench-1.parquet", FILE_SCHEMA)
            writer.write_table(table, row_group_size=ROW_GROUP)
            writer.close()
    return n


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the dataset here")
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="omskcrawl-bench-"))
    try:
        if not (root / "articles").exists():
            start = time.perf_counter()
            rows = build(root, args.rows)
            print(f"built {rows:,} rows in {time.perf_counter() - start:.0f} s under {root}")
        week: dict[str, Any] = {
            "sources": ["site03"],
            "since": date(2025, 6, 2),
            "until": date(2025, 6, 9),
        }
        data = dataset.articles_dataset(root)
        expr = dataset.row_filter(**week)
        files_all = list(data.get_fragments())
        files_week = list(data.get_fragments(filter=expr))
        groups_all = sum(f.num_row_groups for f in files_all)
        in_week = dataset.row_filter(since=week["since"], until=week["until"])
        kept = [len(f.split_by_row_group(in_week)) for f in files_week]
        groups_week = sum(kept)
        files_read = sum(1 for k in kept if k)

        def read(**kw: object) -> object:
            return dataset.load(root, latest_versions=False, dtype_backend="pyarrow", **kw)

        t_all, df_all = best_of(3, read)
        t_week, df_week = best_of(3, lambda: read(**week))
        t_week_default, _ = best_of(3, lambda: dataset.load(root, **week))
        # An analyst who knows the crawl runs daily can prune crawl_date folders too.
        crawled = [
            ("crawl_date", ">=", week["since"]),
            ("crawl_date", "<", week["until"] + timedelta(days=3)),
        ]
        files_crawled = list(data.get_fragments(filter=dataset.row_filter(**week, filters=crawled)))
        t_crawled, df_crawled = best_of(3, lambda: read(**week, filters=crawled))
        n_all, n_week = len(df_all), len(df_week)  # type: ignore[arg-type]
        print(f"one source-week: {week['sources'][0]}, {week['since']} to {week['until']}")
        print(f"rows       {n_week:>9,} of {n_all:>9,}  ({n_week / n_all:.2%})")
        print(
            f"files      {len(files_week):>9,} of {len(files_all):>9,}  "
            f"({len(files_week) / len(files_all):.2%})  opened after partition pruning (source)"
        )
        print(
            f"files      {files_read:>9,} of {len(files_all):>9,}  "
            f"({files_read / len(files_all):.2%})  with a row group read (the others: footer only)"
        )
        print(
            f"row groups {groups_week:>9,} of {groups_all:>9,}  "
            f"({groups_week / groups_all:.2%})  after published_at statistics"
        )
        print(
            f"time       {t_week:>8.3f}s of {t_all:>8.3f}s  ({t_week / t_all:.2%})  "
            "load(dtype_backend='pyarrow', latest_versions=False)"
        )
        print(f"default load() of the week (lists, newest versions): {t_week_default:.3f}s")
        print(
            f"with filters=crawl_date in [since, until + 3 days): {len(df_crawled):,} rows, "  # type: ignore[arg-type]
            f"{len(files_crawled)} of {len(files_all):,} files opened "
            f"({len(files_crawled) / len(files_all):.2%}), "
            f"{t_crawled:.3f}s ({t_crawled / t_all:.2%} of the full read)"
        )
    finally:
        if args.keep is None:
            shutil.rmtree(root)


if __name__ == "__main__":
    main()
