"""Running the project commands in tests: in this process (the default), or as a user does.

In process, a command runs exactly as `scrapy.cmdline.execute` runs it, with one difference:
no Twisted reactor (TWISTED_REACTOR_ENABLED = False). A reactor cannot be started twice in one
process; without one every command gets a fresh asyncio loop, so a test can run several crawls.
The live download handler is then Scrapy's aiohttp one instead of its HTTP/1.1 one.
"""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from pathlib import Path

from scrapy.cmdline import execute
from scrapy.utils.log import _uninstall_scrapy_root_handler
from scrapy.utils.project import get_project_settings
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from omskcrawl import runlock
from omskcrawl.fixtures import Fixture

ROOT = Path(__file__).parent.parent


# Local pages (replayed or on 127.0.0.1) need no politeness delay (`scrapy replay` sets the same).
NO_DELAY = ("-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False")


@dataclass(frozen=True)
class Ran:
    returncode: int
    stdout: str
    stderr: str


def scrapy(*args: str, spiders_dir: Path | None = None) -> Ran:
    """`scrapy ARGS...` in this process; stdout and the log (stderr) are returned.

    ``spiders_dir``: a folder to import spider modules from (`-s SPIDER_MODULES=...`).
    """
    settings = get_project_settings()
    settings.set("TWISTED_REACTOR_ENABLED", False, priority="cmdline")
    settings.set("REMOTE_CONTROL_ENABLED", False, priority="cmdline")  # no control port in tests
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    locks_before = set(runlock._held)
    if spiders_dir is not None:
        sys.path.insert(0, str(spiders_dir))
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            execute(["scrapy", *args], settings)
        except SystemExit as e:
            code = e.code
        finally:
            _uninstall_scrapy_root_handler()  # it writes to this run's stderr
            _end_of_process(locks_before)
            if spiders_dir is not None:
                sys.path.remove(str(spiders_dir))
            # spider modules written by tests (`SPIDER_MODULES`, `runspider FILE`): another test
            # may write a module of the same name, as a new command-line run would see it
            _forget_modules_from(Path(tempfile.gettempdir()))
    return Ran(code if isinstance(code, int) else 1, out.getvalue(), err.getvalue())


def _forget_modules_from(folder: Path) -> None:
    """Drop the modules imported from ``folder`` (not the project's, should it sit there)."""
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if file and Path(file).is_relative_to(folder) and not Path(file).is_relative_to(ROOT):
            del sys.modules[name]
    importlib.invalidate_caches()


def _end_of_process(locks_before: set[Path]) -> None:
    """Let go of the run locks the command kept "until the process ends", as its end would."""
    with runlock._held_guard:
        for key in set(runlock._held) - locks_before:
            handle, _ = runlock._held.pop(key)
            handle.close()  # closing the file drops its flock


def scrapy_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m scrapy ARGS...` as a user runs it (smoke tests only: ~3 s to start)."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )


def write_response(
    writer: WARCWriter,
    url: str,
    body: bytes,
    headers: list[tuple[str, str]],
    captured: datetime,
    status: int = 200,
) -> None:
    """Append one response record (HTTP headers + body, captured at ``captured``)."""
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        length=len(body),  # known: warcio needs no temporary file for the digest
        http_headers=StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1"),
        warc_headers_dict={"WARC-Date": captured.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    writer.write_record(record)


def write_warc(path: Path, fixtures: list[Fixture], captured: datetime | None = None) -> None:
    """A WARC of fixture pages, captured at their crawl time (or at ``captured``)."""
    with open(path, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for fx in fixtures:
            headers = list(fx.headers.items())
            write_response(writer, fx.url, fx.body, headers, captured or fx.crawl_time)


class Forked:
    """`scrapy ARGS...` in a forked child of this process, for tests that kill a run.

    A separate process to SIGKILL, like a command-line run, without starting Python and
    importing Scrapy again (~3 s a run). Its output goes to ``log``.
    """

    def __init__(self, *args: str, log: Path, spiders_dir: Path | None = None) -> None:
        self.log = log
        self.returncode: int | None = None
        pid = os.fork()
        if pid == 0:  # the child: run, write the output, leave without pytest's clean-up
            code = 70
            try:
                ran = scrapy(*args, spiders_dir=spiders_dir)
                log.write_text(ran.stdout + ran.stderr, "utf-8")
                code = ran.returncode
            finally:
                os._exit(code)
        self.pid = pid

    def poll(self) -> int | None:
        if self.returncode is None:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
            if pid:
                self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode

    def kill(self) -> None:
        os.kill(self.pid, signal.SIGKILL)
        self.wait()

    def wait(self, timeout: float = 180) -> int:
        deadline = time.monotonic() + timeout
        while self.poll() is None:
            if time.monotonic() > deadline:
                self.kill()
                raise TimeoutError(f"scrapy run {self.pid} still running after {timeout} s")
            time.sleep(0.01)
        assert self.returncode is not None
        return self.returncode

    def output(self) -> str:
        return self.log.read_text("utf-8") if self.log.exists() else ""
