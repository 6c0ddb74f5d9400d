"""A synthetic replay corpus of N articles built from the fixture templates.

Each article fixture under `omskcrawl/sample/sites/<spider>/` becomes a template: its title,
lead, body paragraphs, publication date and URL are replaced by placeholders, and a template is
kept only if a page filled from it extracts (through the site's own spider) to exactly what was
filled in. Articles then get generated titles, leads and bodies, publication days spread at
`PER_DAY` articles a day, their own URLs (the template URL with a new id), and ~10 % of them are
planted cross-source duplicates: the same press release reposted by another outlet within hours,
under a reworded headline. Each site gets an RSS feed (or a sitemap when it has no feed) listing
its articles; everything is written to one gzipped WARC, as a live capture would be.

    .venv/bin/python benchmarks/synthetic_corpus.py 2000 /tmp/corpus-2000

The corpus is deterministic for (count, seed, template files): `corpus_key` names it.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import logging
import random
import re
import sys
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from benchmarks.bench_dedup import OBJ as OBJ_SHORT
from benchmarks.bench_dedup import WHAT as WHAT_SHORT
from benchmarks.bench_dedup import WHERE as WHERE_SHORT
from benchmarks.bench_dedup import WHO as WHO_SHORT
from omskcrawl.fixtures import SAMPLE_ROOT, Fixture, iter_fixtures
from omskcrawl.spiders.base import NewsSpider

GENERATOR_VERSION = "2"
PER_DAY = 300  # articles a day over all sites: the 3-day dedup window holds ~900
DUPLICATE_SHARE = 0.10
START = datetime(2024, 3, 1, tzinfo=UTC)

# fmt: off
MONTHS_GEN = ["января", "февраля", "марта", "апреля", "мая", "июня", "июля", "августа", "сентября",
    "октября", "ноября", "декабря"]

# ---------------------------------------------------------------------------------- texts

# The headline words of the dedup benchmark, and more of them.
WHO = [*WHO_SHORT, "горсовет", "Омскэлектро", "ОмскВодоканал", "департамент транспорта",
    "Росгвардия", "Минздрав региона", "Омский госуниверситет", "СК", "Омская епархия", "ОТП",
    "Газпром нефть", "Минсельхоз", "губернатор", "вице-мэр", "депутаты", "Следственный комитет"]
WHAT = [*WHAT_SHORT, "показал", "представил", "закупит", "модернизирует", "расширит", "осмотрел",
    "благоустроит", "приостановил"]
OBJ = [*OBJ_SHORT, "библиотеку", "музей", "рынок", "сквер", "переход", "развязку", "больницу",
    "автобусный маршрут", "водовод", "общежитие", "каток", "фонтан", "пляж", "зоопарк", "театр"]
WHERE = [*WHERE_SHORT, "в Калачинске", "в Тюкалинске", "в Марьяновке", "в Москаленках",
    "на Заозерной", "в Куйбышевском районе", "в Омском районе", "в Старом Кировске", "на Московке",
    "в Черлаке", "в Муромцеве"]
SUBJECT = ["Работы", "Подрядчик", "Администрация", "Жители", "Специалисты", "Комиссия", "Эксперты",
    "Депутаты", "Чиновники", "Строители", "Проектировщики", "Волонтеры", "Инспекторы",
    "Энергетики", "Коммунальщики"]
ACTION = ["завершат до конца", "начнут в начале", "обсудят в середине", "проверят к концу",
    "оплатят в", "представят в", "согласуют до", "примут в конце", "рассмотрят в",
    "обещают закончить в"]
PERIOD = ["года", "месяца", "квартала", "лета", "осени", "зимы", "весны", "сезона",
    "первого полугодия", "следующей недели"]
DETAIL = ["отремонтировано", "заменено", "установлено", "проверено", "высажено", "построено",
    "закуплено", "вывезено", "подключено", "обследовано", "восстановлено", "демонтировано",
    "отмечено", "проложено"]
THING = ["метров труб", "светильников", "деревьев", "остановок", "квартир", "домов", "машин",
    "скамеек", "камер", "километров сетей", "пешеходных переходов", "светофоров", "датчиков",
    "контейнерных площадок"]
SAID = ["сообщили в пресс-службе", "рассказали в ведомстве", "уточнили в мэрии",
    "пояснили в министерстве", "отметили в региональном правительстве",
    "заявили в администрации округа", "добавили в управлении", "подчеркнули в департаменте"]
# fmt: on


def _pick(rng: random.Random, words: list[str]) -> str:
    return words[rng.randrange(len(words))]


def headline(rng: random.Random) -> str:
    """A generated headline; a number in about half of them (numbers veto other news)."""
    text = f"{_pick(rng, WHO)} {_pick(rng, WHAT)} {_pick(rng, OBJ)} {_pick(rng, WHERE)}"
    roll = rng.random()
    if roll < 0.3:
        text += f" за {rng.randint(2, 900)} млн рублей"
    elif roll < 0.5:
        text += f" к {rng.randint(1, 28)} {_pick(rng, MONTHS_GEN)}"
    return text[0].upper() + text[1:]


def reworded(title: str, rng: random.Random) -> str:
    """Another outlet's headline of the same news: the place first, or the words reordered."""
    words = title.split()
    if rng.random() < 0.5:
        return " ".join(words[2:] + words[:2]).capitalize()
    return "Омск: " + title[0].lower() + title[1:]


