"""The state never runs ahead of the dataset: per published file, any number of crawlers
per process, both backends, and whatever fails (write, rename, commit, a locked file).

Each test drives the real pipelines (validation-free: dedup → Parquet) the way a crawl
does, through the crawler's signals; the crash is "the process stops here": what another
process would then read from the backend is checked with a fresh connection.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.test import get_crawler

from omskcrawl.dedup import state as state_module
from omskcrawl.dedup.state import SqliteState
from omskcrawl.pipelines.dedup import DedupPipeline
from omskcrawl.pipelines.parquet import ParquetPipeline
from tests.test_pipelines import article

BODY = (
    "В Омске на улице {n}-й Северной начали ремонт теплотрассы. По словам специалистов "
    "АО «Омск РТС», работы продлятся до конца недели, движение транспорта ограничено. "
)


def items(source: str, count: int, start: int = 0) -> list[Any]:
    return [
        article(
            f"https://{source}.ru/news/{n}",
            f"Ремонт теплотрассы на {n}-й Северной улице ({source})",
            BODY.format(n=n) * 3,
            source=source,
        )
        for n in range(start, start + count)
    ]


class Run:
    """One crawler's dedup + Parquet pipelines, wired through its signals like a crawl."""

    def __init__(self, root: Path, source: str, extra: dict[str, Any]) -> None:
        settings = {
            "OMSKCRAWL_EXPORT_DIR": str(root),
            "OMSKCRAWL_RUN_ID": "r-" + source,
            "OMSKCRAWL_RUN_STARTED": "2026-11-26T03:00:00+00:00",
            "OMSKCRAWL_DEDUP_STORIES": False,  # the model is not what these tests are about
            **extra,
        }
        self.crawler: Crawler = get_crawler(settings_dict=settings)
        self.dedup = DedupPipeline.from_crawler(self.crawler)
        self.parquet = ParquetPipeline.from_crawler(self.crawler)
        assert self.crawler.stats is not None
        self.stats = self.crawler.stats

    def feed(self, batch: list[Any]) -> int:
        written = 0
        for item in batch:
            try:
                self.parquet.process_item(self.dedup.process_item(item))
                written += 1
            except DropItem:
                pass
        return written

    def close(self) -> None:
        self.parquet.close_spider()
        self.dedup.spider_closed()

    def failures(self) -> list[dict[str, str]]:
        return list(self.stats.get_value("omskcrawl/run_failures") or [])


@pytest.fixture(params=["sqlite", "redis"])
def backend(request: pytest.FixtureRequest, tmp_path: Path) -> dict[str, Any]:
    if request.param == "sqlite":
        return {"OMSKCRAWL_STATE_BACKEND": "sqlite"}
    url = request.getfixturevalue("redis_url")
    return {
        "OMSKCRAWL_STATE_BACKEND": "redis",
        "OMSKCRAWL_REDIS_URL": url,
        "OMSKCRAWL_REDIS_PREFIX": f"f{abs(hash(tmp_path))}",
    }


def die() -> None:
    """The process dies: its open states vanish without a commit (as under SIGKILL)."""
    for shared in list(state_module._OPEN.values()):
        backend = shared.backend
        if isinstance(backend, SqliteState):
            backend.db.close()  # no commit: SQLite rolls back
        else:
            backend.close()
    state_module._OPEN.clear()


def stored_urls(root: Path, settings: dict[str, Any]) -> set[str]:
    """What a new process would read from the backend now."""
    if settings["OMSKCRAWL_STATE_BACKEND"] == "sqlite":
        db = sqlite3.connect(root / "state" / "dedup.sqlite")
        try:
            return {row[0] for row in db.execute("SELECT url FROM urls")}
        finally:
            db.close()
    import redis

    client = redis.Redis.from_url(settings["OMSKCRAWL_REDIS_URL"], decode_responses=True)
    try:
        return set(client.smembers(f"{settings['OMSKCRAWL_REDIS_PREFIX']}:urls"))  # type: ignore[arg-type]
    finally:
        client.close()


def dataset_urls(root: Path) -> list[str]:
    folder = root / "articles"
    if not folder.exists() or not list(folder.rglob("part-*.parquet")):
        return []
    return list(pd.read_parquet(folder, columns=["url"])["url"])


