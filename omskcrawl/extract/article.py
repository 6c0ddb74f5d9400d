"""Extraction in layers: structured data, then site selectors, then generic.

`extract_article` is the one path from an HTML page to an `ArticleItem`; it is
used by every spider, by `scrapy extract` and by `scrapy sitecheck`.

The publication date is decided in `extract/dates.py` (value, raw text, source).
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin

from lxml import html as lxml_html
from parsel import Selector

from omskcrawl.extract.dates import by_rank, choose_date, publication_date
from omskcrawl.extract.generic import extract_body, paragraphs_of, visible_dates
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
from omskcrawl.normalize.urls import web_url

ATTACHMENT_RE = re.compile(r"\.(pdf|docx?|xlsx?|rtf|odt|ods|zip|rar|7z)(?:$|[?#])", re.I)
DROP_IN_BODY = ("script", "style", "noscript", "iframe", "figure", "figcaption", "h1")


@dataclass(frozen=True)
class ArticleSelectors:
    """CSS selectors a site declares for what its structured data lacks.

    `body` selects the article container(s); `body_exclude` removes injects
    inside it; `tags` selects tag links (one tag each) or `#tag` text;
    `date` selects the visible date text.
    """

    title: str | None = None
    lead: str | None = None
    body: str | None = None
    body_exclude: tuple[str, ...] = ()
    date: str | None = None
    modified: str | None = None
    authors: str | None = None
    tags: str | None = None
    section: str | None = None
    image: str | None = None


GENERIC = ArticleSelectors()


@dataclass(frozen=True)
class Hints:
    """What discovery knew before the page was fetched (feed/sitemap entry)."""

    published_raw: str | None = None
    modified_raw: str | None = None
    title: str | None = None


def _texts(sel: Selector, css: str | None) -> list[str]:
    if not css:
        return []
    if "::" in css:
        return [t for t in sel.css(css).getall() if t.strip()]
    return [
        collapse_ws(" ".join(el.css("::text").getall()))
        for el in sel.css(css)
        if el.root is not None
    ]


def _body_paragraphs(sel: Selector, selectors: ArticleSelectors) -> list[str] | None:
    """Paragraphs from the site's body selector, or None when it has none or it misses."""
    if not selectors.body:
        return None
    found = sel.css(selectors.body)
    if not found:
        return None
    out: list[str] = []
    for node in found:
        root = node.root
        if not isinstance(root, lxml_html.HtmlElement):
            continue
        work = copy.deepcopy(root)
        for css in selectors.body_exclude:
            for el in Selector(root=work).css(css):
                if isinstance(el.root, lxml_html.HtmlElement) and el.root.getparent() is not None:
                    el.root.drop_tree()
        for el in list(work.iter(*DROP_IN_BODY)):
            el.drop_tree()
        out += paragraphs_of(work)
    return out


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


def without_title(paragraphs: list[str], title: str | None) -> list[str]:
    """Drop the headline where a body container repeats it in its first lines.

    >>> without_title(["Хоценко обсудил", "Текст."], "Хоценко  обсудил")
    ['Текст.']
    """
    if not title:
        return paragraphs
    key = fold_key(title)
    head = [p for p in paragraphs[:3] if fold_key(clean_title(p) or "") != key]
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
) -> ArticleItem:
    """One article page → one item (without run fields: crawled_at, run_id, version)."""
    sel = html if isinstance(html, Selector) else Selector(text=html)
    base = sel.xpath("//base/@href").get() or url
    hints = hints or Hints()
    data: Structured = read_structured(sel)
    loader = ArticleLoader()

    # Title: structured data, then the site's selector, then h1, the feed, <title>. A
    # structured title that only decorates the h1 (`Портал … | <h1>`) gives way to the h1.
    h1s = _texts(sel, "h1")
    loader.add_value("title", [_undecorated(t, h1s) for t in data.titles[:2]])
    loader.add_value("title", _texts(sel, selectors.title))
    loader.add_value("title", _texts(sel, "h1"))
    loader.add_value("title", hints.title)
    loader.add_value("title", _longest_segment(sel.xpath("//title/text()").get()))

    loader.add_value("lead", _texts(sel, selectors.lead))
    loader.add_value("lead", data.descriptions)

    paragraphs = _body_paragraphs(sel, selectors)
    if paragraphs is None:
        paragraphs = extract_body(sel, url)
    if not any(p.strip() for p in paragraphs) and data.body:
        paragraphs = data.body.split("\n")
    loader.add_value("body", without_title(paragraphs, loader.get_output_value("title")))

    loader.add_value("authors", data.authors or _texts(sel, selectors.authors))
    if data.tags:
        loader.add_value("tags", data.tags)
    elif selectors.tags:
        loader.add_value("tags", _texts(sel, selectors.tags))
    else:
        loader.add_value("tags", [k for raw in data.keywords for k in re.split(r"[,;]", raw)])
    loader.add_value("section", data.sections)
    loader.add_value("section", _texts(sel, selectors.section))
    images = data.images + sel.css(selectors.image).getall() if selectors.image else data.images
    loader.add_value("image_url", [u for u in (web_url(i, base) for i in images) if u])
    loader.add_value("attachments", _attachments(sel, base, selectors.body))
    language = (data.language or "ru").split("-")[0].split("_")[0].lower()
    loader.add_value("language", language)

    item = loader.load_item()

    decision = publication_date(
        data.published,
        shown=_texts(sel, selectors.date) if selectors.date else visible_dates(sel),
        from_selector=bool(selectors.date),
        feed_raw=hints.published_raw,
        url=url,
        now=now,
        tz=tz,
        root=sel.root if isinstance(sel.root, lxml_html.HtmlElement) else None,
    )
    item["published_at"] = decision.utc
    item["published_raw"] = decision.raw
    item["date_source"] = decision.source
    modified_candidates = list(data.modified)
    modified_candidates += [DateCandidate(t, "text") for t in _texts(sel, selectors.modified)]
    if hints.modified_raw:
        modified_candidates.append(DateCandidate(hints.modified_raw, "feed"))
    item["modified_at"] = choose_date(by_rank(modified_candidates), now=now, tz=tz, url=url).utc

    canonical = next((c for c in data.canonical if c.strip()), None)
    item["fetched_url"] = url
    item["url"] = canonical_url(url, canonical=urljoin(base, canonical) if canonical else None)
    if source:
        item["source"] = source
    item.setdefault("authors", [])
    item.setdefault("tags", [])
    item["tag_keys"] = [fold_key(tag) for tag in item["tags"]]
    item.setdefault("attachments", [])
    item["word_count"] = word_count(item.get("body"))
    item["content_hash"] = content_hash(item.get("title"), item.get("lead"), item.get("body"))
    return item


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
