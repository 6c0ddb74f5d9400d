"""«Новый Омск» (newsomsk.ru): news portal; little is documented (SITES-ADDENDUM §7).

Known: RSS `/rss.php`, listing `/news/`, images under
`/images/news/fullhd/YYYY/MM/<md5>.jpg`. The article URL form and the markup
below are a reconstruction (superomsk's URL scheme is assumed, as the image
trees match) and must be checked against the live site.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class NewsomskSpider(NewsSpider):
    name = "newsomsk"
    allowed_domains = ["newsomsk.ru"]
    outlet_names = ("Новый Омск", "NewsOmsk")
    feeds = ("https://newsomsk.ru/rss.php",)
    listings = ("https://newsomsk.ru/news/",)
    article_url = r"^https?://(?:www\.)?newsomsk\.ru/news/\d+(?:-[\w-]*)?/?$"
    listing = ListingSelectors(
        item=".news-feed .news-card",
        link="a.news-card__link::attr(href)",
        date=".news-card__date",
        title=".news-card__title",
        next_page="link[rel=next]::attr(href), .pager a.pager__next::attr(href)",
    )
    article = ArticleSelectors(
        title="article.news-full h1",
        lead="article.news-full .news-full__lead",
        body="article.news-full .news-full__text",
        body_exclude=(".news-full__inline-read", ".adv"),
        date="article.news-full .news-full__date",
        tags="article.news-full .news-full__tags a",
        section=".breadcrumbs li:last-child a",
        authors="article.news-full .news-full__author",
    )
