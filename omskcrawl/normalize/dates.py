"""Publication dates as Russian news sites print them, read into aware UTC datetimes.

`parse_date` reads the forms Omsk outlets and their feeds use («20 ноября, 10:55»,
«Вчера, 16:33», «5 минут назад», «20.11.2024 10:55», ISO 8601, RFC 822, Unix
time) with compiled regexes and a month table. `dateparser` reads only what
that fast path does not recognise, and its answer passes the same checks.

Rules:

- Text without an offset is wall-clock time in the source's IANA zone, read
  through the tz database (Omsk was UTC+7 in 2011-2014 and is UTC+6 since).
  «мск» or «по московскому времени» in the text means Europe/Moscow.
- A date without a time is local midnight. A bare time («15:06») is today,
  even when later than `now`: listings print today's items with the time only.
- Numeric dates are day first («01-04-2023» is 1 April); a two-digit year is
  the latest one not after next year («18.03.18» is 2018).
- A day and month without a year take the year of the date in the URL when
  that date is the same day (±1 day, for a URL dated in another zone); else
  the year of the latest such moment not after `now` + FUTURE_TOLERANCE.
- «сегодня», «вчера», «позавчера», «N минут/часов/дней назад», «только что»
  count from `now` in the source zone.
- Unreadable or implausible input gives None, never an exception: impossible
  dates and times, a month or a year alone, vague counts («несколько минут
  назад»), future phrases («завтра», «через 2 дня»), years before MIN_YEAR and
  moments later than `now` + FUTURE_TOLERANCE. One day of tolerance absorbs
  clock skew and a source zone set wrong; nothing is published later than that.
"""

from __future__ import annotations

import calendar
import html
import math
import re
from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser

__all__ = ["FUTURE_TOLERANCE", "MIN_YEAR", "date_from_url", "parse_date", "parse_date_local"]

MIN_YEAR = 1990
FUTURE_TOLERANCE = timedelta(days=1)
# Longer strings are prose, not dates, and dateparser slows down on them.
MAX_FALLBACK_LEN = 200

_MONTH_FORMS = {
    1: ("января", "январь", "январе", "january"),
    2: ("февраля", "февраль", "феврале", "february"),
    3: ("марта", "март", "марте", "march"),
    4: ("апреля", "апрель", "апреле", "april"),
    5: ("мая", "май", "мае", "may"),
    6: ("июня", "июнь", "июне", "june"),
    7: ("июля", "июль", "июле", "july"),
    8: ("августа", "август", "августе", "august"),
    9: ("сентября", "сентябрь", "сентябре", "september"),
    10: ("октября", "октябрь", "октябре", "october"),
    11: ("ноября", "ноябрь", "ноябре", "november"),
    12: ("декабря", "декабрь", "декабре", "december"),
}


def _month_table() -> dict[str, int]:
    """Every form of every month name and every abbreviation of 3+ letters."""
    table = {}
    for month, forms in _MONTH_FORMS.items():
        for form in forms:
            for end in range(3, len(form) + 1):
                table[form[:end]] = month
    return table


_MONTHS = _month_table()

