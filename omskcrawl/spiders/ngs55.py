"""НГС55 (ngs55.ru): the Hearst Shkulev regional platform (ngs.ru, e1.ru, 74.ru, …).

Class names carry hashed suffixes that change on every deploy (`articleContent_0DdLJ`), so
every selector matches a class prefix (`[class^="x_"]`, or `[class*=" x_"]` when it is not the
first class), never a hash. The date is `time[datetime]` (ISO with offset) in the header; the
body is the article's text and quote blocks, so image blocks, credits and injects stay out.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class Ngs55Spider(NewsSpider):
    name = "ngs55"
    allowed_domains = ["ngs55.ru"]
    outlet_names = ("НГС", "НГС55", "NGS", "NGS55")
    feeds = ("https://www.ngs55.ru/text/rss.xml",)
    sitemaps = ("https://ngs55.ru/exchange/sitemap.xml",)
    listings = ("https://ngs55.ru/text/",)
    # /text/<rubric>/YYYY/MM/DD/<id>/; before 2020 /news/<id>/view/.
    article_url = r"ngs55\.ru/(?:text/[a-z_]+/\d{4}/\d{2}/\d{2}/\d+|news/\d+/view)/?$"
    listing = ListingSelectors(
        item='[class^="list_"] article, div[data-jtn-class="content"] article',
        link='a[class^="header_"]::attr(href), h3 a::attr(href)',
        date='[class^="statistic_"] [class^="text_"], time',
        title='a[class^="header_"], h3 a',
        next_page='link[rel="next"]::attr(href), a[class^="pageNext_"]::attr(href)',
    )
    article = ArticleSelectors(
        title='[name="articleHeader"] h1',
        lead='[name="articleHeader"] [class*="leadParagraph"]',
        # Text and quote blocks; `*=" x_"` finds a block whose class is not the first one.
        body=(
            '[class^="articleContent_"] [class^="uiArticleBlockText_"],'
            ' [class^="articleContent_"] [class*=" uiArticleBlockText_"],'
            ' [class^="articleContent_"] [class^="uiArticleBlockQuote_"],'
            ' [class^="articleContent_"] [class*=" uiArticleBlockQuote_"]'
        ),
        date='[name="articleHeader"] time',
        tags='[name="articleHeader"] a[href*="/tags/"]::attr(title)',
        section='[name="articleHeader"] a[class^="rubric_"]',
        authors='[class^="authorBlock_"] [class^="name_"]',
    )
