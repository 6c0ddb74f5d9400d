"""Zipf frequencies of Russian words, exactly as ``wordfreq.zipf_frequency(word, "ru")``, in a
tenth of the memory.

wordfreq answers from a dict of its whole large Russian list (713,000 words): ~120 MB of Python
strings and floats, the largest single piece of a crawl's memory. This module reads the same
list (the same file wordfreq reads) into one sorted bytes blob of ``word NUL centibels`` entries,
words in cp1251 (see `_key`), and their end offsets (~11 MB) and finds a word by binary search.
The arithmetic around the lookup (tokens, digit sequences, combining several tokens, rounding)
is wordfreq's own, called or copied line for line, so every value is the same
(``tests/test_zipf.py`` compares them).

The table is built once per machine into a cache file (``OMSKCRAWL_CACHE_DIR``, else the user's
cache folder; the name is keyed by wordfreq's version and list file) and mapped read-only: no
process but the first pays the build (1-6 s, ~80 MB of Python objects for a moment, done in a
child process so that a crawl's heap never holds them), and the table's pages are shared by
every crawl on the machine. A missing, stale or corrupt file is built again.

>>> zipf_frequency("министр"), zipf_frequency("Омская область"), zipf_frequency("шклгщзц")
(4.93, 3.47, 0.0)
"""

from __future__ import annotations

import bisect
import gzip
import hashlib
import logging
import math
import mmap
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from array import array
from functools import lru_cache
from importlib.metadata import version
from pathlib import Path

import msgpack
import numpy as np
import platformdirs
import wordfreq
from wordfreq.numbers import digit_freq, smash_numbers
from wordfreq.tokens import lossy_tokenize

LANG = "ru"
_SEPARATOR = b"\0"  # between a word and its centibels in an entry; no word contains it
_CENTIBEL_BYTES = 2  # wordfreq's lists stop near -800 cB
_TAIL = len(_SEPARATOR) + _CENTIBEL_BYTES
_NOT_CP1251 = b"\x98"  # before the UTF-8 of a word cp1251 cannot spell (see _key)

# The cache file: header (magic, format, entries, blob bytes, CRC-32 of the rest), the entries'
# end offsets (native uint32), the blob. A new _FORMAT gives the file a new name.
_MAGIC = b"OMSKZIPF"
_FORMAT = 2
_HEADER = "=8sIIII"
_HEADER_SIZE = struct.calcsize(_HEADER)
_END_BYTES = 4
# what the child process that builds the cache file runs
_BUILD_CHILD = (
    "import sys; from pathlib import Path; from omskcrawl.dedup.zipf import _source, write_table; "
    "write_table(_source(), Path(sys.argv[1]))"
)

logger = logging.getLogger(__name__)


def _key(word: str) -> bytes:
    """`word` as the table stores it: one byte a letter in cp1251 (all but ~800 of the list's
    713,000 words; half of UTF-8's size for Cyrillic), else 0x98 and its UTF-8. 0x98 is no
    character in cp1251, so no two words get one key.

    >>> _key("мэр"), _key("Ω")
    (b'\\xec\\xfd\\xf0', b'\\x98\\xce\\xa9')
    """
    try:
        return word.encode("cp1251")
    except UnicodeEncodeError:
        return _NOT_CP1251 + word.encode()


class _Table:
    """The words of one wordfreq list, sorted, as a sequence of bytes (for `bisect`): entries
    end at `ends` (offsets from `start`) in `blob` (bytes, or the cache file's map)."""

    def __init__(
        self, blob: bytes | mmap.mmap, ends: array[int] | memoryview, start: int = 0
    ) -> None:
        self._blob = blob
        self._ends = ends
        self._start = start

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> bytes:
        """Entry `i`'s word (UTF-8)."""
        start = self._start + (self._ends[i - 1] if i else 0)
        return self._blob[start : self._start + self._ends[i] - _TAIL]

    def centibels(self, word: str) -> int | None:
        """-cB of `word` (wordfreq's bucket index), None if the list does not have it."""
        key = _key(word)
        # the last of equal words, the one whose bucket a dict built in bucket order keeps
        i = bisect.bisect_right(self, key) - 1
        if i < 0 or self[i] != key:
            return None
        end = self._start + self._ends[i]
        return int.from_bytes(self._blob[end - _CENTIBEL_BYTES : end], "big")


@lru_cache(maxsize=1)
def _table() -> _Table:
    """The table for LANG: mapped from the cache file, built into it first if it is missing,
    stale or corrupt; built in memory only if no cache file can be written."""
    source = _source()
    path = cache_file(source)
    table = open_table(path)
    if table is None:
        # In a child process: building reads all 713,000 words into Python objects (~80 MB
        # for a second), which would stay behind as free heap in a crawl.
        command = [sys.executable, "-c", _BUILD_CHILD, str(path)]
        package_root = str(Path(__file__).resolve().parents[2])
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(
            p for p in (package_root, os.environ.get("PYTHONPATH")) if p
        )}  # fmt: skip
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        table = open_table(path)
        if table is None:
            logger.warning(
                "word frequencies: could not write the cache file %s (%s); "
                "building the table in memory",
                path,
                done.stderr.strip().splitlines()[-1:] or done.returncode,
            )
            return _Table(*build(source))
    return table


