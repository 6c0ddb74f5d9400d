"""Replay start-up over a large archive: a full pass over the WARC vs. the index kept beside it.

Run from the repository root (writes about 1 GiB to a temporary folder, then deletes it):

    .venv/bin/python benchmarks/bench_replay_index.py            # 1024 MiB
    .venv/bin/python benchmarks/bench_replay_index.py --mib 256

The archive is gzipped WARC records of 64 KiB bodies that do not compress (as
images and PDFs do not), so its size on disk is close to what `--mib` asks for.
Printed: seconds for a replay's start-up (a) reading every record, as each
handler used to do; (b) the first replay, which also hashes the file and keeps
the `.cdxj` index beside it; (c) every later replay, which reads only that index;
and (d) a second crawler in the same process; with (a)/(c) as the speed-up.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from io import BytesIO
from pathlib import Path
from typing import TypeVar

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omskcrawl.warc.index import WarcIndex, shared_index

BODY = 64 * 1024
T = TypeVar("T")


def make_archive(path: Path, mib: int) -> int:
    records = 0
    target = mib * 1024 * 1024
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        while f.tell() < target:
            body = os.urandom(BODY)
            http = StatusAndHeaders(
                "200 OK",
                [("Content-Type", "application/octet-stream"), ("Content-Length", str(BODY))],
                protocol="HTTP/1.1",
            )
            record = writer.create_warc_record(
                f"https://omsk.example.org/files/{records}",
                "response",
                payload=BytesIO(body),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2026-12-01T10:00:00Z"},
            )
            writer.write_record(record)
            records += 1
    return records


def timed(label: str, make: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = make()
    seconds = time.perf_counter() - start
    print(f"{label:<58} {seconds:8.2f} s")
    return seconds, result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mib", type=int, default=1024, help="archive size in MiB")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="omskcrawl-bench-replay-"))
    try:
        warc = folder / "big.warc.gz"
        _, records = timed(
            f"writing a {args.mib} MiB archive", lambda: make_archive(warc, args.mib)
        )
        size = warc.stat().st_size / 2**20
        print(f"archive: {size:.0f} MiB, {records} responses")
        full, _ = timed(
            "(a) start-up reading every record (no kept index)",
            lambda: WarcIndex([str(warc)], keep=False),
        )
        timed("(b) first replay: read + sha256 + keep .cdxj", lambda: WarcIndex([str(warc)]))
        kept, index = timed(
            "(c) later replays: read the kept .cdxj only", lambda: WarcIndex([str(warc)])
        )
        assert index.scanned == 0 and len(index) == records
        shared_index([str(warc)])
        timed("(d) another crawler in the same process", lambda: shared_index([str(warc)]))
        side = (folder / "big.warc.gz.cdxj").stat().st_size / 2**20
        print(f"kept index: {side:.1f} MiB beside the archive")
        print(f"speed-up of a later replay's start-up (a/c): {full / kept:.0f}x")
        print(
            f"per GiB: full pass {full / size * 1024:.1f} s, kept index {kept / size * 1024:.2f} s"
        )
    finally:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
