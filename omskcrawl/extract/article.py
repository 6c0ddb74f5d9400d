"""Extraction in layers: structured data, then site selectors, then generic.

`extract_article` is the one path from an HTML page to an `ArticleItem`; it is
used by every spider, by `scrapy extract` and by `scrapy sitecheck`.

The publication date is decided in `extract/dates.py` (value, raw text, source).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector
from parsel.selector import create_root_node

from omskcrawl.extract.dates import by_rank, choose_date, publication_date
from omskcrawl.extract.generic import extract_body, visible_dates
from omskcrawl.extract.site import GENERIC, ArticleSelectors, read_site, texts
from omskcrawl.extract.structured import DateCandidate, Structured, read_structured
from omskcrawl.items import ArticleItem
from omskcrawl.loader import ArticleLoader
from omskcrawl.normalize import (
    canonical_url,
    clean_title,
    collapse_ws,
    content_hash,
    word_count,
)
from omskcrawl.normalize.text import fold_key
from omskcrawl.normalize.urls import PathRewrites, web_url

ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|xlsx?|rtf|odt|ods|zip|rar|7z)(?:$|[?#])", re.I)


class _PageParser(lxml_html.HTMLParser):
    """lxml's HTML parser whose elements are all `HtmlElement`, chosen in C.

    lxml.html picks each element's class in a Python method (forms and inputs get their
    own); the layers here and trafilatura create thousands of element proxies a page, and
    none uses a form's class, so one class for all takes ~0.6 ms a page off extraction
    (same items on trafilatura's 990 eval pages; BENCHMARKS.md)."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.set_element_class_lookup(
            etree.ElementDefaultClassLookup(
                element=lxml_html.HtmlElement,
                comment=lxml_html.HtmlComment,
                pi=lxml_html.HtmlProcessingInstruction,
                entity=lxml_html.HtmlEntity,
            )
        )


def page_selector(text: str, url: str | None = None) -> Selector:
    """An article page parsed for `extract_article` (what `Selector(text=...)` gives, faster).

    >>> page_selector("<html><body><h1>Заголовок</h1></body></html>").css("h1::text").get()
    'Заголовок'
    """
    return Selector(root=create_root_node(text, _PageParser, base_url=url), type="html")


@dataclass(frozen=True)
class Hints:
    """What discovery knew before the page was fetched (feed/sitemap entry)."""

    published_raw: str | None = None
    modified_raw: str | None = None
    title: str | None = None


def _attachments(sel: Selector, base_url: str, scope: str | None) -> list[dict[str, str]]:
    """Document links in the article container (the whole page when it is unknown)."""
    area = sel.css(scope) if scope else None
    if not area:
        area = sel.xpath("//body")
    seen: set[str] = set()
    out = []
    # One XPath call picks the document links (lxml's EXSLT regex), and `.root.get` reads
    # the href without `attrib`, which raises on broken markup like `<a ="x">`.
    for link in area.xpath(
        ".//a[re:test(@href, $ext, 'i')]"
        "[not(ancestor::nav or ancestor::header or ancestor::footer)]",
        namespaces={"re": "http://exslt.org/regular-expressions"},
        ext=ATTACHMENT_RE.pattern,
    ):
        href = (link.root.get("href") or "").strip()
        absolute = web_url(href, base_url)
        if absolute is None or absolute in seen:
            continue
        seen.add(absolute)
        out.append({"url": absolute, "text": collapse_ws(link.root.text_content())})
    return out


def _undecorated(title: str, h1s: list[str]) -> str:
    """`title`, unless it is one of the page's h1s plus decoration (a site name around it).

    >>> _undecorated("Портал Правительства Омской области | Хоценко обсудил промышленность",
    ...              ["Портал", "Хоценко обсудил промышленность"])
    'Хоценко обсудил промышленность'
    >>> _undecorated("Хоценко обсудил промышленность", ["Главное"])
    'Хоценко обсудил промышленность'
    """
    key = fold_key(title)
    inside = [h for h in h1s if len(h) >= 15 and fold_key(h) in key and fold_key(h) != key]
    return max(inside, key=len) if inside else title


def _longest_segment(title: str | None) -> str | None:
    """The headline part of a `<title>`: its longest `|`/`::` segment (site names are short).

    >>> _longest_segment("Омская Губерния - Портал | Хоценко провел встречу с министром Алихановым")
    'Хоценко провел встречу с министром Алихановым'
    """
    if not title:
        return None
    return max(re.split(r"\s+(?:\||::)\s+", title), key=len)


def without_title(
    paragraphs: list[str], title: str | None, outlets: tuple[str, ...] = ()
) -> list[str]:
    """Drop the headline where a body container repeats it in its first lines.

    >>> without_title(["Хоценко обсудил", "Текст."], "Хоценко  обсудил")
    ['Текст.']
    """
    if not title:
        return paragraphs
    key = fold_key(title)
    # A paragraph far longer than the headline cannot repeat it (and is costly to clean).
    head = [
        p
        for p in paragraphs[:3]
        if len(p) > 3 * len(title) + 100 or fold_key(clean_title(p, outlets) or "") != key
    ]
    return head + paragraphs[3:]