# Input is lowercased with single spaces (see _normalize); «ё» is «е».
_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")
_TIME_RE = re.compile(
    r"(?<![\d:])(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(?![\d:])"
    r"(?: ?([ap])\.?m(?![a-zа-я])\.?)?"
)
_TIME_DOT_RE = re.compile(r"(?<![a-zа-я])в (\d{1,2})\.(\d{2})(?![\d.])")
# Right after a time: a zone name (optionally with an offset), «+0600», «+06:00»,
# or an ISO «+06» written without a space; perhaps in parentheses.
_ZONE_RE = re.compile(
    r" ?\(?(?:(z|ut|utc|gmt|[ecmp][sd]t)(?![a-zа-я])(?: ?([+-]\d{1,2}(?::?\d{2})?))?"
    r"|([+-]\d{2}:?\d{2})|(?<=\d)([+-]\d{2}))(?![\d:])\)?"
)
# RFC 822 names US zones by fixed offsets; MSK comes from the tz database.
_RFC822_ZONES = {
    "est": -5,
    "edt": -4,
    "cst": -6,
    "cdt": -5,
    "mst": -7,
    "mdt": -6,
    "pst": -8,
    "pdt": -7,
}
_NAMED_ZONE_RE = re.compile(
    r"(?<![a-zа-я])(мск|msk|московск[а-я]* времени|по москве|омск[а-я]* времени|omst)(?![a-zа-я])"
)
_YMD_RE = re.compile(r"(?<![\d.])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?!\d)")
_DMY_RE = re.compile(r"(?<![\d.:])(\d{1,2})([-./])(\d{1,2})\2(\d{4}|\d{2})(?![\d:])")
_DAY_MONTH_RE = re.compile(
    r"(?<![\d.:])(\d{1,2})(?:-?(?:го|ое|е)|st|nd|rd|th)?[ -]?([a-zа-я]{3,9})(?![a-zа-я])\.?"
    r"(?:,? ?(\d{4})(?![\d:]))?"
)
_MONTH_DAY_RE = re.compile(
    r"(?<![a-zа-я])([a-zа-я]{3,9})\.? (\d{1,2})(?:st|nd|rd|th)?(?![\d:])(?:,? (\d{4})(?![\d:]))?"
)
# A year standing apart from a named-month date: «2024, 20 ноября», «Wed Nov 20 10:55:00 2024».
_LONE_YEAR_RE = re.compile(r"(?<![\d.:/-])((?:19|20)\d\d)(?![\d.:/-])")
# «20.11, 10:55» or «10:55 20.11»: a dotted day and month only next to a time, or alone.
_DAY_DOT_MONTH_RE = re.compile(r"(\d{1,2})\.(\d{2})\.?")
_DM_BEFORE_TIME_RE = re.compile(r"(?<![\d.:])(\d{1,2})\.(\d{2})\.?,? (?:в )?(?=\d{1,2}:\d{2})")
_DM_AFTER_TIME_RE = re.compile(r"(?<=\d:\d\d),? (\d{1,2})\.(\d{2})(?![\d.:])")

_URL_YMD_RE = re.compile(r"(?<!\d)((?:19|20)\d{2})([/_.-])(\d{1,2})\2(\d{1,2})(?!\d)")
_URL_DMY_RE = re.compile(r"(?<!\d)(\d{1,2})([/_.-])(\d{1,2})\2((?:19|20)\d{2})(?!\d)")

_DAY_WORD_RE = re.compile(r"(?<![a-zа-я])(позавчера|вчера|сегодня|yesterday|today)(?![a-zа-я])")
_DAYS_BACK = {"сегодня": 0, "today": 0, "вчера": 1, "yesterday": 1, "позавчера": 2}
_FUTURE_RE = re.compile(r"(?<![a-zа-я])(завтра|послезавтра|через|tomorrow)(?![a-zа-я])")
_JUST_NOW_RE = re.compile(r"(?<![a-zа-я])(только что|сейчас|just now)(?![a-zа-я])")
_AGO_RE = re.compile(r"(?<![a-zа-я])(?:тому )?(назад|ago)(?![a-zа-я])")
_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[a-zа-я]+")
_WORD_RE = re.compile(r"[a-zа-я]+")

_NUMERALS = {
    "один": 1, "одну": 1, "одна": 1, "одно": 1, "a": 1, "an": 1, "one": 1,
    "два": 2, "две": 2, "пару": 2, "пара": 2, "two": 2, "полтора": 1.5, "полторы": 1.5,
    "три": 3, "three": 3, "четыре": 4, "four": 4, "пять": 5, "five": 5,
    "шесть": 6, "six": 6, "семь": 7, "seven": 7, "восемь": 8, "eight": 8,
    "девять": 9, "nine": 9, "десять": 10, "ten": 10, "одиннадцать": 11,
    "двенадцать": 12, "тринадцать": 13, "четырнадцать": 14, "пятнадцать": 15,
    "шестнадцать": 16, "семнадцать": 17, "восемнадцать": 18, "девятнадцать": 19,
    "двадцать": 20, "тридцать": 30, "сорок": 40, "пятьдесят": 50,
    # After «около», «более»: «около двух часов», «более пяти минут».
    "двух": 2, "трех": 3, "четырех": 4, "пяти": 5, "шести": 6, "семи": 7, "восьми": 8,
    "девяти": 9, "десяти": 10, "пятнадцати": 15, "двадцати": 20, "тридцати": 30, "сорока": 40,
}  # fmt: skip
# The units of «N <unit> назад» as (seconds, days, months).
_UNIT_WORDS = {
    (1, 0, 0): "секунду секунды секунд сек second seconds sec secs",
    (60, 0, 0): "минуту минуты минут мин minute minutes min mins",
    (1800, 0, 0): "полчаса",
    (3600, 0, 0): "час часа часов ч hour hours hr hrs",
    (0, 1, 0): "день дня дней сутки суток дн day days",
    (0, 7, 0): "неделю недели недель нед week weeks",
    (0, 0, 1): "месяц месяца месяцев мес month months",
    (0, 0, 12): "год года лет year years",
}
# Units that mean one of themselves without a number: «час назад», «неделю назад».
_ONE_UNIT = {"секунду", "минуту", "полчаса", "час", "день", "сутки", "неделю", "месяц", "год"}
_ONE_UNIT |= {"second", "minute", "hour", "day", "week", "month", "year"}
# «около часа назад», «более двух часов назад»: the count is a bound or a guess.
_APPROX = {"около", "более", "менее", "больше", "меньше", "почти", "примерно", "свыше"}
_UNITS = {word: unit for unit, words in _UNIT_WORDS.items() for word in words.split()}

