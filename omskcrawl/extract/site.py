"""Layer 2: the site-selector layer — what a site module's CSS selectors find on a page.

A site module declares `ArticleSelectors` for what its structured data lacks; this module
reads them and says which declared selectors matched nothing (`SiteValues.missed`), so
the spider can count a redesign per field while the generic layer fills in.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field

from lxml import html as lxml_html
from parsel import Selector

from omskcrawl.extract.generic import paragraphs_of
from omskcrawl.normalize import collapse_ws

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


@dataclass
class SiteValues:
    """Raw values the site's selectors found; `body` is None when there is no body selector
    or it matched nothing; `missed` names the declared selectors that matched nothing."""

    title: list[str] = field(default_factory=list)
    lead: list[str] = field(default_factory=list)
    body: list[str] | None = None
    date: list[str] = field(default_factory=list)
    modified: list[str] = field(default_factory=list)
    authors: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    section: list[str] = field(default_factory=list)
    images: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)


def read_site(sel: Selector, selectors: ArticleSelectors) -> SiteValues:
    """Apply a site's selectors to a page.

    >>> page = Selector(text="<h1 class='t'>Заголовок</h1><div class='txt'><p>Текст.</p></div>")
    >>> found = read_site(page, ArticleSelectors(title="h1.t", body="div.txt", date=".date"))
    >>> found.title, found.body, found.missed
    (['Заголовок'], ['Текст.'], ['date'])
    """
    out = SiteValues(
        title=texts(sel, selectors.title),
        lead=texts(sel, selectors.lead),
        body=_body_paragraphs(sel, selectors),
        date=texts(sel, selectors.date),
        modified=texts(sel, selectors.modified),
        authors=texts(sel, selectors.authors),
        tags=texts(sel, selectors.tags),
        section=texts(sel, selectors.section),
        images=sel.css(selectors.image).getall() if selectors.image else [],
    )
    for name in ("title", "lead", "body", "date", "authors", "tags", "section"):
        if getattr(selectors, name) and not getattr(out, name):
            out.missed.append(name)
    return out


def texts(sel: Selector, css: str | None) -> list[str]:
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
