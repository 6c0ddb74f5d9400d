"""«МК в Омске» (omsk.mk.ru): the regional platform of МК, shared by every <region>.mk.ru.

Two designs are read (SITES-ADDENDUM §5): the current one (`h1.article__title`,
`time.meta__text[datetime]`, `div.article__body > p`, tags `.article__tag-item`) and the older
regional one (`h1[itemprop=headline]`, `span.date`, `div.inread-content[itemprop=articleBody]`).
Both carry microdata `datePublished` with a `+0300` offset, which wins. МК stamps Moscow time
even on sites east of Moscow, so the visible relative dates («вчера  в 16:19»,
«сегодня  в 17:04, просмотров: 173») are read as Moscow time: hence `timezone`.
`allowed_domains` and `article_url` take any regional МК site (one sample page is rzn.mk.ru).
The feed `https://omsk.mk.ru/rss/` follows the form of kuban.mk.ru (inferred, L).
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskMkSpider(NewsSpider):
    name = "omsk_mk"
    allowed_domains = ["mk.ru"]
    outlet_names = ("МК", "Московский комсомолец")
    timezone = "Europe/Moscow"
    feeds = ("https://omsk.mk.ru/rss/",)
    listings = ("https://omsk.mk.ru/news/",)
    article_url = r"//(?:[a-z0-9-]+\.)?mk\.ru/[a-z0-9-]+/\d{4}/\d{2}/\d{2}/[\w-]+\.html"
    listing = ListingSelectors(
        item=".news-listing__item",
        link="a.news-listing__item-link::attr(href)",
        date=".news-listing__item-time",
        title=".news-listing__item-title",
        next_page="a.news-listing__day-prev::attr(href)",
    )
    article = ArticleSelectors(
        title="h1.article__title, h1[itemprop=headline]",
        lead="p.article__subtitle",
        # Paragraphs only: ad scripts (window.MKInreadsInArticle) sit between them.
        body="div.article__body > p, div.inread-content > p",
        date="time.meta__text, span.date",
        authors=".article__authors a.article__author-text-link",
        tags=".article__tag a.article__tag-item, .article_info .tags a",
        section=".meta__item-link .meta__text",
    )
