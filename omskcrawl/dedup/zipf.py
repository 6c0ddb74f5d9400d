"""Zipf frequencies of Russian words, exactly as ``wordfreq.zipf_frequency(word, "ru")``, in a
sixth of the memory.

wordfreq answers from a dict of its whole large Russian list (713,000 words): ~120 MB of Python
strings and floats, the largest single piece of a crawl's memory. This module reads the same
list (the same file wordfreq reads) into one sorted bytes blob of ``word NUL centibels`` entries
and their end offsets (~17 MB) and finds a word by binary search. The arithmetic around the
lookup (tokens, digit sequences, combining several tokens, rounding) is wordfreq's own, called
or copied line for line, so every value is the same (``tests/test_zipf.py`` compares them).

>>> zipf_frequency("министр"), zipf_frequency("Омская область"), zipf_frequency("шклгщзц")
(4.93, 3.47, 0.0)
"""

from __future__ import annotations

import bisect
import gzip
import math
from array import array
from functools import lru_cache

import msgpack
import numpy as np
import wordfreq
from wordfreq.numbers import digit_freq, smash_numbers
from wordfreq.tokens import lossy_tokenize

LANG = "ru"
_SEPARATOR = b"\0"  # between a word and its centibels in an entry; no word contains it
_CENTIBEL_BYTES = 2  # wordfreq's lists stop near -800 cB
_TAIL = len(_SEPARATOR) + _CENTIBEL_BYTES


class _Table:
    """The words of one wordfreq list, sorted, as a sequence of bytes (for `bisect`)."""

    def __init__(self, blob: bytes, ends: array[int]) -> None:
        self._blob = blob
        self._ends = ends

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, i: int) -> bytes:
        """Entry `i`'s word (UTF-8)."""
        start = self._ends[i - 1] if i else 0
        return self._blob[start : self._ends[i] - _TAIL]

    def centibels(self, word: str) -> int | None:
        """-cB of `word` (wordfreq's bucket index), None if the list does not have it."""
        key = word.encode()
        # the last of equal words, the one whose bucket a dict built in bucket order keeps
        i = bisect.bisect_right(self, key) - 1
        if i < 0 or self[i] != key:
            return None
        end = self._ends[i]
        return int.from_bytes(self._blob[end - _CENTIBEL_BYTES : end], "big")


@lru_cache(maxsize=1)
def _table() -> _Table:
    """Read wordfreq's list for LANG once, bucket by bucket, into a _Table."""
    path = wordfreq.available_languages("best")[LANG]
    entries: list[bytes] = []
    with gzip.open(path, "rb") as f:
        unpacker = msgpack.Unpacker(f, raw=True)
        buckets = unpacker.read_array_header() - 1
        header = unpacker.unpack()
        if header != {b"format": b"cB", b"version": 1}:
            raise ValueError(f"{path}: unexpected wordfreq header {header!r}")
        for index in range(buckets):
            tail = _SEPARATOR + index.to_bytes(_CENTIBEL_BYTES, "big")
            words: list[bytes] = unpacker.unpack()
            if _SEPARATOR in b"".join(words):
                raise ValueError(f"{path}: a word contains NUL")
            entries.extend([word + tail for word in words])
    # NUL sorts before every other byte, so entries sort as their words do
    entries.sort()
    lengths = np.fromiter(map(len, entries), dtype=np.uint32, count=len(entries))
    ends = array("I", np.cumsum(lengths, dtype=np.uint32).tobytes())
    return _Table(b"".join(entries), ends)


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
