"""«СуперОмск» (superomsk.ru): news portal, probably on omskregion.info's CMS.

Article URLs follow omskregion's scheme, `/news/<id>-<translit slug cut at ~50
characters>`; the id is what identifies an article. The page prints the title
twice (heading and photo caption) and the lead twice (under the title and
again at the top of the text); the rubric sits right against the view counter
(`Власть3331`), so it is read from its own link.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class SuperomskSpider(NewsSpider):
    name = "superomsk"
    allowed_domains = ["superomsk.ru"]
    outlet_names = ("СуперОмск", "SuperOmsk")
    feeds = ("https://superomsk.ru/rss.xml",)
    listings = ("https://superomsk.ru/news",)
    article_url = r"^https?://(?:www\.)?superomsk\.ru/news/\d+(?:-\w*)?/?$"
    listing = ListingSelectors(
        item=".news-list .news-list-item",
        link="a.news-list-item-title::attr(href)",
        date=".news-list-item-date",
        title="a.news-list-item-title",
        next_page=".pagination a.next::attr(href)",
    )
    article = ArticleSelectors(
        title=".news-detail h1",
        lead=".news-detail-anons",
        body=".news-detail-text",
        # The second copy of the lead opens the text.
        body_exclude=(".news-detail-text-anons", ".banner"),
        date=".news-detail-date",
        tags=".news-detail-tags a",
        section="a.news-detail-rubric",
        image=".news-detail-image img::attr(src)",
    )
