"""ОРТРК «12 канал» (12-kanal.ru): regional TV of the «Омские медиа» holding, on 1C-Bitrix.

Known: article URLs `/news/<int>/` and Bitrix `/upload/iblock/…` images (SITES-ADDENDUM §4).
Inferred, verify live: the RSS feed `/rss/`, the `/news/` listing with Bitrix `?PAGEN_1=N`
pagination, and every selector below (no page of the site is in the stored material).
Its stories often retell government press releases: dedup must match them to omskportal.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class Kanal12Spider(NewsSpider):
    name = "kanal12"
    allowed_domains = ["12-kanal.ru"]
    outlet_names = ("12 канал",)
    feeds = ("https://12-kanal.ru/rss/",)
    listings = ("https://12-kanal.ru/news/",)
    article_url = r"12-kanal\.ru/news/\d+/?$"
    listing = ListingSelectors(
        item=".news-list .news-item",
        link="a.news-item__title::attr(href)",
        date=".news-date-time",
        title="a.news-item__title",
        next_page=".modern-page-navigation a.modern-page-next::attr(href)",
    )
    article = ArticleSelectors(
        title="h1.news-detail__title",
        body=".news-detail__text",
        body_exclude=(".news-detail__video",),
        date=".news-detail .news-date-time",
        authors=".news-detail__author a",
        tags=".news-detail__tags a",
        section=".news-detail__rubric",
        image=".news-detail img.detail_picture::attr(src)",
    )
