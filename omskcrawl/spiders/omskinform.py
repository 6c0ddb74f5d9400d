"""РИА «Омск-информ» (omskinform.ru): news agency; windows-1251 pages.

Listing items are the 2018 `#news1_div .n_news` blocks with `dd.mm.yy HH:MM`
dates; the article text sits in the schema.org NewsArticle block. `[ФОТО]`
and `[ВИДЕО]` title markers are removed by the title cleaner.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskinformSpider(NewsSpider):
    name = "omskinform"
    allowed_domains = ["omskinform.ru"]
    outlet_names = ("Омск-информ", "Омскинформ", "Omskinform")
    feeds = ("https://www.omskinform.ru/rss/news.rss",)
    listings = ("https://www.omskinform.ru/all",)
    # www or bare host only: health.omskinform.ru is another site.
    article_url = r"^https?://(?:www\.)?omskinform\.ru/news/\d+/?$"
    listing = ListingSelectors(
        item="#news1_div .n_news",
        link="a.n_cap_lnk::attr(href)",
        date=".n_date",
        title="a.n_cap_lnk",
        next_page="link[rel=next]::attr(href), .pager a.pager_next::attr(href)",
    )
    article = ArticleSelectors(
        title="article .n_cap_lnk_one",
        body='article [itemtype="http://schema.org/NewsArticle"] .n_text_lnk',
        body_exclude=(".nt_img_handler", ".n_read_also", ".n_tags"),
        # Scoped to the article: the side feed repeats `.n_date` for other items.
        date="article .n_date",
        tags="article .n_tags a",
        section="article .n_rubric a",
        authors="article .n_author",
    )
