"""The replay index: URL → its captures in capture order, across any set of WARC files.

One streaming pass per WARC file finds every `response` record (ours, wget's,
Browsertrix/pywb exports alike). The result is kept beside the archive as
`<file>.cdxj` (one line per capture: `<url> <YYYYMMDDhhmmss> {json}`, after a
`!meta` line holding the archive's size, mtime and sha256), so the next replay
reads the small index instead of the archive. A side file that does not match
the archive's size and mtime is rebuilt; a folder that cannot be written to only
costs the next replay another pass.

`shared_index` keeps one index per process: the http and https handlers of a
crawler, and every crawler of `crawlall`/`replay`, use the same one.
"""

from __future__ import annotations

import glob
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator

logger = logging.getLogger(__name__)

CDXJ_SUFFIX = ".cdxj"
# Headers that described the bytes on the wire, not the decoded body the handler returns.
WIRE_HEADERS = {"content-length", "transfer-encoding", "content-encoding"}


@dataclass(frozen=True, slots=True)
class Capture:
    """One archived response: where its record starts and when it was captured."""

    url: str
    date: str  # WARC-Date, ISO 8601 UTC
    path: str
    offset: int
    record_id: str

    @property
    def captured_at(self) -> datetime:
        return datetime.fromisoformat(self.date)

    @property
    def sort_key(self) -> tuple[str, str, int]:
        return (self.date, self.path, self.offset)


@dataclass(frozen=True)
class ArchiveFile:
    """An input WARC as the manifest lists it."""

    path: str
    bytes: int
    sha256: str


def _variants(url: str) -> list[str]:
    """The same resource under http/https and with or without `www.`.

    >>> _variants("https://www.bk55.ru/news/1")[1:]
    ['http://www.bk55.ru/news/1', 'https://bk55.ru/news/1', 'http://bk55.ru/news/1']
    """
    out = [url]
    scheme, _, rest = url.partition("://")
    other = "https" if scheme == "http" else "http"
    hosts = [rest, rest[4:] if rest.startswith("www.") else "www." + rest]
    for host in hosts:
        for s in (scheme, other):
            candidate = f"{s}://{host}"
            if candidate not in out:
                out.append(candidate)
    return out


def _target(value: str) -> str:
    # WARC/1.0 examples (and some tools) write the URI in angle brackets.
    return value.strip().removeprefix("<").removesuffix(">")


def _stamp(date: str) -> str:
    return "".join(c for c in date[:19] if c.isdigit())


def _sha256(path: Path) -> str:
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def scan_archive(path: Path) -> list[Capture]:
    """Every response record of one WARC file: one streaming pass."""
    captures = []
    name = str(path)  # one string for every capture of the file
    with open(path, "rb") as f:
        records = ArchiveIterator(f)
        for record in records:
            if record.rec_type != "response" or record.http_headers is None:
                continue
            headers = record.rec_headers
            captures.append(
                Capture(
                    _target(headers.get_header("WARC-Target-URI")),
                    headers.get_header("WARC-Date").replace("Z", "+00:00"),
                    name,
                    records.get_record_offset(),
                    headers.get_header("WARC-Record-ID") or "",
                )
            )
    return captures


def _side_file(path: Path) -> Path:
    return path.with_name(path.name + CDXJ_SUFFIX)


def _archive_stat(path: Path) -> dict[str, int]:
    st = path.stat()
    return {"warc_bytes": st.st_size, "warc_mtime_ns": st.st_mtime_ns}


def read_side_file(path: Path) -> tuple[list[Capture], str] | None:
    """The kept index of `path` and the archive's sha256, or None when absent or stale."""
    side = _side_file(path)
    name = str(path)  # one string for every capture of the file
    try:
        with side.open(encoding="utf-8") as lines:  # line by line: a large index is not
            first = next(lines, "")  # held twice (text and its lines) while it is parsed
            if not first.startswith("!meta "):
                return None
            meta = json.loads(first[len("!meta ") :])
            if {k: meta.get(k) for k in ("warc_bytes", "warc_mtime_ns")} != _archive_stat(path):
                return None
            captures = []
            for line in lines:
                url, _stamp14, blob = line.rstrip("\n").split(" ", 2)
                fields = json.loads(blob)
                captures.append(
                    Capture(url, fields["date"], name, fields["offset"], fields["record_id"])
                )
    except (FileNotFoundError, UnicodeDecodeError):
        return None
    except (ValueError, KeyError) as e:
        logger.warning("ignoring unreadable WARC index %s: %s", side, e)
        return None
    return captures, str(meta["sha256"])


