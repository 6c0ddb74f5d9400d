"""The generic layer on small pages of each failure class it once had (issue 8).

Every page here is written for the test (no copied pages): a Russian regional news page
with the one trap of its class around a short article. The article text must come out,
and the trap must not.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from lxml import html as lxml_html

from omskcrawl.extract import generic
from omskcrawl.extract.article import extract_article
from omskcrawl.extract.dates import DateDecision, publication_date
from omskcrawl.extract.structured import DateCandidate
from omskcrawl.items import ArticleItem
from omskcrawl.loader import ArticleLoader

NOW = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
URL = "https://novosti-irtysh.ru/news/society/12345"
TZ = "Asia/Omsk"

LEAD = "В Омске открыли новую детскую библиотеку на левом берегу Иртыша."
P1 = (
    "Библиотека разместилась на первом этаже жилого дома на улице Конева, в ней более "
    "восьми тысяч книг, игровая комната и зал для занятий с детьми младшего возраста."
)
P2 = (
    "По словам директора городской библиотечной системы, в следующем году такие же "
    "пространства появятся ещё в двух округах, деньги на ремонт уже выделены из бюджета."
)
P3 = (
    "Записаться в библиотеку можно с паспортом одного из родителей, абонемент бесплатный, "
    "а по субботам там будут проходить громкие чтения и встречи с омскими писателями."
)


def page(
    body: str, head: str = "", title: str = "Детская библиотека открылась на Левобережье"
) -> str:
    return f"""<!DOCTYPE html><html lang="ru"><head><meta charset="utf-8">