def _source() -> Path:
    """wordfreq's large list for LANG (the file its own zipf_frequency reads)."""
    return Path(wordfreq.available_languages("best")[LANG])


def cache_folder() -> Path:
    """Where the table's cache file lives: OMSKCRAWL_CACHE_DIR, else the user's cache folder
    (``~/.cache/omskcrawl`` on Linux)."""
    return Path(os.environ.get("OMSKCRAWL_CACHE_DIR") or platformdirs.user_cache_dir("omskcrawl"))


def cache_file(source: Path, folder: Path | None = None) -> Path:
    """The cache file for this `source` list: its name changes with the list's file (path, size,
    modification time), wordfreq's version and this file format, so a stale one is not read."""
    stat = source.stat()
    key = "|".join(
        map(str, (_FORMAT, version("wordfreq"), source, stat.st_size, stat.st_mtime_ns,
                  sys.byteorder))
    )  # fmt: skip
    name = f"zipf-{LANG}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.bin"
    return (folder or cache_folder()) / name


def build(source: Path) -> tuple[bytes, array[int]]:
    """Read wordfreq's list, bucket by bucket, into the sorted blob and its end offsets."""
    entries: list[bytes] = []
    with gzip.open(source, "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=True)
        buckets = unpacker.read_array_header() - 1
        header = unpacker.unpack()
        if header != {b"format": b"cB", b"version": 1}:
            raise ValueError(f"{source}: unexpected wordfreq header {header!r}")
        for index in range(buckets):
            tail = _SEPARATOR + index.to_bytes(_CENTIBEL_BYTES, "big")
            words = [_key(word.decode()) for word in unpacker.unpack()]
            if _SEPARATOR in b"".join(words):
                raise ValueError(f"{source}: a word contains NUL")
            entries.extend([word + tail for word in words])
    # NUL sorts before every other byte, so entries sort as their words do
    entries.sort()
    lengths = np.fromiter(map(len, entries), dtype=np.uint32, count=len(entries))
    ends = array("I", np.cumsum(lengths, dtype=np.uint32).tobytes())
    return b"".join(entries), ends


def write_table(source: Path, path: Path) -> None:
    """Build the table of `source` into the file `path` (a dot-file, then renamed: readers
    never see half a file, and two processes building at once both leave a whole one)."""
    blob, ends = build(source)
    body = ends.tobytes() + blob
    header = struct.pack(_HEADER, _MAGIC, _FORMAT, len(ends), len(blob), zlib.crc32(body))
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", delete=False) as f:
        try:
            f.write(header + body)
            os.chmod(f.name, 0o644)  # a shared OMSKCRAWL_CACHE_DIR serves other users too
            f.flush()
            os.fsync(f.fileno())
        except BaseException:
            os.unlink(f.name)
            raise
    # Tables of another wordfreq or list stay: two installs (say, two deployed versions) may
    # share the folder, and removing each other's file would have each rebuild on every run.
    os.replace(f.name, path)


def open_table(path: Path) -> _Table | None:
    """The table in the cache file `path`, mapped read-only (its pages are shared, and the
    kernel can drop them); None if the file is missing, unreadable, truncated or corrupt."""
    try:
        with open(path, "rb") as f:
            header = f.read(_HEADER_SIZE)
            if len(header) < _HEADER_SIZE:
                return None
            magic, version, count, blob_size, checksum = struct.unpack(_HEADER, header)
            size = _HEADER_SIZE + count * _END_BYTES + blob_size
            if magic != _MAGIC or version != _FORMAT or os.fstat(f.fileno()).st_size != size:
                return None
            crc = 0  # read in chunks, not through the map: checking touches no mapped page
            while chunk := f.read(1 << 20):
                crc = zlib.crc32(chunk, crc)
            if crc != checksum:
                return None
            mapped = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    except OSError:  # missing, or its folder is not one (or not readable): build it
        return None
    blob_start = _HEADER_SIZE + count * _END_BYTES
    ends = memoryview(mapped)[_HEADER_SIZE:blob_start].cast("I")
    return _Table(mapped, ends, blob_start)


def _word_frequency(word: str, minimum: float) -> float:
    """``wordfreq._word_frequency(word, "ru", "best", minimum)`` with the lookup in _Table."""
    tokens = lossy_tokenize(word, LANG)
    if not tokens:
        return minimum
    # 1 / f = 1 / f1 + 1 / f2 + ...: the rarest token dominates
    one_over_result = 0.0
    for token in tokens:
        smashed = smash_numbers(token)
        centibels = _table().centibels(smashed)
        if centibels is None:
            return minimum
        freq = wordfreq.cB_to_freq(-centibels)
        if smashed != token:
            freq *= digit_freq(token)
        one_over_result += 1.0 / freq
    freq = 1.0 / one_over_result
    # (wordfreq divides by 10 per inferred word break for jieba languages: not Russian)
    unrounded = max(freq, minimum)
    if unrounded == 0.0:
        return 0.0
    leading_zeroes = math.floor(-math.log(unrounded, 10))
    return round(unrounded, leading_zeroes + 3)


def zipf_frequency(word: str) -> float:
    """``wordfreq.zipf_frequency(word, "ru")``: 0 for an unknown word, ~7 for «и»."""
    minimum = wordfreq.zipf_to_freq(0.0)
    return round(wordfreq.freq_to_zipf(_word_frequency(word, minimum)), 2)