def write_side_file(path: Path, captures: list[Capture], sha256: str) -> None:
    side = _side_file(path)
    tmp = side.with_name("." + side.name + ".tmp")
    lines = ["!meta " + json.dumps({**_archive_stat(path), "sha256": sha256})]
    for c in sorted(captures, key=lambda c: (c.url, c.sort_key)):
        blob = {"date": c.date, "offset": c.offset, "record_id": c.record_id}
        lines.append(f"{c.url} {_stamp(c.date)} {json.dumps(blob)}")
    try:
        tmp.write_text("\n".join(lines) + "\n", "utf-8")
        os.replace(tmp, side)
    except OSError as e:
        logger.warning("could not keep the WARC index beside %s: %s", path, e)


def expand(paths: list[str]) -> list[Path]:
    """Paths and globs → the WARC files, in a stable order."""
    out: list[Path] = []
    for pattern in paths:
        for match in sorted(glob.glob(pattern)) or [pattern]:
            path = Path(match)
            if path not in out:
                out.append(path)
    return out


class WarcIndex:
    """URL → captures sorted by capture time (then file and offset)."""

    def __init__(self, paths: list[str], *, keep: bool = True) -> None:
        self.captures: dict[str, list[Capture]] = {}
        self.archives: list[ArchiveFile] = []
        self.scanned = 0  # archives read in full (no usable side file)
        for path in expand(paths):
            kept = read_side_file(path) if keep else None
            if kept is None:
                captures, sha256 = scan_archive(path), _sha256(path)
                self.scanned += 1
                if keep:
                    write_side_file(path, captures, sha256)
            else:
                captures, sha256 = kept
            self.archives.append(ArchiveFile(str(path), path.stat().st_size, sha256))
            for capture in captures:
                self.captures.setdefault(capture.url, []).append(capture)
        for found in self.captures.values():
            found.sort(key=lambda c: c.sort_key)

    def find(self, url: str) -> list[Capture]:
        """Every capture of `url` (or its http/https, www/no-www twin), oldest first."""
        for candidate in _variants(url):
            if candidate in self.captures:
                return self.captures[candidate]
        return []

    def __len__(self) -> int:
        return sum(len(c) for c in self.captures.values())


_SHARED: dict[tuple[object, ...], WarcIndex] = {}


def _archives_now(paths: list[str]) -> tuple[object, ...]:
    """The archives the paths name, with their size and mtime: an archive written again (the
    sample re-packed, in a long-running process or a test) gets a new index, not stale offsets."""
    found: list[object] = []
    for pattern in paths:
        for path in sorted(glob.glob(pattern)) or [pattern]:
            try:
                stat = os.stat(path)
            except OSError:
                found.append((path, None))
            else:
                found.append((path, stat.st_size, stat.st_mtime_ns))
    return tuple(found)


def shared_index(paths: list[str]) -> WarcIndex:
    """One index per process and set of archives (as they are now)."""
    key = (tuple(paths), _archives_now(paths))
    if key not in _SHARED:
        _SHARED[key] = WarcIndex(paths)
    return _SHARED[key]


def read_capture(capture: Capture, url: str) -> Response:
    """The archived response, its body decoded (chunked and Content-Encoding undone)."""
    with open(capture.path, "rb") as f:
        f.seek(capture.offset)
        record = next(iter(ArchiveIterator(f)))
        http = record.http_headers
        status = int(http.get_statuscode())
        headers = Headers()
        for name, value in http.headers:
            if name.lower() not in WIRE_HEADERS:
                headers.appendlist(name, value)
        body = record.content_stream().read()
    cls = responsetypes.from_args(headers=headers, url=url, body=body)
    return cls(url=url, status=status, headers=headers, body=body)
