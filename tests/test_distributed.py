"""Distributed crawling on scrapy-redis: real redis-server, real worker processes, a local site.

Each test starts its workers as a user would (`scrapy crawl farm -s OMSKCRAWL_DISTRIBUTED=True`)
against tests/farm.py's site of a few hundred articles on 127.0.0.1. The site holds its
pages until every worker has its heartbeat in Redis, so all of them share the crawl.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import redis

from tests.conftest import free_port
from tests.farm import Farm, serve, wait_for_workers, worker_command

# A whole system per test (see `make test-system`): kept out of the fast suite.
pytestmark = pytest.mark.system

ROOT = Path(__file__).parent.parent
PREFIX = f"t{uuid.uuid4().hex[:6]}-"  # Redis keys of this session's tests
ARTICLES = int(os.environ.get("FARM_ARTICLES", "300"))
HEARTBEAT = "OMSKCRAWL_DISTRIBUTED_HEARTBEAT=4"
SMALL_FILES = "OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE=25"  # files published as the crawl goes
CONCURRENCY = "CONCURRENT_REQUESTS_PER_DOMAIN=4"


def start_workers(
    farm: Farm, folder: Path, redis_url: str, count: int, *settings: str
) -> tuple[list[subprocess.Popen[bytes]], Path, list[Path]]:
    """`count` workers on one frontier; the site opens when all of them are up."""
    modules = farm.write_spider(folder)
    prefix = f"{PREFIX}{folder.name}"
    exports = folder / "exports"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
    procs, logs = [], []
    for i in range(count):
        log = folder / f"worker-{i}.log"
        logs.append(log)
        cmd = worker_command(modules, redis_url, prefix, exports, HEARTBEAT, CONCURRENCY, *settings)
        with open(log, "wb") as out:
            procs.append(subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=out))
    try:
        wait_for_workers(redis_url, prefix, count)
    except TimeoutError:
        for p in procs:
            p.kill()
            p.wait()
        raise
    farm.opened.set()
    return procs, exports, logs


def wait_all(procs: list[subprocess.Popen[bytes]], logs: list[Path]) -> list[int]:
    try:
        return [p.wait(timeout=180) for p in procs]
    except subprocess.TimeoutExpired:
        for p in procs:
            p.kill()
            p.wait()
        raise AssertionError("\n".join(log.read_text()[-2000:] for log in logs)) from None


def wait_until(condition: object, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture
def own_redis(tmp_path: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A redis-server for one test only (the test stops it)."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server not installed")
    port = free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", str(tmp_path)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    wait_until(lambda: _pings(client), timeout=10)
    client.close()
    yield f"redis://127.0.0.1:{port}/0", proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


def _pings(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


def test_workers_share_one_frontier(redis_url: str, tmp_path: Path) -> None:
    with serve(ARTICLES, held=True, delay=0.005) as farm:
        procs, exports, logs = start_workers(farm, tmp_path, redis_url, 3, SMALL_FILES)
        codes = wait_all(procs, logs)
        hits = farm.article_hits()
    assert codes == [0, 0, 0], [log.read_text()[-2000:] for log in logs]
    assert len(hits) == ARTICLES and set(hits.values()) == {1}  # every page fetched once
    df = pd.read_parquet(exports / "articles")
    assert len(df) == ARTICLES and df["url"].is_unique  # no URL written twice
    assert set(df["url"]) == set(farm.article_urls())
    assert df["run_id"].nunique() >= 2, "the work was shared"
    manifests = [json.loads(p.read_text("utf-8")) for p in (exports / "runs").glob("*.json")]
    assert len(manifests) == 3 and not any(m["failed_spiders"] for m in manifests)
    # The last worker out cleared the frontier (queue, duplicate filter, in-flight records,
    # heartbeats): the next scheduled run starts afresh.
    client = redis.Redis.from_url(redis_url)
    left = {key.decode() for key in client.scan_iter(match=f"{PREFIX}{tmp_path.name}:farm:*")}
    client.close()
    assert left == {f"{PREFIX}{tmp_path.name}:farm:seq"}, left  # the in-flight id counter


def test_a_killed_worker_loses_no_article(redis_url: str, tmp_path: Path) -> None:
    with serve(ARTICLES, held=True, delay=0.02) as farm:
        procs, exports, logs = start_workers(farm, tmp_path, redis_url, 2, SMALL_FILES)
        wait_until(lambda: len(farm.article_hits()) >= ARTICLES // 3)
        procs[0].send_signal(signal.SIGKILL)
        procs[0].wait()
        codes = wait_all(procs[1:], logs[1:])
    assert codes == [0], logs[1].read_text()[-3000:]
    df = pd.read_parquet(exports / "articles")
    assert set(df["url"]) == set(farm.article_urls())  # the survivor finished the work
    assert "of its requests are queued again" in logs[1].read_text()


def test_losing_redis_mid_crawl_stops_the_worker_with_its_files_intact(
    own_redis: tuple[str, subprocess.Popen[bytes]], tmp_path: Path
) -> None:
    url, server = own_redis
    with serve(ARTICLES, held=True, delay=0.02) as farm:
        procs, exports, logs = start_workers(farm, tmp_path, url, 1, SMALL_FILES)
        wait_until(lambda: len(farm.article_hits()) >= 60)
        server.kill()
        (code,) = wait_all(procs, logs)
    log = logs[0].read_text()
    assert code == 1, log[-3000:]
    assert "Redis lost" in log
    df = pd.read_parquet(exports / "articles")  # every published file reads whole
    assert 0 < len(df) < ARTICLES and df["url"].is_unique
    (manifest,) = (exports / "runs").glob("*.json")
    (site,) = json.loads(manifest.read_text("utf-8"))["per_spider"]
    assert site["finish_reason"] == "redis_lost" and site["failed"]