def extract_article(
    html: str | Selector,
    *,
    url: str,
    now: datetime,
    tz: str = "Asia/Omsk",
    selectors: ArticleSelectors = GENERIC,
    hints: Hints | None = None,
    source: str | None = None,
    on_miss: Callable[[str], None] | None = None,
    outlets: tuple[str, ...] = (),
    print_views: PathRewrites = (),
) -> ArticleItem:
    """One article page → one item (without run fields: crawled_at, run_id, version).

    Orchestrates the layers, each value added to the one loader in order of trust:
    structured data (`structured.py`), the site's selectors (`site.py`), the generic
    layer (`generic.py`); the date is decided by `dates.py`. `on_miss(field)` is called
    for each declared site selector that matched nothing. `outlets` (names stripped from
    title suffixes) and `print_views` (path rewrites of the site's print/AMP views) are
    the site module's (`NewsSpider`); the generic layer knows no site.
    """
    sel = html if isinstance(html, Selector) else page_selector(html, url)
    root = sel.root if isinstance(sel.root, lxml_html.HtmlElement) else None
    base = sel.xpath("//base/@href").get() or url
    hints = hints or Hints()
    data: Structured = read_structured(sel)
    site = read_site(sel, selectors)
    if on_miss is not None:
        for name in site.missed:
            on_miss(name)
    loader = ArticleLoader(item=ArticleItem(authors=[], tags=[], attachments=[]), outlets=outlets)

    # Title: structured data, then the site's selector, then h1, the feed, <title>. A
    # structured title that only decorates the h1 (`Портал … | <h1>`) gives way to the h1.
    h1s = texts(sel, "h1")
    loader.add_value("title", [_undecorated(t, h1s) for t in data.titles[:2]])
    loader.add_value("title", site.title)
    loader.add_value("title", h1s)
    loader.add_value("title", hints.title)
    loader.add_value("title", _longest_segment(sel.xpath("//title/text()").get()))

    loader.add_value("lead", site.lead)
    loader.add_value("lead", data.descriptions)

    paragraphs = site.body if site.body is not None else extract_body(sel, url)
    if not any(p.strip() for p in paragraphs) and data.body:
        paragraphs = data.body.split("\n")
    loader.add_value("body", without_title(paragraphs, loader.get_output_value("title"), outlets))

    loader.add_value("authors", data.authors or site.authors)
    if data.tags:
        loader.add_value("tags", data.tags)
    elif selectors.tags:
        loader.add_value("tags", site.tags)
    else:
        loader.add_value("tags", [k for raw in data.keywords for k in re.split(r"[,;]", raw)])
    loader.add_value("tag_keys", [fold_key(tag) for tag in loader.get_output_value("tags")])
    loader.add_value("section", data.sections)
    loader.add_value("section", site.section)
    images = data.images + site.images
    loader.add_value("image_url", [u for u in (web_url(i, base) for i in images) if u])
    loader.add_value("attachments", _attachments(sel, base, selectors.body))
    language = (data.language or "ru").split("-")[0].split("_")[0].lower()
    loader.add_value("language", language)

    decision = publication_date(
        data.published,
        shown=site.date if selectors.date else lambda: visible_dates(sel),
        from_selector=bool(selectors.date),
        feed_raw=hints.published_raw,
        url=url,
        now=now,
        tz=tz,
        root=root,
    )
    loader.add_value("published_at", decision.utc)
    loader.add_value("published_raw", decision.raw)
    loader.add_value("date_source", decision.source)
    modified = list(data.modified) + [DateCandidate(t, "text") for t in site.modified]
    if hints.modified_raw:
        modified.append(DateCandidate(hints.modified_raw, "feed"))
    loader.add_value("modified_at", choose_date(by_rank(modified), now=now, tz=tz, url=url).utc)

    canonical = next((c for c in data.canonical if c.strip()), None)
    loader.add_value("fetched_url", url)
    loader.add_value(
        "url",
        canonical_url(
            url,
            canonical=urljoin(base, canonical) if canonical else None,
            print_views=print_views,
        ),
    )
    loader.add_value("source", source)
    title, lead, body = (loader.get_output_value(f) for f in ("title", "lead", "body"))
    loader.add_value("word_count", word_count(body))
    loader.add_value("content_hash", content_hash(title, lead, body))
    return loader.load_item()


def item_to_json(item: ArticleItem | dict[str, Any]) -> dict[str, Any]:
    """JSON-ready dict: datetimes as ISO 8601 UTC with `Z`."""
    out: dict[str, Any] = {}
    for key, value in dict(item).items():
        if isinstance(value, datetime):
            out[key] = value.isoformat().replace("+00:00", "Z")
        elif hasattr(value, "isoformat"):
            out[key] = value.isoformat()
        else:
            out[key] = value
    return out
