"""Requests waiting for download go to Scrapy's disk queues, in a folder removed at the end."""

from __future__ import annotations

import errno
import json
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from queuelib.queue import LifoDiskQueue
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from omskcrawl.distributedaddon import DistributedAddon
from omskcrawl.scheduler import DiskQueueScheduler
from tests import runs
from tests.test_state_faults import tmpfs

COLUMNS = ["url", "title", "published_at", "story_id", "duplicate_of"]


def replay(exports: Path, *settings: str) -> pd.DataFrame:
    args = [a for s in settings for a in ("-s", s)]
    ran = runs.scrapy("replay", "--sample", "-s", f"OMSKCRAWL_EXPORT_DIR={exports}", *args)
    assert ran.returncode == 0, ran.stderr[-3000:]
    rows = pd.read_parquet(exports / "articles", columns=COLUMNS)
    return rows.sort_values("url").reset_index(drop=True)


def test_a_replay_queues_on_disk_in_the_same_order_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    queues = tmp_path / "tmp"
    queues.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(queues))
    closed: list[dict[str, Any]] = []
    close = DiskQueueScheduler.close

    def recording_close(self: DiskQueueScheduler, reason: str) -> Any:
        assert self.temp_dir is None or Path(self.temp_dir).parent == queues
        assert self.stats is not None
        closed.append({"temp": self.temp_dir, **self.stats.get_stats()})
        return close(self, reason)

    monkeypatch.setattr(DiskQueueScheduler, "close", recording_close)
    on_disk = replay(tmp_path / "disk")
    assert len(closed) == 14  # every site's crawler
    for stats in closed:
        assert stats["temp"] is not None
        assert stats["scheduler/enqueued/disk"] == stats["scheduler/enqueued"] > 0
        assert "scheduler/enqueued/memory" not in stats
        assert "scheduler/unserializable" not in stats
    assert list(queues.iterdir()) == []  # every temporary queue folder removed

    closed.clear()
    in_memory = replay(tmp_path / "memory", "OMSKCRAWL_DISK_QUEUE=False")
    assert all(s["temp"] is None and "scheduler/enqueued/disk" not in s for s in closed)
    assert len(on_disk) > 14 and on_disk["duplicate_of"].notna().any()
    pd.testing.assert_frame_equal(on_disk, in_memory)


def test_jobdir_keeps_scrapys_persistent_queue(tmp_path: Path) -> None:
    crawler = get_crawler(settings_dict={"JOBDIR": str(tmp_path / "job")})
    scheduler = DiskQueueScheduler.from_crawler(crawler)
    assert scheduler.temp_dir is None
    assert scheduler.dqdir == str(tmp_path / "job" / "requests.queue")
    scheduler.df.close("finished")  # Scrapy's dupefilter keeps its file open under JOBDIR


def test_each_site_of_a_run_gets_its_own_job_folder(tmp_path: Path) -> None:
    job = tmp_path / "job"
    replay(tmp_path / "exports", f"JOBDIR={job}")
    sites = sorted(p.name for p in job.iterdir())
    assert len(sites) == 14
    for site in sites:
        assert (job / site / "requests.queue" / "active.json").is_file()
        assert (job / site / "requests.seen").is_file()


def test_the_distributed_switch_still_takes_the_redis_scheduler() -> None:
    settings = get_project_settings()
    assert settings["SCHEDULER"] == "omskcrawl.scheduler.DiskQueueScheduler"
    settings.set("OMSKCRAWL_DISTRIBUTED", True, priority="cmdline")
    DistributedAddon().update_settings(settings)
    assert settings["SCHEDULER"] == "omskcrawl.distributed.Scheduler"
    plain = Settings({"SCHEDULER": "omskcrawl.scheduler.DiskQueueScheduler"})
    DistributedAddon().update_settings(plain)
    assert plain["SCHEDULER"] == "omskcrawl.scheduler.DiskQueueScheduler"


@pytest.mark.parametrize("disk", ["small tmpfs", "push refused", "pop refused"])
def test_a_full_queue_disk_loses_nothing_unsaid_and_the_next_run_fetches_the_rest(
    disk: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    clean = replay(tmp_path / "clean")
    queues = tmp_path / "small"
    mounted = False
    if disk == "small tmpfs":  # a real small disk for the queue folders
        mounted = tmpfs(queues, "size=8k")
        if not mounted:
            pytest.skip("cannot mount a tmpfs here")
    else:  # ENOSPC on the 20th request written, or on the 5th read (buffered bytes refused)
        queues.mkdir()
        name, after = ("push", 20) if disk == "push refused" else ("pop", 5)
        original, calls = getattr(LifoDiskQueue, name), [0]

        def refused(self: LifoDiskQueue, *args: Any) -> Any:
            calls[0] += 1
            if calls[0] >= after:
                raise OSError(errno.ENOSPC, "No space left on device")
            return original(self, *args)

        monkeypatch.setattr(LifoDiskQueue, name, refused)
    try:
        monkeypatch.setattr(tempfile, "tempdir", str(queues))
        exports = tmp_path / "exports"
        ran = runs.scrapy("replay", "--sample", "-s", f"OMSKCRAWL_EXPORT_DIR={exports}")
    finally:
        monkeypatch.undo()
        if mounted:
            subprocess.run(["umount", str(queues)], check=True)
    (manifest,) = [json.loads(p.read_text()) for p in (exports / "runs").glob("*.json")]
    first = pd.read_parquet(exports / "articles", columns=COLUMNS)
    failures = manifest["run_failures"]
    assert {f["cause"] for f in failures} <= {"request_queue"}
    assert "No space left on device" in ran.stderr  # said, whether or not requests were lost
    if disk == "push refused":  # what was written reads back: nothing lost
        assert failures == []
    if disk == "pop refused":  # what was written cannot be read back
        assert failures
    if failures:
        assert ran.returncode == 1
        assert all("could not be read back" in f["detail"] for f in failures)
        assert len(first) < len(clean)
    else:
        assert ran.returncode == 0
        assert sorted(first["url"]) == sorted(clean["url"])
    assert set(first["url"]) <= set(clean["url"])
    # nothing of the given-up requests was stored: the next run fetches exactly those
    replay(exports)
    both = pd.read_parquet(exports / "articles", columns=COLUMNS)
    assert both["url"].is_unique
    assert sorted(both["url"]) == sorted(clean["url"])
