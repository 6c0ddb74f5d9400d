"""Cost of hostile pages against a normal one, through the whole per-page path.

Run from the repository root:

    .venv/bin/python benchmarks/bench_hostile.py

Each page goes through what a crawl does with it: the spider's page checks and
extraction (`parse_article`), validation, and for an article the dedup pipeline
with the same-story model (headline vector, candidates, comparison). Printed: the
seconds per page and the ratio to the normal article, measured in one process.
A ratio of a few (not thousands) is the point: no page costs more than a bound.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse, Request
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from omskcrawl.dedup.state import open_state
from omskcrawl.pipelines.dedup import DedupPipeline
from omskcrawl.pipelines.validate import ValidationPipeline
from omskcrawl.spiders.omskinform import OmskinformSpider

PARAS = "".join(
    f"<p>Абзац {n}: в Омске продолжается ремонт моста через Иртыш, движение ограничено.</p>"
    for n in range(8)
)


def page(title: str, body: str = PARAS, head: str = "") -> bytes:
    return (
        f'<html><head><meta charset="utf-8"><title>{title}</title>{head}</head><body><article>'
        f'<div class="n_news_one"><h1 class="n_cap_lnk_one">{title}</h1>'
        f'<div class="n_date">20.11.24 11:40</div><div class="n_text_lnk">{body}</div>'
        "</div></article></body></html>"
    ).encode()


PAGES = {
    "normal article": page("Мост через Иртыш закрыли на ремонт", PARAS + "<p>Обычная.</p>"),
    "10 KB title": page("Длинный заголовок " * 560),
    "1 MB title": page("Длинный заголовок " * 56_000),
    "40,000-char title": page("Мост через Иртыш закрыли " * 1600),
    "markup 3,000 deep": page("Глубина", body="<div>" * 3000 + PARAS + "</div>" * 3000),
    "JSON-LD 5,000 digits": page(
        "Мост через Иртыш",
        head='<script type="application/ld+json">{"n":' + "9" * 5000 + "}</script>",
    ),
    "JSON-LD 1,500 deep": page(
        "Автобус пустили",
        head='<script type="application/ld+json">' + "[" * 1500 + "]" * 1500 + "</script>",
    ),
    "3.9 MiB page": page("Большая страница", body=PARAS + "<p>" + "текст " * 340_000 + "</p>"),
}


def main() -> None:
    folder = Path(tempfile.mkdtemp())
    crawler = get_crawler(OmskinformSpider, {"OMSKCRAWL_EXPORT_DIR": str(folder)})
    spider = OmskinformSpider.from_crawler(crawler)
    stats = MemoryStatsCollector(crawler)
    validate = ValidationPipeline(stats)
    state = open_state("sqlite", root=folder, redis_url="", prefix="b")
    dedup = DedupPipeline(state, stats)
    costs = {}
    warm_up = page("Пожар потушили", PARAS + "<p>Прогрев модели.</p>")  # the model loads once
    for n, (name, body) in enumerate([("warm-up", warm_up), *PAGES.items()]):
        url = f"https://www.omskinform.ru/news/{n}"
        response = HtmlResponse(url, body=body, request=Request(url), encoding="utf-8")
        start = time.perf_counter()
        outcome = "written"
        for item in spider.parse_article(response):
            try:
                dedup.process_item(validate.process_item(item))
            except DropItem as e:
                outcome = str(e)[:60]
        costs[name] = (time.perf_counter() - start, outcome)
    base = costs["normal article"][0]
    print(f"{'page':<28} {'seconds':>8} {'ratio':>7}  outcome")
    for name, (seconds, outcome) in costs.items():
        if name != "warm-up":
            print(f"{name:<28} {seconds:8.3f} {seconds / base:7.1f}  {outcome}")
    state.close()


if __name__ == "__main__":
    main()