def sentence(rng: random.Random) -> str:
    """One body sentence; each has several random slots and a number, so two bodies share a
    sentence only when one reposts the other."""
    kind = rng.randrange(4)
    if kind == 0:
        return (
            f"{_pick(rng, SUBJECT)} {_pick(rng, ACTION)} {_pick(rng, PERIOD)}, "
            f"на это направят {rng.randint(2, 990)} млн рублей, {_pick(rng, SAID)}."
        )
    if kind == 1:
        return (
            f"За {rng.randint(2, 11)} месяцев {_pick(rng, WHERE)} {_pick(rng, DETAIL)} "
            f"{rng.randint(12, 4800)} {_pick(rng, THING)}, {_pick(rng, SAID)}."
        )
    if kind == 2:
        return (
            f"{_pick(rng, WHO).capitalize()} {_pick(rng, WHAT)} {_pick(rng, OBJ)} "
            f"{_pick(rng, WHERE)} и {_pick(rng, WHAT)} {_pick(rng, OBJ)} "
            f"{_pick(rng, WHERE)} ещё в {rng.randint(2005, 2023)} году."
        )
    return (
        f"По словам {rng.choice(['руководителя', 'главы', 'заместителя', 'специалиста'])} "
        f"{rng.choice(['ведомства', 'округа', 'управления', 'комитета', 'штаба'])}, "
        f"{_pick(rng, SUBJECT).lower()} {_pick(rng, ACTION)} {_pick(rng, PERIOD)}, "
        f"а {_pick(rng, OBJ)} {_pick(rng, WHERE)} откроют после {rng.randint(2, 40)} проверок."
    )


def paragraphs(rng: random.Random) -> list[str]:
    return [
        " ".join(sentence(rng) for _ in range(rng.randint(1, 3))) for _ in range(rng.randint(3, 7))
    ]


def fitted(body: list[str], slots: int, rng: random.Random) -> list[str]:
    """`body` as exactly `slots` paragraphs: the tail joined into the last, or new ones added."""
    body = list(body)
    while len(body) < slots:
        body.append(sentence(rng))
    return [*body[: slots - 1], " ".join(body[slots - 1 :])]


# ---------------------------------------------------------------------------------- templates


