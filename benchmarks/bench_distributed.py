"""Throughput of a distributed crawl with 1, 2 and 4 workers (scrapy-redis frontier).

A local site (tests/farm.py) of N articles, each answered after a fixed delay (a real
site's latency), crawled by 1, 2 and 4 `scrapy crawl farm -s OMSKCRAWL_DISTRIBUTED=True`
processes sharing one redis-server. Timing starts when every worker is up (the site holds
its pages until then). Prints articles per second and the ratio to one worker.

    .venv/bin/python benchmarks/bench_distributed.py [--articles 400] [--delay 0.05]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import free_port  # noqa: E402
from tests.farm import serve, wait_for_workers, worker_command  # noqa: E402


def run(workers: int, articles: int, delay: float, redis_url: str, folder: Path) -> float:
    """Seconds from the site opening to the last worker's exit."""
    prefix = f"bench{uuid.uuid4().hex[:6]}"
    with serve(articles, held=True, delay=delay) as farm:
        modules = farm.write_spider(folder)
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(folder), str(ROOT)])}
        exports = folder / f"exports-{prefix}"
        procs = [
            subprocess.Popen(
                worker_command(
                    modules, redis_url, prefix, exports, "CONCURRENT_REQUESTS_PER_DOMAIN=2"
                ),
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            for _ in range(workers)
        ]
        wait_for_workers(redis_url, prefix, workers)
        start = time.perf_counter()
        farm.opened.set()
        codes = [p.wait() for p in procs]
        elapsed = time.perf_counter() - start
        fetched = len(farm.article_hits())
    if codes != [0] * workers or fetched != articles:
        raise SystemExit(f"{workers} workers: exit codes {codes}, {fetched}/{articles} articles")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=400)
    parser.add_argument("--delay", type=float, default=0.05, help="seconds per article response")
    args = parser.parse_args()
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit("redis-server is not installed")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        redis = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--dir", tmp],
            stdout=subprocess.DEVNULL,
        )
        try:
            time.sleep(0.5)
            url = f"redis://127.0.0.1:{port}/0"
            base = None
            delay_ms = args.delay * 1000
            print(f"{args.articles} articles, {delay_ms:.0f} ms each, 2 at a time per worker")
            for workers in (1, 2, 4):
                seconds = run(workers, args.articles, args.delay, url, Path(tmp))
                rate = args.articles / seconds
                base = base or rate
                ratio = rate / base
                print(
                    f"{workers} worker(s): {seconds:6.1f} s  {rate:6.1f} articles/s  ×{ratio:.2f}"
                )
        finally:
            redis.kill()
            redis.wait()


if __name__ == "__main__":
    main()
