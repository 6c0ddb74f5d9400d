"""The publication date policy: one function decides, and says what it read and where.

With a site date selector (the site module knows where its date is):

1. a machine date *with an explicit offset* is unambiguous and wins (JSON-LD, then
   meta, then `<time>`) — the aif.ru page's meta says 06:34:31+0300 while its visible
   `<time>` says 09:34 with no zone;
2. the visible date text of the selector, read in the site's time zone, its year fixed
   by the URL («16:20» + «Вчера» split over elements is read joined too);
3. machine dates without an offset (site zone);
4. the date the feed or sitemap gave, then a date in the URL (local midnight);
5. htmldate's extensive search of the page (day only, local midnight).

Without one (the generic layer: a new outlet, a redesign), a visible text is found by
guessing from class names, so it is weaker evidence than any machine date:

1. machine dates with an offset, then without; 2. feed, URL; 3. visible texts that name
their day («20 ноября», «24.03.2004»); 4. htmldate; 5. relative texts and bare times
(«вчера», «7m ago», «16:45»), which date an archived page to the crawl day when wrong.

Measured on htmldate's eval sets with `scripts/eval_dates.py` (see BENCHMARKS.md).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

from lxml import html as lxml_html

from omskcrawl.extract.structured import DateCandidate
from omskcrawl.normalize.dates import date_from_url, parse_date_local

logger = logging.getLogger(__name__)

OFFSET_RE = re.compile(r"(?:[+-]\d{2}:?\d{2}|Z|GMT|UTC)\s*$|^\d{9,13}$")
# A day named by numbers (24.03.2004, 2020-05-15) or by a month name in one of the
# languages news pages use; without one a text is relative («вчера», «7m ago») or a time.
DAY_NAMED_RE = re.compile(
    r"\d{1,4}[./-]\d{1,2}[./-]\d{1,4}|\b\d{4}\b|"
    r"\b(?:янв|фев|мар|апр|мая|май|июн|июл|авг|сен|окт|ноя|дек|jan|feb|mar|apr|may|jun|jul|aug"
    r"|sep|oct|nov|dec|mär|mai|okt|dez|janv|févr|avr|juil|août|déc|ene|abr|agosto|dic|gennaio"
    r"|giu|lug|settembre|ottobre)",
    re.IGNORECASE,
)
MACHINE = ("jsonld", "meta", "time")
GENERIC_MACHINE = ("meta", "jsonld", "time")
# Marks the place of htmldate's search in a policy (run only when reached).
HTMLDATE = DateCandidate("", "htmldate")
DAY_ONLY = ("url", "htmldate")
MAX_OFFSET = timedelta(hours=14)
RANK = {"text": 3, "jsonld": 4, "meta": 5, "time": 6, "feed": 7, "url": 8, "htmldate": 9}


@dataclass(frozen=True)
class DateDecision:
    """The chosen date: `value` in the zone the page wrote it (aware), its raw text, its source."""

    value: datetime | None = None
    raw: str | None = None
    source: str | None = None

    @property
    def utc(self) -> datetime | None:
        return self.value.astimezone(UTC) if self.value is not None else None


def has_offset(raw: str) -> bool:
    """True when a machine date names its own zone.

    >>> has_offset("2020-10-19T06:34:31+0300"), has_offset("2020-10-19T09:34")
    (True, False)
    """
    return bool(OFFSET_RE.search(raw.strip()))


def by_rank(candidates: list[DateCandidate]) -> list[DateCandidate]:
    """Candidates in the site policy's order (machine with offset, text, machine, feed, URL)."""

    def rank(c: DateCandidate) -> int:
        if c.source in MACHINE and has_offset(c.raw):
            return MACHINE.index(c.source)
        return RANK[c.source]

    return sorted(candidates, key=rank)


