"""Администрация города Омска: admomsk.gosuslugi.ru (Госвеб, since 1 March 2024) and the
admomsk.ru Liferay archive.

The city moved to the federal Госвеб platform (built on NetCat: files under `/netcat_files/`);
the Liferay site survives as an archive under a «Сайт переехал!» banner (SITES-ADDENDUM §2).
One spider reads both: new items come from the Госвеб news section; old URLs
(`/web/guest/news/-/asset_publisher/mh3W/content/<id>`) are still recognised, for replaying
and re-extracting archived captures.

INFERRED, verify live: the Госвеб news path `/press-tsentr/novosti/<slug>/`, its NetCat
`?curPos=N` pagination, `/sitemap.xml`, and all Госвеб selectors below; no Госвеб news page
is in the stored material. The Liferay selectors follow Liferay 6's asset publisher markup.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class AdmomskSpider(NewsSpider):
    name = "admomsk"
    allowed_domains = ["admomsk.gosuslugi.ru", "admomsk.ru"]
    outlet_names = ("Администрация Омска", "Администрация города Омска")
    sitemaps = ("https://admomsk.gosuslugi.ru/sitemap.xml",)
    listings = ("https://admomsk.gosuslugi.ru/press-tsentr/novosti/",)
    article_url = (
        r"admomsk\.gosuslugi\.ru/press-tsentr/novosti/[\w.-]+/?$"
        r"|admomsk\.ru/web/guest/news/(?:[\w-]+/)?-/asset_publisher/\w+/content/\d+"
    )
    listing = ListingSelectors(
        item=".news-list .news-list__item",
        link="a.news-list__title::attr(href)",
        date=".news-list__date",
        title="a.news-list__title",
        next_page=".pagination a.pagination__next::attr(href)",
    )
    article = ArticleSelectors(
        # Liferay pages are titled after the portlet page («Новости»), not the item.
        title="h1.news-detail__title, .asset-full-content .header-title",
        body=".news-detail__content, .asset-full-content .journal-content-article",
        body_exclude=(".news-detail__files",),
        date=".news-detail__date, .asset-full-content .metadata-publish-date",
        tags=".news-detail__tags a",
        image=(
            ".news-detail__image img::attr(src),"
            " .asset-full-content .journal-content-article img::attr(src)"
        ),
    )