<title>{title} | Новости Иртыша</title>{head}</head><body>
<header class="site-header"><a href="/">Новости Иртыша</a>
<nav><a href="/news">Новости</a> <a href="/society">Общество</a> <a href="/sport">Спорт</a></nav>
</header>
{body}
<footer><p>© 2026 «Новости Иртыша». Все права защищены. Перепечатка запрещена.</p></footer>
</body></html>"""


def extract(html: str, url: str = URL) -> dict[str, object]:
    return dict(extract_article(html, url=url, now=NOW))


def article(extra_before: str = "", extra_after: str = "", wrapper: str = "article") -> str:
    return (
        f"<{wrapper}><h1>Детская библиотека открылась на Левобережье</h1>{extra_before}"
        f"<p>{LEAD}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p>{extra_after}</{wrapper}>"
    )


def body_of(html: str) -> str:
    body = extract(html)["body"]
    assert isinstance(body, str)
    return body


def assert_article(body: str) -> None:
    for text in (P1, P2, P3):
        assert text in body


# 1. The article sits in wrappers whose class names look like chrome.
@pytest.mark.parametrize(
    "wrapper_open, wrapper_close",
    [
        ('<div class="post type-post tag-omsk category-society has-ads">', "</div>"),
        ('<div class="region-content"><div class="widget Blog">', "</div></div>"),
        ('<form id="aspnetForm" action="/news/12345" method="post">', "</form>"),
        ('<div class="content-sidebar-wrap"><main class="content">', "</main></div>"),
    ],
)
def test_article_in_chrome_named_wrapper_is_found(wrapper_open: str, wrapper_close: str) -> None:
    body = body_of(page(f"{wrapper_open}{article()}{wrapper_close}"))
    assert_article(body)
    assert "Перепечатка запрещена" not in body


# 2. A longer block of something else must not win over a short article.
def test_comment_thread_longer_than_the_article_is_left_out() -> None:
    comments = "".join(
        f'<div class="comment"><span class="author">Гость {i}</span><p>Комментарий номер {i}: '
        "а почему опять на Левобережье, у нас в Кировском округе тоже нужна библиотека, "
        "и дороги бы починили заодно, а то весной не пройти.</p></div>"
        for i in range(12)
    )
    body = body_of(
        page(article() + f'<section id="comments" class="comments">{comments}</section>')
    )
    assert_article(body)
    assert "Комментарий номер" not in body


def test_feed_of_timed_headlines_does_not_beat_a_short_article() -> None:
    feed = "".join(
        f'<li><span class="time">1{i}:0{i}</span> <a href="/news/{i}">Новость дня номер {i}: '
        "в регионе прошло совещание по вопросам благоустройства дворов</a></li>"
        for i in range(10)
    )
    html = page(article() + f'<aside class="latest"><h3>Лента новостей</h3><ul>{feed}</ul></aside>')
    body = body_of(html)
    assert_article(body)
    assert "Новость дня номер" not in body


def test_related_posts_grid_and_cookie_dialog_are_left_out() -> None:
    related = "".join(
        f'<div class="card"><a href="/news/{i}"><h4>Похожая новость {i} про библиотеки</h4>'
        "<p>Краткое описание похожей новости, которое выглядит как абзац текста.</p></a></div>"
        for i in range(6)
    )
    cookie = (
        '<div class="cookie-banner" role="dialog"><p>Мы используем файлы cookie, чтобы сайт '
        "работал лучше. Оставаясь на сайте, вы соглашаетесь с политикой конфиденциальности."
        "</p><button>Понятно</button></div>"
    )
    body = body_of(page(article() + f'<div class="related">{related}</div>{cookie}'))
    assert_article(body)
    assert "Похожая новость" not in body
    assert "cookie" not in body


# 3. The lead sits above the container that holds the rest.
def test_lead_above_the_text_container_is_kept() -> None:
    html = page(
        '<div class="news"><h1>Детская библиотека открылась на Левобережье</h1>'
        f'<div class="news-lead"><p>{LEAD}</p></div>'
        f'<div class="news-text"><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>'
    )
    body = body_of(html)
    assert LEAD in body
    assert_article(body)


# 4. `itemprop=articleBody` marks a teaser card, not the article.
def test_article_body_mark_on_a_teaser_card_is_not_trusted_blindly() -> None:
    card = (
        '<div class="teaser" itemscope itemtype="https://schema.org/NewsArticle">'
        '<a href="/news/999"><span itemprop="headline">Другая новость</span></a>'
        '<div itemprop="articleBody">Короткий анонс другой новости.</div></div>'
    )
    body = body_of(page(article() + card))
    assert_article(body)


# 5. Text outside `<p>`: line breaks in a div, table cells.
def test_text_split_by_br_in_a_div_is_found() -> None:
    html = page(
        '<div class="text"><h1>Детская библиотека открылась на Левобережье</h1>'
        f"{LEAD}<br><br>{P1}<br><br>{P2}<br><br>{P3}</div>"
    )
    assert_article(body_of(html))


def test_text_in_a_layout_table_is_found() -> None:
    html = page(
        '<table width="100%"><tr><td class="menu"><a href="/news">Новости</a></td>'
        '<td class="main"><h1>Детская библиотека открылась на Левобережье</h1>'
        f"<p>{LEAD}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p></td></tr></table>"
    )
    assert_article(body_of(html))


def test_read_also_teaser_inside_the_article_is_left_out() -> None:
    teaser = "<p>Читайте также: В Омске отремонтируют ещё три библиотеки</p>"
    body = body_of(page(article(extra_after=teaser)))
    assert_article(body)
    assert "Читайте также" not in body


def test_page_that_marks_an_empty_article_body_has_no_body() -> None:
    """A capture whose marked article body is empty: the rest is menus, not the article."""
    menu = "".join(f"<p><a href='/r/{i}'>Регион {i}</a></p>" for i in range(40))
    html = page(
        '<div class="article"><h1>Детская библиотека открылась на Левобережье</h1>'
        '<div itemprop="articleBody" class="inread-content"></div></div>'
        f'<div class="regions">{menu}</div>'
    )
    assert extract(html).get("body") is None


def test_empty_article_body_mark_with_the_text_elsewhere_keeps_the_text() -> None:
    """A template that marks an empty element as the body while the text sits beside it."""
    html = page(
        '<div class="news-detail"><h1>Детская библиотека открылась на Левобережье</h1>'
        '<div itemprop="articleBody"></div>'
        f'<div class="news-detail__text"><p>{LEAD}</p><p>{P1}</p><p>{P2}</p><p>{P3}</p></div></div>'
    )
    assert_article(body_of(html))


def test_broken_attribute_markup_does_not_crash() -> None:
    """An attribute without a name (`<a ="x">`) made lxml raise on `attrib` access."""
    html = page(article(extra_after='<p><a ="x" href="/files/plan.pdf">План работ</a></p>'))
    item = extract(html)
    assert_article(str(item["body"]))
    assert item["attachments"] == [
        {"url": "https://novosti-irtysh.ru/files/plan.pdf", "text": "План работ"}
    ]


# Fields besides the body.
def test_entities_escaped_twice_are_decoded_in_every_field() -> None:
    head = (
        '<meta property="og:title" content="Библиотека &amp;quot;Читай-город&amp;quot; открылась">'
        '<meta name="description" '
        'content="Новая библиотека&amp;nbsp;на Левобережье &amp;amp; не только">'
    )
    item = extract(page(article(), head=head, title="x"))
    assert item["title"] == 'Библиотека "Читай-город" открылась'
    assert item["lead"] == "Новая библиотека на Левобережье & не только"
    for field in ("title", "lead", "body"):
        assert "&quot;" not in str(item[field]) and "&amp;" not in str(item[field])


def test_embedded_video_name_is_not_the_title_and_urls_are_not_authors() -> None:
    head = """<script type="application/ld+json">[
 {"@context":"https://schema.org","@type":"VideoObject","name":"Видео: экскурсия по библиотеке",
  "uploadDate":"2026-11-20T10:00:00+06:00"},
 {"@context":"https://schema.org","@type":"NewsArticle",
  "headline":"Детская библиотека открылась на Левобережье",
  "author":[{"@type":"Person","name":"Анна Смирнова"},"https://vk.com/novosti_irtysh"],
  "datePublished":"2026-11-20T09:15:00+06:00"}]</script>"""
    item = extract(page(article(), head=head))
    assert item["title"] == "Детская библиотека открылась на Левобережье"
    assert item["authors"] == ["Анна Смирнова"]
    assert item["published_at"] == datetime(2026, 11, 20, 3, 15, tzinfo=UTC)


# 6. Dates from fields and places the policy once ignored.
@pytest.mark.parametrize(
    "head",
    [
        '<meta name="dc.date" content="2024-03-05">',
        '<meta name="publication_date" content="2024-03-05">',
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        '"@type":"NewsArticle","headline":"x","dateCreated":"2024-03-05"}</script>',
        '<script type="application/ld+json">{"@context":"https://schema.org",'
        '"@type":"VideoObject","name":"x","uploadDate":"2024-03-05"}</script>',
    ],
)
def test_date_from_less_common_fields(head: str) -> None:
    item = extract(page(article(), head=head))
    assert item["published_at"] is not None
    assert item["published_at"].astimezone(UTC).date().isoformat() in ("2024-03-04", "2024-03-05")
    assert item["published_raw"] == "2024-03-05"


def test_date_from_the_url_shape() -> None:
    item = extract(page(article()), url="https://novosti-irtysh.ru/2024/03/05/biblioteka/")
    assert item["date_source"] == "url"
    assert item["published_raw"] == "2024-03-05"


def test_visible_date_near_the_headline() -> None:
    html = page(
        "<article><h1>Детская библиотека открылась на Левобережье</h1>"
        f'<div class="article-meta"><span class="pub-date">5 марта 2024, 14:20</span></div>'
        f"<p>{LEAD}</p><p>{P1}</p><p>{P2}</p></article>"
    )
    item = extract(html)
    assert item["date_source"] == "text"
    assert item["published_at"] == datetime(2024, 3, 5, 8, 20, tzinfo=UTC)


def test_bare_time_on_an_archived_page_is_not_today() -> None:
    """A clock widget's «16:45» must not date an old article to the crawl day."""
    html = page(
        '<div class="top-bar"><span class="time">16:45</span></div>'
        "<article><h1>Детская библиотека открылась на Левобережье</h1>"
        f"<p>{LEAD}</p><p>{P1}</p><p>{P2}</p><p>Статья от 5 марта 2024 года.</p></article>"
    )
    item = extract(html)
    published = item["published_at"]
    assert published is None or published.date() != NOW.date()


