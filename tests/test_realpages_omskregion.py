"""The omskregion listing selectors on a real page: the homepage of 20 March 2018 (JSCM capture).

The page is the copy in the omskregion fixture folder (a transcription a few whitespace characters
short of the original). It sets `<base href="http://omskregion.info/">` and links relatively, and
prints each date as a time and a relative day in two spans: `<span class='red'>17:56</span>
<span>Вчера</span>`. Read against the capture day in Omsk time (UTC+6 in 2018).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector

from omskcrawl.discovery import Entry, parse_listing, unique_entries
from omskcrawl.normalize import parse_date
from omskcrawl.spiders.omskregion import OmskregionSpider

PAGE = (
    Path(__file__).parents[1]
    / "omskcrawl/sample/sites/omskregion/listing-2018-homepage-real/page.html"
)
# Fetched as http://omskregion.info/; a different page URL shows that links resolve against
# <base href>, not against the page.
FETCHED = "http://omskregion.info/index.php"
CRAWLED = datetime.fromisoformat("2018-03-20T12:00:00+06:00")


@pytest.fixture(scope="module")
def html() -> str:
    return PAGE.read_text("utf-8")


@pytest.fixture(scope="module")
def listing(html: str) -> tuple[list[Entry], str | None]:
    assert OmskregionSpider.listing is not None
    return parse_listing(Selector(text=html), FETCHED, OmskregionSpider.listing)


def test_only_the_tape_is_read(listing: tuple[list[Entry], str | None]) -> None:
    entries, _ = listing
    # «Лента новостей» holds 12 items; the TV slider, «Самое читаемое» and the type blocks
    # link other articles and are not listing entries.
    assert len(entries) == 12
    assert len(list(unique_entries(entries))) == 12
    spider = OmskregionSpider()
    assert all(spider.is_article_url(e.url) for e in entries)


def test_exact_urls(listing: tuple[list[Entry], str | None]) -> None:
    entries, next_page = listing
    urls = [e.url for e in entries]
    assert urls[0] == (
        "http://omskregion.info/news/58032-omskie_agrarii_otpravili_pervuyu_v_etom_godu_parti/"
    )
    # The ids are not in order on the page: 58025 comes before 58026.
    assert urls[6:8] == [
        "http://omskregion.info/news/58025-sobrovts_zaderjali_omichey_sovershivshix_samosud_n/",
        "http://omskregion.info/news/58026-liderami_internet_zaprosov_omichey_stali_prezident/",
    ]
    assert urls[-1] == (
        "http://omskregion.info/news/58021-omskix_voditeley_poka_ne_budut_shtrafovat_za_otsut/"
    )
    # `?page=2` resolves against the base href, not against FETCHED.
    assert next_page == "http://omskregion.info/?page=2"


def test_titles(listing: tuple[list[Entry], str | None]) -> None:
    entries, _ = listing
    assert entries[1].title == "Появилось видео «Терминатора» с гусеницами омского производства"


@pytest.mark.parametrize(
    ("index", "raw", "expected"),
    [
        (0, "17:56 Вчера", datetime(2018, 3, 19, 11, 56, tzinfo=UTC)),
        (11, "13:09 Вчера", datetime(2018, 3, 19, 7, 9, tzinfo=UTC)),
    ],
)
def test_time_and_relative_day(
    html: str, listing: tuple[list[Entry], str | None], index: int, raw: str, expected: datetime
) -> None:
    time, day = raw.split()
    assert f"<span class='red'>{time}</span> <span>{day}</span>" in html
    entry = listing[0][index]
    assert entry.published_raw == raw
    # 17:56 in Omsk (UTC+6 since 2014) on the day before the capture.
    assert parse_date(entry.published_raw, now=CRAWLED, tz="Asia/Omsk", url=entry.url) == expected


def test_every_tape_date_is_yesterday(listing: tuple[list[Entry], str | None]) -> None:
    for entry in listing[0]:
        assert entry.published_raw is not None
        when = parse_date(entry.published_raw, now=CRAWLED, tz=OmskregionSpider.timezone)
        assert when is not None
        assert when.astimezone(CRAWLED.tzinfo).date().isoformat() == "2018-03-19"
