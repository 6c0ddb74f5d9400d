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

BLOCK_TAGS = {"p", "h2", "h3", "h4", "h5", "blockquote", "li", "pre"}
MIN_PARAGRAPH_CHARS = 25


def block_text(el: lxml_html.HtmlElement) -> str:
    """Text of one block element, with `<br>` as a line break."""
    for br in el.iter("br"):
        br.tail = "\n" + (br.tail or "")
    return str(el.text_content())


def _strip_chrome(root: lxml_html.HtmlElement) -> None:
    for el in list(root.iter(*DROP_TAGS)):
        el.drop_tree()
    for el in list(root.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        marker = f"{el.get('class', '')} {el.get('id', '')}"
        if marker.strip() and CHROME.search(marker) and el.get("itemprop") != "articleBody":
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


def paragraphs_of(container: lxml_html.HtmlElement) -> list[str]:
    """Block texts of a container in document order, nested blocks not repeated."""
    out: list[str] = []
    for el in container.iter(*BLOCK_TAGS, "div"):
        if el.tag == "div":
            # A div with no block children and its own text is a paragraph too.
            if any(isinstance(c.tag, str) and c.tag in BLOCK_TAGS | {"div"} for c in el):
                continue
        elif any(a.tag in BLOCK_TAGS for a in el.iterancestors()):
            continue
        if el.tag == "div" and any(a.tag in BLOCK_TAGS for a in el.iterancestors()):
            continue
        if el.tag == "li" and _link_density(el) > 0.5:
            continue
        text = block_text(el)
        if text.strip():
            out.append(text)
    if not out:
        text = block_text(container)
        out = [line for line in text.split("\n") if line.strip()]
    return out


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
