"""SIGKILL at several points of a two-site `crawlall`, then a full run: exactly one row
per (URL, version), no article missing, and the state never ahead of the dataset.

Each run is a forked child of the test process (tests/runs.py `Forked`): a process of its own
to kill, without a new interpreter each time."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

import pandas as pd

from tests.localnews import scrapy_args, serve, write_spiders
from tests.runs import Forked

SITES = ["sitea", "siteb"]
PER_SITE = 8


def crawlall(tmp_path: Path, exports: Path, module: str, **backend: object) -> Forked:
    args = scrapy_args(
        module,
        exports,
        "crawlall",
        *SITES,
        OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE=3,
        OMSKCRAWL_PARQUET_BATCH_SIZE=1,
        CONCURRENT_REQUESTS_PER_DOMAIN=1,
        **backend,
    )
    log = tmp_path / f"run-{time.monotonic_ns()}.log"
    return Forked(*args, log=log, spiders_dir=tmp_path)


def published(exports: Path) -> list[Path]:
    return list((exports / "articles").rglob("part-*.parquet")) if exports.exists() else []


def dot_files(exports: Path) -> list[Path]:
    return list((exports / "articles").rglob(".part-*.tmp")) if exports.exists() else []


def kill_when(run: Forked, condition: Callable[[], bool]) -> None:
    deadline = time.monotonic() + 120
    while not condition():
        assert run.poll() is None, "the run ended before the kill point: " + run.output()[-2000:]
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.01)
    run.kill()


def dataset_urls(exports: Path) -> list[str]:
    if not published(exports):
        return []
    return list(pd.read_parquet(exports / "articles", columns=["url"])["url"])


def state_urls(exports: Path) -> set[str]:
    path = exports / "state" / "dedup.sqlite"
    if not path.exists():
        return set()
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute("SELECT url FROM urls")}
    finally:
        db.close()


def test_sigkill_at_several_points_then_rerun(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with serve() as news:
        for site in SITES:
            news.add_site(site, PER_SITE, delay=0.25)
        module = write_spiders(tmp_path, news.base, SITES)
        before = 0
        points: list[Callable[[], bool]] = [
            lambda: bool(dot_files(exports)),  # rows buffered, nothing published
            lambda: len(published(exports)) > before,  # right after a publish
            lambda: len(published(exports)) >= before + 2,  # two more files out
        ]
        for point in points:
            before = len(published(exports))
            kill_when(crawlall(tmp_path, exports, module), point)
            # Never ahead: every URL the state holds is in a published file.
            assert state_urls(exports) <= set(dataset_urls(exports))
        final = crawlall(tmp_path, exports, module)
        code = final.wait()
    assert code == 0, final.output()[-3000:]
    urls = dataset_urls(exports)
    expected = {f"{news.base}/{site}/news/{n}" for site in SITES for n in range(PER_SITE)}
    assert len(urls) == len(set(urls)), "a URL was written twice"
    assert set(urls) == expected
    assert state_urls(exports) == expected
    df = pd.read_parquet(exports / "articles", columns=["url", "version"])
    assert (df["version"] == 1).all()
    assert not dot_files(exports), "dead runs' dot-files must be cleaned"


def test_sigkill_after_a_publish_with_the_redis_state(tmp_path: Path, redis_url: str) -> None:
    # Redis applied every write at once: a kill left URLs "stored" that no file held.
    import redis

    exports = tmp_path / "exports"
    prefix = f"kill{time.monotonic_ns()}"
    backend = {
        "OMSKCRAWL_STATE_BACKEND": "redis",
        "OMSKCRAWL_REDIS_URL": redis_url,
        "OMSKCRAWL_REDIS_PREFIX": prefix,
    }
    client = redis.Redis.from_url(redis_url, decode_responses=True)

    def stored() -> set[str]:
        return set(client.smembers(f"{prefix}:urls"))  # type: ignore[arg-type]

    try:
        with serve() as news:
            for site in SITES:
                news.add_site(site, PER_SITE, delay=0.25)
            module = write_spiders(tmp_path, news.base, SITES)
            kill_when(
                crawlall(tmp_path, exports, module, **backend), lambda: bool(published(exports))
            )
            assert stored() <= set(dataset_urls(exports))
            final = crawlall(tmp_path, exports, module, **backend)
            code = final.wait()
        assert code == 0, final.output()[-3000:]
        urls = dataset_urls(exports)
        expected = {f"{news.base}/{site}/news/{n}" for site in SITES for n in range(PER_SITE)}
        assert len(urls) == len(set(urls)) and set(urls) == expected
        assert stored() == expected
    finally:
        client.close()
