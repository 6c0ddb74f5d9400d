"""Bad pages are quarantined with the reason, never written as articles, never lost; each
page costs bounded work. One real crawl against a local site serving every kind of bad page.
"""

from __future__ import annotations

import gzip
import json
import random
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd
import pytest
from parsel import Selector

from omskcrawl.dataset import load_quarantine
from omskcrawl.extract.article import extract_article
from omskcrawl.spiders.omskinform import OmskinformSpider
from tests.localnews import Route, article_page, feed, run_scrapy, serve, write_spiders
from tests.runs import Ran

NOW = datetime(2024, 11, 21, 3, 30, tzinfo=UTC)
SITE = "badsite"


def page(title: str, body_html: str, head: str = "", charset: str = "utf-8") -> str:
    return (
        f'<!DOCTYPE html><html lang="ru"><head><meta charset="{charset}"><title>{title}</title>'
        f'{head}</head><body><article><div class="n_news_one">'
        f'<h1 class="n_cap_lnk_one">{title}</h1><div class="n_date">20.11.24 11:40</div>'
        f'<div class="n_text_lnk" itemprop="articleBody">{body_html}</div></div></article>'
        "</body></html>"
    )


PARAS = "".join(
    f"<p>Абзац {n}: в Омске продолжается ремонт моста через Иртыш, движение ограничено.</p>"
    for n in range(4)
)
COPY = (
    "<p>Министерство образования Омской области сообщило о продлении каникул в школах "
    "региона из-за сильных морозов до минус сорока градусов.</p>"
)
BAD_PAGES: dict[int, tuple[bytes, str, str]] = {
    # n: (bytes, Content-Type, expected quarantine reason prefix; "" = written as an article)
    0: (article_page(SITE, 0), "text/html; charset=utf-8", ""),
    1: (b"", "text/html; charset=utf-8", "empty page"),
    2: (random.Random(2).randbytes(12_000), "text/html; charset=utf-8", "binary content"),
    3: (
        gzip.compress(b"<html>x</html>")[:10] + random.Random(3).randbytes(4000),
        "text/html",
        "binary content",
    ),
    4: (
        page("Страница не найдена", "<p>Запрашиваемая страница не существует.</p>").encode(),
        "text/html; charset=utf-8",
        "soft 404",
    ),
    5: (
        page("Каникулы в школах Омска продлили", COPY).encode("cp1251"),
        "text/html; charset=utf-8",  # mislabelled: repaired, written in Cyrillic
        "",
    ),
    6: (
        page("Мост через Иртыш закрыли на ремонт", PARAS, charset="windows-1251").encode(),
        "text/html; charset=windows-1251",  # UTF-8 bytes labelled cp1251: repaired
        "",
    ),
    7: (
        # An unclosed <h1>: the headline swallows the page.
        page("Заголовок " + "очень длинного текста " * 50_000, PARAS).encode(),
        "text/html; charset=utf-8",
        "title too long",
    ),
    8: (
        page(
            "В Омске открыли новый каток",
            PARAS,
            head='<script type="application/ld+json">{"@type":"NewsArticle",'
            '"headline":"В Омске открыли новый каток","wordCount":' + "7" * 5000 + "}</script>",
        ).encode(),
        "text/html; charset=utf-8",
        "",  # the unreadable JSON-LD block is skipped, the page is still read
    ),
    9: (
        page("Глубокая вложенность", "<div>" * 3000 + PARAS + "</div>" * 3000).encode(),
        "text/html; charset=utf-8",
        "extraction error: markup nested",
    ),
    10: (
        b'<html><head><meta charset="utf-8"><title>Omsk</title></head>'
        b'<body><nav><a href="/">Main</a></nav></body></html>',
        "text/html; charset=utf-8",
        "not an article",
    ),
    11: (
        # Over OMSKCRAWL_MAX_PAGE_BYTES (5 MB in this crawl): not parsed at all.
        page("Мост через Иртыш закрыли", PARAS + "<p>" + "текст " * 600_000 + "</p>").encode(),
        "text/html; charset=utf-8",
        "page too large",
    ),
    12: (
        page("404", "<p>Такой страницы нет. Вернитесь на главную.</p>").encode(),
        "text/html; charset=utf-8",
        "soft 404",
    ),
    13: (
        # A number in the headline is not a missing page.
        page(
            "Омская епархия расширит остановки в Кировском округе за 404 млн рублей", PARAS
        ).encode(),
        "text/html; charset=utf-8",
        "",
    ),
}


def crawl(tmp_path: Path, module: str, exports: Path) -> Ran:
    # A site of bad pages on purpose: its quality is not judged (no alarm, exit 0).
    return run_scrapy(
        tmp_path,
        module,
        exports,
        "crawl",
        SITE,
        OMSKCRAWL_MAX_PAGE_BYTES=5_000_000,
        OMSKCRAWL_ALARM_MIN_ITEMS=100,
    )


