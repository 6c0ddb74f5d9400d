"""Layer 3: the generic body extractor, for pages with no body selector.

The article is the element whose own paragraphs hold the most prose: text in
`<p>`-like children, few links, not inside navigation, menus, region pickers,
share widgets, comment blocks or "read also" injects. Microdata
`itemprop="articleBody"` is taken as is when present.
"""

from __future__ import annotations

import copy
import re

from lxml import html as lxml_html
from parsel import Selector

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
DATE_MARK = re.compile(r"date|time|publish|posted|created|data|datetime|meta", re.IGNORECASE)
CHROME_AREAS = ("header", "nav", "footer")
MAX_DATE_TEXT = 80
BARE_TIME = re.compile(r"^\d{1,2}:\d{2}$")

STRUCTURAL = {"header", "footer", "aside", "nav"}
PROSE_CHARS = 80
PROSE_PARAGRAPHS = 4

BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "blockquote", "li", "pre"}
MIN_PARAGRAPH_CHARS = 25


def _holds_prose(el: lxml_html.HtmlElement) -> bool:
    """Too much prose to be chrome: broken markup can nest the article in an `<aside>`
    (the real rzn.mk.ru page does), and a class like `content-region` is no region picker."""
    long = 0
    for p in el.iter("p"):
        if len(p.text_content().strip()) >= PROSE_CHARS:
            long += 1
            if long >= PROSE_PARAGRAPHS:
                return True
    return False


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


def extract_body(sel: Selector) -> list[str]:
    """Paragraphs of the main text of a page (raw; clean them with `clean_paragraphs`).

    >>> page = Selector(text='''<html><body>
    ... <div class="menu"><p>Новости Спорт Культура Общество Происшествия</p></div>
    ... <div class="region-select"><p>Ваш регион: Москва / Омск / Рязань / Тула</p></div>
    ... <div class="content"><h1>Заголовок</h1>
    ...   <p>Губернатор провёл встречу с министром промышленности и торговли России.</p>
    ...   <p>Обсуждалось развитие промышленного потенциала региона и кластеров.</p>
    ... </div><footer><p>© 2024 Все права защищены. Перепечатка запрещена.</p></footer>
    ... </body></html>''')
    >>> extract_body(page)  # doctest: +NORMALIZE_WHITESPACE
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
    seen_h1 = False
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag == "h1":
            seen_h1 = True
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')} {el.get('itemprop', '')}"
        if el.tag != "time" and not DATE_MARK.search(marker):
            continue
        if _in_page_chrome(el):
            continue
        text = " ".join(el.text_content().split())
        if not text or len(text) > MAX_DATE_TEXT or not any(c.isdigit() for c in text):
            continue
        (after if seen_h1 else before).append(text)
    ordered = after + before[::-1]
    # A bare time (a TV schedule, a clock widget) only when nothing names a day.
    dated = [t for t in ordered if not BARE_TIME.match(t)]
    return (dated + [t for t in ordered if BARE_TIME.match(t)])[:limit]
