"""РИА «Омск-информ» (omskinform.ru): news agency; windows-1251 pages in 2018."""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskinformSpider(NewsSpider):
    name = "omskinform"
    allowed_domains = ["omskinform.ru"]
    feeds = ("https://www.omskinform.ru/rss/news.rss",)
    listings = ("https://www.omskinform.ru/all",)
    article_url = r"omskinform\.ru/news/\d+"
    listing = ListingSelectors(
        item="#news1_div .n_news",
        link="a.n_cap_lnk::attr(href)",
        date=".n_date",
        title="a.n_cap_lnk",
        next_page="a.pager_next::attr(href), link[rel=next]::attr(href)",
    )
    article = ArticleSelectors(
        title=".n_cap_lnk_one",
        body='div[itemtype="http://schema.org/NewsArticle"] .n_text_lnk',
        body_exclude=(".nt_img_handler", ".n_read_also"),
        date=".n_date",
        tags=".n_tags a",
        section=".n_rubric a",
        authors=".n_author",
    )
