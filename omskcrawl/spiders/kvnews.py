"""«Коммерческие вести» (kvnews.ru): Omsk business weekly and its news feed.

The page header prints today's date (`В Омске пятница, 22 Ноября`), traffic and exchange
rates before the article; the article's own date (`20 апреля 2016 11:35`) is followed by
comment and view counters. Only the date inside the article's info line is read.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class KvnewsSpider(NewsSpider):
    name = "kvnews"
    allowed_domains = ["kvnews.ru"]
    outlet_names = ("Коммерческие вести", "KVnews")
    # …/<slug>=print → …/<slug>
    print_views = ((r"=print$", ""),)
    feeds = ("http://kvnews.ru/structure/rss/ya",)
    listings = ("https://kvnews.ru/news-feed",)
    # /news-feed/<id>; /gazeta/YYYY/<translit month or MM>/<issue>/<slug or id>; print: …=print
    article_url = r"kvnews\.ru/(?:news-feed/\d+|gazeta/\d{4}/[a-z0-9]+/\d+/[\w-]+)(?:=print)?/?$"
    listing = ListingSelectors(
        item=".news-feed-list .news-feed-item",
        link="a.news-feed-item__title::attr(href)",
        date=".news-feed-item__date",
        title="a.news-feed-item__title",
        next_page="link[rel=next]::attr(href), .pager a.pager__next::attr(href)",
    )
    article = ArticleSelectors(
        title=".article h1.article__title",
        lead=".article .article__lead",
        body=".article .article__body",
        body_exclude=(".article__inject", ".article__banner"),
        date=".article .article__info .article__date",
        tags=".article .article__tags a",
        section=".article .article__rubric a",
        authors=".article .article__author a",
    )