def _date_formats(local: datetime, utc: datetime) -> list[tuple[str, str]]:
    """(name, text) of the ways a page may print its date, longest first."""
    month = MONTHS_GEN[local.month - 1]
    forms = {
        "iso_local_s": local.isoformat(),
        "iso_local_ms": local.strftime("%Y-%m-%dT%H:%M:%S.000") + local.strftime("%z"),
        "iso_local_z": local.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "iso_utc_z": utc.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "iso_utc": utc.isoformat(),
        "rfc": format_datetime(local),
        "ymd_hms": local.strftime("%Y-%m-%d %H:%M:%S"),
        "ymd_hm": local.strftime("%Y-%m-%d %H:%M"),
        "ymdT_hm": local.strftime("%Y-%m-%dT%H:%M"),
        "ru_long_year": f"{local.day} {month} {local.year} года",
        "ru_long": f"{local.day} {month} {local.year}",
        "dmy": local.strftime("%d.%m.%Y"),
        "dmy2": local.strftime("%d.%m.%y"),
        "ymd": local.strftime("%Y-%m-%d"),
        "ymd_slash": local.strftime("%Y/%m/%d"),
        "ru_day_month": f"{local.day} {month}",
        "unix_ms": str(int(utc.timestamp() * 1000)),
    }
    return sorted(forms.items(), key=lambda kv: -len(kv[1]))


def _url_forms(url: str) -> list[str]:
    _scheme, _, rest = url.partition("://")
    bare = rest[4:] if rest.startswith("www.") else rest
    forms = {f"{s}://{h}{bare}" for s in ("https", "http") for h in ("", "www.")}
    path = "/" + bare.partition("/")[2]
    if len(path) > 8:
        forms.add(path)
    for form in list(forms):
        forms.add(form.rstrip("/"))
    return sorted(forms, key=len, reverse=True)


_ID_RE = re.compile(r"\d{4,}")


def new_url(url: str, number: int, old_day: datetime, day: datetime) -> str:
    """The template URL for another article: the date moved, the id (or the slug) unique."""
    for fmt in ("%Y/%m/%d", "%Y-%m-%d"):
        url = url.replace(old_day.strftime(fmt), day.strftime(fmt))
    scheme, _, rest = url.partition("://")
    host, _, path = rest.partition("/")
    ids = [m for m in _ID_RE.finditer(path) if not (1990 <= int(m.group()) <= 2100)]
    if ids:
        last = ids[-1]
        width = len(last.group())
        fresh = str(10 ** (width - 1) + number).zfill(width)
        path = path[: last.start()] + fresh + path[last.end() :]
    else:
        stem = path.rstrip("/")
        suffix = path[len(stem) :]
        if stem.endswith(".html"):
            path = f"{stem[:-5]}-{number}.html{suffix}"
        else:
            path = f"{stem}-{number}{suffix}"
    return f"{scheme}://{host}/{path}"


@dataclass
class Template:
    spider: type[NewsSpider]
    fixture: Fixture
    text: str  # the page with placeholders
    encoding: str
    local_time: datetime  # publication time of the original, in the site's zone
    capture_delay: timedelta  # capture time minus publication time
    paragraphs: int  # body paragraph slots

    @property
    def name(self) -> str:
        return self.fixture.name


def _escapes(value: str) -> list[tuple[str, str]]:
    """(form, text) of a string as pages embed it: raw, HTML-escaped, JSON-escaped."""
    out = [
        ("json_ascii", json.dumps(value)[1:-1]),
        ("json", json.dumps(value, ensure_ascii=False)[1:-1]),
        ("html", html.escape(value)),
        ("html_noquote", html.escape(value, quote=False)),
        ("raw", value),
    ]
    seen: set[str] = set()
    unique = []
    for form, text in out:
        if text not in seen:
            seen.add(text)
            unique.append((form, text))
    return unique


def _fill_escaped(value: str, form: str) -> str:
    if form == "json_ascii":
        return json.dumps(value)[1:-1]
    if form == "json":
        return json.dumps(value, ensure_ascii=False)[1:-1]
    if form == "html":
        return html.escape(value)
    if form == "html_noquote":
        return html.escape(value, quote=False)
    return value


_GAP = r"(?:\s|&nbsp;|&#160;|\xa0|<[^<>]+>)+"
_ENTITIES = {"«": "&laquo;", "»": "&raquo;", "—": "&mdash;", "–": "&ndash;", '"': "&quot;"}


