"""A site with no module (`scrapy crawl auto`, `scrapy sitecheck --url`) and a site module
whose listing selectors stopped matching (listing fallback), over HTTP on 127.0.0.1.

The served site is unlike the fixtures: a WordPress district paper (wp-sitemap.xml named in
robots.txt, `/feed/` announced by `<link rel=alternate>`, `entry-content` markup, dates in
`<time class="entry-date">` or as text only), written for this test.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest

from tests.localnews import LocalNews, Route, serve
from tests.runs import NO_DELAY, Ran
from tests.runs import scrapy as run_in_process

ROOT = Path(__file__).parent.parent

PARAGRAPHS = [
    "Районная администрация сообщила, что ремонт дороги между сёлами завершат до конца "
    "месяца: подрядчик уже уложил новый асфальт на большей части участка.",
    "Жители давно просили привести дорогу в порядок, по ней каждый день ходят школьные "
    "автобусы и машины скорой помощи, а весной участок размывало талой водой.",
    "На ремонт из областного бюджета выделили около сорока миллионов рублей, работы "
    "контролирует районный отдел строительства и жилищно-коммунального хозяйства.",
]

ARTICLES = {
    # path: (title, machine date or None, visible date text)
    "/2026/11/20/remont-dorogi-mezhdu-selami-zavershat/": (
        "Ремонт дороги между сёлами завершат до конца месяца",
        "2026-11-20T09:15:00+06:00",
        "20.11.2026",
    ),
    "/2026/11/21/v-rajone-otkryli-novyj-fap/": (
        "В районе открыли новый фельдшерско-акушерский пункт",
        None,
        "21 ноября 2026 в 12:30",
    ),
    "/2026/11/22/shkolniki-posadili-allej-kedrov/": (
        "Школьники посадили аллею кедров у районного музея",
        "2026-11-22T10:00:00+06:00",
        "22.11.2026",
    ),
    "/2026/11/23/v-sele-otremontirovali-dom-kultury/": (
        "В селе отремонтировали дом культуры к юбилею района",
        "2026-11-23T08:00:00+06:00",
        "23.11.2026",
    ),
}


def article_page(path: str) -> bytes:
    title, machine, shown = ARTICLES[path]
    time_el = (
        f'<time class="entry-date published" datetime="{machine}">{shown}</time>'
        if machine
        else f'<span class="posted-on">Опубликовано {shown}</span>'
    )
    text = "".join(f"<p>{p}</p>" for p in PARAGRAPHS)
    return f"""<!DOCTYPE html><html lang="ru-RU"><head><meta charset="UTF-8">
<title>{title} &#8212; Районные вести</title>
<link rel="alternate" type="application/rss+xml" title="Районные вести &raquo; Лента" href="/feed/">
</head><body class="post-template-default single single-post">
<div id="page" class="site"><header id="masthead" class="site-header">
<p class="site-title"><a href="/">Районные вести</a></p>
<nav class="main-navigation"><ul><li><a href="/category/novosti/">Новости</a></li>
<li><a href="/category/obshhestvo/">Общество</a></li></ul></nav></header>
<div id="content" class="site-content"><div id="primary" class="content-area">
<article class="post type-post status-publish category-novosti tag-doroga">
<header class="entry-header"><h1 class="entry-title">{title}</h1>
<div class="entry-meta">{time_el}</div></header>
<div class="entry-content">{text}</div>
<footer class="entry-footer"><span class="tags-links"><a href="/tag/doroga/" rel="tag">дорога</a>
</span></footer></article></div>
<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries">
<h2 class="widget-title">Свежие записи</h2><ul>
{"".join(f'<li><a href="{p}">{t}</a></li>' for p, (t, _, _) in ARTICLES.items())}
</ul></section></aside></div>
<footer class="site-footer"><p>© 2026 Районные вести</p></footer></div></body></html>""".encode()


FEED = (
    "/2026/11/20/remont-dorogi-mezhdu-selami-zavershat/",
    "/2026/11/22/shkolniki-posadili-allej-kedrov/",
)
SITEMAP = "/2026/11/23/v-sele-otremontirovali-dom-kultury/"
HOME = "/2026/11/21/v-rajone-otkryli-novyj-fap/"


def home_page() -> bytes:
    # The homepage shows one article (the rest come from the feed and the sitemap).
    path = HOME
    return f"""<!DOCTYPE html><html lang="ru-RU"><head><meta charset="UTF-8">
