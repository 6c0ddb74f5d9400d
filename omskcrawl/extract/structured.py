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


# Every element structured data sits in, found in one walk of the page (~30 of its ~1,500
# elements; nine queries walked it nine times, ~0.4 ms a page more). Compiled once, run on
# the lxml tree: elements without a Selector around each.
_MARKED = etree.XPath(
    "//*[self::script[@type='application/ld+json'] or self::meta[@content] or @itemprop"
    " or self::time[@datetime] or self::link[@rel='canonical']]"
)
_LANG = etree.XPath("/html/@lang", smart_strings=False)


def _own_texts(el: etree._Element) -> list[str]:
    """The element's own text nodes, as XPath `text()` gives them."""
    return [t for t in (el.text, *(child.tail for child in el)) if t is not None]


@dataclass
class _Marks:
    """What one walk of a page found, each list in document order."""

    jsonld: list[str] = field(default_factory=list)  # ld+json script texts
    metas: list[etree._Element] = field(default_factory=list)  # <meta content>
    headlines: list[str] = field(default_factory=list)  # itemprop=headline texts, not <meta>
    published: list[str] = field(default_factory=list)  # itemprop=datePublished @content
    time_published: list[str] = field(default_factory=list)  # its <time datetime>
    time_first: list[str] = field(default_factory=list)  # the first <time datetime>
    author_names: list[str] = field(default_factory=list)  # itemprop=name in itemprop=author
    canonical: list[str] = field(default_factory=list)  # <link rel=canonical href>
    lang: list[str] = field(default_factory=list)  # <html lang>


def _marks(sel: Selector) -> _Marks:
    found = _Marks()
    root = sel.root
    if not isinstance(root, etree._Element):
        return found
    found.lang = _LANG(root)
    for el in _MARKED(root):
        tag, prop = el.tag, el.get("itemprop")
        if tag == "script":
            if el.get("type") == "application/ld+json":
                found.jsonld += _own_texts(el)
        elif tag == "meta":
            if el.get("content") is not None:
                found.metas.append(el)
            continue  # a <meta itemprop> is read with the other metas
        elif tag == "link" and el.get("rel") == "canonical" and el.get("href") is not None:
            found.canonical.append(el.get("href"))
        if tag == "time" and el.get("datetime") is not None:
            if not found.time_first:
                found.time_first.append(el.get("datetime"))
            if prop == "datePublished":
                found.time_published.append(el.get("datetime"))
        if prop == "headline":
            found.headlines += _own_texts(el)
        elif prop == "datePublished" and el.get("content") is not None:
            found.published.append(el.get("content"))
        elif prop == "name" and any(a.get("itemprop") == "author" for a in el.iterancestors()):
            found.author_names += _own_texts(el)
    return found


def jsonld_articles(blocks: list[str]) -> list[dict[str, Any]]:
    """The article-like objects of a page's JSON-LD blocks; unreadable blocks are skipped."""
    found: list[dict[str, Any]] = []
    for raw in blocks:
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


def _meta_index(metas: list[etree._Element]) -> dict[str, list[str]]:
    """`content` of every `<meta>` by its property/name/itemprop, lower-cased (one pass)."""
    index: dict[str, list[str]] = {}
    for el in metas:
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
    marks = _marks(sel)
    index = _meta_index(marks.metas)

    def _meta(*names: str) -> list[str]:
        return [v for name in names for v in index.get(name.lower(), [])]

    objects = jsonld_articles(marks.jsonld)
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
    out.titles += marks.headlines
    out.descriptions += _meta("og:description", "description")

    # Machine dates in meta and microdata; `content` on any itemprop element.
    for raw in _meta(*META_PUBLISHED) + marks.published:
        out.published.append(DateCandidate(raw, "meta"))
    for raw in _meta("article:modified_time", "dateModified", "og:updated_time"):
        out.modified.append(DateCandidate(raw, "meta"))
    # `<time datetime>`: the one marked as the publication date, else the first.
    out.published += [DateCandidate(raw, "time") for raw in marks.time_published if raw.strip()]
    out.published += [
        DateCandidate(raw, "time", weak=True) for raw in marks.time_first if raw.strip()
    ]

    out.authors += _meta("article:author", "author")
    out.authors += marks.author_names
    out.tags += _meta("article:tag")
    out.keywords += _meta("keywords", "news_keywords")
    out.sections += _meta("article:section", "articleSection")
    out.images += _meta("og:image", "twitter:image")
    out.canonical += marks.canonical
    out.canonical += _meta("og:url")
    out.language = (
        out.language or next(iter(marks.lang), None) or next(iter(_meta("og:locale")), None)
    )
    return out
