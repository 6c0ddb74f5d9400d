"""A local news site of a few hundred articles on 127.0.0.1, for distributed crawls.

Generated, not captured: a sitemap index with child sitemaps (as the Omsk outlets publish
them) and article pages with JSON-LD `NewsArticle`, a headline, a `<time>` and a body. The
server counts hits per path, can hold its pages until the caller opens it (so that
every worker is up before the crawl starts), and delays article responses like a real
site does. Used by tests/test_distributed.py and
benchmarks/bench_distributed.py.
"""

from __future__ import annotations

import json
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

STREETS = ("Ленина", "Маркса", "Лукашевича", "Конева", "Богдана Хмельницкого", "Масленникова")
TOPICS = (
    ("отремонтировали дорогу", "Дорожники уложили новый асфальт и обновили разметку."),
    ("открыли сквер", "В сквере появились скамейки, освещение и детская площадка."),
    ("заменили трубы", "Коммунальщики переложили участок теплотрассы до начала сезона."),
    ("изменили маршрут автобуса", "Перевозчик объяснил изменения ремонтом на соседней улице."),
    ("провели субботник", "Жители и сотрудники управы убрали мусор и побелили деревья."),
)
SPIDER = """
from omskcrawl.spiders.base import NewsSpider


class FarmSpider(NewsSpider):
    name = "farm"
    allowed_domains = ["127.0.0.1"]
    sitemaps = ("{base}/sitemap.xml",)
    article_url = r"/news/\\d+"
"""


def article_path(n: int) -> str:
    return f"/news/{n}"


def article_html(n: int, base: str) -> bytes:
    street = STREETS[n % len(STREETS)]
    action, detail = TOPICS[n % len(TOPICS)]
    title = f"На улице {street} {action} (дом {n})"
    when = datetime(2026, 11, 1, 9, tzinfo=UTC) + timedelta(minutes=17 * n)
    body = [
        f"В Омске на улице {street} у дома {n} {action}, сообщили в мэрии.",
        detail,
        f"Работы у дома {n} заняли {n % 9 + 2} дней "
        f"и обошлись в {n * 13 % 900 + 100} тысяч рублей.",
        "Жители могут оставить отзыв о результатах на портале городской администрации.",
    ]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": when.isoformat(),
        "author": {"@type": "Person", "name": "Редакция"},
        "mainEntityOfPage": f"{base}{article_path(n)}",
    }
    paragraphs = "\n".join(f"<p>{p}</p>" for p in body)
    page = f"""<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>{title} — Новости Омска</title>
<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script></head>
<body><header><nav><a href="/">Главная</a> <a href="/news/">Новости</a></nav></header>
<article><h1>{title}</h1><time datetime="{when.isoformat()}">{when:%d.%m.%Y %H:%M}</time>
<div class="article-text">{paragraphs}</div></article>
<footer>© Новости Омска. Перепечатка с согласия редакции.</footer></body></html>"""
    return page.encode("utf-8")


def sitemap(urls: list[str], tag: str = "url") -> bytes:
    ns = 'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"'
    root = "sitemapindex" if tag == "sitemap" else "urlset"
    entries = "".join(f"<{tag}><loc>{u}</loc></{tag}>" for u in urls)
    return f'<?xml version="1.0" encoding="UTF-8"?><{root} {ns}>{entries}</{root}>'.encode()


@dataclass
class Farm:
    base: str
    articles: int
    hits: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    opened: threading.Event = field(default_factory=threading.Event)  # pages are served
    delay: float = 0.0

    def article_urls(self) -> list[str]:
        return [f"{self.base}{article_path(n)}" for n in range(1, self.articles + 1)]

    def article_hits(self) -> Counter[str]:
        with self.lock:
            return Counter({p: n for p, n in self.hits.items() if p.startswith("/news/")})

    def write_spider(self, folder: Path) -> str:
        """A spider module `farmsite` in `folder`; returns SPIDER_MODULES for it."""
        (folder / "farmsite.py").write_text(textwrap.dedent(SPIDER.format(base=self.base)))
        return "omskcrawl.spiders,farmsite"


CHILD_SITEMAPS = 3


def _handler(farm: Farm) -> type[BaseHTTPRequestHandler]:
    per_map = -(-farm.articles // CHILD_SITEMAPS)

    class Site(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            path = self.path
            with farm.lock:
                farm.hits[path] += 1
            if path != "/robots.txt":
                farm.opened.wait(timeout=120)
            body, ctype = self._page(path)
            self.send_response(404 if body is None else 200)
            self.send_header("Content-Type", ctype)
            payload = body or b"not found"
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        def _page(self, path: str) -> tuple[bytes | None, str]:
            if path == "/robots.txt":
                return b"User-agent: *\nAllow: /\n", "text/plain"
            if path == "/sitemap.xml":
                maps = [f"{farm.base}/sitemap-{i}.xml" for i in range(1, CHILD_SITEMAPS + 1)]
                return sitemap(maps, tag="sitemap"), "application/xml"
            if path.startswith("/sitemap-"):
                i = int(path.removeprefix("/sitemap-").removesuffix(".xml"))
                numbers = range((i - 1) * per_map + 1, min(i * per_map, farm.articles) + 1)
                return sitemap(
                    [f"{farm.base}{article_path(n)}" for n in numbers]
                ), "application/xml"
            if path.startswith("/news/"):
                n = int(path.removeprefix("/news/"))
                if 1 <= n <= farm.articles:
                    time.sleep(farm.delay)
                    return article_html(n, farm.base), "text/html; charset=utf-8"
            return None, "text/plain"

        def log_message(self, *args: object) -> None:
            pass

    return Site


@contextmanager
def serve(articles: int, *, held: bool = False, delay: float = 0.0) -> Iterator[Farm]:
    """The site; `held`: pages wait until `farm.opened` is set (robots.txt never waits)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    server.daemon_threads = True
    farm = Farm(f"http://127.0.0.1:{server.server_port}", articles, delay=delay)
    if not held:
        farm.opened.set()
    server.RequestHandlerClass = _handler(farm)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield farm
    finally:
        farm.opened.set()
        server.shutdown()
        server.server_close()


def worker_command(
    spider_modules: str, redis_url: str, prefix: str, exports: Path, *settings: str
) -> list[str]:
    """One distributed worker: `scrapy crawl farm` with the frontier in Redis."""
    import sys

    args = [sys.executable, "-m", "scrapy", "crawl", "farm"]
    for setting in (
        "OMSKCRAWL_DISTRIBUTED=True",
        f"OMSKCRAWL_REDIS_URL={redis_url}",
        f"OMSKCRAWL_REDIS_PREFIX={prefix}",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        f"SPIDER_MODULES={spider_modules}",
        "DOWNLOAD_DELAY=0",
        "AUTOTHROTTLE_ENABLED=False",
        "OMSKCRAWL_DEDUP_STORIES=False",  # same-story matching is not under test here
        "OMSKCRAWL_PROGRESS_BAR=off",
        *settings,
    ):
        args += ["-s", setting]
    return args


def wait_for_workers(redis_url: str, prefix: str, count: int, timeout: float = 120) -> None:
    """Until `count` workers of spider `farm` have a heartbeat key in Redis."""
    import redis

    client = redis.Redis.from_url(redis_url)
    deadline = time.monotonic() + timeout
    try:
        while len(list(client.scan_iter(match=f"{prefix}:farm:worker:*"))) < count:
            if time.monotonic() > deadline:
                raise TimeoutError(f"{count} workers did not start in {timeout} s")
            time.sleep(0.1)
    finally:
        client.close()