def _loose(value: str) -> re.Pattern[str]:
    """`value` as a page may spell it: entities, non-breaking spaces, inline tags between words."""
    words = []
    for word in value.split():
        chars = "".join(
            f"(?:{re.escape(c)}|{_ENTITIES[c]})" if c in _ENTITIES else re.escape(c) for c in word
        )
        words.append(chars)
    return re.compile(_GAP.join(words))


def _mark(text: str, value: str, slot: str) -> tuple[str, int]:
    found = 0
    for form, escaped in _escapes(value):
        if escaped and escaped in text:
            found += text.count(escaped)
            text = text.replace(escaped, f"@@{slot}|{form}@@")
    text, more = _loose(value).subn(f"@@{slot}|raw@@", text)  # spelled otherwise elsewhere
    return text, found + more


def make_template(spider: type[NewsSpider], fixture: Fixture) -> Template | str:
    """The fixture page with placeholders, or why it cannot be one."""
    expected = fixture.expected()
    if not expected or not expected.get("title") or not expected.get("published_at"):
        return "no expected title or date"
    response = fixture.response()
    text, encoding = response.text, response.encoding  # type: ignore[attr-defined]
    for url in _url_forms(fixture.url) + _url_forms(expected["url"]):
        text = text.replace(url, "@@URL@@" if "://" in url else "@@PATH@@")
    text, found = _mark(text, expected["title"], "TITLE")
    if not found:
        return "title not in the page"
    if expected.get("lead"):
        text, found = _mark(text, expected["lead"], "LEAD")
        if not found:
            return "lead not in the page"
    body = expected.get("body") or ""
    parts = [p for p in body.split("\n\n") if p.strip()]
    if not parts:
        return "no body"
    for n, part in enumerate(parts):
        text, found = _mark(text, part, f"P{n}")
        if not found:
            return f"body paragraph {n} not in the page: {part[:50]!r}"
    published = datetime.fromisoformat(expected["published_at"].replace("Z", "+00:00"))
    local = published.astimezone(ZoneInfo(spider.timezone))
    for name, form in _date_formats(local, published):
        text = text.replace(form, f"@@DATE|{name}@@")
    delay = fixture.crawl_time - published.astimezone(UTC)
    return Template(spider, fixture, text, encoding, local, delay, len(parts))


@dataclass
class Article:
    number: int
    template: Template
    url: str
    title: str
    lead: str
    body: list[str]
    published: datetime  # UTC
    duplicate_of: str | None = None  # the URL whose press release this one reposts

    @property
    def captured(self) -> datetime:
        return self.published + self.template.capture_delay

    def page(self) -> bytes:
        local = self.published.astimezone(ZoneInfo(self.template.spider.timezone))
        dates = dict(_date_formats(local, self.published))
        path = "/" + self.url.partition("://")[2].partition("/")[2]
        parts = dict(enumerate(self.body))

        def fill(match: re.Match[str]) -> str:
            slot, _, form = match.group(1).partition("|")
            if slot == "URL":
                return self.url
            if slot == "PATH":
                return path
            if slot == "DATE":
                return dates[form]
            if slot == "TITLE":
                return _fill_escaped(self.title, form)
            if slot == "LEAD":
                return _fill_escaped(self.lead, form)
            return _fill_escaped(parts[int(slot[1:])], form)

        return _SLOT_RE.sub(fill, self.template.text).encode(self.template.encoding)


_SLOT_RE = re.compile(r"@@([A-Z0-9]+(?:\|[a-z0-9_]+)?)@@")


def published_on(template: Template, days: int) -> datetime:
    """The template's own local time of day on START + `days`: whole days only, so a page
    saying «сегодня, 10:15» stays true against its capture time."""
    day = START + timedelta(days=days)
    local = template.local_time
    return datetime(
        day.year, day.month, day.day, local.hour, local.minute, local.second,
        tzinfo=local.tzinfo,
    ).astimezone(UTC)  # fmt: skip


