"""Canonical URLs, checked on URL shapes seen on real Omsk sites (shared/realpages/SITES*.md)."""

from __future__ import annotations

import pytest

from omskcrawl.normalize.urls import canonical_url, is_tracking_param, registrable_domain
from omskcrawl.spiders.bk55 import Bk55Spider
from omskcrawl.spiders.kvnews import KvnewsSpider


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # omskinform: www, http, fragment
        ("http://www.omskinform.ru/news/117079", "https://omskinform.ru/news/117079"),
        ("https://omskinform.ru/news/218377#comments", "https://omskinform.ru/news/218377"),
        ("HTTP://WWW.OMSKINFORM.RU/news/218377", "https://omskinform.ru/news/218377"),
        ("http://www.omskinform.ru/all/17", "https://omskinform.ru/all/17"),
        # bk55: mobile host; the society subdomain is its own site
        ("https://m.bk55.ru/news/article/27119", "https://bk55.ru/news/article/27119"),
        ("https://mc.bk55.ru/news/article/27119", "https://mc.bk55.ru/news/article/27119"),
        ("https://bk55.ru/news/article/27119/", "https://bk55.ru/news/article/27119/"),
        # gorod55: AMP as a query switch, with or without a value
        (
            "https://gorod55.ru/news/2023-06-24/vitaliy-hotsenko-2965599?amp=1",
            "https://gorod55.ru/news/2023-06-24/vitaliy-hotsenko-2965599",
        ),
        (
            "https://gorod55.ru/news/2023-06-24/vitaliy-hotsenko-2965599?amp",
            "https://gorod55.ru/news/2023-06-24/vitaliy-hotsenko-2965599",
        ),
        # ngs55: from=, utm_*, trailing slash kept
        (
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/?from=yanews&utm_source=yxnews"
            "&utm_medium=desktop",
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/",
        ),
        (
            "https://www.ngs55.ru/text/gorod/2023/01/03/71950856/#comments",
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/",
        ),
        # HTML-escaped ampersand leaking into the query
        (
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/?utm_source=a&amp;utm_medium=b",
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/",
        ),
        # trailing slash absent stays absent
        (
            "https://om1.ru/news/politic/319091-omskuju_oblast_skoro_posetit_polovina?utm=tg",
            "https://om1.ru/news/politic/319091-omskuju_oblast_skoro_posetit_polovina",
        ),
        (
            "http://omskregion.info/news/58032-omskie_agrarii_otpravili_pervuyu_v_etom_godu_parti/",
            "https://omskregion.info/news/58032-omskie_agrarii_otpravili_pervuyu_v_etom_godu_parti/",
        ),
        # mk.ru print view is another path: left alone
        ("https://omsk.mk.ru/print/article/1234567/", "https://omsk.mk.ru/print/article/1234567/"),
        # AMP path prefix and suffix
        ("https://sibmedia.ru/amp/news/12345/", "https://sibmedia.ru/news/12345/"),
        ("https://sibmedia.ru/news/12345/amp", "https://sibmedia.ru/news/12345/"),
        ("https://sibmedia.ru/news/12345/amp/", "https://sibmedia.ru/news/12345/"),
        ("https://amp.gorod55.ru/news/1", "https://gorod55.ru/news/1"),
        # aif: www on a regional subdomain, tracking ids
        (
            "https://www.omsk.aif.ru/zkh/zkh_gorod/v_omske_likvidiruyut_nezakonnye_svalki"
            "?yclid=123&gclid=4&fbclid=5&_openstat=x&erid=abc",
            "https://omsk.aif.ru/zkh/zkh_gorod/v_omske_likvidiruyut_nezakonnye_svalki",
        ),
        # remaining params sorted; blank ones kept
        ("https://omskregion.info/?page=9&type=b", "https://omskregion.info/?page=9&type=b"),
        (
            "https://omskregion.info/categories/proisshestviya/?rss=1&page=9&ref=main",
            "https://omskregion.info/categories/proisshestviya/?page=9",
        ),
        (
            "https://ngs55.ru/text/?dateTo=3.1.2023&page=2&dateFrom=1.1.2023",
            "https://ngs55.ru/text/?dateFrom=1.1.2023&dateTo=3.1.2023&page=2",
        ),
        # doubled slashes, default port, credentials
        ("https://superomsk.ru//news//22357", "https://superomsk.ru/news/22357"),
        ("http://superomsk.ru:80/news/22357", "https://superomsk.ru/news/22357"),
        ("https://user:secret@superomsk.ru:443/news/22357", "https://superomsk.ru/news/22357"),
        # 12 канал news ids keep their slash
        ("http://www.12-kanal.ru/news/276993/", "https://12-kanal.ru/news/276993/"),
        # Cyrillic path and IDN host: percent-encoded and punycode, whichever form came in
        ("https://x.ru/новости/1", "https://x.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1"),
        (
            "https://x.ru/%d0%bd%d0%be%d0%b2%d0%be%d1%81%d1%82%d0%b8/1",
            "https://x.ru/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8/1",
        ),
        ("https://омск.рф/", "https://xn--j1adfn.xn--p1ai/"),
        # the local mock server of the crawl tests keeps http and its port
        ("http://127.0.0.1:8765/news/1?utm_source=x", "http://127.0.0.1:8765/news/1"),
        ("http://localhost:8765/news/1", "http://localhost:8765/news/1"),
        ("http://example.ru:8080/news/1", "http://example.ru:8080/news/1"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


KV = "https://kvnews.ru/gazeta/2019/iyul/27/vzglyad-iz-tsentra-s-15-po-22-iyulya-2019-goda"


@pytest.mark.parametrize(
    ("spider", "url", "expected"),
    [
        # bk55's print view: /<id>//print, on the desktop, mobile and society hosts
        (
            Bk55Spider,
            "https://bk55.ru/news/article/27119//print",
            "https://bk55.ru/news/article/27119/",
        ),
        (
            Bk55Spider,
            "https://m.bk55.ru/news/article/27119//print",
            "https://bk55.ru/news/article/27119/",
        ),
        (
            Bk55Spider,
            "https://mc.bk55.ru/news/article/27119//print",
            "https://mc.bk55.ru/news/article/27119/",
        ),
        (Bk55Spider, "https://bk55.ru/news/article/27119/", "https://bk55.ru/news/article/27119/"),
        # kvnews' print view: <slug>=print
        (KvnewsSpider, KV + "=print", KV),
        (KvnewsSpider, KV, KV),
    ],
)
def test_site_print_views_fold_onto_the_article(spider: type, url: str, expected: str) -> None:
    """A site's print view is its module's knowledge: the spider passes its rewrites in."""
    assert canonical_url(url, print_views=spider.print_views) == expected
    assert canonical_url(expected, print_views=spider.print_views) == expected


def test_print_views_are_not_applied_without_the_site() -> None:
    """Generic canonicalisation knows no site: `=print` is part of another site's slug."""
    assert canonical_url(KV + "=print") == KV + "=print"


@pytest.mark.parametrize(
    "url",
    [
        "https://sibmedia.ru/news/camp/",
        "https://ngs55.ru/text/gorod/2023/01/03/71950856/",
        "https://omsk.mk.ru/social/2024/11/11/komik-dorokhov-poprosil-gubernatora.html",
        "https://admomsk.ru/web/guest/news/-/asset_publisher/mh3W/content/1262073",
    ],
)
def test_canonical_url_is_idempotent(url: str) -> None:
    assert canonical_url(url) == url
    assert canonical_url(canonical_url(url)) == url


@pytest.mark.parametrize(
    ("url", "canonical", "expected"),
    [
        # relative rel=canonical resolved against the page
        (
            "https://gorod55.ru/news/2023-06-24/slug-2965599?amp=1",
            "/news/2023-06-24/slug-2965599",
            "https://gorod55.ru/news/2023-06-24/slug-2965599",
        ),
        # the mobile page's canonical is the desktop one, slash included
        (
            "https://m.bk55.ru/news/article/27119",
            "https://bk55.ru/news/article/27119/",
            "https://bk55.ru/news/article/27119/",
        ),
        # a path-relative canonical resolves against the page's directory
        (
            "http://omskregion.info/news/58032-omskie_agrarii/?page=2",
            "../58032-omskie_agrarii_otpravili_pervuyu_v_etom_godu_parti/",
            "https://omskregion.info/news/58032-omskie_agrarii_otpravili_pervuyu_v_etom_godu_parti/",
        ),
        # the canonical is cleaned too
        (
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/?from=main",
            "http://www.ngs55.ru/text/gorod/2023/01/03/71950856/?utm_source=x",
            "https://ngs55.ru/text/gorod/2023/01/03/71950856/",
        ),
        # same registrable domain: a regional subdomain pointing at the main site
        (
            "https://omsk.aif.ru/politic/mer_omska",
            "https://aif.ru/politic/mer_omska",
            "https://aif.ru/politic/mer_omska",
        ),
        # rzn.mk.ru real page
        (
            "https://rzn.mk.ru/social/2020/01/13/v-ryazani-nagradili-luchshikh-zhurnalistov.html"
            "?utm_source=yxnews",
            "https://rzn.mk.ru/social/2020/01/13/v-ryazani-nagradili-luchshikh-zhurnalistov.html",
            "https://rzn.mk.ru/social/2020/01/13/v-ryazani-nagradili-luchshikh-zhurnalistov.html",
        ),
    ],
)
def test_canonical_url_prefers_page_canonical(url: str, canonical: str, expected: str) -> None:
    assert canonical_url(url, canonical) == expected


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        # homepage canonical (omskregion 2018 had rel=canonical to "/" on every page)
        ("https://omskregion.info/news/58032-x/", "http://omskregion.info/"),
        ("https://om1.ru/news/politic/319091-x", "https://om1.ru"),
        # another site: a syndicated copy, or a wrong tag
        ("https://omsk-news.net/society/2024/03/18/524055.html", "https://12-kanal.ru/news/1/"),
        # a Госвеб district is not the city administration
        ("https://admomsk.gosuslugi.ru/press/1/", "https://omsk-r52.gosweb.gosuslugi.ru/press/1/"),
        # unusable values
        ("https://omskinform.ru/news/1", ""),
        ("https://omskinform.ru/news/1", "   "),
        ("https://omskinform.ru/news/1", None),
        ("https://omskinform.ru/news/1", "javascript:void(0)"),
        ("https://omskinform.ru/news/1", "http://[::1/broken"),
    ],
)
def test_canonical_url_ignores_unusable_canonical(url: str, canonical: str | None) -> None:
    assert canonical_url(url, canonical) == canonical_url(url)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("", ""),
        ("   ", ""),
        ("  /news/117079 ", "/news/117079"),
        ("javascript:void(0)", "javascript:void(0)"),
        ("mailto:news@omskinform.ru", "mailto:news@omskinform.ru"),
        ("ftp://omskinform.ru/file", "ftp://omskinform.ru/file"),
        ("http://[::1/broken", "http://[::1/broken"),
        ("https://bk55.ru:notaport/news", "https://bk55.ru:notaport/news"),
        ("https://", "https://"),
    ],
)
def test_canonical_url_never_raises(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("utm_source", True),
        ("UTM_Campaign", True),
        ("utm", True),
        ("from", True),
        ("yclid", True),
        ("amp", True),
        ("print", True),
        ("mc_cid", True),
        ("fb_action_ids", True),
        ("amp;utm_medium", True),
        ("page", False),
        ("PAGEN_1", False),
        ("id", False),
        ("dateFrom", False),
    ],
)
def test_is_tracking_param(name: str, expected: bool) -> None:
    assert is_tracking_param(name) is expected


@pytest.mark.parametrize(
    ("host", "expected"),
    [
        ("bk55.ru", "bk55.ru"),
        ("m.bk55.ru", "bk55.ru"),
        ("omsk.aif.ru", "aif.ru"),
        ("www.nsk.om1.ru", "om1.ru"),
        ("admomsk.gosuslugi.ru", "admomsk.gosuslugi.ru"),
        ("omsk-r52.gosweb.gosuslugi.ru", "omsk-r52.gosweb.gosuslugi.ru"),
        ("OMSKINFORM.RU.", "omskinform.ru"),
        ("127.0.0.1", "127.0.0.1"),
        ("localhost", "localhost"),
    ],
)
def test_registrable_domain(host: str, expected: str) -> None:
    assert registrable_domain(host) == expected
