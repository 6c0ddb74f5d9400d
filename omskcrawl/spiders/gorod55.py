"""«Город55» (gorod55.ru): news; NBSP in dates, year-less «20 ноября, 10:55» on articles.

Listing selectors cover both the real 2018 homepage (day picture, theme cards, «Другие
материалы», the «Все материалы» strip with a time only under a «Сегодня» header) and the
2024-2025 `/news` feed of cards. Article dates have no year; the year comes from the URL.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class Gorod55Spider(NewsSpider):
    name = "gorod55"
    allowed_domains = ["gorod55.ru"]
    outlet_names = ("Город55", "Город 55", "Gorod55")
    feeds = ("https://gorod55.ru/rss",)
    listings = ("https://gorod55.ru/news",)
    # 2018: /news/<rubric>/<dd-mm-yyyy>/<slug>, /cards/<dd-mm-yyyy>/<slug>;
    # 2023+: /news/<yyyy-mm-dd>/<slug>-<id>.
    article_url = (
        r"gorod55\.ru/(?:news/(?:[a-z]+/\d{2}-\d{2}-\d{4}/[\w-]+|\d{4}-\d{2}-\d{2}/[\w-]+-\d+)"
        r"|cards/\d{2}-\d{2}-\d{4}/[\w-]+)/?$"
    )
    listing = ListingSelectors(
        item=(
            ".day-picture a.left-block, .day-picture .right-block a.item,"
            " .module-block a.mat-card-small, .other-mats a.item, .all_mats a.item,"
            " .news-feed a.news-card"
        ),
        link="::attr(href)",
        date=(
            ".title > .cm-blue-text, .text > .cm-blue-text, .title-small + .cm-blue-text,"
            " .time, .news-card__date"
        ),
        title=".title-text, .text-block > .title, .blur > .title, .news-card__title",
        next_page="link[rel=next]::attr(href), a.next_page::attr(href)",
    )
    article = ArticleSelectors(
        title="h1.article-title",
        body=".article-page .article-body",
        body_exclude=(".article-tags", ".article-subscribe", ".read-also", ".adfox-banner"),
        date=".article-page .article-date",
        tags=".article-page .article-tags",
        section=".article-page .article-rubric",
        authors=".article-page .article-author",
    )