def test_two_crawlers_share_a_state_and_each_file_commits_only_its_rows(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    # Defect 1: a crawler closing committed the rows another still held unpublished.
    extra = {**backend, "OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE": 3}
    first, second = Run(tmp_path, "gorod55", extra), Run(tmp_path, "ngs55", extra)
    first.feed(items("gorod55", 4))  # one file of 3 published, 1 row buffered
    second.feed(items("ngs55", 2))  # buffered
    assert stored_urls(tmp_path, backend) == set(dataset_urls(tmp_path))
    assert len(dataset_urls(tmp_path)) == 3
    # announced to the state, the file's URLs are not kept for the rest of the crawl
    assert [(f.rows, f.urls) for f in first.parquet.articles.written] == [(3, [])]
    first.close()  # its last file published; the other crawler's rows stay staged
    assert stored_urls(tmp_path, backend) == set(dataset_urls(tmp_path))
    assert len(stored_urls(tmp_path, backend)) == 4
    die()  # before the second crawler published: a new run redoes its rows
    rerun = Run(tmp_path, "ngs55", extra)
    assert rerun.feed(items("ngs55", 2)) == 2
    assert rerun.feed(items("gorod55", 4)) == 0  # unchanged
    rerun.close()
    urls = dataset_urls(tmp_path)
    assert len(urls) == len(set(urls)) == 6
    assert stored_urls(tmp_path, backend) == set(urls)


def tmpfs(path: Path, options: str) -> bool:
    """Mount a tmpfs at `path` when this process may (root in a container that allows it)."""
    if os.geteuid() != 0:
        return False
    path.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)],
        capture_output=True,
        check=False,
    )
    return result.returncode == 0


@contextlib.contextmanager
def read_only(folder: Path) -> Iterator[None]:
    """`folder` unwritable: a read-only tmpfs as root, permissions otherwise."""
    if tmpfs(folder, "ro,size=64k"):
        try:
            yield
        finally:
            subprocess.run(["umount", str(folder)], check=True)
        return
    if os.geteuid() == 0:
        pytest.skip("root without mount rights: cannot make a folder read-only")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o555)
    try:
        yield
    finally:
        folder.chmod(0o755)


def test_failed_publish_records_nothing_and_the_next_run_writes_it(
    tmp_path: Path, backend: dict[str, Any]
) -> None:
    # Defect 2: rename into a read-only folder failed, yet the state recorded 600 URLs.
    with read_only(tmp_path / "articles"):
        run = Run(tmp_path, "gorod55", backend)
        run.feed(items("gorod55", 5))
        run.close()
        assert [f["cause"] for f in run.failures()] == ["write"]
        assert "5 rows" in run.failures()[0]["detail"]
        assert run.stats.get_value("omskcrawl/not_written") == 5
        assert not run.stats.get_value("omskcrawl/written")
        assert stored_urls(tmp_path, backend) == set()
    rerun = Run(tmp_path, "gorod55", backend)
    assert rerun.feed(items("gorod55", 5)) == 5
    rerun.close()
    assert rerun.failures() == []
    assert sorted(dataset_urls(tmp_path)) == sorted(stored_urls(tmp_path, backend))
    assert len(dataset_urls(tmp_path)) == 5


