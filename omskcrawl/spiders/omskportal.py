"""Портал Правительства Омской области (omskportal.ru) and its ministries' subdomains.

UNVERIFIED: no page of the 2022+ portal exists in any stored material (SITES-ADDENDUM §1). This
spider is written for the last known structure (the 2018 Java portal, SITES.md §1): the RSS
feed `/ru/government/RSS.html`, the listing `/ru/government/lastUpdates.html`, and news URLs
`/ru/…/news/YYYY/MM/DD/<13-digit id>/`, whose id is the creation time in Unix milliseconds.
Ministries live on subdomains (`minprom.omskportal.ru`, `mtsr.`, `guit.`), which
`allowed_domains` covers. The article and listing selectors are reconstructions. Before a live
crawl, fetch https://omskportal.ru/ once and check: a redirect to a `*.gosuslugi.ru` host (then
the portal is on Госвеб, as the city is: see `admomsk`), `/netcat_files/` or `/upload/iblock/`,
`<link rel="alternate" type="application/rss+xml">`, and the news URL form.
"""

from __future__ import annotations

from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.article import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class OmskportalSpider(NewsSpider):
    name = "omskportal"
    allowed_domains = ["omskportal.ru"]
    outlet_names = ("Правительство Омской области",)
    feeds = ("https://omskportal.ru/ru/government/RSS.html",)
    listings = ("https://omskportal.ru/ru/government/lastUpdates.html",)
    article_url = (
        r"omskportal\.ru/ru/(?:government|RegionalPublicAuthorities/executivelist/\w+)"
        r"/news/\d{4}/\d{2}/\d{2}/\d{13}/"
    )
    listing = ListingSelectors(
        item=".last-updates .lu-item",
        link="a.lu-title::attr(href)",
        date=".lu-date",
        title="a.lu-title",
        next_page=".pager a.pager-next::attr(href)",
    )
    article = ArticleSelectors(
        title=".news-detail h2.news-title",
        body=".news-detail .news-text",
        # The decree list stays out of the text; its links still fill `attachments`.
        body_exclude=(".news-files",),
        date=".news-detail .news-date",
        tags=".news-detail .news-tags a",
        image=".news-detail .news-image img::attr(src)",
    )