_TRANSLATE = {ord("ё"): "е", ord("Ё"): "е"}
_TRANSLATE |= dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), "")
_TRANSLATE |= dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2212"), "-")


class _Clock(NamedTuple):
    """A time of day found in the text, its explicit zone, and where it sits."""

    time: time
    zone: tzinfo | None
    start: int
    end: int


class _DayMonth(NamedTuple):
    start: int
    year: int | None
    month: int
    day: int


def parse_date(
    text: str | int | float | None,
    *,
    now: datetime,
    tz: str = "Asia/Omsk",
    url: str | None = None,
) -> datetime | None:
    """Read a publication date; an aware UTC datetime, or None when unreadable.

    `now` is the crawl time (naive means UTC), `tz` the source's zone for text
    without an offset, `url` the article URL whose date fixes a missing year.

    >>> now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 09:00 in Omsk
    >>> parse_date("20 ноября, 10:55", now=now).isoformat()
    '2026-11-20T04:55:00+00:00'
    >>> parse_date("20 ноября, 10:55", now=now, url="https://x.ru/2024/11/20/a").year
    2024
    >>> parse_date("Вчера,\u00a016:33", now=now).isoformat()
    '2026-11-25T10:33:00+00:00'
    >>> parse_date("5 минут назад", now=now).isoformat()
    '2026-11-26T02:55:00+00:00'
    >>> parse_date("4 июня 2013, 12:43", now=now).isoformat()  # Omsk was UTC+7
    '2013-06-04T05:43:00+00:00'
    >>> parse_date("2020-10-19T06:34:31+0300", now=now).isoformat()
    '2020-10-19T03:34:31+00:00'
    >>> parse_date(1600633920, now=now).isoformat()
    '2020-09-20T20:32:00+00:00'
    >>> parse_date("31.02.2024", now=now) is None, parse_date("ноября", now=now) is None
    (True, True)
    """
    local = parse_date_local(text, now=now, tz=tz, url=url)
    return local.astimezone(UTC) if local is not None else None


def parse_date_local(
    text: str | int | float | None,
    *,
    now: datetime,
    tz: str = "Asia/Omsk",
    url: str | None = None,
    lenient: bool = True,
) -> datetime | None:
    """`parse_date`, but in the zone the text was written in (its offset, else `tz`).

    The calendar day a page shows is the day of this value, not of its UTC form.
    `lenient=False` skips dateparser: only the forms the fast path knows are read.

    >>> now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    >>> parse_date_local("2020-06-07", now=now).isoformat()
    '2020-06-07T00:00:00+06:00'
    >>> parse_date_local("2020-06-07T01:30:00+03:00", now=now).isoformat()
    '2020-06-07T01:30:00+03:00'
    """
    if not isinstance(now, datetime) or not isinstance(tz, str):
        return None
    if now.utcoffset() is None:
        now = now.replace(tzinfo=UTC)
    zone = _zone(tz)
    if zone is None or text is None or isinstance(text, bool):
        return None
    try:
        now = now.astimezone(UTC)
        if isinstance(text, int | float):
            return _plausible(_from_timestamp(text), now)
        if not isinstance(text, str):
            return None
        clean = _normalize(text)
        if not clean:
            return None
        found = _parse_fast(clean, now, zone, url)
        if found is None and lenient:
            found = _parse_fallback(clean, now.astimezone(zone).replace(tzinfo=None), tz)
        return _plausible(found, now)
    except (ValueError, OverflowError):
        # The text names an impossible date or time («31.02.2024», «25:61»).
        return None