<title>Районные вести</title>
<link rel="alternate" type="application/rss+xml" title="Районные вести &raquo; Лента" href="/feed/">
</head><body class="home blog"><header><a href="/">Районные вести</a>
<nav><a href="/category/novosti/">Новости</a> <a href="/tag/doroga/">дорога</a>
<a href="/page/2/">Ещё</a></nav></header>
<main><article class="post"><h2 class="entry-title"><a href="{path}">{ARTICLES[path][0]}</a></h2>
</article></main></body></html>""".encode()


def feed() -> bytes:
    items = "".join(
        f"<item><title>{ARTICLES[p][0]}</title><link>{{base}}{p}</link>"
        f"<pubDate>{date}</pubDate></item>"
        for p, date in zip(
            FEED,
            ("Fri, 20 Nov 2026 03:15:00 +0000", "Sun, 22 Nov 2026 04:00:00 +0000"),
            strict=True,
        )
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel>'
        f"<title>Районные вести</title>{items}</channel></rss>"
    ).encode()


def sitemap() -> bytes:
    path = SITEMAP
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{{base}}{path}</loc><lastmod>2026-11-22T04:00:00+00:00</lastmod></url>"
        "</urlset>"
    ).encode()


@pytest.fixture
def news() -> Iterator[LocalNews]:
    """The district paper on 127.0.0.1 (tests/localnews.py serves it)."""
    html = "text/html; charset=UTF-8"
    with serve() as news:
        base = news.base
        news.routes.update(
            {
                "/": Route(content_type=html, body=home_page()),
                "/robots.txt": Route(
                    content_type="text/plain",
                    body=f"User-agent: *\nSitemap: {base}/wp-sitemap.xml\n".encode(),
                ),
                "/feed/": Route(
                    content_type="application/rss+xml",
                    body=feed().replace(b"{base}", base.encode()),
                ),
                "/wp-sitemap.xml": Route(
                    content_type="application/xml",
                    body=sitemap().replace(b"{base}", base.encode()),
                ),
                "/tag/doroga/": Route(
                    content_type=html, body=b"<html><body><h1>Tag</h1></body></html>"
                ),
                "/category/novosti/": Route(
                    content_type=html, body=b"<html><body><h1>Category</h1></body></html>"
                ),
            }
        )
        news.routes.update(
            {path: Route(content_type=html, body=article_page(path)) for path in ARTICLES}
        )
        yield news


@pytest.fixture
def site(news: LocalNews) -> str:
    return news.base


def scrapy(*args: str, exports: Path) -> Ran:
    """The command in this process (tests/runs.py)."""
    return run_in_process(*args, "-s", f"OMSKCRAWL_EXPORT_DIR={exports}", *NO_DELAY, "-L", "INFO")


def test_auto_crawl_discovers_feed_sitemap_and_homepage(
    news: LocalNews, site: str, tmp_path: Path
) -> None:
    exports = tmp_path / "exports"
    result = scrapy("crawl", "auto", "-a", f"url={site}/", exports=exports)
    assert result.returncode == 0, result.stderr[-3000:]
    df = pd.read_parquet(exports / "articles").sort_values("published_at")
    # Two from the feed, one from the sitemap, one from the homepage; no tag or category page.
    assert [u.split("/")[-2] for u in df["url"]] == [p.split("/")[-2] for p in ARTICLES]
    assert not {"/tag/doroga/", "/category/novosti/", "/page/2/"} & set(news.seen)
    assert set(df["source"].astype(str)) == {"127.0.0.1"}
    assert list(df["title"]) == [t for t, _, _ in ARTICLES.values()]
    for body in df["body"]:
        assert all(p in body for p in PARAGRAPHS)
        assert "Свежие записи" not in body
    # The article with a text date only is read in Asia/Omsk: 12:30 there is 06:30 UTC.
    fap = df[df["url"].str.contains("fap")].iloc[0]
    assert fap["published_at"] == pd.Timestamp("2026-11-21 06:30", tz="UTC")
    manifest = json.loads(next((exports / "runs").glob("*.json")).read_text("utf-8"))
    assert manifest["per_spider"][0]["counts"]["written"] == 4


def test_auto_crawl_time_zone_argument(site: str, tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    result = scrapy(
        "crawl", "auto", "-a", f"url={site}/", "-a", "tz=Europe/Moscow", exports=exports
    )
    assert result.returncode == 0, result.stderr[-3000:]
    df = pd.read_parquet(exports / "articles")
    fap = df[df["url"].str.contains("fap")].iloc[0]
    assert fap["published_at"] == pd.Timestamp("2026-11-21 09:30", tz="UTC")


def test_sitecheck_url_reports_what_it_found(site: str, tmp_path: Path) -> None:
    result = scrapy("sitecheck", "--url", f"{site}/", exports=tmp_path / "exports")
    assert result.returncode == 0, result.stdout + result.stderr[-3000:]
    out = result.stdout
    assert f"feeds: {site}/feed/" in out
    assert f"sitemaps: {site}/wp-sitemap.xml" in out
    assert "homepage article links: 1" in out
    assert "127.0.0.1" in out and "yes" in out
    assert not (tmp_path / "exports" / "articles").exists()


REDESIGNED = """
from omskcrawl.discovery import ListingSelectors
from omskcrawl.extract.site import ArticleSelectors
from omskcrawl.spiders.base import NewsSpider


