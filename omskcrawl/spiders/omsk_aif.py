"""«АиФ в Омске» (omsk.aif.ru): the federal aif.ru platform.

`article:published_time` (`+0300`) and the visible `<time>` (no zone) may
disagree; the extractor's policy takes the machine date with an offset. The
federal host aif.ru has the same markup, so its article URLs are accepted too
(its real 2020 page is one of the fixtures).
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider

# "Статья по теме" / "Вопрос-ответ" injects and ad slots (figures go anyway).
INJECTS = (".img_inject", ".inj_link_box", ".left_inj", ".right_inj", ".main_sign")
ADS = ("noindex", ".adv_content")


class OmskAifSpider(NewsSpider):
    name = "omsk_aif"
    allowed_domains = ["omsk.aif.ru"]
    outlet_names = ("АиФ", "Аргументы и Факты")
    feeds = ("https://omsk.aif.ru/rss/all.php",)
    listings = ("https://omsk.aif.ru/news",)
    # /<rubric>[/<subrubric>]/<slug>; tag, author and service pages are not articles.
    article_url = (
        r"^https?://(?:omsk\.)?aif\.ru/(?!tag/|rss/|opinion/author/|search|static/|profile)"
        r"[a-z_]+/(?:[a-z_]+/)?[\w-]+/?$"
    )
    listing = ListingSelectors(
        item=".content_list_js .list_item, .article_list .list_item",
        link=".box_info a::attr(href)",
        date=".text_box__date",
        title=".box_info a",
        next_page="link[rel=next]::attr(href), a.more_btn[href*='page=']::attr(href)",
    )
    article = ArticleSelectors(
        title="section.article h1",
        body="section.article .article_text",
        body_exclude=INJECTS + ADS,
        date='section.article time[itemprop="datePublished"]',
        tags='section.article .tags a[itemprop="keywords"]',
        authors="section.article .authors .autor",
    )