def _article(template: Template, number: int, published: datetime, rng: random.Random) -> Article:
    body = fitted(paragraphs(rng), template.paragraphs, rng)
    day = published.astimezone(ZoneInfo(template.spider.timezone))
    url = new_url(template.fixture.url, number, template.local_time, day)
    return Article(number, template, url, headline(rng), sentence(rng), body, published)


def _check(template: Template, article: Article) -> str | None:
    """Why a page filled from the template does not extract to what was filled in, if so."""
    from scrapy import Request
    from scrapy.http import HtmlResponse

    from omskcrawl.spiders.base import CAPTURED_AT

    crawler = get_crawler(template.spider, {"OMSKCRAWL_RUN_ID": "bench"})
    spider = template.spider.from_crawler(crawler)
    if not spider.is_article_url(article.url):
        return f"URL {article.url} is not an article URL of {spider.name}"
    response = HtmlResponse(
        article.url,
        body=article.page(),
        headers=template.fixture.headers,
        encoding=template.encoding,
        request=Request(article.url, meta={CAPTURED_AT: article.captured}),
    )
    items = list(spider.parse_article(response))
    if len(items) != 1:
        return "no item"
    item = items[0]
    if item.get("title") != article.title:
        return f"title {item.get('title')!r}"
    if item.get("lead") not in (None, "", article.lead):
        return f"lead {item.get('lead')!r}"
    if item.get("published_at") != article.published:
        return f"published_at {item.get('published_at')} != {article.published}"
    body = item.get("body") or ""
    if not all(p in body for p in article.body) or any(
        p in body for p in (template.fixture.expected() or {}).get("body", "").split("\n\n")
    ):
        return "body"
    return None


def load_templates(root: Path = SAMPLE_ROOT) -> tuple[list[Template], list[str]]:
    """Templates that extract faithfully, and why the others were left out."""
    loader = SpiderLoader.from_settings(get_project_settings())
    # Template pages lack some optional fields (tags, authors); their warnings say nothing here.
    logging.disable(logging.WARNING)
    templates, skipped = [], []
    rng = random.Random(0)
    for fixture in iter_fixtures(root):
        if fixture.kind != "article" or fixture.spider not in loader.list():
            continue
        spider = loader.load(fixture.spider)
        template = make_template(spider, fixture)
        if isinstance(template, str):
            skipped.append(f"{fixture.name}: {template}")
            continue
        problem = None
        for n in range(3):  # a few fills: other ids, other days, other lengths
            when = published_on(template, 17 * n + 3)
            problem = _check(template, _article(template, 900 + n, when, rng))
            if problem:
                break
        if problem:
            skipped.append(f"{fixture.name}: {problem}")
        else:
            templates.append(template)
    logging.disable(logging.NOTSET)
    return templates, skipped