# Cost: the visible texts are read only where the date policy needs them.
def _dates_with_spy(
    structured: list[DateCandidate], url: str = URL
) -> tuple[DateDecision, list[int]]:
    calls: list[int] = []

    def shown() -> list[str]:
        calls.append(1)
        return ["5 марта 2024, 14:20"]

    decision = publication_date(
        structured, shown=shown, from_selector=False, feed_raw=None, url=url, now=NOW, tz=TZ
    )
    return decision, calls


def test_visible_dates_are_not_read_when_one_machine_date_with_offset_decides() -> None:
    decision, calls = _dates_with_spy([DateCandidate("2024-03-05T14:20:00+06:00", "meta")])
    assert decision.utc == datetime(2024, 3, 5, 8, 20, tzinfo=UTC)
    assert calls == []


def test_visible_dates_order_two_machine_dates_of_different_days() -> None:
    """An updated date first in the meta, the page shows the published day: that one wins."""
    decision, calls = _dates_with_spy(
        [
            DateCandidate("2024-03-09T10:00:00+06:00", "meta"),
            DateCandidate("2024-03-05T14:20:00+06:00", "meta"),
        ]
    )
    assert decision.raw == "2024-03-05T14:20:00+06:00"
    assert calls == [1]


def test_visible_dates_give_the_time_of_a_url_day_and_are_read_once() -> None:
    decision, calls = _dates_with_spy([], url="https://novosti-irtysh.ru/2024/03/05/biblioteka/")
    assert decision.source == "text"
    assert decision.utc == datetime(2024, 3, 5, 8, 20, tzinfo=UTC)
    assert calls == [1]