def choose_date(
    candidates: list[DateCandidate],
    *,
    now: datetime,
    tz: str,
    url: str,
    strict_text: bool = False,
) -> DateDecision:
    """The first candidate, in the order given, that reads as a plausible date.

    `strict_text` reads visible texts by the fast path only (no dateparser): for texts
    found by guessing, where dateparser would read a date out of anything.

    >>> now = datetime(2026, 11, 26, tzinfo=UTC)
    >>> d = choose_date(by_rank([DateCandidate("2020-10-19T09:34", "time"),
    ...                          DateCandidate("19 октября 2020, 09:34", "text"),
    ...                          DateCandidate("2020-10-19T06:34:31+0300", "meta")]),
    ...                 now=now, tz="Europe/Moscow", url="https://x.ru/a")
    >>> d.source, d.utc.isoformat()
    ('meta', '2020-10-19T03:34:31+00:00')
    """
    for cand in candidates:
        lenient = not (strict_text and cand.source == "text")
        value = parse_date_local(cand.raw, now=now, tz=tz, url=url, lenient=lenient)
        if value is not None:
            return DateDecision(value, cand.raw, cand.source)
    return DateDecision()


def htmldate_candidate(root: lxml_html.HtmlElement, url: str) -> DateCandidate | None:
    """htmldate's day for a page (its extensive search; the tree is copied, not changed)."""
    from htmldate import find_date

    try:
        found = find_date(root, url=url, original_date=True, extensive_search=True)
    except (ValueError, TypeError) as e:  # htmldate is robust; keep the crawl going if not
        logger.debug("htmldate failed on %s: %s", url, e)
        return None
    return DateCandidate(found, "htmldate") if found else None


def names_a_day(text: str) -> bool:
    """True when a visible date text names its day (a number date, or a month name);
    False for «вчера», «5 минут назад», «16:45», «7m ago».

    >>> names_a_day("20 ноября, 10:55"), names_a_day("24.03.2004"), names_a_day("May 15, 2020")
    (True, True, True)
    >>> names_a_day("Вчера, 16:33"), names_a_day("16 hours ago"), names_a_day("3:32 pm")
    (False, False, False)
    """
    return bool(DAY_NAMED_RE.search(text))


def publication_date(
    structured: list[DateCandidate],
    *,
    shown: Sequence[str] | Callable[[], Sequence[str]],
    from_selector: bool,
    feed_raw: str | None,
    url: str,
    now: datetime,
    tz: str,
    root: lxml_html.HtmlElement | None = None,
) -> DateDecision:
    """Decide the publication date of one page (the policy in this module's docstring).

    `structured` are the machine dates of the page, `shown` the visible date texts
    (from the site's selector when `from_selector`), `feed_raw` the feed's date, and
    `root` the parsed page for htmldate's search (None skips it). `shown` may be a
    function that finds them: it is called only when the policy reaches a step that
    reads them (most pages are decided by one machine date with an offset).
    """
    later: list[DateCandidate] = []
    if feed_raw:
        later.append(DateCandidate(feed_raw, "feed"))
    url_day = date_from_url(url)
    if url_day is not None:
        later.append(DateCandidate(url_day.isoformat(), "url"))
    texts_of = _Shown(shown)
    stages: Iterator[list[DateCandidate]]
    if from_selector:
        machine = sorted(structured, key=lambda c: MACHINE.index(c.source))
        stages = _selector_stages(machine, texts_of, later)
    else:
        # htmldate's order: meta before JSON-LD (a page's JSON-LD is more often a
        # template's or another item's), and a guessed `<time>` last of all.
        machine = sorted(
            (c for c in structured if not c.weak),
            key=lambda c: (GENERIC_MACHINE.index(c.source), not has_offset(c.raw)),
        )
        stages = _generic_stages(machine, structured, texts_of, later, now=now, tz=tz, url=url)
    for stage in stages:
        if stage == [HTMLDATE]:
            found = htmldate_candidate(root, url) if root is not None else None
            stage = [found] if found is not None else []
        decision = choose_date(stage, now=now, tz=tz, url=url, strict_text=not from_selector)
        if decision.value is None:
            continue
        if decision.value.utcoffset() == timedelta(0) and decision.source in MACHINE:
            naive = [c for c in structured if not has_offset(c.raw)]
            local = _chain(naive, texts_of.dated)
            decision = in_page_zone(decision, local, now=now, tz=tz, url=url)
        if decision.source in DAY_ONLY and decision.value is not None:
            # A URL or htmldate gives the day; a visible text naming that day gives the time.
            day = decision.value.date()
            for cand in texts_of.dated():
                value = parse_date_local(cand.raw, now=now, tz=tz, url=url, lenient=from_selector)
                if value is not None and value.date() == day:
                    return DateDecision(value, cand.raw, cand.source)
        return decision
    return DateDecision()


