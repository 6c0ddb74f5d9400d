"""Discovery: article links from RSS/Atom feeds, XML sitemaps and listing pages.

Pure parsing (bytes or a Selector in, entries out); the spider decides what to
fetch. Scrapy's own sitemap parser drops `news:publication_date`, which Google
News sitemaps carry, so sitemaps are read here with lxml, streaming.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from omskcrawl.normalize import collapse_ws
from omskcrawl.normalize.urls import registrable_domain, web_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    """One article link as discovery saw it, with the dates it was given."""

    url: str
    via: str  # feed, sitemap or listing
    published_raw: str | None = None
    modified_raw: str | None = None
    title: str | None = None


@dataclass(frozen=True)
class ListingSelectors:
    """How a site's listing/archive pages show items.

    `item` selects one element per article; `link` and `date` are read inside it
    (`date` may match several spans, e.g. `17:56` + `Вчера`: their texts are joined).
    """

    item: str
    link: str = "a::attr(href)"
    date: str | None = None
    title: str | None = None
    next_page: str | None = None


def _local(tag: object) -> str:
    return str(tag).rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el:
        if _local(child.tag) in names and (child.text or "").strip():
            return (child.text or "").strip()
    return None


def is_feed(body: bytes) -> bool:
    """True for RSS/Atom/RDF documents.

    >>> is_feed(b'<?xml version="1.0"?><rss version="2.0"><channel/></rss>')
    True
    >>> is_feed(b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>')
    False
    """
    head = body[:2048].lower()
    return b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head


def parse_feed(body: bytes, base_url: str) -> list[Entry]:
    """Entries of an RSS 2.0, RDF or Atom feed, in feed order.

    >>> feed = '''<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>
    ... <item><title>Хоценко обсудил промышленность</title>
    ... <link>https://www.omskinform.ru/news/218377</link>
    ... <pubDate>Wed, 20 Nov 2024 10:55:00 +0600</pubDate></item></channel></rss>'''.encode()
    >>> parse_feed(feed, "https://www.omskinform.ru/rss/news.rss")[0].published_raw
    'Wed, 20 Nov 2024 10:55:00 +0600'
    """
    parser = etree.XMLParser(recover=True, resolve_entities=False, no_network=True, huge_tree=True)
    try:
        root = etree.fromstring(body, parser=parser)
    except etree.XMLSyntaxError as e:
        logger.warning("unreadable feed %s: %s", base_url, e)
        return []
    if root is None:
        return []
    out = []
    for el in root.iter():
        name = _local(el.tag)
        if name == "item":
            link = _child_text(el, "link") or _child_text(el, "guid")
            published = _child_text(el, "pubdate", "date", "published")
            modified = _child_text(el, "updated", "modified")
        elif name == "entry":
            link = None
            for child in el:
                if _local(child.tag) == "link" and child.get("rel", "alternate") == "alternate":
                    link = child.get("href")
                    break
            published = _child_text(el, "published", "issued")
            modified = _child_text(el, "updated")
        else:
            continue
        if not link:
            continue
        title = _child_text(el, "title")
        out.append(
            Entry(
                url=urljoin(base_url, link.strip()),
                via="feed",
                published_raw=published,
                modified_raw=modified,
                title=collapse_ws(title) if title else None,
            )
        )
    return out


def parse_sitemap(body: bytes) -> tuple[list[Entry], list[Entry]]:
    """(child sitemaps, article entries) of a sitemap index or urlset, streamed.

    News sitemaps' `news:publication_date` becomes the entry's published date,
    `lastmod` its modified date.

    >>> doc = '''<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
    ...   xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url>
    ...   <loc>https://ngs55.ru/text/gorod/2024/11/20/74391022/</loc>
    ...   <lastmod>2024-11-20T12:01:00+06:00</lastmod>
    ...   <news:news><news:publication_date>2024-11-20T10:55:00+06:00</news:publication_date>
    ...   <news:title>Хоценко обсудил развитие промышленности</news:title></news:news>
    ... </url></urlset>'''.encode()
    >>> children, entries = parse_sitemap(doc)
    >>> entries[0].published_raw, entries[0].modified_raw
    ('2024-11-20T10:55:00+06:00', '2024-11-20T12:01:00+06:00')
    """
    children: list[Entry] = []
    entries: list[Entry] = []
    context = etree.iterparse(
        io.BytesIO(body), events=("end",), recover=True, resolve_entities=False, huge_tree=True
    )
    try:
        for _, el in context:
            name = _local(el.tag)
            if name not in ("url", "sitemap"):
                continue
            loc = _child_text(el, "loc")
            if loc:
                lastmod = _child_text(el, "lastmod")
                if name == "sitemap":
                    children.append(Entry(url=loc, via="sitemap", modified_raw=lastmod))
                else:
                    published = title = None
                    for sub in el.iter():
                        sub_name = _local(sub.tag)
                        if sub_name == "publication_date" and sub.text:
                            published = sub.text.strip()
                        elif sub_name == "title" and sub.text:
                            title = collapse_ws(sub.text)
                    entries.append(
                        Entry(
                            loc,
                            "sitemap",
                            published_raw=published,
                            modified_raw=lastmod,
                            title=title,
                        )
                    )
            el.clear()
    except etree.XMLSyntaxError as e:
        logger.warning("sitemap cut short: %s", e)
    return children, entries


def _joined(node: Selector, css: str | None) -> str | None:
    """Text of all matches joined (`17:56` + `Вчера`); `::attr(...)`/`::text` taken as is."""
    if not css:
        return None
    found = node.css(css)
    values = found.getall() if "::" in css else found.css("::text").getall()
    return collapse_ws(" ".join(values)) or None


def parse_listing(
    sel: Selector, base_url: str, selectors: ListingSelectors
) -> tuple[list[Entry], str | None]:
    """(entries, next page URL) of one listing page."""
    base = sel.xpath("//base/@href").get() or base_url
    entries = []
    for node in sel.css(selectors.item):
        href = node.css(selectors.link).get()
        if not href or href.startswith(("javascript:", "#", "mailto:")):
            continue
        date = _joined(node, selectors.date)
        title = _joined(node, selectors.title)
        entries.append(Entry(urljoin(base, href.strip()), "listing", date, None, title))
    next_url = None
    if selectors.next_page:
        href = sel.css(selectors.next_page).get()
        next_url = urljoin(base, href.strip()) if href else None
    return entries, next_url


def unique_entries(entries: list[Entry]) -> Iterator[Entry]:
    """First entry per URL, in order."""
    seen: set[str] = set()
    for entry in entries:
        if entry.url not in seen:
            seen.add(entry.url)
            yield entry


# Path segments of pages that list or sort articles rather than being one.
_NOT_ARTICLE_SEGMENT = re.compile(
    r"^(?:tags?|category|categories|rubric|rubrics|rubrika|section|author|authors|search|page"
    r"|archive|arhiv|login|register|about|contacts?|feed|rss|amp|print|video|photo|foto)$",
    re.IGNORECASE,
)
_DATE_IN_PATH = re.compile(r"/(?:19|20)\d{2}[/-]\d{1,2}[/-]\d{1,2}(?:/|-|$)")
_ID_IN_PATH = re.compile(r"(?:^|[/_-])\d{4,}(?:[/._-]|$)")


def looks_like_article(url: str) -> bool:
    """An article URL by its shape alone: a date or a long number in the path, or a slug
    of four words or more; never a tag, rubric, author, search or pagination page.

    For sites without a module (no `article_url` pattern).

    >>> looks_like_article("https://irtysh-news.ru/news/society/2026/11/20/biblioteka/")
    True
    >>> looks_like_article("https://irtysh-news.ru/news/12345-biblioteka-otkrylas")
    True
    >>> looks_like_article("https://irtysh-news.ru/stati/v-omske-otkryli-novuyu-biblioteku")
    True
    >>> looks_like_article("https://irtysh-news.ru/tags/omsk/")
    False
    >>> looks_like_article("https://irtysh-news.ru/news/")
    False
    >>> looks_like_article("https://irtysh-news.ru/news/?page=2")
    False
    """
    parts = urlsplit(url)
    segments = [s for s in parts.path.split("/") if s]
    if not segments or any(_NOT_ARTICLE_SEGMENT.match(s) for s in segments):
        return False
    if re.search(r"(?:^|&)(?:page|p|PAGEN_\d+)=", parts.query):
        return False
    if _DATE_IN_PATH.search(parts.path) and len(segments) >= 4:
        return True
    if _ID_IN_PATH.search(parts.path):
        return True
    slug = re.sub(r"\.\w{2,5}$", "", segments[-1])
    return len(re.split(r"[-_]", slug)) >= 4


def article_links(
    sel: Selector, base_url: str, is_article: Callable[[str], bool], via: str = "listing"
) -> list[Entry]:
    """Links of a page on its own site that pass `is_article`, in page order, with their text.

    The listing fallback (a site's listing selectors match nothing after a redesign) and the
    `auto` spider's homepage read links this way.
    """
    base = sel.xpath("//base/@href").get() or base_url
    home = registrable_domain(urlsplit(base_url).hostname or "")
    entries = []
    for link in sel.xpath("//a[@href]"):
        url = web_url(link.root.get("href") or "", base)
        if url is None or registrable_domain(urlsplit(url).hostname or "") != home:
            continue
        url = url.split("#", 1)[0]
        if is_article(url):
            title = collapse_ws(link.root.text_content()) or None
            entries.append(Entry(url, via, None, None, title))
    return list(unique_entries(entries))
