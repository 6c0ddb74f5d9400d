"""Throughput of `parse_date` against `dateparser.parse` on the date strings pages give.

Run from the repository root:

    .venv/bin/python benchmarks/bench_dates.py

Both parse the same weighted mix in one process with equivalent settings (source
zone, crawl time as the relative base, past dates preferred, day-first order).
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dateparser

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omskcrawl.normalize.dates import parse_date

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
TZ = "Asia/Omsk"
DATEPARSER_SETTINGS = {
    "TIMEZONE": TZ,
    "RETURN_AS_TIMEZONE_AWARE": True,
    "RELATIVE_BASE": NOW.astimezone(ZoneInfo(TZ)).replace(tzinfo=None),
    "PREFER_DATES_FROM": "past",
    "DATE_ORDER": "DMY",
}

# (weight, text): machine dates from feeds, sitemaps and meta dominate; then the
# visible article dates and listing labels of the Omsk outlets.
MIX = [
    (14, "2024-11-20T10:55:00+06:00"),
    (8, "2020-10-19T06:34:31+0300"),
    (6, "2020-12-29T16:19:16+03:00"),
    (5, "2024-11-20T10:55:00Z"),
    (3, "2024-11-20T04:55:00.123456Z"),
    (4, "2020-10-19T09:34"),
    (2, "2024-11-20"),
    (12, "Wed, 20 Nov 2024 10:55:00 +0600"),
    (3, "Tue, 19 Nov 2024 22:10:00 GMT"),
    (1, "Wed, 20 Nov 2024 10:55:00 MSK"),
    (2, "1600633920"),
    (10, "20 ноября, 10:55"),
    (4, "31 октября, 23:40"),
    (6, "Сегодня, 21:21"),
    (3, "сегодня в 07:40"),
    (4, "Вчера,\u00a016:33"),
    (2, "17:56 Вчера"),
    (1, "позавчера, 10:00"),
    (3, "15:06"),
    (3, "5 минут назад"),
    (2, "2 часа назад"),
    (1, "3 дня назад"),
    (6, "18.03.18 08:03"),
    (6, "20.11.2024 10:55"),
    (2, "01-04-2023 13:20:29"),
    (2, "20.11.2024"),
    (6, "3 августа 2023, 20:59"),
    (3, "20 апреля 2016 11:35"),
    (2, "11:20 20 января 2026"),
    (2, "13:05, 14 апреля 2025"),
    (2, "20 ноября 2024 г., 10:55"),
    (1, "20 ноября 2024 года в 10:55"),
    (1, "29 СЕНТЯБРЯ 2022, 16:00"),
    (1, "5 сент 2024"),
    (1, "пятница, 22 Ноября"),
    (1, "Опубликовано: 20.11.2024 в 10:55"),
    (1, "Posted 24 июня 2023,, 14:07"),
    (1, "сегодня  в 17:04, просмотров: 173"),
    (1, "27 февраля 2018"),
    (1, "4 июня 2013, 12:43"),
]
WEIGHTED = [text for weight, text in MIX for _ in range(weight)]


def with_parse_date(text: str) -> datetime | None:
    return parse_date(text, now=NOW, tz=TZ)


def with_dateparser(text: str) -> datetime | None:
    return dateparser.parse(text, languages=["ru", "en"], settings=DATEPARSER_SETTINGS)


def per_second(parse: Callable[[str], datetime | None], budget: float) -> float:
    """Calls per second over whole passes of WEIGHTED, for about `budget` seconds."""
    calls = 0
    start = time.perf_counter()
    while True:
        for text in WEIGHTED:
            parse(text)
        calls += len(WEIGHTED)
        elapsed = time.perf_counter() - start
        if elapsed >= budget:
            return calls / elapsed


def main() -> None:
    texts = [text for _, text in MIX]
    ours = {text: with_parse_date(text) for text in texts}  # also warms both up
    theirs = {text: with_dateparser(text) for text in texts}

    fast = per_second(with_parse_date, budget=3.0)
    slow = per_second(with_dateparser, budget=10.0)

    print(f"mix: {len(texts)} distinct strings, {len(WEIGHTED)} per weighted pass")
    print(f"parse_date:       {fast:10,.0f} strings/s  ({1e6 / fast:8.1f} µs each)")
    print(f"dateparser.parse: {slow:10,.0f} strings/s  ({1e6 / slow:8.1f} µs each)")
    print(f"parse_date is {fast / slow:.0f}× faster than dateparser.parse")
    for name, results in (("parse_date", ours), ("dateparser.parse", theirs)):
        failed = [text for text, value in results.items() if value is None]
        print(f"{name} failed on {len(failed)} of {len(texts)} strings: {failed}")
    differ = [
        text
        for text in texts
        if ours[text] and theirs[text] and ours[text] != theirs[text].astimezone(UTC)  # type: ignore[union-attr]
    ]
    print(f"both parsed but disagree on {len(differ)}: {differ}")


if __name__ == "__main__":
    main()