def test_a_utc_machine_date_takes_the_page_offset_from_the_visible_time() -> None:
    decision, calls = _dates_with_spy([DateCandidate("2024-03-05T08:20:00Z", "meta")])
    assert decision.value is not None and decision.value.utcoffset() == timedelta(hours=6)
    assert decision.utc == datetime(2024, 3, 5, 8, 20, tzinfo=UTC)
    assert calls == [1]


# Cost: trafilatura's full cascade only where it can find more than its fast pass.
def _redos(html: str, monkeypatch: pytest.MonkeyPatch) -> int:
    real = generic._trafilatura_text
    full: list[bool] = []

    def spy(root: lxml_html.HtmlElement, url: str | None, *, fast: bool) -> str:
        if not fast:
            full.append(True)
        return real(root, url, fast=fast)

    monkeypatch.setattr(generic, "_trafilatura_text", spy)
    generic.trafilatura_body(lxml_html.fromstring(html), URL)
    return len(full)


def test_short_article_alone_on_its_page_is_not_redone(monkeypatch: pytest.MonkeyPatch) -> None:
    html = page(f"<article><h1>Детская библиотека</h1><p>{P1}</p><p>{P2}</p><p>{P3}</p></article>")
    assert 450 <= len(P1 + P2 + P3) < 1000  # a short body, over the always-redo floor
    assert _redos(html, monkeypatch) == 0


def test_short_fast_body_on_a_page_with_more_prose_is_redone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A news brief whose fast body is under REDO_ALWAYS_CHARS: the cascade may find more."""
    html = page(f"<article><h1>Детская библиотека</h1><p>{LEAD}</p><p>{P1}</p></article>")
    assert _redos(html, monkeypatch) == 1


def test_loader_outputs_follow_values_added_after_a_read() -> None:
    loader = ArticleLoader(item=ArticleItem(tags=[]))
    loader.add_value("tags", ["Культура"])
    assert loader.get_output_value("tags") == ["Культура"]
    loader.add_value("tags", ["Библиотеки"])
    assert loader.get_output_value("tags") == ["Культура", "Библиотеки"]
    loader.add_value("body", [P1, P2])
    assert loader.get_output_value("body") == f"{P1}\n\n{P2}"
    loader.replace_value("body", [P3])
    assert loader.load_item()["body"] == P3


# trafilatura's main extractor without its rescue stages (`_main_text`): its inner
# functions, so a trafilatura upgrade that changes them shows here.
def test_main_text_path_is_trafilaturas_fast_pass_on_an_article_page() -> None:
    from trafilatura import bare_extraction

    html = page(
        article(
            extra_before='<div class="share"><a href="/vk">ВКонтакте</a> <a href="/tg">Telegram</a>'
            '<script>window.share = {counter: "Поделиться"};</script></div>',
            extra_after='<iframe src="https://vk.com/video_ext.php?oid=-1"></iframe>'
            '<div class="comments"><p>Наконец-то! Давно ждали такую библиотеку.</p>'
            "<form><textarea>Ваш комментарий</textarea><button>Отправить</button></form></div>",
        ),
        head="<style>.share{display:flex}</style><script>var ym = 1;</script>",
    )
    root = lxml_html.fromstring(html)
    before = lxml_html.tostring(root)
    text = generic._main_text(root, URL)
    doc = bare_extraction(html, url=URL, fast=True, include_comments=False, with_metadata=False)
    assert text is not None and doc is not None
    assert text == doc.text
    assert_article(text)
    assert "Давно ждали" not in text and "ВКонтакте" not in text
    assert lxml_html.tostring(root) == before  # the caller's tree is not changed


def test_forum_thread_and_very_short_text_take_trafilaturas_whole_cascade() -> None:
    forum = page(
        article(),
        head='<script type="application/ld+json">{"@context": "https://schema.org", '
        '"@type": "DiscussionForumPosting", "headline": "Библиотека на Левобережье"}</script>',
    )
    brief = page(f"<article><h1>Библиотека</h1><p>{LEAD}</p></article>")
    assert generic._main_text(lxml_html.fromstring(forum), URL) is None
    assert generic._main_text(lxml_html.fromstring(brief), URL) is None
    assert LEAD in body_of(brief)