def date_from_url(url: str | None) -> date | None:
    """The date written in an article URL's path or query, if any.

    >>> date_from_url("https://ngs55.ru/text/2024/11/20/")
    datetime.date(2024, 11, 20)
    >>> date_from_url("https://x.ru/news/2024-11-20/slug")
    datetime.date(2024, 11, 20)
    >>> date_from_url("https://x.ru/news/20-11-2024/slug")
    datetime.date(2024, 11, 20)
    >>> date_from_url("https://omskmedia.ru/news/2025-06-25/slug-5422040")
    datetime.date(2025, 6, 25)
    >>> date_from_url("https://x.ru/social/2024/11/11/x.html")
    datetime.date(2024, 11, 11)
    >>> date_from_url("https://x.ru/news/5422040") is None
    True
    """
    if not isinstance(url, str):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    where = f"{parts.path}?{parts.query}"
    found: list[tuple[int, date]] = []
    for m in _URL_YMD_RE.finditer(where):
        day = _valid_date(int(m[1]), int(m[3]), int(m[4]))
        if day:
            found.append((m.start(), day))
            break
    for m in _URL_DMY_RE.finditer(where):
        day = _valid_date(int(m[4]), int(m[3]), int(m[1]))
        if day:
            found.append((m.start(), day))
            break
    return min(found)[1] if found else None


@lru_cache(maxsize=64)
def _zone(key: str) -> ZoneInfo | None:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _normalize(text: str) -> str:
    """Lowercase, «ё» as «е», one plain space for any run of (unicode) spaces."""
    if "&" in text:
        text = html.unescape(text)
    return " ".join(text.translate(_TRANSLATE).lower().split())


def _plausible(found: datetime | None, now: datetime) -> datetime | None:
    """`found`, or None when it is before MIN_YEAR or after now + tolerance."""
    if found is None:
        return None
    if found.tzinfo is None:  # not expected from our parsers; read as UTC to stay total
        found = found.replace(tzinfo=UTC)
    if found.astimezone(UTC).year < MIN_YEAR:
        return None
    if found > now + FUTURE_TOLERANCE:
        return None
    return found


def _from_timestamp(value: float) -> datetime | None:
    """Unix seconds, or milliseconds when the number is too large for seconds."""
    if not math.isfinite(value) or value <= 0:
        return None
    if value >= 1e11:
        value /= 1000
    if value >= 1e11:
        return None
    return datetime.fromtimestamp(value, UTC)


def _from_digits(text: str, zone: tzinfo) -> datetime | None:
    """A string of digits: compact YYYYMMDD[hhmmss] or Unix time; else unreadable."""
    if len(text) == 8:
        return datetime(int(text[:4]), int(text[4:6]), int(text[6:]), tzinfo=zone)
    if len(text) == 14:
        day = datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), tzinfo=zone)
        return day.replace(hour=int(text[8:10]), minute=int(text[10:12]), second=int(text[12:]))
    if 9 <= len(text.partition(".")[0]) <= 13:
        return _from_timestamp(float(text))
    raise ValueError(f"not a date: {text}")


