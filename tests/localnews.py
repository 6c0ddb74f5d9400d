"""A local news site on 127.0.0.1 for crawl fault tests, and spiders that crawl it.

Pages follow omskinform.ru's 2018 markup (shared/realpages/SITES.md §2: article
`.n_news_one` with `h1.n_cap_lnk_one`, `.n_date` 'dd.mm.yy HH:MM', the schema.org
NewsArticle `.n_text_lnk` body), served as UTF-8; they are reconstructions, not
captures. Each test sets the routes it needs; faults (status codes, delays, bytes)
are injected per path.
"""

from __future__ import annotations

import contextlib
import itertools
import textwrap
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.runs import Ran, scrapy

TOPICS = (
    ("ремонт теплотрассы на улице", "АО «Омск РТС» меняет трубы, движение ограничено"),
    ("открытие катка в парке", "каток работает с 10:00 до 22:00, прокат коньков платный"),
    ("пожар в частном доме", "огонь потушили за 40 минут, пострадавших нет"),
    ("новый автобусный маршрут", "автобусы пойдут каждые 15 минут с понедельника"),
    ("ремонт поликлиники", "капитальный ремонт закончат к марту, приём ведут в соседнем корпусе"),
)


def article_page(site: str, n: int) -> bytes:
    """An article page in omskinform markup; distinct text per (site, n)."""
    topic, detail = TOPICS[n % len(TOPICS)]
    title = f"В Омске {topic} № {n} ({site})"
    paragraphs = "".join(
        f"<p>{sentence}</p>"
        for sentence in (
            f"Сообщение {site} номер {n}: в Омске {topic}.",
            f"Как уточнили в мэрии, {detail}.",
            f"Подробности о событии {n} публикуются на официальном сайте администрации города.",
        )
    )
    return textwrap.dedent(f"""\
        <!DOCTYPE html>
        <html lang="ru"><head><meta charset="utf-8"><title>{title} - Омск-информ</title></head>
        <body><div class="c_main"><div class="c_left"><article>
         <div class="n_news_one" itemscope itemtype="http://schema.org/NewsArticle">
          <div class="n_rubric"><a href="/communitie">Общество</a></div>
          <h1 class="n_cap_lnk_one" itemprop="headline">{title}</h1>
          <div class="n_date">  20.11.24 {10 + n % 10}:{n % 60:02d}  </div>
          <div class="n_text_lnk" itemprop="articleBody">{paragraphs}</div>
          <div class="n_tags">Теги: <a href="/tags/1">Омск</a></div>
         </div>
        </article></div></div></body></html>
        """).encode("utf-8")


def feed(base: str, site: str, numbers: range) -> bytes:
    items = "".join(
        f"<item><title>Новость {n}</title><link>{base}/{site}/news/{n}</link>"
        f"<pubDate>Wed, 20 Nov 2024 0{n % 10}:00:00 +0600</pubDate></item>"
        for n in numbers
    )
    return (
        f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>{site}</title>{items}</channel></rss>"
    ).encode()


_MODULES = itertools.count(1)


@dataclass
class Route:
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    reset: bool = False  # close the connection without an answer
    then: Route | None = None  # what the path answers after this, once served


class LocalNews:
    """Routes by path; `seen` lists the paths asked for, in order."""

    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.seen: list[str] = []
        self.times: list[tuple[str, float]] = []  # (path, monotonic time) of each request
        self.base = ""

    def add_site(self, site: str, count: int, delay: float = 0.0) -> None:
        self.routes[f"/{site}/rss"] = Route(
            content_type="application/rss+xml", body=feed(self.base, site, range(count))
        )
        for n in range(count):
            self.routes[f"/{site}/news/{n}"] = Route(body=article_page(site, n), delay=delay)


@contextmanager
def serve(robots: bytes = b"User-agent: *\nAllow: /\n") -> Iterator[LocalNews]:
    news = LocalNews()

    class Handler(BaseHTTPRequestHandler):
        def handle(self) -> None:
            # The crawler may give up on a slow answer (a timeout test).
            with contextlib.suppress(ConnectionError):
                super().handle()

        def do_GET(self) -> None:
            news.seen.append(self.path)
            news.times.append((self.path, time.monotonic()))
            if self.path == "/robots.txt" and self.path not in news.routes:
                route = Route(content_type="text/plain", body=robots)
            else:
                route = news.routes.get(self.path, Route(404, "text/plain", b"not found"))
            if route.then is not None:
                news.routes[self.path] = route.then
            if route.delay:
                time.sleep(route.delay)
            if route.reset:
                self.close_connection = True
                return
            self.send_response(route.status)
            self.send_header("Content-Type", route.content_type)
            self.send_header("Content-Length", str(len(route.body)))
            for name, value in route.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(route.body)

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    news.base = f"http://127.0.0.1:{server.server_port}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield news
    finally:
        server.shutdown()
        server.server_close()


def write_spiders(
    folder: Path, base: str, sites: list[str], bases: dict[str, str] | None = None
) -> str:
    """A spider module (one omskinform-shaped spider per site) in `folder`; its name.

    `bases` gives a site another server than `base`.
    """
    bases = bases or {}
    classes = "".join(
        textwrap.dedent(f"""
        class Site{i}(OmskinformSpider):
            name = "{site}"
            allowed_domains = ["127.0.0.1"]
            feeds = ("{bases.get(site, base)}/{site}/rss",)
            listings = ()
            article_url = r"/{site}/news/\\d+$"
        """)
        for i, site in enumerate(sites)
    )
    module = f"localnews_spiders_{next(_MODULES)}"  # unique: crawls in one process import it
    (folder / f"{module}.py").write_text(
        "from omskcrawl.spiders.omskinform import OmskinformSpider\n" + classes, "utf-8"
    )
    return module


ROOT = Path(__file__).parent.parent
FAST = {"DOWNLOAD_DELAY": "0", "AUTOTHROTTLE_ENABLED": "False", "OMSKCRAWL_DEDUP_STORIES": "False"}


def scrapy_args(module: str, exports: Path, *args: str, **settings: object) -> list[str]:
    """`scrapy ...` arguments over the local spiders, with quick settings."""
    options = {
        "SPIDER_MODULES": module,
        "OMSKCRAWL_EXPORT_DIR": str(exports),
        **FAST,
        **{k: str(v) for k, v in settings.items()},
    }
    command = [*args, "-L", "WARNING"]
    for name, value in options.items():
        command += ["-s", f"{name}={value}"]
    return command


def run_scrapy(
    spiders_dir: Path, module: str, exports: Path, *args: str, **settings: object
) -> Ran:
    """`scrapy ARGS...` in this process (tests/runs.py) over the local spiders, quick settings."""
    return scrapy(*scrapy_args(module, exports, *args, **settings), spiders_dir=spiders_dir)