class _Shown:
    """The visible date texts of a page, found on first use."""

    def __init__(self, shown: Sequence[str] | Callable[[], Sequence[str]]) -> None:
        self._shown = shown
        self._texts: list[str] | None = None

    def all(self) -> list[str]:
        if self._texts is None:
            found = self._shown() if callable(self._shown) else self._shown
            self._texts = list(found)
        return self._texts

    def dated(self) -> list[DateCandidate]:
        """The texts that name their day, as candidates."""
        return [DateCandidate(t, "text") for t in self.all() if names_a_day(t)]


def _chain(
    first: list[DateCandidate], then: Callable[[], list[DateCandidate]]
) -> Iterator[DateCandidate]:
    yield from first
    yield from then()


def _selector_stages(
    machine: list[DateCandidate], shown: _Shown, later: list[DateCandidate]
) -> Iterator[list[DateCandidate]]:
    yield [c for c in machine if has_offset(c.raw)]
    texts = shown.all()
    joined = [" ".join(texts), *texts] if len(texts) > 1 else list(texts)
    yield [DateCandidate(t, "text") for t in joined]
    yield [c for c in machine if not has_offset(c.raw)]
    yield later
    yield [HTMLDATE]


def _generic_stages(
    machine: list[DateCandidate],
    structured: list[DateCandidate],
    shown: _Shown,
    later: list[DateCandidate],
    *,
    now: datetime,
    tz: str,
    url: str,
) -> Iterator[list[DateCandidate]]:
    yield _shown_first(machine, shown, now=now, tz=tz, url=url)
    yield later
    yield [HTMLDATE]
    yield shown.dated()
    yield [c for c in structured if c.weak]
    yield [DateCandidate(t, "text") for t in shown.all() if not names_a_day(t)]


def in_page_zone(
    decision: DateDecision, local: Iterable[DateCandidate], *, now: datetime, tz: str, url: str
) -> DateDecision:
    """A date stated in UTC, moved to the page's own offset when the page also prints the
    same moment in local wall-clock time (`2023-11-09T03:28:35Z` next to
    `2023-11-08 22:28:35`): the instant stays, the calendar day becomes the page's.

    >>> utc = DateDecision(datetime(2023, 11, 9, 3, 28, 35, tzinfo=UTC), "x", "meta")
    >>> moved = in_page_zone(utc, [DateCandidate("2023-11-08 22:28:35", "meta")],
    ...                      now=datetime(2026, 1, 1, tzinfo=UTC), tz="Asia/Omsk", url="")
    >>> moved.value.isoformat(), moved.utc == utc.utc
    ('2023-11-08T22:28:35-05:00', True)
    """
    assert decision.value is not None
    utc_wall = decision.value.replace(tzinfo=None)
    for cand in local:
        if ":" not in cand.raw:  # a day alone gives no offset
            continue
        value = parse_date_local(cand.raw, now=now, tz=tz, url=url, lenient=False)
        if value is None:
            continue
        delta = value.replace(
            tzinfo=None, second=utc_wall.second, microsecond=0
        ) - utc_wall.replace(microsecond=0)
        if delta and abs(delta) <= MAX_OFFSET and delta % timedelta(minutes=15) == timedelta(0):
            value = decision.value.astimezone(timezone(delta))
            return DateDecision(value, decision.raw, decision.source)
    return decision


def _shown_first(
    machine: list[DateCandidate], shown: _Shown, *, now: datetime, tz: str, url: str
) -> list[DateCandidate]:
    """Machine dates, the one whose day the page also shows first (a page that carries a
    first-published and an updated date in its meta shows the one its readers see).

    The visible texts are read only when the machine dates name two days or more: with one
    day the order among them stays as it is, and unreadable ones are skipped either way."""
    if len(machine) < 2:
        return machine
    values = [parse_date_local(c.raw, now=now, tz=tz, url=url) for c in machine]
    if len({v.date() for v in values if v is not None}) < 2:
        return machine
    days = set()
    for cand in shown.dated():
        value = parse_date_local(cand.raw, now=now, tz=tz, url=url, lenient=False)
        if value is not None:
            days.add(value.date())
    if not days:
        return machine
    shown_day = {
        id(c): v is not None and v.date() in days for c, v in zip(machine, values, strict=True)
    }
    return sorted(machine, key=lambda c: not shown_day[id(c)])