def _parse_fast(text: str, now: datetime, zone: tzinfo, url: str | None) -> datetime | None:
    """The common forms by regex; None when not recognised (the fallback may try).

    Raises ValueError when the text is recognised but impossible.
    """
    if _NUMBER_RE.fullmatch(text) and not _DAY_DOT_MONTH_RE.fullmatch(text):
        return _from_digits(text, zone)
    clock = _find_clock(text)
    if clock and clock.zone:
        zone = clock.zone
    else:
        named = _NAMED_ZONE_RE.search(text)
        if named:
            omsk = named[1] == "omst" or named[1].startswith("омск")
            zone = _zone("Asia/Omsk" if omsk else "Europe/Moscow") or zone
    at = clock.time if clock else time()
    today = now.astimezone(zone).date()

    found = _find_day_month(text, clock, today.year)
    if found:
        year = found.year
        if year is None:
            year = _infer_year(found.month, found.day, at, zone, now, url)
        return datetime.combine(date(year, found.month, found.day), at, zone)
    if _FUTURE_RE.search(text):
        raise ValueError(f"a future moment: {text}")
    ago = _AGO_RE.search(text)
    if ago:
        back = _ago(text[: ago.start()], now, zone, clock)
        if back:
            return back
    word = _DAY_WORD_RE.search(text)
    if word:
        return datetime.combine(today - timedelta(days=_DAYS_BACK[word[1]]), at, zone)
    if _JUST_NOW_RE.search(text):
        return now
    if clock and _nothing_but_time(text, clock):
        return datetime.combine(today, at, zone)
    return None


def _find_clock(text: str) -> _Clock | None:
    m = _TIME_RE.search(text)
    if m is None:
        dotted = _TIME_DOT_RE.search(text)
        if dotted is None:
            return None
        return _Clock(time(int(dotted[1]), int(dotted[2])), None, dotted.start(), dotted.end())
    hour, minute = int(m[1]), int(m[2])
    if m[5]:
        if not 1 <= hour <= 12:
            raise ValueError(f"not a 12-hour time: {m[0]}")
        hour = hour % 12 + (12 if m[5] == "p" else 0)
    fraction = (m[4] or "")[:6].ljust(6, "0")
    at = time(hour, minute, int(m[3] or 0), int(fraction))
    zone_m = _ZONE_RE.match(text, m.end())
    if zone_m is None:
        return _Clock(at, None, m.start(), m.end())
    return _Clock(at, _zone_of(zone_m), m.start(), zone_m.end())


def _zone_of(m: re.Match[str]) -> tzinfo:
    name, offset = m[1], m[2] or m[3] or m[4]
    hours = _RFC822_ZONES.get(name, 0) if name else 0
    minutes = 0
    if offset:
        digits = offset[1:].replace(":", "")
        if len(digits) > 2:
            hours, minutes = int(digits[:-2]), int(digits[-2:])
        else:
            hours = int(digits)
        if minutes >= 60:
            raise ValueError(f"not an offset: {offset}")
        if offset[0] == "-":
            hours, minutes = -hours, -minutes
    if hours == minutes == 0:
        return UTC
    return timezone(timedelta(hours=hours, minutes=minutes))


def _find_day_month(text: str, clock: _Clock | None, this_year: int) -> _DayMonth | None:
    """The first date in the text: numeric, with a month name, or «20.11» by a time."""
    found: list[_DayMonth] = []
    m = _YMD_RE.search(text)
    if m:
        found.append(_DayMonth(m.start(), int(m[1]), int(m[3]), int(m[4])))
    m = _DMY_RE.search(text)
    if m:
        day, month = int(m[1]), int(m[3])
        if m[2] == "/" and month > 12 >= day:  # «11/20/2024» is American
            day, month = month, day
        found.append(_DayMonth(m.start(), _full_year(m[4], this_year), month, day))
    for m in _DAY_MONTH_RE.finditer(text):
        if m[2] in _MONTHS:
            year = m[3] or _lone_year(text)
            found.append(
                _DayMonth(m.start(), int(year) if year else None, _MONTHS[m[2]], int(m[1]))
            )
            break
    for m in _MONTH_DAY_RE.finditer(text):
        if m[1] in _MONTHS:
            year = m[3] or _lone_year(text)
            found.append(
                _DayMonth(m.start(), int(year) if year else None, _MONTHS[m[1]], int(m[2]))
            )
            break
    if not found:
        if clock:
            m = _DM_BEFORE_TIME_RE.search(text) or _DM_AFTER_TIME_RE.search(text)
        else:
            m = _DAY_DOT_MONTH_RE.fullmatch(text)
        if m:
            found.append(_DayMonth(m.start(), None, int(m[2]), int(m[1])))
    return min(found, key=lambda f: f.start) if found else None


def _lone_year(text: str) -> str | None:
    m = _LONE_YEAR_RE.search(text)
    return m[1] if m else None