class RedesignedSpider(NewsSpider):
    name = "redesigned"
    allowed_domains = ["127.0.0.1"]
    listings = ("{site}/category/novosti/",)
    # The selectors of the old design: nothing on the new pages has these classes.
    listing = ListingSelectors(item="div.news-list__item", link="a.news-list__link::attr(href)")
    article = ArticleSelectors(
        title="h1.article__title", body="div.article__text", tags="ul.article__tags a"
    )
    article_url = r"/20\\d\\d/\\d\\d/\\d\\d/[\\w-]+/$"
"""


def test_listing_fallback_when_the_listing_selectors_match_nothing(
    news: LocalNews, site: str, tmp_path: Path
) -> None:
    links = "".join(
        f'<h2 class="entry-title"><a href="{p}">{t}</a></h2>' for p, (t, _, _) in ARTICLES.items()
    )
    news.routes["/category/novosti/"] = Route(
        content_type="text/html; charset=UTF-8",
        body=(
            "<html><body><nav><a href='/tag/doroga/'>дорога</a></nav>"
            f"<main>{links}</main></body></html>"
        ).encode(),
    )
    spider_file = tmp_path / "redesigned.py"
    spider_file.write_text(textwrap.dedent(REDESIGNED.replace("{site}", site)))
    exports = tmp_path / "exports"
    result = scrapy("runspider", str(spider_file), exports=exports)
    assert result.returncode == 0, result.stderr[-3000:]
    df = pd.read_parquet(exports / "articles")
    assert len(df) == len(ARTICLES)
    assert df["title"].notna().all() and df["body"].notna().all()
    assert "/tag/doroga/" not in news.seen
    assert result.stderr.count("listing selectors matched nothing") == 1
    assert result.stderr.count("the article selector for body matched nothing") == 1
    # Articles without tags are common: counted, but no redesign warning.
    assert "WARNING: redesigned: the article selector for tags" not in result.stderr
    spider = json.loads(next((exports / "runs").glob("*.json")).read_text("utf-8"))["per_spider"][0]
    assert spider["counts"]["listing_fallback"] == 1
    assert spider["selector_misses"] == {"title": 4, "body": 4, "tags": 4}


def test_auto_crawl_without_a_url_says_so(tmp_path: Path) -> None:
    result = scrapy("crawl", "auto", exports=tmp_path / "exports")
    assert result.returncode == 1
    assert "the auto spider needs the site: -a url=" in result.stderr