def templates_digest(root: Path = SAMPLE_ROOT) -> str:
    digest = hashlib.sha256(GENERATOR_VERSION.encode())
    for path in sorted(root.glob("*/article*/*")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def corpus_key(count: int, seed: int) -> str:
    return f"n{count}-s{seed}-t{templates_digest()}"


# ---------------------------------------------------------------------------------- corpus


def generate(count: int, seed: int, templates: list[Template]) -> list[Article]:
    rng = random.Random(seed)
    by_site: dict[str, list[Template]] = {}
    for template in templates:
        by_site.setdefault(template.spider.name, []).append(template)
    sites = sorted(by_site)
    articles: list[Article] = []
    for number in range(count):
        site = sites[rng.randrange(len(sites))]
        template = by_site[site][rng.randrange(len(by_site[site]))]
        published = published_on(template, number // PER_DAY)
        article = _article(template, number, published, rng)
        others = [a for a in articles[-60:] if a.template.spider.name != site]
        if others and rng.random() < DUPLICATE_SHARE:
            source = others[rng.randrange(len(others))]
            article.title = reworded(source.title, rng)
            body = [sentence(rng), *source.body[1:]]
            article.body = fitted(body, template.paragraphs, rng)
            article.duplicate_of = source.url
        articles.append(article)
    return articles


def _rss(articles: list[Article]) -> bytes:
    items = "".join(
        f"<item><title>{xml_escape(a.title)}</title><link>{xml_escape(a.url)}</link>"
        f"<guid>{xml_escape(a.url)}</guid><pubDate>{format_datetime(a.published)}</pubDate>"
        "</item>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<rss version="2.0"><channel>'
        f"<title>news</title>\n{items}</channel></rss>\n"
    ).encode()


def _sitemap(articles: list[Article]) -> bytes:
    urls = "".join(
        f"<url><loc>{xml_escape(a.url)}</loc><lastmod>{a.published.isoformat()}</lastmod></url>\n"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{urls}</urlset>\n"
    ).encode()


def discovery_pages(articles: list[Article]) -> list[tuple[str, bytes, str, datetime]]:
    """(url, body, content type, capture time) of each site's feed or sitemap."""
    by_site: dict[str, list[Article]] = {}
    spiders: dict[str, type[NewsSpider]] = {}
    for article in articles:
        by_site.setdefault(article.template.spider.name, []).append(article)
        spiders[article.template.spider.name] = article.template.spider
    pages = []
    for name, site in sorted(by_site.items()):
        spider = spiders[name]
        last = max(a.captured for a in site)
        if spider.feeds:
            pages.append((spider.feeds[0], _rss(site), "application/rss+xml", last))
        else:
            pages.append((spider.sitemaps[0], _sitemap(site), "application/xml", last))
    return pages


def _record(writer: WARCWriter, url: str, body: bytes, content_type: str, when: datetime) -> None:
    headers = [("Content-Type", content_type), ("Content-Length", str(len(body)))]
    http = StatusAndHeaders("200 OK", headers, protocol="HTTP/1.1")
    record = writer.create_warc_record(
        url,
        "response",
        payload=BytesIO(body),
        http_headers=http,
        warc_headers_dict={"WARC-Date": when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")},
    )
    writer.write_record(record)


def build(count: int, out: Path, seed: int = 13) -> dict[str, Any]:
    """Write `out/corpus.warc.gz` and `out/corpus.json` (what was planted); returns the latter."""
    templates, skipped = load_templates()
    articles = generate(count, seed, templates)
    out.mkdir(parents=True, exist_ok=True)
    tmp = out / ".corpus.warc.gz.tmp"
    with open(tmp, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for url, body, content_type, when in discovery_pages(articles):
            _record(writer, url, body, content_type, when)
        for article in articles:
            content_type = article.template.fixture.headers.get(
                "Content-Type", f"text/html; charset={article.template.encoding}"
            )
            _record(writer, article.url, article.page(), content_type, article.captured)
    tmp.replace(out / "corpus.warc.gz")
    spiders = sorted({a.template.spider.name for a in articles})
    start_urls = sorted({url for t in templates for url, _ in t.spider().start_urls_all()})
    info = {
        "key": corpus_key(count, seed),
        "count": count,
        "seed": seed,
        "templates": sorted(t.name for t in templates),
        "skipped_templates": skipped,
        "spiders": spiders,
        "start_urls": start_urls,
        "articles": [
            {
                "url": a.url,
                "title": a.title,
                "published_at": a.published.isoformat(),
                "duplicate_of": a.duplicate_of,
            }
            for a in articles
        ],
    }
    (out / "corpus.json").write_text(json.dumps(info, ensure_ascii=False, indent=1), "utf-8")
    return info


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()
    info = build(args.count, args.out, args.seed)
    planted = sum(1 for a in info["articles"] if a["duplicate_of"])
    print(
        f"{info['count']} articles ({planted} planted duplicates) from "
        f"{len(info['templates'])} templates over {len(info['spiders'])} sites "
        f"-> {args.out / 'corpus.warc.gz'}"
    )
    for line in info["skipped_templates"]:
        print("  template left out:", line)


if __name__ == "__main__":
    main()
