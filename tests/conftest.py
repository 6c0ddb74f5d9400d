from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler


@pytest.fixture(scope="session")
def project_settings() -> Settings:
    return get_project_settings()


@pytest.fixture(scope="session")
def spider_loader(project_settings: Settings) -> SpiderLoader:
    return SpiderLoader.from_settings(project_settings)


def make_spider(spidercls: type, **kwargs: Any) -> Any:
    crawler = get_crawler(spidercls, {"OMSKCRAWL_RUN_ID": "test"})
    return spidercls.from_crawler(crawler, **kwargs)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1, started for the tests and stopped after them."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("CI"):
            pytest.fail("redis-server is not installed; .ci/run must install it")
        pytest.skip("redis-server not installed (apt-get install redis-server)")
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    proc = subprocess.Popen(
        [
            binary,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline or proc.poll() is not None:
                proc.kill()
                raise
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(params=["sqlite", "redis"])
def state(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """Each dedup-state test runs against both backends."""
    from omskcrawl.dedup.state import open_state

    url = request.getfixturevalue("redis_url") if request.param == "redis" else ""
    backend = open_state(request.param, root=tmp_path, redis_url=url, prefix=f"t{id(tmp_path)}")
    backend.clear()
    yield backend
    backend.close()
