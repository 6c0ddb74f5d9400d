"""parse_date and date_from_url: every rule, with the exact UTC answer."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from omskcrawl.normalize.dates import FUTURE_TOLERANCE, MIN_YEAR, date_from_url, parse_date

# Thursday 26 November 2026, 09:00 in Omsk (UTC+6).
NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


def check(text: object, expected: datetime | None, **kwargs: object) -> None:
    kwargs.setdefault("now", NOW)
    got = parse_date(text, **kwargs)  # type: ignore[arg-type]
    assert got == expected
    if got is not None:
        assert got.tzinfo is UTC


RELATIVE = [
    ("Сегодня, 21:21", utc(2026, 11, 26, 15, 21)),
    ("сегодня в 07:40", utc(2026, 11, 26, 1, 40)),
    ("Вчера,\u00a016:33", utc(2026, 11, 25, 10, 33)),
    ("позавчера, 10:00", utc(2026, 11, 24, 4, 0)),
    ("17:56 Вчера", utc(2026, 11, 25, 11, 56)),
    ("вчера  в 16:19", utc(2026, 11, 25, 10, 19)),
    ("ВЧЕРА В 16:19", utc(2026, 11, 25, 10, 19)),
    ("сегодня  в 17:04, просмотров: 173", utc(2026, 11, 26, 11, 4)),
    ("Сегодня в 10:55 (мск)", utc(2026, 11, 26, 7, 55)),
    ("вчера", utc(2026, 11, 24, 18, 0)),  # local midnight
    ("сегодня", utc(2026, 11, 25, 18, 0)),
    ("Yesterday, 16:33", utc(2026, 11, 25, 10, 33)),
    ("today 10:00", utc(2026, 11, 26, 4, 0)),
    ("5 минут назад", utc(2026, 11, 26, 2, 55)),
    ("5 мин. назад", utc(2026, 11, 26, 2, 55)),
    ("Обновлено 10 минут назад", utc(2026, 11, 26, 2, 50)),
    ("минуту назад", utc(2026, 11, 26, 2, 59)),
    ("30 секунд назад", utc(2026, 11, 26, 2, 59, 30)),
    ("2 часа назад", utc(2026, 11, 26, 1, 0)),
    ("час назад", utc(2026, 11, 26, 2, 0)),
    ("полчаса назад", utc(2026, 11, 26, 2, 30)),
    ("полтора часа назад", utc(2026, 11, 26, 1, 30)),
    ("2 часа 15 минут назад", utc(2026, 11, 26, 0, 45)),
    ("двадцать пять минут назад", utc(2026, 11, 26, 2, 35)),
    ("две минуты тому назад", utc(2026, 11, 26, 2, 58)),
    ("Новости дня, 2 часа назад", utc(2026, 11, 26, 1, 0)),
    ("2 ч назад", utc(2026, 11, 26, 1, 0)),
    ("около часа назад", utc(2026, 11, 26, 2, 0)),
    ("более пяти минут назад", utc(2026, 11, 26, 2, 55)),
    ("около 5 минут назад", utc(2026, 11, 26, 2, 55)),
    ("1 день назад", utc(2026, 11, 25, 3, 0)),
    ("3 дня назад", utc(2026, 11, 23, 3, 0)),
    ("2 дня назад, 10:55", utc(2026, 11, 24, 4, 55)),
    ("сутки назад", utc(2026, 11, 25, 3, 0)),
    ("неделю назад", utc(2026, 11, 19, 3, 0)),
    ("2 недели назад", utc(2026, 11, 12, 3, 0)),
    ("месяц назад", utc(2026, 10, 26, 3, 0)),
    ("год назад", utc(2025, 11, 26, 3, 0)),
    ("0 минут назад", NOW),
    ("только что", NOW),
    ("Только что", NOW),
    ("5 minutes ago", utc(2026, 11, 26, 2, 55)),
    ("an hour ago", utc(2026, 11, 26, 2, 0)),
    ("2 weeks ago", utc(2026, 11, 12, 3, 0)),
    ("just now", NOW),
    # A bare time is today in the source zone (omskmedia lists today's items so).
    ("15:06", utc(2026, 11, 26, 9, 6)),
    ("в 15:06", utc(2026, 11, 26, 9, 6)),
    ("08:30", utc(2026, 11, 26, 2, 30)),
    ("в 10.55", utc(2026, 11, 26, 4, 55)),
    ("23:50", utc(2026, 11, 26, 17, 50)),  # today even when later than now
]


@pytest.mark.parametrize(("text", "expected"), RELATIVE)
def test_relative_to_now_in_source_zone(text: str, expected: datetime) -> None:
    check(text, expected)


NO_YEAR = [
    ("20 ноября, 10:55", utc(2026, 11, 20, 4, 55)),
    ("20 Ноября", utc(2026, 11, 19, 18, 0)),
    ("Ср, 20 ноября, 10:55", utc(2026, 11, 20, 4, 55)),
    ("пятница, 22 Ноября", utc(2026, 11, 21, 18, 0)),  # the weekday is not checked
    ("1 мая", utc(2026, 4, 30, 18, 0)),
    ("1 мая, 12:00", utc(2026, 5, 1, 6, 0)),
    ("10:55, 20 ноября", utc(2026, 11, 20, 4, 55)),
    ("20-го ноября в 10:55", utc(2026, 11, 20, 4, 55)),
    ("20 нояб., 10:55", utc(2026, 11, 20, 4, 55)),
    ("20.11 10:55", utc(2026, 11, 20, 4, 55)),
    ("20.11, в 10:55", utc(2026, 11, 20, 4, 55)),
    ("10:55 20.11", utc(2026, 11, 20, 4, 55)),
    ("20.11", utc(2026, 11, 19, 18, 0)),
    ("20.11.", utc(2026, 11, 19, 18, 0)),
    ("Nov 20, 10:55", utc(2026, 11, 20, 4, 55)),
    # The latest such moment not after now: December is last year's.
    ("5 декабря, 12:00", utc(2025, 12, 5, 6, 0)),
    ("29 февраля", utc(2024, 2, 28, 18, 0)),
    # Up to FUTURE_TOLERANCE (one day) ahead of now is still this year.
    ("26 ноября, 23:00", utc(2026, 11, 26, 17, 0)),
    ("27 ноября", utc(2026, 11, 26, 18, 0)),
    ("27 ноября, 08:59", utc(2026, 11, 27, 2, 59)),
    ("27 ноября, 10:00", utc(2025, 11, 27, 4, 0)),
    ("28 ноября, 10:55", utc(2025, 11, 28, 4, 55)),
]


@pytest.mark.parametrize(("text", "expected"), NO_YEAR)
def test_day_and_month_take_the_latest_year_not_after_now(text: str, expected: datetime) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("31 декабря, 23:40", utc(2026, 1, 5, 3, 0), utc(2025, 12, 31, 17, 40)),
        ("30 декабря, 12:00", utc(2027, 1, 2, 3, 0), utc(2026, 12, 30, 6, 0)),
        ("1 января, 08:00", utc(2026, 12, 20, 3, 0), utc(2026, 1, 1, 2, 0)),
        # Clock skew across the new year: 00:10 tomorrow, 40 minutes after now.
        ("1 января, 00:10", utc(2026, 12, 31, 17, 30), utc(2026, 12, 31, 18, 10)),
    ],
)
def test_year_rollover(text: str, now: datetime, expected: datetime) -> None:
    check(text, expected, now=now)


@pytest.mark.parametrize(
    ("text", "url", "expected"),
    [
        ("20 ноября, 10:55", "https://ngs55.ru/text/2024/11/20/", utc(2024, 11, 20, 4, 55)),
        ("20 ноября, 10:55", "https://x.ru/news/2024-11-20/slug", utc(2024, 11, 20, 4, 55)),
        ("20 ноября, 10:55", "https://x.ru/news/20-11-2024/slug", utc(2024, 11, 20, 4, 55)),
        ("20.11 10:55", "https://x.ru/2024/11/20/a.html", utc(2024, 11, 20, 4, 55)),
        ("25 июня, 12:00", "https://omskmedia.ru/news/2025-06-25/slug-54", utc(2025, 6, 25, 6)),
        ("11 ноября", "https://x.ru/social/2024/11/11/x.html", utc(2024, 11, 10, 18, 0)),
        # A URL dated in another zone may be a day off.
        ("20 ноября, 01:30", "https://x.ru/2024/11/19/a", utc(2024, 11, 19, 19, 30)),
        ("1 января, 01:30", "https://x.ru/2024/12/31/a", utc(2024, 12, 31, 19, 30)),
        # A URL dated another day says nothing about this year.
        ("20 ноября, 10:55", "https://x.ru/2024/05/01/a", utc(2026, 11, 20, 4, 55)),
        ("20 ноября, 10:55", "https://x.ru/news/5422040", utc(2026, 11, 20, 4, 55)),
        # A year in the text wins over the URL.
        ("20 ноября 2023, 10:55", "https://x.ru/2024/11/20/a", utc(2023, 11, 20, 4, 55)),
    ],
)
def test_url_date_fixes_a_missing_year(text: str, url: str, expected: datetime) -> None:
    check(text, expected, url=url)


FULL = [
    ("3 августа 2023, 20:59", utc(2023, 8, 3, 14, 59)),
    ("20 апреля 2016 11:35", utc(2016, 4, 20, 5, 35)),
    ("11:20 20 января 2026", utc(2026, 1, 20, 5, 20)),
    ("13:05, 14 апреля 2025", utc(2025, 4, 14, 7, 5)),
    ("20 ноября 2024 г., 10:55", utc(2024, 11, 20, 4, 55)),
    ("20 ноября 2024 года в 10:55", utc(2024, 11, 20, 4, 55)),
    ("20 ноября 2024г. 10:55", utc(2024, 11, 20, 4, 55)),
    ("20 нояб. 2024", utc(2024, 11, 19, 18, 0)),
    ("20 нояб. 2024, 10:55", utc(2024, 11, 20, 4, 55)),
    ("29 СЕНТЯБРЯ 2022, 16:00", utc(2022, 9, 29, 10, 0)),
    ("5 сент 2024", utc(2024, 9, 4, 18, 0)),
    ("5 сент. 2024 в 9:05", utc(2024, 9, 5, 3, 5)),
    ("1 мая 2024", utc(2024, 4, 30, 18, 0)),
    ("20 май 2024", utc(2024, 5, 19, 18, 0)),
    ("20 ноябрь 2024, 10:55", utc(2024, 11, 20, 4, 55)),
    ("15 февр. 2024", utc(2024, 2, 14, 18, 0)),
    ("1 янв 2025 00:00", utc(2024, 12, 31, 18, 0)),
    ("3 авг. 2023", utc(2023, 8, 2, 18, 0)),
    ("7 ОКТ 2022 15:00", utc(2022, 10, 7, 9, 0)),
    ("12 дек 2021", utc(2021, 12, 11, 18, 0)),
    ("среда, 20 ноября 2024, 10:55", utc(2024, 11, 20, 4, 55)),
    ("Ср, 20 ноября 2024 10:55", utc(2024, 11, 20, 4, 55)),
    ("2024, 20 ноября", utc(2024, 11, 19, 18, 0)),
    ("Опубликовано: 20.11.2024 в 10:55", utc(2024, 11, 20, 4, 55)),
    ("Posted 24 июня 2023,, 14:07", utc(2023, 6, 24, 8, 7)),
    ("20 ноября 2024, 10:55 | Политика", utc(2024, 11, 20, 4, 55)),
    ("Обновлено 21.11.2024 12:00, опубликовано 20.11.2024", utc(2024, 11, 21, 6, 0)),
    ("20.11.2024 10:55", utc(2024, 11, 20, 4, 55)),
    ("20.11.2024, 10:55", utc(2024, 11, 20, 4, 55)),
    ("20.11.2024г. в 10:55", utc(2024, 11, 20, 4, 55)),
    ("18.03.18 08:03", utc(2018, 3, 18, 2, 3)),
    ("18.03.98", utc(1998, 3, 17, 18, 0)),
    ("01-04-2023 13:20:29", utc(2023, 4, 1, 7, 20, 29)),
    ("1.4.2023 9:05", utc(2023, 4, 1, 3, 5)),
    ("20/11/2024 10:55", utc(2024, 11, 20, 4, 55)),
    ("11/20/2024", utc(2024, 11, 19, 18, 0)),  # a month of 20 is read American
    ("2024/11/20 10:55", utc(2024, 11, 20, 4, 55)),
    ("2024.11.20", utc(2024, 11, 19, 18, 0)),
    ("20.11.2024", utc(2024, 11, 19, 18, 0)),
    ("27 февраля 2018", utc(2018, 2, 26, 18, 0)),
    ("29 февраля 2024", utc(2024, 2, 28, 18, 0)),
    ("\u00a020\u00a0ноября\u00a02024,\u00a010:55\u2009", utc(2024, 11, 20, 4, 55)),
    ("20\u202fноября\u20032024 г.\u200b, 10:55", utc(2024, 11, 20, 4, 55)),
    ("3 августа 2023 г.&nbsp;в&nbsp;20:59", utc(2023, 8, 3, 14, 59)),
    ("2 ноября 2024 \u2014 10:55", utc(2024, 11, 2, 4, 55)),
    ("20 сентЯбря 2024", utc(2024, 9, 19, 18, 0)),
    ("3 сентября 2024", utc(2024, 9, 2, 18, 0)),
    ("2 мая 2024 в 10:55", utc(2024, 5, 2, 4, 55)),
    ("November 20, 2024 10:55 AM", utc(2024, 11, 20, 4, 55)),
    ("Nov 20, 2024, 2:07 PM", utc(2024, 11, 20, 8, 7)),
    ("20 November 2024", utc(2024, 11, 19, 18, 0)),
    ("20th November 2024, 12:30 am", utc(2024, 11, 19, 18, 30)),
    ("12 ёлок, 12 января 2024", utc(2024, 1, 11, 18, 0)),
]


@pytest.mark.parametrize(("text", "expected"), FULL)
def test_full_forms_in_source_zone(text: str, expected: datetime) -> None:
    check(text, expected)


@pytest.mark.parametrize(
    ("text", "tz", "expected"),
    [
        ("4 июня 2013, 12:43", "Asia/Omsk", utc(2013, 6, 4, 5, 43)),  # UTC+7 in 2011-2014
        ("15 января 2010, 12:00", "Asia/Omsk", utc(2010, 1, 15, 6, 0)),  # winter time, +6
        ("15 июля 2010, 12:00", "Asia/Omsk", utc(2010, 7, 15, 5, 0)),  # summer time, +7
        ("20.11.2024 10:55", "Asia/Omsk", utc(2024, 11, 20, 4, 55)),
        ("20.11.2024 10:55", "Europe/Moscow", utc(2024, 11, 20, 7, 55)),
        ("4 июня 2013, 12:43", "Europe/Moscow", utc(2013, 6, 4, 8, 43)),  # MSK was +4
        ("20.11.2024 10:55", "UTC", utc(2024, 11, 20, 10, 55)),
        ("20.11.2024 10:55 мск", "Asia/Omsk", utc(2024, 11, 20, 7, 55)),
        ("20 ноября 2024 в 10:55 по московскому времени", "Asia/Omsk", utc(2024, 11, 20, 7, 55)),
        ("20.11.2024 10:55 по омскому времени", "Europe/Moscow", utc(2024, 11, 20, 4, 55)),
        ("Tue, 04 Jun 2013 12:43:00 MSK", "Asia/Omsk", utc(2013, 6, 4, 8, 43)),
    ],
)
def test_zones_come_from_the_tz_database(text: str, tz: str, expected: datetime) -> None:
    check(text, expected, tz=tz)


MACHINE = [
    ("2020-10-19T06:34:31+0300", utc(2020, 10, 19, 3, 34, 31)),
    ("2020-12-29T16:19:16+03:00", utc(2020, 12, 29, 13, 19, 16)),
    ("2024-11-20T10:55:00Z", utc(2024, 11, 20, 10, 55)),
    ("2024-11-20T10:55:00+00:00", utc(2024, 11, 20, 10, 55)),
    ("2024-11-20T10:55:00-05:00", utc(2024, 11, 20, 15, 55)),
    ("2024-11-20T10:55+06", utc(2024, 11, 20, 4, 55)),
    ("2024-11-20 10:55:00 +06:00", utc(2024, 11, 20, 4, 55)),
    ("2020-10-19T09:34", utc(2020, 10, 19, 3, 34)),  # no offset: the source zone
    ("2020-10-19 09:34:00", utc(2020, 10, 19, 3, 34)),
    ("2024-11-20", utc(2024, 11, 19, 18, 0)),
    ("2024-11-20T10:55:00.123456+06:00", utc(2024, 11, 20, 4, 55, 0, 123456)),
    ("2024-11-20T10:55:00.5Z", utc(2024, 11, 20, 10, 55, 0, 500000)),
    ("2024-11-20T10:55:00,250Z", utc(2024, 11, 20, 10, 55, 0, 250000)),
    ("2024-11-20T10:55:00.123456789+06:00", utc(2024, 11, 20, 4, 55, 0, 123456)),
    ("Wed, 20 Nov 2024 10:55:00 +0600", utc(2024, 11, 20, 4, 55)),
    ("Wed, 20 Nov 2024 10:55:00 GMT", utc(2024, 11, 20, 10, 55)),
    ("Wed, 20 Nov 2024 10:55:00 UTC", utc(2024, 11, 20, 10, 55)),
    ("Wed, 20 Nov 2024 10:55:00 -0000", utc(2024, 11, 20, 10, 55)),
    ("Wed, 20 Nov 2024 10:55:00 MSK", utc(2024, 11, 20, 7, 55)),
    ("Wed, 20 Nov 2024 10:55:00 EST", utc(2024, 11, 20, 15, 55)),
    ("Wed, 20 Nov 2024 10:55 GMT+3", utc(2024, 11, 20, 7, 55)),
    ("20.11.2024 10:55 (UTC+6)", utc(2024, 11, 20, 4, 55)),
    ("20 Nov 2024 10:55 +0300", utc(2024, 11, 20, 7, 55)),
    ("Wed Nov 20 10:55:00 2024", utc(2024, 11, 20, 4, 55)),
    ("20241120", utc(2024, 11, 19, 18, 0)),
    ("20241120105500", utc(2024, 11, 20, 4, 55)),
    ("1600633920", utc(2020, 9, 20, 20, 32)),
    (" 1600633920 ", utc(2020, 9, 20, 20, 32)),
    ("1600633920123", utc(2020, 9, 20, 20, 32, 0, 123000)),
    ("1600633920.5", utc(2020, 9, 20, 20, 32, 0, 500000)),
    (1600633920, utc(2020, 9, 20, 20, 32)),
    (1600633920123, utc(2020, 9, 20, 20, 32, 0, 123000)),
    (1600633920.5, utc(2020, 9, 20, 20, 32, 0, 500000)),
]


@pytest.mark.parametrize(("text", "expected"), MACHINE)
def test_machine_forms(text: str | int | float, expected: datetime) -> None:
    check(text, expected)


UNREADABLE = [
    "31.02.2024",
    "30 февраля",
    "31 ноября",
    "31 ноября 2024",
    "32.01.2024",
    "20.13.2024",
    "00.11.2024",
    "25:61",
    "10.55",
    "30.02",
    "24:00",
    "10:61",
    "20.11.2024 25:00",
    "13:00 pm",
    "ноября",
    "Ноябрь",
    "ноябрь 2024",
    "2024",
    "12",
    "0",
    "abc",
    "lorem ipsum dolor",
    "просмотров: 173",
    "",
    "   ",
    "\u00a0\u2009",
    "назад",
    "дня назад",
    "несколько минут назад",
    "завтра",
    "завтра в 10:00",
    "послезавтра",
    "через 2 дня",
    "20.11.1985",  # before MIN_YEAR
    "1 января 1989",
    "631151999",  # 1989-12-31T23:59:59Z
    "99999999999999999999",
    "99999999999 дней назад",
    "2024-11-20T10:55:00+25:00",
]


@pytest.mark.parametrize("text", UNREADABLE)
def test_unreadable_text_is_none(text: str) -> None:
    check(text, None)


@pytest.mark.parametrize(
    "value", [None, 0, -5, 0.0, -1.5, float("nan"), float("inf"), True, False, 10**30]
)
def test_unreadable_values_are_none(value: object) -> None:
    check(value, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Absolute dates are accepted up to FUTURE_TOLERANCE (one day) after now.
        ("26.11.2026 23:59", utc(2026, 11, 26, 17, 59)),
        ("27.11.2026", utc(2026, 11, 26, 18, 0)),
        ("2026-11-27T02:59:00Z", utc(2026, 11, 27, 2, 59)),
        ("2026-11-27T03:00:00Z", utc(2026, 11, 27, 3, 0)),
        ("2026-11-27T03:01:00Z", None),
        ("27.11.2026 10:00", None),
        ("20.11.2030", None),
        ("4102444800", None),  # 2100-01-01 as Unix time
    ],
)
def test_far_future_is_none(text: str, expected: datetime | None) -> None:
    check(text, expected)
    assert FUTURE_TOLERANCE.total_seconds() == 24 * 3600


def test_naive_now_is_utc() -> None:
    naive = datetime(2026, 11, 26, 3, 0)
    check("5 минут назад", utc(2026, 11, 26, 2, 55), now=naive)
    check("20 ноября, 10:55", utc(2026, 11, 20, 4, 55), now=naive)


def test_now_in_another_zone_is_the_same_moment() -> None:
    moscow_now = NOW.astimezone(ZoneInfo("Europe/Moscow"))
    check("Вчера, 16:33", utc(2026, 11, 25, 10, 33), now=moscow_now)


@pytest.mark.parametrize("tz", ["Mars/Olympus", "", "+06:00", "../etc/passwd"])
def test_unknown_zone_is_none(tz: str) -> None:
    check("20.11.2024 10:55", None, tz=tz)


def test_bad_arguments_are_none() -> None:
    assert parse_date("20.11.2024", now="2026-11-26") is None  # type: ignore[arg-type]
    assert parse_date("20.11.2024", now=NOW, tz=None) is None  # type: ignore[arg-type]
    assert parse_date(b"20.11.2024", now=NOW) is None  # type: ignore[arg-type]
    assert parse_date(["20.11.2024"], now=NOW) is None  # type: ignore[arg-type]
    assert parse_date("20 ноября", now=NOW, url=42) == utc(2026, 11, 19, 18)  # type: ignore[arg-type]
    assert parse_date("20 ноября", now=NOW, url="http://[::1") == utc(2026, 11, 19, 18)


COMMON = [t for t, _ in RELATIVE + NO_YEAR + FULL + MACHINE if isinstance(t, str)]


def test_common_forms_never_reach_dateparser(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    monkeypatch.setattr("dateparser.parse", lambda text, **kwargs: calls.append(text))
    for text in COMMON:
        assert parse_date(text, now=NOW) is not None, text
    assert calls == []


def test_dateparser_reads_what_the_fast_path_does_not() -> None:
    assert parse_date("the 20th of November 2024", now=NOW) == utc(2024, 11, 19, 18, 0)
    assert parse_date("the 20th of November 2030", now=NOW) is None  # still not far future


JUNK_PIECES = [
    "20", "11", "2024", "31", "99", "0", "10:55", "25:61", ":", ".", ",", "-", "/", "+",
    "+0600", "Z", "ноября", "май", "вчера", "сегодня", "назад", "минут", "час", "через",
    "г.", "года", "в", "\u00a0", "\u200b", "&nbsp;", "T", "GMT", "MSK", "pm", "просмотров",
    "полчаса", "несколько", "1600633920", "9" * 15, "é", "😀", "\x00", "\n",
]  # fmt: skip


def test_never_raises_on_junk() -> None:
    rng = random.Random(20261126)
    odd = ["\x00", "9" * 400, "1" * 5000 + ":00", "20." * 300, "назад " * 100, "\ud800"]
    odd += [" ".join(rng.choices(JUNK_PIECES, k=rng.randint(1, 8))) for _ in range(600)]
    odd += ["".join(rng.choices(JUNK_PIECES, k=rng.randint(1, 6))) for _ in range(600)]
    for text in odd:
        got = parse_date(text, now=NOW, url="https://x.ru/2024/11/20/a")
        if got is not None:
            assert got.tzinfo is UTC, text
            assert got.year >= MIN_YEAR - 1, text
            assert got <= NOW + FUTURE_TOLERANCE, text


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://ngs55.ru/text/2024/11/20/", date(2024, 11, 20)),
        ("https://x.ru/2024/11/20", date(2024, 11, 20)),
        ("https://x.ru/news/2024-11-20/slug", date(2024, 11, 20)),
        ("https://x.ru/news/20-11-2024/slug", date(2024, 11, 20)),
        ("https://omskmedia.ru/news/2025-06-25/slug-5422040", date(2025, 6, 25)),
        ("https://x.ru/social/2024/11/11/x.html", date(2024, 11, 11)),
        ("https://x.ru/2024/1/5/x.html", date(2024, 1, 5)),
        ("https://x.ru/news/?date=2024-11-20", date(2024, 11, 20)),
        ("/2024/11/20/relative", date(2024, 11, 20)),
        ("https://x.ru/2024/11/", None),
        ("https://x.ru/news/5422040", None),
        ("https://x.ru/2024/13/45/", None),
        ("https://2024-11-20.example.ru/", None),
        ("", None),
        (None, None),
        ("http://[::1", None),
    ],
)
def test_date_from_url(url: str | None, expected: date | None) -> None:
    assert date_from_url(url) == expected