def test_disk_full_mid_run_commits_only_published_files(
    tmp_path: Path, backend: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    # Defect 2: disk full mid-run: exit 1, but 112 URLs committed that were never written.
    root = tmp_path / "exports"
    extra = {**backend, "OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE": 4, "OMSKCRAWL_PARQUET_BATCH_SIZE": 2}
    if backend["OMSKCRAWL_STATE_BACKEND"] == "redis" and tmpfs(root / "articles", "size=48k"):
        mounted = True  # a real small disk: files fill it
        batch = [
            article(
                f"https://gorod55.ru/news/{n}",
                f"Новость {n}",
                os.urandom(3000).hex(),  # incompressible: each file costs real space
                source="gorod55",
            )
            for n in range(40)
        ]
    else:
        mounted = False  # a simulated ENOSPC on the 4th record batch
        batch = items("gorod55", 12)
        calls = {"n": 0}
        real = pq.ParquetWriter.write_batch

        def write_batch(self: pq.ParquetWriter, *args: Any, **kwargs: Any) -> None:
            calls["n"] += 1
            if calls["n"] == 4:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            real(self, *args, **kwargs)

        monkeypatch.setattr(pq.ParquetWriter, "write_batch", write_batch)
    try:
        run = Run(root, "gorod55", extra)
        run.feed(batch)
        run.close()
        written = dataset_urls(root)
        assert run.failures() and run.failures()[0]["cause"] == "write"
        assert "No space left" in run.failures()[0]["detail"]
        assert 0 < len(written) < len(batch)
        assert stored_urls(root, backend) == set(written)
        assert run.stats.get_value("omskcrawl/not_written") == len(batch) - len(written)
    finally:
        if mounted:
            subprocess.run(["umount", str(root / "articles")], check=True)
        monkeypatch.undo()
    if mounted:
        return  # the files lived on the tmpfs; what matters was checked above
    rerun = Run(root, "gorod55", extra)
    rerun.feed(batch)
    rerun.close()
    urls = dataset_urls(root)
    assert sorted(urls) == sorted({i["url"] for i in batch})


def test_state_commit_failing_after_publish_is_a_failure_and_never_a_duplicate(
    tmp_path: Path,
) -> None:
    # Defect 6 (and 3): a commit that fails after the file is published exited 0, and
    # the next run wrote every row again. Here another process holds the write lock.
    extra = {"OMSKCRAWL_STATE_LOCK_TIMEOUT": 0.2, "OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE": 3}
    run = Run(tmp_path, "gorod55", extra)
    run.feed(items("gorod55", 5))  # the first file (3 rows) is published and recorded
    other = sqlite3.connect(tmp_path / "state" / "dedup.sqlite", timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    try:
        run.close()
    finally:
        other.rollback()
        other.close()
    (failure,) = run.failures()
    assert failure["cause"] == "state_commit" and "locked" in failure["detail"]
    assert "2 rows" in failure["detail"]
    assert len(dataset_urls(tmp_path)) == 5
    assert len(stored_urls(tmp_path, {"OMSKCRAWL_STATE_BACKEND": "sqlite"})) == 3
    assert not list((tmp_path / "state").glob("*.corrupt-*"))  # locked is not corrupt
    rerun = Run(tmp_path, "gorod55", extra)  # catches up from the unrecorded file
    assert rerun.stats.get_value("omskcrawl/dedup/state_caught_up_rows") == 2
    assert rerun.feed(items("gorod55", 5)) == 0
    rerun.close()
    assert len(dataset_urls(tmp_path)) == 5


def test_a_locked_state_is_waited_for_never_moved_aside(tmp_path: Path) -> None:
    # Defect 3: a second run moved the live state aside and deleted its -wal/-shm.
    path = tmp_path / "dedup.sqlite"
    SqliteState(path).close()
    writer = sqlite3.connect(path)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("INSERT INTO files VALUES ('articles/x.parquet')")
    try:
        state = SqliteState(path, lock_timeout=0.2)  # opens: reading needs no write lock
        assert state.rebuilt_reason is None
        assert Path(str(path) + "-wal").exists()
        with pytest.raises(sqlite3.OperationalError, match="locked"):
            state.apply([], ["articles/y.parquet"])
    finally:
        writer.commit()
        writer.close()
    state.apply([], ["articles/y.parquet"])
    assert state.known_files() == {"articles/x.parquet", "articles/y.parquet"}
    state.close()
    assert not list(tmp_path.glob("*.corrupt-*"))


def test_a_run_failure_fails_the_site_in_the_manifest(tmp_path: Path) -> None:
    from omskcrawl.manifest import spider_summary

    with read_only(tmp_path / "articles"):
        run = Run(tmp_path, "gorod55", {})
        run.feed(items("gorod55", 2))
        run.close()
    ok_stats = {**run.stats.get_stats(), "downloader/response_status_count/200": 3}
    summary = spider_summary("gorod55", ok_stats, "finished")
    assert summary["failed"] is True
    assert summary["run_failures"][0]["cause"] == "write"
    assert summary["counts"]["not_written"] == 2


def test_a_crawl_whose_state_stays_locked_exits_1_and_the_next_run_finishes_it(
    tmp_path: Path,
) -> None:
    # Defects 3 and 6 end to end: another process holds the state's write lock for the whole
    # crawl (the run lock is off here, as two tools sharing a folder by mistake would have it).
    from tests.localnews import run_scrapy, serve, write_spiders

    exports = tmp_path / "exports"
    settings = {"OMSKCRAWL_RUN_LOCK": False, "OMSKCRAWL_STATE_LOCK_TIMEOUT": 0.3}
    with serve() as news:
        news.add_site("sitea", 4)
        module = write_spiders(tmp_path, news.base, ["sitea"])
        first = run_scrapy(tmp_path, module, exports, "crawl", "sitea", **settings)
        assert first.returncode == 0, first.stderr[-2000:]
        news.add_site("sitea", 7)  # three new articles for the locked run
        holder = sqlite3.connect(exports / "state" / "dedup.sqlite", timeout=1)
        holder.execute("BEGIN IMMEDIATE")
        try:
            locked = run_scrapy(tmp_path, module, exports, "crawl", "sitea", **settings)
        finally:
            holder.rollback()
            holder.close()
        again = run_scrapy(tmp_path, module, exports, "crawl", "sitea", **settings)
    assert locked.returncode == 1, locked.stderr[-2000:]
    manifests = sorted(
        (json.loads(p.read_text("utf-8")) for p in (exports / "runs").glob("*.json")),
        key=lambda m: m["started_at"],
    )
    (failure,) = manifests[1]["run_failures"]
    assert failure["cause"] == "state_commit" and "locked" in failure["detail"]
    assert not list((exports / "state").glob("*.corrupt-*"))
    assert again.returncode == 0, again.stderr[-2000:]
    urls = dataset_urls(exports)
    assert len(urls) == len(set(urls)) == 7  # the locked run's rows once, none lost
    assert stored_urls(exports, {"OMSKCRAWL_STATE_BACKEND": "sqlite"}) == set(urls)