def test_a_crawl_quarantines_every_bad_page_with_its_reason(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with serve() as news:
        for n, (body, ctype, _) in BAD_PAGES.items():
            news.routes[f"/{SITE}/news/{n}"] = Route(content_type=ctype, body=body)
        # Every entry has a title in the feed: the feed's title alone makes no article.
        news.routes[f"/{SITE}/rss"] = Route(
            content_type="application/rss+xml", body=feed(news.base, SITE, range(len(BAD_PAGES)))
        )
        module = write_spiders(tmp_path, news.base, [SITE])
        result = crawl(tmp_path, module, exports)
        base = news.base
    assert result.returncode == 0, result.stderr[-3000:]
    quarantine = load_quarantine(exports)
    reasons = dict(zip(quarantine["url"], quarantine["reason"], strict=True))
    articles = pd.read_parquet(exports / "articles")
    written = set(articles["url"])
    for n, (_, _, expected) in BAD_PAGES.items():
        url = f"{base}/{SITE}/news/{n}"
        if expected:
            assert url not in written, f"page {n} written as an article"
            assert reasons.get(url, "").startswith(expected), (n, reasons.get(url))
        else:
            assert url in written, f"page {n} ({reasons.get(url)}) not written"
    by_url = articles.set_index("url")
    assert "Каникулы в школах Омска" in by_url.loc[f"{base}/{SITE}/news/5", "title"]
    assert "Иртыш" in by_url.loc[f"{base}/{SITE}/news/6", "body"]
    assert not articles["body"].str.contains("Ð|Ñ|Р[ЃЌЋЏђ]", regex=True).any()
    assert by_url.loc[f"{base}/{SITE}/news/8", "title"] == "В Омске открыли новый каток"
    (manifest,) = (exports / "runs").glob("*.json")
    totals = json.loads(manifest.read_text("utf-8"))["totals"]
    assert totals["quarantined"] == sum(1 for _, _, e in BAD_PAGES.values() if e)


def extract(html: str, **kwargs: object) -> dict[str, object]:
    item = extract_article(
        Selector(text=html),
        url="https://www.omskinform.ru/news/1",
        now=NOW,
        tz="Asia/Omsk",
        selectors=OmskinformSpider.article,
        source="omskinform",
    )
    return dict(item)


@pytest.mark.parametrize(
    "block",
    [
        '{"@type":"NewsArticle","headline":"Т","wordCount":' + "9" * 5000 + "}",  # ValueError
        "[" * 1500 + "]" * 1500,  # RecursionError in the decoder
        '{"@graph":' + '[{"@type":"Thing","x":' * 900 + "1" + "}]" * 900 + "}",  # deep but legal
    ],
    ids=["5000-digit number", "1500 levels", "900 levels"],
)
def test_pathological_json_ld_never_costs_the_page(block: str) -> None:
    html = page(
        "Мост через Иртыш закрыли",
        PARAS,
        head=f'<script type="application/ld+json">{block}</script>',
    )
    item = extract(html)
    assert item["title"] == "Мост через Иртыш закрыли"
    assert "Иртыш" in str(item["body"])


def test_unsafe_urls_are_dropped_from_link_fields() -> None:
    html = page(
        "Мост через Иртыш закрыли",
        PARAS + '<p><a href="javascript:alert(1).pdf">схема.pdf</a> '
        '<a href="file:///etc/plan.pdf">план.pdf</a> <a href="../../docs/ok.pdf">ok.pdf</a></p>',
        head='<meta property="og:image" content="javascript:alert(1)">',
    )
    item = extract(html)
    assert item.get("image_url") is None
    assert [a["url"] for a in item["attachments"]] == ["https://www.omskinform.ru/docs/ok.pdf"]


def test_over_long_fields_and_mojibake_are_quarantined_with_the_field_cut() -> None:
    from scrapy.statscollectors import MemoryStatsCollector
    from scrapy.utils.test import get_crawler

    from omskcrawl.pipelines.validate import Quarantined, ValidationPipeline
    from tests.test_pipelines import article

    stats = MemoryStatsCollector(get_crawler())
    validate = ValidationPipeline(stats)
    huge = article("https://gorod55.ru/news/1", "Омск " * 200_000, PARAS)  # a 1 MB headline
    with pytest.raises(Quarantined, match=r"title too long \(1000000 chars > 500\)"):
        validate.process_item(huge)
    assert len(huge["title"]) == 500  # the quarantined row keeps the field cut at the limit
    garbled = "Мост через Иртыш закрыли на ремонт".encode().decode("cp1251", errors="replace")
    with pytest.raises(Quarantined, match="mojibake"):
        validate.process_item(article("https://gorod55.ru/news/2", garbled, PARAS))
    assert stats.get_value("omskcrawl/quarantined/gorod55/title_too_long") == 1
    assert stats.get_value("omskcrawl/mojibake/gorod55") == 1


def test_a_run_id_that_is_no_safe_file_name_is_refused(tmp_path: Path) -> None:
    from omskcrawl.pipelines.parquet import ParquetPipeline
    from tests.test_pipelines import stats

    with pytest.raises(ValueError, match="not a safe name"):
        ParquetPipeline(tmp_path, "../../x", "2026-11-26", stats())
    assert not list(tmp_path.parent.parent.glob("x*"))
