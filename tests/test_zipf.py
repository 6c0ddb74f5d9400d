"""omskcrawl.dedup.zipf gives wordfreq's Russian Zipf frequencies exactly (term weights depend on
them), for listed words, their inflected and capitalised forms, numbers and unknown words."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
import wordfreq

from omskcrawl.dedup import zipf
from omskcrawl.dedup.similarity import lemmatize

# what the similarity module asks for: headline tokens and their lemmas
HEADLINE_WORDS = (
    (
        "Хоценко провел прием граждан в Таре; мэр Шелест и МЧС: на Иртыше 2 человека, 2024 год, "
        "12-й этаж, 1,5 млрд рублей, ЦБ, ЮВО, МУРа, ёлки, «Омскэлектро», COVID-19, 100500, Ёлка"
    )
    .replace(",", " ")
    .replace(";", " ")
    .replace(":", " ")
    .split()
)


def listed_sample() -> list[str]:
    # every 53rd word of the whole list, from the most to the least frequent
    return list(itertools.islice(wordfreq.iter_wordlist(zipf.LANG), 0, None, 53))


def test_listed_words_have_wordfreqs_value() -> None:
    words = listed_sample()
    assert len(words) > 13_000
    ours = [zipf.zipf_frequency(w) for w in words]
    theirs = [wordfreq.zipf_frequency(w, zipf.LANG) for w in words]
    assert ours == theirs
    assert len(set(ours)) > 300  # the sample spans the whole range of frequencies


def test_other_forms_numbers_and_unknown_words_have_wordfreqs_value() -> None:
    words = listed_sample()[::20]
    variants = [
        *HEADLINE_WORDS,
        *(lemmatize(w) for w in HEADLINE_WORDS),
        *(w.capitalize() for w in words),
        *(w.upper() for w in words),
        *(w + "ами" for w in words),  # mostly not listed: the minimum
        *(w[:-1] for w in words if len(w) > 2),
        *(f"{a} {b}" for a, b in itertools.pairwise(words[:200])),  # several tokens combine
        "",
        "!!",
        "шклгщзц",
        "1 000 000",
        "в 1990-х",
    ]
    ours = [zipf.zipf_frequency(w) for w in variants]
    assert ours == [wordfreq.zipf_frequency(w, zipf.LANG) for w in variants]
    assert 0.0 in ours and max(ours) > 7  # unknown words and the commonest ones are covered


# ------------------------------------------------------------------------- the cache file


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """OMSKCRAWL_CACHE_DIR in a fresh folder, and no table loaded before or kept after."""
    folder = tmp_path / "cache"
    monkeypatch.setenv("OMSKCRAWL_CACHE_DIR", str(folder))
    zipf._table.cache_clear()
    yield folder
    zipf._table.cache_clear()


def spot_check() -> None:
    words = [*HEADLINE_WORDS, *listed_sample()[::500], "Омская область", "шклгщзц"]
    assert [zipf.zipf_frequency(w) for w in words] == [
        wordfreq.zipf_frequency(w, zipf.LANG) for w in words
    ]


def test_cache_file_is_built_on_first_use_and_reused(cache_dir: Path) -> None:
    assert not cache_dir.exists()
    spot_check()
    (built,) = cache_dir.glob("zipf-ru-*.bin")
    assert built == zipf.cache_file(zipf._source())
    first = built.stat()
    zipf._table.cache_clear()  # as a new process would
    spot_check()
    again = built.stat()
    assert (again.st_ino, again.st_mtime_ns) == (first.st_ino, first.st_mtime_ns)
    assert [p.name for p in cache_dir.iterdir()] == [built.name]  # no temporary left


@pytest.mark.parametrize("damage", ["truncated", "one byte changed", "empty"])
def test_a_corrupt_cache_file_is_built_again(cache_dir: Path, damage: str) -> None:
    path = zipf.cache_file(zipf._source(), cache_dir)
    zipf.write_table(zipf._source(), path)
    good = path.read_bytes()
    if damage == "truncated":
        path.write_bytes(good[: len(good) // 2])
    elif damage == "one byte changed":
        middle = len(good) // 2
        path.write_bytes(good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1 :])
    else:
        path.write_bytes(b"")
    assert zipf.open_table(path) is None
    spot_check()
    assert path.read_bytes() == good


def test_a_table_for_another_list_or_wordfreq_is_not_read(cache_dir: Path, tmp_path: Path) -> None:
    source = zipf._source()
    other = tmp_path / source.name
    shutil.copyfile(source, other)
    os.utime(other, ns=(source.stat().st_atime_ns, source.stat().st_mtime_ns + 10**9))
    stale = zipf.cache_file(other, cache_dir)
    assert stale != zipf.cache_file(source, cache_dir)  # the name is keyed by the list's file
    zipf.write_table(other, stale)
    spot_check()
    # this list's table was built beside it; the other one is left to whoever uses it
    assert sorted(p.name for p in cache_dir.iterdir()) == sorted(
        [stale.name, zipf.cache_file(source, cache_dir).name]
    )


def test_without_a_writable_cache_folder_the_table_is_built_in_memory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("OMSKCRAWL_CACHE_DIR", str(blocker / "cache"))
    zipf._table.cache_clear()
    try:
        spot_check()
    finally:
        zipf._table.cache_clear()
    assert "building the table in memory" in caplog.text
