"""Layer 3: the generic body extractor, for pages whose site selector is missing or misses.

The body comes from trafilatura's main-content extraction (its rules, then its
readability/jusText comparison), run on the tree the spider already parsed; no
metadata pass (our structured layer and date policy do that). Measured on
trafilatura's public eval set (`scripts/eval_extraction.py`), it finds the article
where our own paragraph-density vote lost it to chrome removal, the wrong container
or split blocks. Our own vote stays as the fallback when trafilatura gives nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import islice
from typing import TYPE_CHECKING

from lxml import etree
from lxml import html as lxml_html
from parsel import Selector

from omskcrawl.normalize.text import clean_generic

if TYPE_CHECKING:
    from trafilatura.settings import Extractor

DROP_TAGS = (
    "script",
    "h1",
    "style",
    "noscript",
    "template",
    "nav",
    "header",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "iframe",
    "svg",
    "figure",
    "figcaption",
    "video",
    "audio",
)

# Class/id fragments that mark page chrome, not article text.
CHROME = re.compile(
    r"(?:^|[\s_-])(?:nav|menu|header|footer|sidebar|side-bar|breadcrumb|comment|share|social|"
    r"subscribe|related|recommend|readmore|read-also|see-also|also|banner|advert|promo|adv|"
    r"ads|rek|region|city-select|popup|modal|cookie|widget|tags?|rubric|inj|inject|"
    r"teaser|counter|caption|photo-?author|author-photo|gallery|poll|vote)(?:$|[\s_\d-])",
    re.IGNORECASE,
)

# Class/id fragments of elements that show a date («дата» transliterated too).
CHROME_AREAS = ("header", "nav", "footer")
MAX_DATE_TEXT = 80
BARE_TIME = re.compile(r"^\d{1,2}:\d{2}$")

STRUCTURAL = {"header", "footer", "aside", "nav"}
PROSE_CHARS = 80
PROSE_PARAGRAPHS = 4

BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "blockquote", "li", "pre"}
MIN_PARAGRAPH_CHARS = 25


def _prose_paragraphs(el: lxml_html.HtmlElement) -> Iterator[int]:
    """Lengths of the prose paragraphs in `el` (`<p>` of at least PROSE_CHARS), in order."""
    for p in el.iter("p"):
        size = len(p.text_content().strip())
        if size >= PROSE_CHARS:
            yield size


def _holds_prose(el: lxml_html.HtmlElement) -> bool:
    """Too much prose to be chrome: broken markup can nest the article in an `<aside>`
    (the real rzn.mk.ru page does), and a class like `content-region` is no region picker."""
    found = islice(_prose_paragraphs(el), PROSE_PARAGRAPHS)  # stops at PROSE_PARAGRAPHS
    return sum(1 for _ in found) == PROSE_PARAGRAPHS


def _strip_chrome(root: lxml_html.HtmlElement) -> None:
    for el in list(root.iter(*DROP_TAGS)):
        if el.getparent() is None:
            continue
        if el.tag in STRUCTURAL and _holds_prose(el):
            continue
        el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if not marker.strip() or el.get("itemprop") == "articleBody":
            continue
        if CHROME.search(marker) and not _holds_prose(el):
            el.drop_tree()


def _link_density(el: lxml_html.HtmlElement) -> float:
    text = len(el.text_content())
    if not text:
        return 1.0
    return sum(len(a.text_content()) for a in el.iter("a")) / text


def _best_container(root: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """Readability-style vote: each prose block scores its parent, half its grandparent."""
    scores: dict[lxml_html.HtmlElement, float] = {}
    for el in root.iter(*BLOCK_TAGS, "div"):
        if el.tag == "div" and len(el):
            continue
        text = el.text_content().strip()
        if len(text) < MIN_PARAGRAPH_CHARS:
            continue
        points = len(text) * (1.0 - _link_density(el))
        parent = el.getparent()
        if parent is None:
            continue
        scores[parent] = scores.get(parent, 0.0) + points
        grandparent = parent.getparent()
        if grandparent is not None:
            scores[grandparent] = scores.get(grandparent, 0.0) + points / 2
    if not scores:
        return None
    return max(scores, key=lambda el: scores[el])


# Elements that end a paragraph. Text between them, loose or nested, is one paragraph.
BREAKS = BLOCK_TAGS | {
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "table",
    "tr",
    "td",
    "th",
    "dl",
    "dt",
    "dd",
    "h1",
    "h6",
    "hr",
    "br",
    "figure",
    "header",
    "footer",
    "aside",
    "nav",
    "center",
}


def paragraphs_of(container: lxml_html.HtmlElement) -> list[str]:
    """Paragraph texts of a container in document order.

    A paragraph is the text between block boundaries, so loose text is kept too:
    HTML parsers close a `<p>` at a nested `<div>` (aif.ru's injects), leaving the
    rest of the paragraph as bare text in the container.

    >>> el = lxml_html.fromstring(
    ...     "<div><p>Первый абзац.</p><p><div class='inj'></div>Второй, <b>с разметкой</b>.</p>"
    ...     "<p>Третий<br>Четвёртый</p></div>")
    >>> paragraphs_of(el)
    ['Первый абзац.', 'Второй, с разметкой.', 'Третий', 'Четвёртый']
    """
    parts: list[str] = []
    current: list[str] = []

    def flush() -> None:
        text = "".join(current).strip()
        if text:
            parts.append(text)
        current.clear()

    def visit(el: lxml_html.HtmlElement) -> None:
        if not isinstance(el.tag, str):  # comments, processing instructions
            return
        is_break = el.tag in BREAKS
        if is_break:
            flush()
        skip = el.tag == "li" and _link_density(el) > 0.5
        if not skip:
            if el.text:
                current.append(el.text)
            for child in el:
                visit(child)
                if child.tail:
                    current.append(child.tail)
        if is_break:
            flush()

    if container.text:
        current.append(container.text)
    for child in container:
        visit(child)
        if child.tail:
            current.append(child.tail)
    flush()
    return parts


# A fast-mode body shorter than SHORT_BODY_CHARS is redone with trafilatura's full cascade
# (readability and jusText compared) when that can find more: the page holds at least
# REDO_PROSE_FACTOR times as much paragraph prose (`<p>` of PROSE_CHARS or more) as the
# fast body, or the fast body is under REDO_ALWAYS_CHARS. On trafilatura's eval set the
# redo changes the text of 33 of the 117 short bodies; this test keeps 58 redos of 117
# at F1 0.932 against 0.933 (scripts/eval_extraction.py, BENCHMARKS.md).
SHORT_BODY_CHARS = 1000
REDO_ALWAYS_CHARS = 450
REDO_PROSE_FACTOR = 2
MIN_BODY_CHARS = 40
PROSE_LINE_CHARS = 100


@lru_cache(maxsize=2)
def _extractor(fast: bool) -> Extractor:
    """trafilatura's options for our call (no metadata, no comments, tables kept), made once:
    building them reads its configuration again, ~0.8 ms a page (BENCHMARKS.md)."""
    from trafilatura.settings import Extractor

    return Extractor(output_format="python", fast=fast, comments=False, tables=True)


def _options(url: str | None, *, fast: bool) -> Extractor:
    options = copy.copy(_extractor(fast))  # the page's own URL, for trafilatura's log lines
    options.url = options.source = url
    return options


def _trafilatura_text(root: lxml_html.HtmlElement, url: str | None, *, fast: bool) -> str:
    from trafilatura import bare_extraction

    doc = bare_extraction(root, url=url, options=_options(url, fast=fast))
    text = getattr(doc, "text", None)  # a Document (a dict only when asked for one)
    return text if isinstance(text, str) else ""


# Elements of trafilatura's MANUALLY_CLEANED, deleted before its pruning XPaths instead of by
# its cleaning. Not `form`, `figure`, `math` or `time`: its cleaning keeps some forms and
# figures and reads formulas first. Its cleaning deletes while it iterates, so once it deletes
# an `<aside>` holding another `<aside>` the later ones stay: deleting them all first changed
# 1 body of the 990 of its eval set (27 characters), none of our 54 fixture and real pages.
PRECLEANED = (
    "head", "script", "style", "svg", "noscript", "link", "iframe", "menu", "select",
    "option", "button", "input", "textarea", "canvas", "video", "audio", "picture",
    "object", "embed", "source", "track", "aside", "nav", "footer",
)  # fmt: skip


def _forum_thread(root: lxml_html.HtmlElement) -> bool:
    """The page's JSON-LD names a forum thread, where trafilatura keeps comments as posts."""
    return any(
        "DiscussionForumPosting" in (script.text or "")
        for script in root.iterfind('.//script[@type="application/ld+json"]')
    )


def _main_text(root: lxml_html.HtmlElement, url: str | None) -> str | None:
    """trafilatura's fast pass without its rescue stages, or None where one may be needed.

    The same steps as `bare_extraction(fast=True)` up to its main extractor (raw-tree and
    comment pruning, cleaning, tag conversion, `extract_content`) on one copy of the page;
    it copies the page three times, and for a text under 3,000 characters converts the
    whole page to text to decide a recall retry. Our redo rule (`trafilatura_body`) makes
    that decision here: on trafilatura's eval set 982 of 990 bodies are the same, F1 the
    same, ~15 % less time per page (BENCHMARKS.md). None (take `bare_extraction`) for a
    forum thread or a text under trafilatura's MIN_EXTRACTED_SIZE (its baseline rescue).
    These are trafilatura's inner functions: the version is pinned, and
    tests/test_generic.py compares this path with `bare_extraction` on a full page.
    """
    from trafilatura.htmlprocessing import convert_tags, prune_unwanted_nodes, tree_cleaning
    from trafilatura.main_extractor import extract_content
    from trafilatura.settings import MANUALLY_STRIPPED
    from trafilatura.xml import xmltotxt
    from trafilatura.xpaths import RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH

    if _forum_thread(root):
        return None
    options = _options(url, fast=True)
    tree = copy.copy(root)
    # Its cleaning deletes these and unwraps MANUALLY_STRIPPED (`<font>`, `<img>`, `<tbody>`…)
    # anyway; done first, in two C calls, the pruning XPaths before the cleaning walk a
    # smaller tree (~2.5 ms a page less on its eval set).
    etree.strip_elements(tree, *PRECLEANED, with_tail=False)
    etree.strip_tags(tree, *MANUALLY_STRIPPED)
    for xpaths in (RAW_TREE_PRUNE_XPATH, REMOVE_COMMENTS_AND_LISTS_XPATH):
        tree = prune_unwanted_nodes(tree, xpaths)
    try:
        cleaned = convert_tags(tree_cleaning(tree, options), options, url)
        body, text = extract_content(cleaned, options)
    except (TypeError, ValueError):  # text lxml refuses (control characters): as trafilatura
        return None
    if len(text) < options.min_extracted_size:
        return None
    return str(xmltotxt(body, options.formatting))


def trafilatura_body(root: lxml_html.HtmlElement, url: str | None = None) -> list[str]:
    """Lines of the main text by trafilatura (tables kept as rows, comments left out)."""
    text = _main_text(root, url)
    if text is None:
        text = _trafilatura_text(root, url, fast=True)
    if len(text) < SHORT_BODY_CHARS and (
        len(text) < REDO_ALWAYS_CHARS
        or sum(_prose_paragraphs(root)) >= REDO_PROSE_FACTOR * len(text)
    ):
        text = _trafilatura_text(root, url, fast=False) or text
    return text.split("\n") if text else []


def _marked_empty(root: lxml_html.HtmlElement) -> bool:
    """The page marks its article body (`itemprop=articleBody`) and the mark holds no text:
    unless the extractor found prose elsewhere (a template that marks the wrong element),
    the page says there is no body (a video page, a capture before the text loaded), and
    what a text extractor scrapes together is menus."""
    marked = root.xpath('//*[@itemprop="articleBody"][not(self::meta)]')
    return bool(marked) and not any(m.text_content().strip() for m in marked)


def extract_body(sel: Selector, url: str | None = None) -> list[str]:
    """Paragraphs of the main text of a page whose site selector is missing or missed.

    >>> page = Selector(text='''<html><body><nav><a href="/">Главная</a></nav>
    ... <article><h1>Заголовок</h1>
    ...   <p>Губернатор провёл встречу с министром промышленности и торговли России.</p>
    ...   <p>Обсуждалось развитие промышленного потенциала региона и кластеров.</p>
    ...   <p>Читайте также: Мэр открыл новую школу</p></article>
    ... <footer><p>© 2024 Все права защищены. Перепечатка запрещена.</p></footer>
    ... </body></html>''')
    >>> extract_body(page)  # the caller drops the headline  # doctest: +NORMALIZE_WHITESPACE
    ['Заголовок', 'Губернатор провёл встречу с министром промышленности и торговли России.',
     'Обсуждалось развитие промышленного потенциала региона и кластеров.']
    """
    root = sel.root
    if not isinstance(root, lxml_html.HtmlElement):
        return []
    lines = clean_generic(trafilatura_body(root, url) or density_body(sel))
    if sum(len(line) >= PROSE_LINE_CHARS for line in lines) < 2 and _marked_empty(root):
        return []
    # Less than a sentence is a menu word or a button that a text extractor scraped off an
    # empty page, not an article.
    return lines if sum(len(line) for line in lines) >= MIN_BODY_CHARS else []


def density_body(sel: Selector) -> list[str]:
    """Paragraphs of the main text of a page (raw; clean them with `clean_paragraphs`).

    >>> page = Selector(text='''<html><body>
    ... <div class="menu"><p>Новости Спорт Культура Общество Происшествия</p></div>
    ... <div class="region-select"><p>Ваш регион: Москва / Омск / Рязань / Тула</p></div>
    ... <div class="content"><h1>Заголовок</h1>
    ...   <p>Губернатор провёл встречу с министром промышленности и торговли России.</p>
    ...   <p>Обсуждалось развитие промышленного потенциала региона и кластеров.</p>
    ... </div><footer><p>© 2024 Все права защищены. Перепечатка запрещена.</p></footer>
    ... </body></html>''')
    >>> density_body(page)  # doctest: +NORMALIZE_WHITESPACE
    ['Губернатор провёл встречу с министром промышленности и торговли России.',
     'Обсуждалось развитие промышленного потенциала региона и кластеров.']
    """
    root = sel.root
    if not isinstance(root, lxml_html.HtmlElement):
        return []
    marked = root.xpath('//*[@itemprop="articleBody"]')
    if marked:
        container = copy.deepcopy(marked[0])
        _strip_chrome(container)
        return paragraphs_of(container)
    body = root.find("body")
    work = copy.deepcopy(body if body is not None else root)
    _strip_chrome(work)
    best = _best_container(work)
    return paragraphs_of(best) if best is not None else []


def _in_page_chrome(el: lxml_html.HtmlElement) -> bool:
    """Inside the page's header, menu or footer (an article's own `<header>` is not chrome)."""
    for area in el.iterancestors(*CHROME_AREAS):
        if not any(True for _ in area.iterancestors("article", "main")):
            return True
    return False


# Class/id/itemprop fragments of elements that show a date («дата» transliterated too).
# Matched against the lower-cased value: a page has hundreds of class names, and one
# `lower()` and a plain search take a third of the time of re.IGNORECASE.
DATE_MARK = re.compile(r"date|time|publish|posted|created|data|meta")
# In document order: the marks, `<time>` elements (a date whatever their marks) and the h1s
# (what comes after the headline is nearest to it).
_MARKERS = "//@class | //@id | //@itemprop | //time | //h1"
TIME_ATTRS = ("class", "id", "itemprop", "datetime")


def visible_dates(sel: Selector, limit: int = 8) -> list[str]:
    """Short texts of date-like elements, nearest after the headline first.

    For pages without a site date selector: elements whose class or id names a
    date (`date`, `time`, `publish`, `meta`…) or `<time>` elements, outside the
    page's header, menus and footer (kvnews prints today's date in its header).
    The caller parses them; the first readable one is the visible date.

    >>> page = Selector(text='<html><body><header><span class="date">пятница, 22 ноября</span>'
    ...     '</header><h1>Заголовок</h1><div class="news-date">Вчера, 16:33</div></body></html>')
    >>> visible_dates(page)
    ['Вчера, 16:33']
    """
    root = sel.root
    if not isinstance(root, lxml_html.HtmlElement):
        return []
    before: list[str] = []
    after: list[str] = []
    # Attribute values are plain strings to test; only the few that name a date become
    # elements (a page has thousands of classed elements and a handful of dates). One pass
    # in document order also counts the h1s met so far.
    seen: set[lxml_html.HtmlElement] = set()
    h1s = 0
    for node in root.xpath(_MARKERS):
        if isinstance(node, str):
            if not DATE_MARK.search(node.lower()):
                continue
            el = node.getparent()  # type: ignore[attr-defined]  # an lxml smart string
            if el.tag in ("time", "h1"):  # a `<time>` counts as itself; the headline never
                continue
        elif node.tag == "h1":
            h1s += 1
            continue
        elif any(node.get(name) is not None for name in TIME_ATTRS):
            el = node
        else:
            continue
        if el in seen:
            continue
        seen.add(el)
        if _in_page_chrome(el):
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > MAX_DATE_TEXT or not any(c.isdigit() for c in text):
            continue
        # After the headline: an h1 met before it that is not its own ancestor.
        (after if h1s > sum(1 for _ in el.iterancestors("h1")) else before).append(text)
    texts = after + before[::-1]
    # A bare time (a TV schedule, a clock widget) only when nothing names a day.
    dated = [t for t in texts if not BARE_TIME.match(t)]
    return (dated + [t for t in texts if BARE_TIME.match(t)])[:limit]
