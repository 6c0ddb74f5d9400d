"""One run at a time per export folder: the lock is exclusive across processes,
shared inside one, gone when its holder dies, and stops a crawler before it starts."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from omskcrawl.runlock import RunLock, RunLockExtension, RunLockHeld, read_holder

HOLDER = """
import sys
from omskcrawl.runlock import RunLock
lock = RunLock(sys.argv[1], command="scrapy crawlall (test holder)")
lock.acquire()
print("held", flush=True)
sys.stdin.readline()
lock.release()
print("released", flush=True)
sys.stdin.readline()
"""


@contextmanager
def other_process_holding(export_dir: Path) -> Iterator[subprocess.Popen[str]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(export_dir)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        assert proc.stdout.readline().strip() == "held"
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdin.close()
        proc.stdout.close()


def test_second_process_is_refused_with_the_holders_identity(tmp_path: Path) -> None:
    with other_process_holding(tmp_path) as proc:
        with pytest.raises(RunLockHeld) as err:
            RunLock(tmp_path).acquire()
        assert err.value.holder["pid"] == proc.pid
        assert f"pid {proc.pid}" in str(err.value)
        assert "scrapy crawlall (test holder)" in str(err.value)
        assert read_holder(tmp_path)["pid"] == proc.pid  # type: ignore[index]


def test_waiting_run_gets_the_lock_once_the_holder_releases(tmp_path: Path) -> None:
    with other_process_holding(tmp_path) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write("\n")
        proc.stdin.flush()
        assert proc.stdout.readline().strip() == "released"
        with RunLock(tmp_path, wait=10) as lock:
            assert lock.held
            assert read_holder(tmp_path)["pid"] == os.getpid()  # type: ignore[index]


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    with other_process_holding(tmp_path) as proc:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        with RunLock(tmp_path) as lock:  # the kernel dropped the flock with the process
            assert lock.held


def test_crawlers_of_one_process_share_the_lock(tmp_path: Path) -> None:
    first, second = RunLock(tmp_path), RunLock(tmp_path)
    first.acquire()
    second.acquire()  # crawlall: the command and each crawler take it in one process
    first.release()
    with other_process_holding_fails(tmp_path):
        pass
    second.release()
    with other_process_holding(tmp_path):
        pass  # released by the last user: another process gets it


@contextmanager
def other_process_holding_fails(export_dir: Path) -> Iterator[None]:
    proc = subprocess.run(
        [sys.executable, "-c", HOLDER, str(export_dir)],
        input="",
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=60,
        check=False,
    )
    assert proc.returncode != 0
    assert "RunLockHeld" in proc.stderr
    yield


def project(settings: Settings, **overrides: object) -> dict[str, object]:
    """The project's run-lock settings (its defaults), with overrides."""
    own = {k: settings[k] for k in ("OMSKCRAWL_RUN_LOCK", "OMSKCRAWL_RUN_LOCK_WAIT")}
    return {**own, **overrides}


def test_extension_stops_a_crawler_of_a_busy_folder(
    tmp_path: Path, project_settings: Settings
) -> None:
    settings = project(project_settings, OMSKCRAWL_EXPORT_DIR=str(tmp_path))
    with other_process_holding(tmp_path), pytest.raises(RunLockHeld):
        RunLockExtension.from_crawler(get_crawler(settings_dict=settings))
    ext = RunLockExtension.from_crawler(get_crawler(settings_dict=settings))
    assert ext.lock.held
    ext.engine_stopped()
    assert not ext.lock.held


def test_extension_can_be_switched_off(tmp_path: Path, project_settings: Settings) -> None:
    settings = project(
        project_settings, OMSKCRAWL_EXPORT_DIR=str(tmp_path), OMSKCRAWL_RUN_LOCK=False
    )
    with pytest.raises(NotConfigured):
        RunLockExtension.from_crawler(get_crawler(settings_dict=settings))


REPLAY_GOROD55 = (sys.executable, "-m", "scrapy", "replay", "--sample", "--spider", "gorod55")


def test_two_sample_replays_on_one_folder_never_interleave(tmp_path: Path) -> None:
    """The issue's case: two `scrapy replay --sample` a moment apart on one export folder.

    The second waits for the first (OMSKCRAWL_RUN_LOCK_WAIT) and then finds nothing new:
    the runs' manifests do not overlap in time and no URL is written twice."""
    import json

    import pandas as pd

    exports = tmp_path / "exports"
    command = [
        *REPLAY_GOROD55,
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        "-s",
        "OMSKCRAWL_RUN_LOCK_WAIT=300",
    ]
    command += ["-L", "WARNING"]
    root = Path(__file__).resolve().parents[1]
    runs = [
        subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], [err[-2000:] for _, err in outputs]
    manifests = sorted(
        (json.loads(p.read_text("utf-8")) for p in (exports / "runs").glob("*.json")),
        key=lambda m: m["started_at"],
    )
    assert len(manifests) == 2
    first, second = manifests
    assert first["finished_at"] <= second["started_at"], "the runs overlapped"
    df = pd.read_parquet(exports / "articles")
    assert len(df) > 0 and df["url"].is_unique
    assert second["totals"]["written"] == 0


def test_a_busy_folder_is_one_clear_line_and_exit_75(tmp_path: Path) -> None:
    from tests.runs import scrapy

    with other_process_holding(tmp_path) as proc:
        result = scrapy(
            "replay", "--sample", "--spider", "gorod55", "-s", f"OMSKCRAWL_EXPORT_DIR={tmp_path}"
        )
    assert result.returncode == 75
    assert "Traceback" not in result.stderr
    (line,) = [x for x in result.stderr.splitlines() if "another run is using" in x]
    assert f"pid {proc.pid}" in line and "scrapy crawlall (test holder)" in line
    assert not (tmp_path / "sample").exists()  # refused before touching the folder
