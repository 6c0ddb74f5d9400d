"""«Бизнес-Курс» (bk55.ru): TYPO3; desktop, mobile (m.), society (mc.) and print views.

The same article is reachable as `bk55.ru/news/article/<id>/`, `m.bk55.ru/news/article/<id>`
and `…/<id>//print`; pages name their desktop URL in `rel=canonical`, and the print view
(which has none) is folded by `print_views`. The body repeats the lead as its first
paragraph (`.lead-from-p-first`) and carries in-text banners.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class Bk55Spider(NewsSpider):
    name = "bk55"
    allowed_domains = ["bk55.ru"]
    outlet_names = ("БК55", "BK55", "Бизнес-Курс")
    # …/<id>//print → …/<id>/
    print_views = ((r"(/\d+)/+print/?$", r"\1/"),)
    feeds = ("https://bk55.ru/news.rss",)
    listings = (
        "https://bk55.ru/news/rubric/politika_vlast_v_Omske/",
        "https://bk55.ru/news/rubric/bisnes_economika_v_Omske/",
        "https://bk55.ru/news/rubric/proischestwiya_v_Omske/",
    )
    # bk55.ru, m.bk55.ru, mc.bk55.ru: /news/article/<id>/, print view /news/article/<id>//print
    article_url = r"bk55\.ru/news/article/\d+(?:/+print)?/?$"
    listing = ListingSelectors(
        item=".news-list .news-list-item",
        link="a.news-list-item__title::attr(href)",
        date=".news-list-item__date",
        title="a.news-list-item__title",
        next_page="link[rel=next]::attr(href), .f3-widget-paginator li.next a::attr(href)",
    )
    article = ArticleSelectors(
        title="#divcontnews h1",
        lead="#divcontnews .lead-from-p-first",
        body="#divcontnews .article-content",
        body_exclude=(
            ".lead-from-p-first",
            ".bigBannerInText-cont",
            ".yandex-rek-150",
            ".yandex-rek-300",
            ".article-read-also",
        ),
        date="#divcontnews .news-date",
        tags="#divcontnews .news-tags a",
        section="#divcontnews .news-rubric a",
        authors="#divcontnews .news-author a",
    )
