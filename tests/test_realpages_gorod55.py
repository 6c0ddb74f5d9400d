"""The gorod55 listing selectors on a real page: the homepage of 18 March 2018 (JSCM capture).

The page is the byte-exact copy in the gorod55 fixture folder. Its dates are printed with NBSP
(`Сегодня,&nbsp;21:21`, `Вчера,&nbsp;16:33`, `16&nbsp;марта,&nbsp;19:51`) and read against the
capture evening, in Omsk time (UTC+6 in 2018).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from parsel import Selector

from omskcrawl.discovery import Entry, parse_listing, unique_entries
from omskcrawl.normalize import parse_date
from omskcrawl.spiders.gorod55 import Gorod55Spider

PAGE = Path(__file__).parents[1] / "omskcrawl/sample/sites/gorod55/homepage-2018/page.html"
URL = "https://gorod55.ru/"
CRAWLED = datetime.fromisoformat("2018-03-18T22:00:00+06:00")


@pytest.fixture(scope="module")
def html() -> str:
    return PAGE.read_text("utf-8")


@pytest.fixture(scope="module")
def listing(html: str) -> tuple[list[Entry], str | None]:
    assert Gorod55Spider.listing is not None
    return parse_listing(Selector(text=html), URL, Gorod55Spider.listing)


def by_url(entries: list[Entry], path: str) -> Entry:
    return next(e for e in entries if e.url == "https://gorod55.ru" + path)


def test_every_block_is_read(listing: tuple[list[Entry], str | None]) -> None:
    entries, _ = listing
    # Day picture 1 + 5, theme cards 4, «Другие материалы» 12, «Все материалы» 10.
    assert len(entries) == 32
    unique = list(unique_entries(entries))
    assert len(unique) == 25
    assert all(Gorod55Spider().is_article_url(e.url) for e in unique)


def test_exact_urls(listing: tuple[list[Entry], str | None]) -> None:
    entries, next_page = listing
    urls = [e.url for e in unique_entries(entries)]
    assert urls[0] == (
        "https://gorod55.ru/news/politics/18-03-2018/"
        "omskiy-izbirkom-predskazyvaet-yavku-v-regione-na-urovne-60"
    )
    assert (
        "https://gorod55.ru/cards/16-03-2018/"
        "itogi-nazarov-senator-shishov-pod-sledstviem-vylet-avangarda"
    ) in urls
    assert urls[-1] == (
        "https://gorod55.ru/news/society/18-03-2018/"
        "omich-reshil-otpravitsya-na-vybory-v-bannom-halate-i-tapochkah"
    )
    assert "https://gorod55.ru/story/vybory-mart-2018" not in urls  # a story page, not an item
    assert next_page == "https://gorod55.ru/show_all?page=2"


@pytest.mark.parametrize(
    ("raw", "path", "expected"),
    [
        (
            "Сегодня,&nbsp;21:21",
            "/news/politics/18-03-2018/omskiy-izbirkom-predskazyvaet-yavku-v-regione-na-urovne-60",
            datetime(2018, 3, 18, 15, 21, tzinfo=UTC),
        ),
        (
            "Вчера,&nbsp;16:33",
            "/news/culture/17-03-2018/oblast-gotova-vydelit-esche-115-mln-na-rekonstruktsiyu-salamandry",
            datetime(2018, 3, 17, 10, 33, tzinfo=UTC),
        ),
        (
            "16&nbsp;марта,&nbsp;19:51",
            "/news/city/16-03-2018/v-omskih-lesah-stalo-bolshe-soboley-zaytsev-kabanov-i-kosul",
            datetime(2018, 3, 16, 13, 51, tzinfo=UTC),
        ),
    ],
)
def test_nbsp_dates(
    html: str,
    listing: tuple[list[Entry], str | None],
    raw: str,
    path: str,
    expected: datetime,
) -> None:
    assert raw in html
    # As written in the HTML source, and as the listing reads it (NBSP decoded, collapsed).
    assert parse_date(raw, now=CRAWLED, tz="Asia/Omsk") == expected
    entry = by_url(listing[0], path)
    assert entry.published_raw is not None
    assert parse_date(entry.published_raw, now=CRAWLED, tz="Asia/Omsk", url=entry.url) == expected


def test_time_only_under_today_header(listing: tuple[list[Entry], str | None]) -> None:
    """«Все материалы» prints only `19:41` under a «Сегодня» header: the capture day."""
    path = (
        "/news/politics/18-03-2018/"
        "v-omskoy-oblasti-yavka-na-18-00-sostavila-55-94-ot-obschego-chisla-izbirateley"
    )
    entry = by_url(listing[0], path)
    assert entry.published_raw == "19:41"
    assert parse_date(entry.published_raw, now=CRAWLED, tz="Asia/Omsk") == datetime(
        2018, 3, 18, 13, 41, tzinfo=UTC
    )
