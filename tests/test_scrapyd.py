"""scrapyd for real: a scrapyd on 127.0.0.1, the project deployed with scrapyd-deploy as
`scrapy.cfg` says, a replay crawl of the sample scheduled through its JSON API."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from omskcrawl.warc.sample import write_sample_warc
from tests.conftest import free_port
from tests.runs import write_warc
from tests.test_install import SOURCES, copy_project

# A whole system per test (see `make test-system`): kept out of the fast suite.
pytestmark = pytest.mark.system

ROOT = Path(__file__).parent.parent
BIN = Path(sys.executable).parent


def api(base: str, path: str, data: list[tuple[str, str]] | None = None) -> dict[str, Any]:
    body = urllib.parse.urlencode(data).encode() if data is not None else None
    with urllib.request.urlopen(f"{base}{path}", data=body, timeout=30) as response:
        return dict(json.loads(response.read()))


@pytest.fixture
def scrapyd(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    if not (BIN / "scrapyd").exists():
        pytest.skip("scrapyd not installed (requirements-dev.txt)")
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\npoll_interval = 0.2\n"
        f"eggs_dir = {home / 'eggs'}\nlogs_dir = {home / 'logs'}\ndbs_dir = {home / 'dbs'}\n"
    )
    log = open(home / "scrapyd.out", "wb")  # noqa: SIM115 (closed below)
    proc = subprocess.Popen([str(BIN / "scrapyd")], cwd=home, stdout=log, stderr=log)
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 60
    while True:
        try:
            api(base, "daemonstatus.json")
            break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, (
                home / "scrapyd.out"
            ).read_text()
            time.sleep(0.2)
    try:
        yield base, home
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


def wait_finished(base: str, job: str, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = api(base, "listjobs.json?project=omskcrawl")
        if any(j["id"] == job for j in jobs["finished"]):
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job} did not finish")


def test_deploy_schedule_replay_and_see_failures(scrapyd: tuple[str, Path], tmp_path: Path) -> None:
    base, home = scrapyd
    project = tmp_path / "project"  # scrapyd-deploy builds in place: a copy keeps the repo clean
    copy_project(project, (*SOURCES, "scrapy.cfg"))
    deploy = subprocess.run(
        [str(BIN / "scrapyd-deploy"), "env"],
        cwd=project,
        env={**os.environ, "SCRAPYD_URL": base},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert "gorod55" in api(base, "listspiders.json?project=omskcrawl")["spiders"]

    sample, empty = tmp_path / "sample.warc.gz", tmp_path / "empty.warc.gz"
    write_sample_warc(sample)
    write_warc(empty, [])
    jobs = {}
    for name, warc in (("good", sample), ("bad", empty)):
        exports = tmp_path / f"exports-{name}"
        answer = api(
            base,
            "schedule.json",
            [
                ("project", "omskcrawl"),
                ("spider", "gorod55"),
                ("setting", f"OMSKCRAWL_REPLAY_WARC={warc}"),
                ("setting", f"OMSKCRAWL_EXPORT_DIR={exports}"),
            ],
        )
        assert answer["status"] == "ok", answer
        jobs[name] = (answer["jobid"], exports)
    for job, _ in jobs.values():
        wait_finished(base, job)

    good_job, good = jobs["good"]
    df = pd.read_parquet(good / "articles")
    assert len(df) >= 2 and set(df["source"].astype(str)) == {"gorod55"}
    (manifest,) = (good / "runs").glob("*.json")
    assert json.loads(manifest.read_text("utf-8"))["failed_spiders"] == []

    bad_job, bad = jobs["bad"]
    (manifest,) = (bad / "runs").glob("*.json")
    assert json.loads(manifest.read_text("utf-8"))["failed_spiders"] == ["gorod55"]
    # scrapyd lists both as "finished"; the failure shows in its own log and in the job's log.
    scrapyd_log = (home / "scrapyd.out").read_text()
    assert f"Process died: exitstatus=1 project='omskcrawl' spider='gorod55' job='{bad_job}'" in (
        scrapyd_log
    )
    assert f"Process finished: project='omskcrawl' spider='gorod55' job='{good_job}'" in (
        scrapyd_log
    )
