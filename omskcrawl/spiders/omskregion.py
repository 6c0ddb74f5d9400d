"""ИА «ОМСКРЕГИОН» (omskregion.info): the regional government's news agency.

Pages set `<base href="http://omskregion.info/">` and link relatively, so
listing links and the pager's `?page=2` resolve against the base, not the
page. Dates are a time plus a relative day in two spans (`17:56` + `Вчера`),
or a time plus a full date on category pages (`11:20` + `20 января 2026`).
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskregionSpider(NewsSpider):
    name = "omskregion"
    allowed_domains = ["omskregion.info"]
    outlet_names = ("Омскрегион", "Omskregion")
    feeds = ("http://omskregion.info/rss.xml",)
    listings = ("https://omskregion.info/",)
    # /news/<id>-<translit slug cut at 50 characters>/
    article_url = r"^https?://(?:www\.)?omskregion\.info/news/\d+(?:-\w*)?/?$"
    listing = ListingSelectors(
        item="#tape .item",
        link=".item-h3 a::attr(href)",
        date="p.datetime",
        title=".item-h3 a",
        # `>>` follows the page numbers; `<<` (on later pages) precedes them.
        next_page=".paginator > ul + a::attr(href)",
    )
    article = ArticleSelectors(
        title=".news-coll h1",
        lead=".news-coll .anons",
        body='.news-coll [itemprop="articleBody"] > .fulltext',
        body_exclude=("[class*=teaser]", ".img-author"),
        date=".news-coll p.datetime",  # «11:05» + «Сегодня» read as one
        tags=".news-coll .tags a",
        section=".news-coll .rubric a",
        authors=".news-coll .author",
        image='.news-coll [itemprop="image"]::attr(src)',
    )
