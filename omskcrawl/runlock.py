"""One run at a time per export folder: `<export dir>/.lock`.

Two runs writing one dataset would interleave their state commits and files, so every
run takes an exclusive `fcntl.flock` on `<export dir>/.lock` before it touches the export
folder, and writes who holds it (pid, host, start time, command) into the file. The
kernel drops the lock when the process dies, however it dies, so a killed run never
leaves a stale lock behind; the JSON left in the file is only informative.

The lock is counted per process: `crawlall` runs several crawlers in one process, and
each of them (through `RunLockExtension`) takes the lock its command already holds.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)

LOCK_NAME = ".lock"
# Exit status of a command that found the export folder busy (sysexits' EX_TEMPFAIL:
# "try again later"), so a scheduler can tell it from a failed crawl (1) or bad usage (2).
EXIT_BUSY = 75
_POLL_SECONDS = 0.2

# Locks this process holds: resolved lock path -> (open file, users).
_held: dict[Path, tuple[Any, int]] = {}
_held_guard = threading.Lock()


class RunLockHeld(RuntimeError):
    """Another process holds the export folder's lock."""

    def __init__(self, path: Path, holder: dict[str, Any] | None) -> None:
        self.path = path
        self.holder = holder or {}
        who = describe_holder(self.holder)
        super().__init__(f"another run is using {path.parent} ({who}); lock file {path}")


def describe_holder(holder: dict[str, Any]) -> str:
    """A one-line description of a lock holder.

    >>> describe_holder({"pid": 42, "host": "w1", "started_at": "2026-12-01T03:00:00+00:00",
    ...                  "command": "scrapy crawlall"})
    'pid 42 on w1 since 2026-12-01T03:00:00+00:00: scrapy crawlall'
    >>> describe_holder({})
    'holder unknown'
    """
    if not holder:
        return "holder unknown"
    text = f"pid {holder.get('pid', '?')} on {holder.get('host', '?')}"
    if holder.get("started_at"):
        text += f" since {holder['started_at']}"
    if holder.get("command"):
        text += f": {holder['command']}"
    return text


def read_holder(export_dir: Path | str) -> dict[str, Any] | None:
    """What the lock file says about its last holder (None when there is none)."""
    try:
        text = (Path(export_dir) / LOCK_NAME).read_text(encoding="utf-8")
        holder = json.loads(text) if text.strip() else None
    except (OSError, ValueError):
        return None
    return holder if isinstance(holder, dict) else None


class RunLock:
    """The export folder's run lock; a context manager.

    `wait` is how many seconds to wait for another run to finish (0: fail at once).
    """

    def __init__(self, export_dir: Path | str, *, wait: float = 0.0, command: str = "") -> None:
        self.export_dir = Path(export_dir)
        self.path = self.export_dir / LOCK_NAME
        self.wait = wait
        self.command = command or " ".join(Path(sys.argv[0]).name.split() + sys.argv[1:])
        self._key: Path | None = None

    def acquire(self) -> None:
        if self._key is not None:
            return
        self.export_dir.mkdir(parents=True, exist_ok=True)
        key = self.path.resolve()
        with _held_guard:
            if key in _held:
                handle, users = _held[key]
                _held[key] = (handle, users + 1)
                self._key = key
                return
            handle = self._lock_file()
            _held[key] = (handle, 1)
            self._key = key

    def _lock_file(self) -> Any:
        handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 (held while running)
        deadline = time.monotonic() + max(self.wait, 0.0)
        while True:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    handle.close()
                    raise RunLockHeld(self.path, read_holder(self.export_dir)) from None
                time.sleep(_POLL_SECONDS)
        holder = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "command": self.command,
        }
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps(holder, ensure_ascii=False))
        handle.flush()
        return handle

    def release(self) -> None:
        key, self._key = self._key, None
        if key is None:
            return
        with _held_guard:
            handle, users = _held[key]
            if users > 1:
                _held[key] = (handle, users - 1)
                return
            del _held[key]
            # Leave the file (removing it would race with a waiting run); the flock goes.
            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
            handle.close()

    @property
    def held(self) -> bool:
        return self._key is not None

    def __enter__(self) -> RunLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()


def lock_from_settings(settings: Any, command: str = "") -> RunLock:
    """The run lock of the export folder the settings name."""
    return RunLock(
        settings.get("OMSKCRAWL_EXPORT_DIR"),
        wait=settings.getfloat("OMSKCRAWL_RUN_LOCK_WAIT"),
        command=command,
    )


class RunLockExtension:
    """Holds the export folder's run lock for the whole crawl.

    Extensions are built before the item pipelines open the state, so a second run
    stops before it reads or writes anything. Raises `RunLockHeld` when the folder
    is busy; the commands take the lock earlier and turn that into a clear message.
    """

    def __init__(self, lock: RunLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RunLockExtension:
        if not crawler.settings.getbool("OMSKCRAWL_RUN_LOCK"):
            raise NotConfigured("OMSKCRAWL_RUN_LOCK is off")
        ext = cls(lock_from_settings(crawler.settings))
        ext.lock.acquire()
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        self.lock.release()


def hold_or_exit(settings: Any, command: str = "") -> RunLock | None:
    """Take the run lock for a command, or say who holds it and exit with EXIT_BUSY.

    The command keeps it until the process ends; None when OMSKCRAWL_RUN_LOCK is off.
    """
    if not settings.getbool("OMSKCRAWL_RUN_LOCK") or settings.getbool("OMSKCRAWL_DISTRIBUTED"):
        return None  # distributed workers share one dataset by design (omskcrawl.distributed)
    lock = lock_from_settings(settings, command)
    try:
        lock.acquire()
    except RunLockHeld as e:
        print(f"omskcrawl: {e}", file=sys.stderr)
        raise SystemExit(EXIT_BUSY) from None
    return lock
