"""Layer 1 (`extract/structured.py`): what a page says about itself, read in one walk."""

from __future__ import annotations

from omskcrawl.extract.article import page_selector
from omskcrawl.extract.structured import DateCandidate, read_structured

# A reconstruction in the shape of a regional news page that carries JSON-LD, OpenGraph and
# microdata at once (the kinds omsk.aif.ru and omsk.mk.ru pages mix).
PAGE = """<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>В Омске открыли сквер | Новости Иртыша</title>
<meta property="og:title" content="В Омске открыли сквер на Левобережье">
<meta name="description" content="Сквер открыли после двух лет работ.">
<meta property="article:published_time" content="2026-11-20T09:15:00+06:00">
<meta property="article:tag" content="Благоустройство">
<meta name="keywords" content="">
<link rel="canonical" href="https://novosti-irtysh.ru/news/12345">
<link rel="stylesheet" href="/s.css">
<script type="application/ld+json">{"@context": "https://schema.org", "@type": "NewsArticle",
 "headline": "Сквер на Левобережье открыли", "datePublished": "2026-11-20T09:15:00+06:00",
 "author": {"@type": "Person", "name": "Ольга Акамова"}}</script>
<script>var counter = 1;</script></head>
<body><header><time datetime="2026-11-26">26 ноября</time></header>
<article itemscope itemtype="https://schema.org/NewsArticle">
<h1 itemprop="headline">В Омске <b>открыли</b> сквер</h1>
<span itemprop="datePublished" content="2026-11-20T09:10:00+06:00">20 ноября</span>
<time itemprop="datePublished" datetime="2026-11-20T09:15">20 ноября, 09:15</time>
<div itemprop="author" itemscope><span itemprop="name">Ольга Акамова</span></div>
<span itemprop="name">Не автор: название рубрики</span>
<meta itemprop="name" content="Только в meta">
<p>Текст.</p></article></body></html>"""


def test_every_kind_of_structured_data_is_read_in_page_order() -> None:
    data = read_structured(page_selector(PAGE, "https://novosti-irtysh.ru/news/12345"))
    assert data.titles == [
        "Сквер на Левобережье открыли",
        "В Омске открыли сквер на Левобережье",
        "В Омске ",  # the headline element's own text nodes, as XPath text() gives them
        " сквер",
    ]
    assert data.published == [
        DateCandidate("2026-11-20T09:15:00+06:00", "jsonld"),
        DateCandidate("2026-11-20T09:15:00+06:00", "meta"),
        DateCandidate("2026-11-20T09:10:00+06:00", "meta"),  # microdata `content`
        DateCandidate("2026-11-20T09:15", "time"),  # the `<time>` marked as published
        DateCandidate("2026-11-26", "time", weak=True),  # the page's first `<time>`
    ]
    assert data.authors == ["Ольга Акамова", "Ольга Акамова"]  # JSON-LD, then microdata
    assert data.tags == ["Благоустройство"] and data.keywords == []
    assert data.canonical == ["https://novosti-irtysh.ru/news/12345"]
    assert data.descriptions == ["Сквер открыли после двух лет работ."]
    assert data.language == "ru"
