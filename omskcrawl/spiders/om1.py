"""Om1.ru («Om1 Омск»): news portal of the om1 network (om1.ru, nsk.om1.ru).

An article prints its headline three times (share text, h1, photo caption `Фото: Om1.ru.
<title>`); the body is `.news-content.js-mediator-article`, which the photo block sits outside
of; «Нашли опечатку?» and the Дзен call inside it are dropped as boilerplate. The date is only
visible text (`3 августа 2023, 20:59`).
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class Om1Spider(NewsSpider):
    name = "om1"
    allowed_domains = ["om1.ru"]
    outlet_names = ("Om1", "Ом1")
    feeds = ("https://www.om1.ru/news/rss/",)
    listings = ("https://om1.ru/news/",)
    # /news/<rubric>/<id>-<translit_slug>
    article_url = r"om1\.ru/news/[a-z_]+/\d+-[\w-]+/?$"
    listing = ListingSelectors(
        item=".t-left-column .new-news-piece",
        link="a.new-news-piece__link::attr(href)",
        date=".new-news-piece__date",
        title=".new-news-piece__title",
        next_page="link[rel=next]::attr(href), .pagination a.next::attr(href)",
    )
    article = ArticleSelectors(
        title="h1.news_single_content__title",
        lead=".news_single_content__lead",
        body=".news-content.js-mediator-article",
        body_exclude=(".news-content__inject",),
        date=".news_single_content__date",
        tags=".news_single_tags a",
        section=".news_single_content__rubric a",
        image='.news_single_content__photo img:not([src*="120to120"])::attr(src)',
    )
