"""Requests waiting for download go to Scrapy's disk queues, in a folder removed at the end."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from scrapy.settings import Settings
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from omskcrawl.distributedaddon import DistributedAddon
from omskcrawl.scheduler import DiskQueueScheduler
from tests import runs

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