def _full_year(digits: str, this_year: int) -> int:
    """«18» is 2018 and «98» is 1998: a two-digit year is the latest not after next year."""
    year = int(digits)
    if len(digits) == 2:
        year += 2000 if 2000 + year <= this_year + 1 else 1900
    return year


def _infer_year(
    month: int, day: int, at: time, zone: tzinfo, now: datetime, url: str | None
) -> int:
    """The year of a day and month: the URL's if it is dated that day, else the latest past one."""
    url_day = date_from_url(url)
    if url_day:
        for year in (url_day.year, url_day.year + 1, url_day.year - 1):
            candidate = _valid_date(year, month, day)
            if candidate and abs((candidate - url_day).days) <= 1:
                return year
    latest = now + FUTURE_TOLERANCE
    first = now.astimezone(zone).year + 1
    for year in range(first, first - 9, -1):  # nine years back reaches a 29 February
        candidate = _valid_date(year, month, day)
        if candidate and datetime.combine(candidate, at, zone) <= latest:
            return year
    raise ValueError(f"no such day: {day}.{month}")


def _valid_date(year: int, month: int, day: int) -> date | None:
    if not (1 <= month <= 12 and 1 <= year <= 9999):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    return date(year, month, day)


def _ago(before: str, now: datetime, zone: tzinfo, clock: _Clock | None) -> datetime | None:
    """«2 часа 15 минут назад», «неделю назад», «a day ago»: counted back from now."""
    tokens = _TOKEN_RE.findall(before)
    start = len(tokens)  # only the counts and units right before «назад»
    while start and _is_count_or_unit(tokens[start - 1]):
        start -= 1
    seconds = 0.0
    days = 0.0
    months = 0
    count: float | None = None
    counted = approx = False
    for token in tokens[start:]:
        if token in _APPROX:
            approx = True
        elif token[0].isdigit():
            count = float(token.replace(",", "."))
        elif token in _NUMERALS:
            count = (count or 0) + _NUMERALS[token]  # «двадцать пять»
        elif token == "несколько":
            raise ValueError("a vague count")
        elif count is None and not approx and token not in _ONE_UNIT:
            # «дня» alone is no count («Новости дня, 2 часа назад»): start again after it.
            seconds = days = 0.0
            months = 0
            counted = False
        else:
            n = 1 if count is None else count
            unit_seconds, unit_days, unit_months = _UNITS[token]
            seconds += n * unit_seconds
            days += n * unit_days
            months += round(n * unit_months)
            count = None
            counted = True
            approx = False
    if not counted:
        return None
    local = now.astimezone(zone) - timedelta(days=days)
    if months:
        local = _minus_months(local, months)
    if clock and not seconds:  # «2 дня назад, 10:55»
        local = datetime.combine(local.date(), clock.time, zone)
    return local.astimezone(UTC) - timedelta(seconds=seconds)


def _is_count_or_unit(token: str) -> bool:
    return (
        token[0].isdigit()
        or token in _NUMERALS
        or token in _UNITS
        or token in _APPROX
        or token == "несколько"
    )


def _minus_months(moment: datetime, months: int) -> datetime:
    year, month0 = divmod(moment.year * 12 + moment.month - 1 - months, 12)
    day = min(moment.day, calendar.monthrange(year, month0 + 1)[1])
    return moment.replace(year=year, month=month0 + 1, day=day)


def _nothing_but_time(text: str, clock: _Clock) -> bool:
    """True when no digits or month names sit outside the time («в 15:06»)."""
    rest = text[: clock.start] + " " + text[clock.end :]
    if any(c.isdigit() for c in rest):
        return False
    return not any(w in _MONTHS for w in _WORD_RE.findall(rest))


def _parse_fallback(text: str, local_now: datetime, tz: str) -> datetime | None:
    """dateparser for the rare forms the fast path does not recognise."""
    if len(text) > MAX_FALLBACK_LEN:
        return None
    settings = {
        "TIMEZONE": tz,
        "RETURN_AS_TIMEZONE_AWARE": True,
        "RELATIVE_BASE": local_now,
        "PREFER_DATES_FROM": "past",
        "DATE_ORDER": "DMY",
        # A month or a year alone is not a publication date; relative forms still pass.
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    try:
        return dateparser.parse(text, languages=["ru", "en"], settings=settings)
    except Exception:
        # dateparser raises assorted errors on odd input; for us that is unreadable.
        return None
