"""Layer 1: the machine-readable data a page carries about itself.

Reads JSON-LD (NewsArticle and kin), OpenGraph and `article:` meta, microdata
(`itemprop`) and `<time datetime>`. Knows HTML and nothing about storage.
Every value comes back raw (strings as found); the loader normalises them.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from lxml import etree
from parsel import Selector

logger = logging.getLogger(__name__)

MAX_JSONLD_CHARS = 1_000_000  # bigger blocks are no article metadata
ARTICLE_TYPES = {
    "newsarticle",
    "article",
    "reportagenewsarticle",
    "analysisnewsarticle",
    "blogposting",
    "webpage",
    "report",
    "opinionnewsarticle",
    "backgroundnewsarticle",
    "liveblogposting",
    "videoobject",
}


# Publication date keys, most specific first: JSON-LD properties and meta names.
JSONLD_PUBLISHED = ("datePublished", "dateCreated", "uploadDate")
META_PUBLISHED = (
    "article:published_time",
    "datePublished",
    "og:published_time",
    "og:article:published_time",
    "article:published",
    "pubdate",
    "publishdate",
    "publish-date",
    "publication_date",
    "parsely-pub-date",
    "sailthru.date",
    "citation_publication_date",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "dateCreated",
)


@dataclass
class DateCandidate:
    """One publication (or modification) date found on a page, before parsing."""

    raw: str
    source: str  # jsonld, meta, time, text, url, feed, htmldate
    # A guess rather than a statement: the page's first `<time>`, not marked as the
    # publication date (it may sit in a sidebar); the generic policy trusts it last.
    weak: bool = False


@dataclass
class Structured:
    """What the page says about itself; every list is in order of trust."""

    titles: list[str] = field(default_factory=list)
    descriptions: list[str] = field(default_factory=list)
    published: list[DateCandidate] = field(default_factory=list)
    modified: list[DateCandidate] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    keywords: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    canonical: list[str] = field(default_factory=list)
    language: str | None = None
    body: str | None = None


def _walk_jsonld(node: Any) -> Iterator[dict[str, Any]]:
    """Yield every JSON-LD object, descending into lists and `@graph` (in document order).

    Iterative: a block nested a thousand levels deep costs a loop, not the stack.
    """
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, list):
            stack.extend(reversed(current))
        elif isinstance(current, dict):
            yield current
            if "@graph" in current:
                stack.append(current["@graph"])


def _types(obj: dict[str, Any]) -> set[str]:
    value = obj.get("@type", "")
    values = value if isinstance(value, list) else [value]
    return {str(v).lower() for v in values}


def _names(value: Any) -> list[str]:
    """Author/section/keyword values: a string, an object with `name`, or a list of them."""
    if value is None:
        return []
    if isinstance(value, list):
        return [name for item in value for name in _names(item)]
    if isinstance(value, dict):
        return _names(value.get("name"))
    text = str(value).strip()
    return [text] if text else []


def _image_urls(value: Any) -> list[str]:
    if isinstance(value, list):
        return [url for item in value for url in _image_urls(item)]
    if isinstance(value, dict):
        return _image_urls(value.get("url") or value.get("contentUrl"))
    return [str(value)] if value else []


def _query(path: str) -> etree.XPath:
    # Compiled once, run on the lxml tree: results as plain strings and elements, without a
    # Selector around each (a page has dozens of `<meta>`; read_structured runs on every page).
    return etree.XPath(path, smart_strings=False)


_JSONLD = _query('//script[@type="application/ld+json"]/text()')
_METAS = _query("//meta[@content]")
_HEADLINES = _query('//*[@itemprop="headline"][not(self::meta)]/text()')
_MICRODATA_PUBLISHED = _query('//*[@itemprop="datePublished"][not(self::meta)]/@content')
_TIME_PUBLISHED = _query('//time[@itemprop="datePublished"]/@datetime')
_TIME_FIRST = _query("(//time[@datetime])[1]/@datetime")
_AUTHOR_NAMES = _query('//*[@itemprop="author"]//*[@itemprop="name"]/text()')
_CANONICAL = _query('//link[@rel="canonical"]/@href')
_LANG = _query("/html/@lang")


def _run(query: etree.XPath, sel: Selector) -> list[Any]:
    root = sel.root
    return query(root) if isinstance(root, etree._Element) else []


def jsonld_articles(sel: Selector) -> list[dict[str, Any]]:
    """The article-like JSON-LD objects of a page; unreadable blocks are skipped."""
    found: list[dict[str, Any]] = []
    for raw in _run(_JSONLD, sel):
        if len(raw) > MAX_JSONLD_CHARS:
            logger.debug("JSON-LD block of %d characters skipped", len(raw))
            continue
        try:
            data = json.loads(raw, strict=False)
        except (ValueError, RecursionError) as e:
            # Broken JSON, a 5,000-digit number (int conversion limit), nesting deeper
            # than the decoder's recursion: the block is skipped, the page still read.
            logger.debug("unreadable JSON-LD block: %s", str(e)[:200])
            continue
        found.extend(obj for obj in _walk_jsonld(data) if _types(obj) & ARTICLE_TYPES)
    # Prefer real articles over WebPage wrappers.
    found.sort(key=lambda obj: "webpage" in _types(obj))
    return found


def _meta_index(sel: Selector) -> dict[str, list[str]]:
    """`content` of every `<meta>` by its property/name/itemprop, lower-cased (one pass)."""
    index: dict[str, list[str]] = {}
    for el in _run(_METAS, sel):
        value = (el.get("content") or "").strip()
        if not value:
            continue
        for key in {(el.get(a) or "").strip().lower() for a in ("property", "name", "itemprop")}:
            if key:
                index.setdefault(key, []).append(value)
    return index


def read_structured(sel: Selector) -> Structured:
    """Collect structured data of a page (JSON-LD, meta, microdata, `<time>`)."""
    out = Structured()
    index = _meta_index(sel)

    def _meta(*names: str) -> list[str]:
        return [v for name in names for v in index.get(name.lower(), [])]

    objects = jsonld_articles(sel)
    # An embedded video's JSON-LD names the video, not the article: it fills only what
    # no article object gives.
    articles = [o for o in objects if "videoobject" not in _types(o)] or objects
    for obj in articles:
        out.titles += _names(obj.get("headline")) + _names(obj.get("name"))
        out.descriptions += _names(obj.get("description"))
    for obj in articles + [o for o in objects if not any(o is a for a in articles)]:
        for key in JSONLD_PUBLISHED:
            if obj.get(key):
                out.published.append(DateCandidate(str(obj[key]), "jsonld"))
                break
    for obj in articles:
        if obj.get("dateModified"):
            out.modified.append(DateCandidate(str(obj["dateModified"]), "jsonld"))
        out.authors += _names(obj.get("author"))
        out.keywords += _names(obj.get("keywords"))
        out.sections += _names(obj.get("articleSection"))
        out.images += _image_urls(obj.get("image"))
        if obj.get("articleBody") and not out.body:
            out.body = str(obj["articleBody"])
        if obj.get("inLanguage") and not out.language:
            out.language = str(obj["inLanguage"])

    out.titles += _meta("og:title", "twitter:title")
    out.titles += _run(_HEADLINES, sel)
    out.descriptions += _meta("og:description", "description")

    # Machine dates in meta and microdata; `content` on any itemprop element.
    for raw in _meta(*META_PUBLISHED) + _run(_MICRODATA_PUBLISHED, sel):
        out.published.append(DateCandidate(raw, "meta"))
    for raw in _meta("article:modified_time", "dateModified", "og:updated_time"):
        out.modified.append(DateCandidate(raw, "meta"))
    # `<time datetime>`: the one marked as the publication date, else the first.
    marked = _run(_TIME_PUBLISHED, sel)
    out.published += [DateCandidate(raw, "time") for raw in marked if raw.strip()]
    first = _run(_TIME_FIRST, sel)
    out.published += [DateCandidate(raw, "time", weak=True) for raw in first if raw.strip()]

    out.authors += _meta("article:author", "author")
    out.authors += _run(_AUTHOR_NAMES, sel)
    out.tags += _meta("article:tag")
    out.keywords += _meta("keywords", "news_keywords")
    out.sections += _meta("article:section", "articleSection")
    out.images += _meta("og:image", "twitter:image")
    out.canonical += _run(_CANONICAL, sel)
    out.canonical += _meta("og:url")
    out.language = (
        out.language or next(iter(_run(_LANG, sel)), None) or next(iter(_meta("og:locale")), None)
    )
    return out
