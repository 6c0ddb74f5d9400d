"""«АиФ в Омске» (omsk.aif.ru): the federal aif.ru platform."""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskAifSpider(NewsSpider):
    name = "omsk_aif"
    allowed_domains = ["omsk.aif.ru"]
    feeds = ("https://omsk.aif.ru/rss/all.php",)
    listings = ("https://omsk.aif.ru/news",)
    article_url = r"omsk\.aif\.ru/(?!tag/|rss|news/?$)[a-z_]+/(?:[a-z_]+/)?[\w-]+$"
    listing = ListingSelectors(
        item=".article_list .list_item, .content_list_js .list_item",
        link=".box_info a::attr(href), a::attr(href)",
        date=".text_box__date, .date",
        title="h3",
        next_page="a.more_btn::attr(href), link[rel=next]::attr(href)",
    )
    article = ArticleSelectors(
        title="h1",
        lead=".article_text_lead, .article_subtitle",
        body=".article_text",
        body_exclude=(".img_inject", ".inj_link_box", ".inj_name", ".inj_text", ".left_inj",
                      ".right_inj", ".article_tags", ".tags"),
        date='time[itemprop="datePublished"]',
        tags='.tags a[itemprop="keywords"]',
        authors=".autor_name, .author_name",
        section=".breadcrumbs a:last-child",
    )
