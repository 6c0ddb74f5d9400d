"""`scrapy compact`: small files merged, atomically, once, recorded, under the run lock."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from scrapy.utils.project import get_project_settings

from omskcrawl import compact as compaction
from omskcrawl import dataset, runlock
from omskcrawl.commands.compact import Command
from omskcrawl.dedup.rebuild import catch_up
from omskcrawl.dedup.state import open_state
from omskcrawl.manifest import file_entry, sha256_of, verify
from omskcrawl.runlock import EXIT_BUSY, RunLock
from omskcrawl.schema import FILE_SCHEMA
from omskcrawl.storage import PartitionedWriter

ROOT = Path(__file__).parent.parent
DAY = date(2024, 11, 20)
T0 = datetime(2024, 11, 20, 3, 0, tzinfo=UTC)


def hourly_runs(root: Path, runs: int = 6) -> None:
    """`runs` hourly crawls of two sites on DAY plus one on the next day, each with a manifest."""
    for hour in range(runs):
        run_id = f"20241120T{hour:02d}0000Z-run{hour}"
        w = PartitionedWriter(
            root / "articles", FILE_SCHEMA, ("source", "crawl_date"), run_id, sort_by="published_at"
        )
        for source in ("gorod55", "ngs55"):
            for k in range(3):
                n = hour * 10 + k
                w.write(
                    {
                        "url": f"https://{source}.ru/news/{n}",
                        "source": source,
                        "crawl_date": DAY.isoformat(),
                        "title": f"Новость {n}",
                        "published_at": T0 + timedelta(hours=hour, minutes=-10 * k),
                        "tags": ["Омск"],
                        "tag_keys": ["омск"],
                        "version": 1,
                        "content_hash": f"h{n}",
                        "story_id": f"{source}{n}",
                        "crawled_at": T0 + timedelta(hours=hour),
                        "run_id": run_id,
                    }
                )
        if hour == 0:  # the next day's partition has one file: nothing to merge
            w.write(
                {
                    "url": "https://bk55.ru/news/1",
                    "source": "bk55",
                    "crawl_date": (DAY + timedelta(days=1)).isoformat(),
                    "title": "Одна",
                    "run_id": run_id,
                }
            )
        files = w.close()
        write_run_manifest(root, run_id, [Path(f.path) for f in files])


def write_run_manifest(root: Path, run_id: str, paths: list[Path]) -> None:
    entries = [file_entry(root, p, pq.ParquetFile(p).metadata.num_rows) for p in paths]
    (root / "runs").mkdir(exist_ok=True)
    manifest = {"run_id": run_id, "files": entries}
    (root / "runs" / f"{run_id}.json").write_text(json.dumps(manifest), "utf-8")


def parts(root: Path) -> list[str]:
    return sorted(p.relative_to(root).as_posix() for p in (root / "articles").rglob("*.parquet"))


def every_row(root: Path) -> pd.DataFrame:
    df = dataset.load(root, latest_versions=False)
    return df.sort_values(["url", "run_id"]).reset_index(drop=True)


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    hourly_runs(tmp_path)
    return tmp_path


def test_merges_small_files_into_one_sorted_file(exports: Path) -> None:
    before = every_row(exports)
    assert len(parts(exports)) == 13
    result = compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    assert result.partitions == 2 and len(result.removed) == 12 and len(result.written) == 2
    assert parts(exports) == [
        "articles/source=bk55/crawl_date=2024-11-21/part-20241120T000000Z-run0-3.parquet",
        "articles/source=gorod55/crawl_date=2024-11-20/part-compact-c1-1.parquet",
        "articles/source=ngs55/crawl_date=2024-11-20/part-compact-c1-2.parquet",
    ]
    pd.testing.assert_frame_equal(every_row(exports), before)
    merged = pq.read_table(exports / parts(exports)[1])
    published = merged.column("published_at").to_pylist()
    assert published == sorted(published) and merged.num_rows == 18
    assert set(merged.column("run_id").to_pylist()) == {
        f"20241120T{h:02d}0000Z-run{h}" for h in range(6)
    }


def test_manifest_lists_new_and_removed_files_with_checksums(exports: Path) -> None:
    result = compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    assert result.manifest == exports / "runs" / "c1.json"
    manifest = json.loads(result.manifest.read_text("utf-8"))
    assert manifest["kind"] == "compaction"
    assert {e["kind"] for e in manifest["files"]} == {"articles"}
    assert sum(e["rows"] for e in manifest["files"]) == 36
    assert sum(e["rows"] for e in manifest["replaced"]) == 36
    assert len(manifest["removed"]) == 12
    assert all(len(e["sha256"]) == 64 and e["bytes"] > 0 for e in manifest["files"])
    assert verify(exports).ok


def test_verify_and_as_of_keep_working(exports: Path) -> None:
    assert verify(exports).ok
    three_runs = T0 + timedelta(hours=2)
    as_of_before = dataset.load(exports, as_of=three_runs).sort_values("url")
    compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    checked = verify(exports)
    assert checked.ok and checked.checked == 3  # two merged files + the untouched one
    as_of_after = dataset.load(exports, as_of=three_runs).sort_values("url")
    pd.testing.assert_frame_equal(
        as_of_after.reset_index(drop=True), as_of_before.reset_index(drop=True)
    )
    assert len(as_of_after) == 3 * 2 * 3
    merged = exports / parts(exports)[1]
    merged.write_bytes(merged.read_bytes()[:-1] + b"x")
    assert verify(exports).changed == [parts(exports)[1]]


def test_idempotent(exports: Path) -> None:
    compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    files = {p: sha256_of(exports / p) for p in parts(exports)}
    again = compaction.compact(exports, "c2", before=DAY + timedelta(days=1))
    assert again.manifest is None and again.partitions == 0
    assert {p: sha256_of(exports / p) for p in parts(exports)} == files
    assert not (exports / "runs" / "c2.json").exists()


def test_before_leaves_later_partitions_alone(exports: Path) -> None:
    result = compaction.compact(exports, "c1", before=DAY)
    assert result.manifest is None and len(parts(exports)) == 13


def test_target_size_splits_a_partition(exports: Path) -> None:
    gorod55 = sum(
        p.stat().st_size for p in (exports / "articles/source=gorod55").rglob("*.parquet")
    )
    result = compaction.compact(
        exports, "c1", before=DAY + timedelta(days=1), target_bytes=gorod55 // 2 + 1
    )
    per_partition = [e for e in result.written if "gorod55" in e["path"]]
    assert [e["rows"] for e in per_partition] == [9, 9]  # half the bytes each, rows shared evenly


def test_crash_before_the_manifest_loses_nothing_and_heals(
    exports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = every_row(exports)

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(compaction, "write_compaction_manifest", crash)
    with pytest.raises(OSError, match="disk full"):
        compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    # New files are published, the old ones still there: every row is readable (twice).
    assert len(parts(exports)) == 15
    assert len(dataset.load(exports, latest_versions=False)) == 2 * 36 + 1
    pd.testing.assert_frame_equal(
        dataset.load(exports).sort_values("url").reset_index(drop=True),
        before.drop_duplicates("url").sort_values("url").reset_index(drop=True),
    )
    monkeypatch.undo()
    healed = compaction.compact(exports, "c2", before=DAY + timedelta(days=1))
    assert healed.copies_dropped == 36
    pd.testing.assert_frame_equal(every_row(exports), before)
    assert verify(exports).ok


def test_a_failed_write_publishes_nothing(exports: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = parts(exports)

    def fail(self: object, table: object, row_group_size: int) -> None:
        raise OSError("write failed")

    monkeypatch.setattr(pq.ParquetWriter, "write_table", fail)
    with pytest.raises(OSError, match="write failed"):
        compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    monkeypatch.undo()
    assert parts(exports) == files
    assert len(dataset.load(exports, latest_versions=False)) == 37


def test_dedup_state_learns_the_new_files(exports: Path) -> None:
    state = open_state("sqlite", root=exports, redis_url="", prefix="")
    try:
        state.record_files(parts(exports))
        state.commit()
        result = compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
        assert compaction.record_in_state(state, result)
        assert catch_up(state, exports) == 0  # the next crawl reads nothing again
        assert {e["path"] for e in result.written} <= state.known_files()
    finally:
        state.close()


def test_dedup_state_that_missed_a_file_reads_the_new_ones(exports: Path) -> None:
    state = open_state("sqlite", root=exports, redis_url="", prefix="")
    try:
        files = parts(exports)
        assert "gorod55" in files[1]
        state.record_files(files[:1] + files[2:])  # a run died before committing this file
        state.commit()
        result = compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
        assert not compaction.record_in_state(state, result)
        assert not {e["path"] for e in result.written} & state.known_files()
    finally:
        state.close()


def compact_command(exports: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "compact", *args, "-s", f"OMSKCRAWL_EXPORT_DIR={exports}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_command_refuses_while_a_crawl_runs(exports: Path) -> None:
    with RunLock(exports, command="scrapy crawlall"):
        busy = compact_command(exports, "--before", "2024-11-21")
    assert busy.returncode == EXIT_BUSY, busy.stderr[-2000:]
    assert "scrapy crawlall" in busy.stderr and len(parts(exports)) == 13


def test_command_compacts(exports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    settings = get_project_settings()
    settings.set("OMSKCRAWL_EXPORT_DIR", str(exports))
    command = Command()
    command.settings = settings
    command.run([], argparse.Namespace(before="2024-11-21"))
    assert "compacted 2 partitions: 12 files → 2 (36 rows" in capsys.readouterr().out
    assert len(parts(exports)) == 3
    assert (exports / ".lock").resolve() not in runlock._held  # released: a crawl may start
    command.run([], argparse.Namespace(before="2024-11-21"))
    assert "nothing to compact" in capsys.readouterr().out


def test_files_of_an_older_schema_merge_into_the_current_one(exports: Path) -> None:
    folder = exports / "articles/source=gorod55/crawl_date=2024-11-20"
    old = next(folder.glob("part-*.parquet"))
    table = pq.read_table(old).drop_columns(["tag_keys"])  # as schema 1 wrote it
    pq.write_table(table, old)
    result = compaction.compact(exports, "c1", before=DAY + timedelta(days=1))
    merged = pq.read_table(exports / result.written[0]["path"])
    assert merged.schema.remove_metadata() == FILE_SCHEMA.remove_metadata()
    assert merged.column("tag_keys").null_count == 3 and merged.num_rows == 18
