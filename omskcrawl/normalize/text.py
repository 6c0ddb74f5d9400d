"""Text cleaning for titles, bodies and tags: pure functions of strings.

Each single-value function takes one value and returns one value (``None`` to drop it), so it
can sit in an itemloaders ``MapCompose``; the list functions (`clean_paragraphs`, `split_tags`)
take the whole list and belong in a ``Compose``.

Decisions worth knowing:

* Zero-width characters and soft hyphens are deleted, not turned into spaces: they render as
  nothing, and some CMSs put them inside words.
* Photo credits (``Фото: Om1.ru``, ``Правительство Омской области`` under a picture) are kept as
  body text; only the same line printed twice in a row is folded to one. Picture captions are
  best left out by the site's selectors (``figure``, ``figcaption``), where they can be seen.
* A «Читайте также» / «По теме» line is dropped, but not the link titles under it: at text level
  they look like any short paragraph. Site selectors must remove the inject block itself.
* ``#``-tag lines (``#Омск #Промышленность``) are tags, not body: `clean_paragraphs` drops them
  and `split_tags` parses them.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
import unicodedata
from collections.abc import Iterable

__all__ = [
    "clean_paragraphs",
    "clean_title",
    "collapse_ws",
    "content_hash",
    "fold_key",
    "is_boilerplate",
    "is_hashtag_line",
    "split_keywords",
    "split_tags",
    "strip_markers",
    "strip_site_suffix",
    "word_count",
]

# Invisible characters that render as nothing: deleted outright.
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"))
_HAS_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")


def collapse_ws(text: str | None) -> str:
    """Collapse every run of whitespace (NBSP, thin spaces, tabs, newlines) to one space.

    Zero-width characters and soft hyphens are deleted; the text is NFC-composed so that a
    decomposed «й» equals a composed one. ``None`` gives ``""``.

    >>> collapse_ws("  20\\u00a0ноября,\\u2009 10:55\\n")
    '20 ноября, 10:55'
    >>> collapse_ws("Хо\\u200bценко\\t\\tобсудил\\r\\nразвитие")
    'Хоценко обсудил развитие'
    >>> collapse_ws(None)
    ''
    """
    if not text:
        return ""
    text = unescape_entities(text)
    if _HAS_INVISIBLE.search(text):  # translate() walks the text char by char: only if needed
        text = text.translate(_INVISIBLE)
    return " ".join(unicodedata.normalize("NFC", text).split())


_ENTITY = re.compile(r"&(?:[a-zA-Z][a-zA-Z0-9]{1,30}|#\d{1,7}|#[xX][0-9a-fA-F]{1,6});")


def unescape_entities(text: str) -> str:
    """Decode HTML entities left in text that was already parsed (escaped twice at the source).

    A page that writes `&amp;quot;` in a meta tag shows `&quot;` after parsing; two rounds
    cover `&amp;amp;nbsp;` too. Text without an entity comes back unchanged.

    >>> unescape_entities("Губернатор: &quot;Метро будет&quot; &amp;nbsp;и точка")
    'Губернатор: "Метро будет" \xa0и точка'
    >>> unescape_entities("AT&T и R&D")
    'AT&T и R&D'
    """
    for _ in range(3):
        if "&" not in text or not _ENTITY.search(text):
            break
        text = html.unescape(text)
    return text


def fold_key(text: str | None) -> str:
    """Comparison key: whitespace collapsed, case folded, «ё» read as «е».

    >>> fold_key("  Ольга\\u00a0АКАМОВА ")
    'ольга акамова'
    >>> fold_key("Всё ещё") == fold_key("все еще")
    True
    """
    return collapse_ws(text).casefold().replace("ё", "е")


# ---------------------------------------------------------------- titles

_MARKER_WORDS = (
    r"фото(?:репортаж|галерея|отчет|отчёт)?|видео(?:репортаж)?|инфографика|аудио"
    r"|обновлено|дополнено|онлайн|(?:0|6|12|16|18)\+"
)
# «[ФОТО]», «(ВИДЕО)», «[ФОТО, ВИДЕО]», «(фото + видео)» anywhere in the title.
_BRACKET_MARKER = re.compile(
    rf"\s*[\[(]\s*(?i:{_MARKER_WORDS})(?:\s*(?:[,+/&]|\s|\sи\s)\s*(?i:{_MARKER_WORDS}))*\s*[\])]"
)
# Bare upper-case markers at the end: «… — ВИДЕО», «…: ФОТО», «… ФОТО И ВИДЕО».
_TRAILING_MARKER = re.compile(
    r"(?:\s*[:|—–-])?\s+(?:ФОТО(?:РЕПОРТАЖ|ГАЛЕРЕЯ)?|ВИДЕО)"
    r"(?:\s*(?:[,+]|\sИ\s)\s*(?:ФОТО|ВИДЕО))?$"
)
_TRAILING_AGE = re.compile(r"\s+(?:0|6|12|16|18)\+$")
_DANGLING_SEPARATOR = re.compile(r"\s*[:|—–/-]$")


def strip_markers(text: str | None) -> str:
    """Remove media markers (``[ФОТО]``, ``(ВИДЕО)``) and a trailing age rating (``18+``).

    Bracketed markers go wherever they are and in any case; bare markers only at the end and
    in upper case. A separator left dangling by the removal goes too; the headline's own end
    punctuation stays.

    >>> strip_markers("Омичи вышли на субботник\\u00a0\\u00a0[ФОТО]\\u00a0\\u00a0")
    'Омичи вышли на субботник'
    >>> strip_markers("На Иртыше прошла регата (ФОТО, ВИДЕО)")
    'На Иртыше прошла регата'
    >>> strip_markers("Что известно о новом мосте? — ВИДЕО")
    'Что известно о новом мосте?'
    >>> strip_markers("В Омске откроют бар для взрослых 18+")
    'В Омске откроют бар для взрослых'
    >>> strip_markers("Фото дня: закат над Иртышом")
    'Фото дня: закат над Иртышом'
    """
    text = collapse_ws(text)
    stripped = _BRACKET_MARKER.sub("", text)
    stripped = _TRAILING_MARKER.sub("", stripped)
    stripped = _TRAILING_AGE.sub("", stripped)
    if stripped != text:
        stripped = _DANGLING_SEPARATOR.sub("", collapse_ws(stripped))
    return collapse_ws(stripped)


# Words that may precede an outlet's name in a title suffix («РИА Омск-информ», «газета МК»).
_OUTLET_PREFIX = r"(?:(?i:риа|иа|гтрк|ортрк|телеканал|газета|портал|издание|сетевое\s+издание)\s+)?"
_OUTLET_TAIL = (
    r"(?:\.(?i:ру|ru|рф|su|info|com))?"
    # Up to three place words: «АиФ в Омске», «МК Рязань», «Om1 Омск».
    r"(?:\s+(?:(?:в|во|и|на)\s+)?[A-ZА-ЯЁ0-9][\w.-]*){0,3}"
)


@functools.lru_cache(maxsize=64)
def _outlet_name_re(outlets: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a trailing outlet name: any of `outlets` (case-insensitive, spaces
    flexible, in quotes or not) with an optional title word before it and a domain ending
    or place words after it."""
    names = "|".join(re.escape(name).replace(r"\ ", r"\s+") for name in outlets if name.strip())
    if not names:
        return None
    return re.compile(rf"{_OUTLET_PREFIX}[«\"]?(?i:{names})[»\"]?(?![\w-]){_OUTLET_TAIL}")


_DOMAIN = re.compile(
    r"(?i:(?:www\.)?[a-zа-яё0-9-]+(?:\.[a-zа-яё0-9-]+)*"
    r"\.(?:ru|ру|рф|su|info|com|net|org|news|media|express|pro|tv|online))"
)
_NEWS_OF_OMSK = re.compile(r"(?i:(?:последние\s+|главные\s+|свежие\s+|все\s+)?новости\b.*)")
_NEWS_ONLY = re.compile(r"(?i:(?:последние\s+|главные\s+|свежие\s+|все\s+)?новости(?:\s+дня)?)")

# Separators of a trailing site name. Dashes need a space after them so that hyphenated
# words («экс-глава») never split.
_PIPE_SEPARATOR = re.compile(r"\s*(?:\||::|•|·)\s*")
_SEPARATOR = re.compile(r"\s*(?:\||::|•|·)\s*|\s*[—–-]\s+|\s+/\s+")


def _looks_like_site(segment: str, outlets: tuple[str, ...]) -> bool:
    segment = segment.strip(" .")
    if not segment or len(segment) > 60:
        return False
    names = _outlet_name_re(outlets)
    if (names is not None and names.fullmatch(segment)) or _DOMAIN.fullmatch(segment):
        return True
    if _NEWS_ONLY.fullmatch(segment):
        return True
    return bool(
        _NEWS_OF_OMSK.fullmatch(segment)
        and "омск" in segment.casefold()
        and len(segment.split()) <= 8
    )


def strip_site_suffix(text: str | None, outlets: tuple[str, ...] = ()) -> str:
    """Remove trailing site names: ``Заголовок — Омск-информ``, ``Заголовок | НГС55``.

    A trailing segment after `` | ``, `` — ``, `` - ``, `` :: `` or `` / `` goes when it is
    one of ``outlets`` (the site module's names; optionally with a place: ``МК Омск``,
    ``АиФ в Омске``), a domain
    (``Om1.ru``) or "Новости Омска…". When a site name followed a ``|``, short ``|`` segments
    before it (rubrics, up to three words) go too. The first segment always stays, so a
    headline dash is never cut unless what follows it is a site name.

    >>> strip_site_suffix("Хоценко — о развитии промышленности")
    'Хоценко — о развитии промышленности'
    >>> strip_site_suffix("Хоценко обсудил развитие промышленности — Омск-информ",
    ...                   ("Омск-информ",))
    'Хоценко обсудил развитие промышленности'
    >>> strip_site_suffix("Хоценко обсудил развитие промышленности — Омск-информ")
    'Хоценко обсудил развитие промышленности — Омск-информ'
    >>> strip_site_suffix("В Рязани наградили лучших журналистов - МК Рязань", ("МК",))
    'В Рязани наградили лучших журналистов'
    >>> strip_site_suffix("Теракт во Франции | В мире | Политика | Аргументы и Факты",
    ...                   ("АиФ", "Аргументы и Факты"))
    'Теракт во Франции'
    >>> strip_site_suffix("Пробки на Ленина :: Город55 | Новости Омска", ("Город55",))
    'Пробки на Ленина'
    >>> strip_site_suffix("Кабмин утвердил план | Om1.ru")
    'Кабмин утвердил план'
    """
    text = collapse_ws(text)
    while True:
        separators = list(_SEPARATOR.finditer(text))
        if not separators:
            return text
        last = separators[-1]
        if last.start() == 0 or not _looks_like_site(text[last.end() :], outlets):
            return text
        text = text[: last.start()]
        if _PIPE_SEPARATOR.fullmatch(last.group()):
            text = _strip_rubrics(text)


def _strip_rubrics(text: str) -> str:
    while True:
        pipes = list(_PIPE_SEPARATOR.finditer(text))
        if not pipes or pipes[-1].start() == 0:
            return text
        rubric = text[pipes[-1].end() :]
        if len(rubric.split()) > 3:
            return text
        text = text[: pipes[-1].start()]


def _undouble(text: str) -> str:
    """Keep one copy of a headline printed two or three times in a row."""
    for copies in (2, 3):
        length, spare = divmod(len(text) - (copies - 1), copies)
        if spare or length <= 0:
            continue
        piece = text[:length]
        if " " in piece and " ".join([piece] * copies) == text:
            return piece
    return text


def clean_title(text: str | None, outlets: tuple[str, ...] = ()) -> str | None:
    """Clean a headline; ``None`` when nothing is left.

    Collapses whitespace, keeps one copy of a headline printed twice (or three times) in a
    row, removes trailing site names (`strip_site_suffix`: ``outlets`` are the names the
    site module declares) and media markers and age ratings (`strip_markers`). The
    headline's own end punctuation stays.

    >>> clean_title("Виталий Хоценко обсудил развитие промышленности с министром Алихановым\\n\\n"
    ...             "Виталий Хоценко обсудил развитие промышленности с министром Алихановым")
    'Виталий Хоценко обсудил развитие промышленности с министром Алихановым'
    >>> clean_title("Омичи вышли на субботник  [ФОТО]  — Омск-информ", ("Омск-информ",))
    'Омичи вышли на субботник'
    >>> clean_title("Куда пойти в выходные? | НГС55", ("НГС", "НГС55"))
    'Куда пойти в выходные?'
    >>> clean_title(" \\u00a0 ") is None
    True
    """
    title = collapse_ws(text)
    while True:
        cleaned = _undouble(strip_markers(strip_site_suffix(_undouble(title), outlets)))
        if cleaned == title:
            break
        title = cleaned
    return title or None


# ---------------------------------------------------------------- body

# Longer lines are article text whatever they start with.
_MAX_CHROME_LENGTH = 300

# Patterns are matched on `fold_key` of the line (lower case, «ё» → «е») with leading
# bullets and asterisks removed, at the start of the line.
_CHROME_START = re.compile(
    "|".join(
        [
            r"подпи(?:шитесь|сывайтесь|шись|сывайся)\b",
            r"нашли (?:опечатку|ошибку)",
            r"читайте (?:также|еще|нас|наши|новости|по теме)\b",
            r"смотрите (?:также|видео|еще|нас|наши)\b",
            r"(?:статья|материалы|новости) по теме\b",
            r"по теме\s*(?::|$)",
            r"хочешь чаще читать",
            r"при (?:использовании|копировании|перепечатке|цитировании)\b.*ссылк",
            r"категория информационной продукции",
            r"ваш регион\s*:",
            r"(?:теги|тэги|метки|ключевые слова)\s*:",
            r"erid\s*:",
            r"реклама\s*(?:$|[.:|]\s*(?:$|.*(?:erid|рекламодатель|\bинн\b)))",
            r"(?:знаете|вам известн\w*|вам есть что|есть что рассказать|если вы (?:стали|знаете"
            r"|видели|были))\b.*\b(?:расскажите|напишите|пишите|сообщите|присылайте|звоните)",
            r"просмотр(?:ов|ы|а)?\s*:?\s*\d[\d\s]*$",
            # «сегодня в 17:04, просмотров: 173»: a date line ending in a counter.
            r".{0,40}\bпросмотр(?:ов|ы|а)?\s*:\s*\d[\d\s]*$",
            r"комментари(?:ев|и|й)\s*:?\s*\d*$",
            r"курсы? (?:валют )?цб\b",
            r"пробки\s*:",
            r"(?:доллар|евро|тенге|юань)\s*[-—:]?\s*\d+(?:[.,]\d+)?$",
            r"в омске (?:понедельник|вторник|среда|четверг|пятница|суббота|воскресенье)\b",
            r"\d{1,2}\+$",
            r"\d[\d\s]*$",
        ]
    )
)
# Calls to action that are only chrome when they name a channel: «Следите за новостями в
# Telegram» is chrome, «Следите за погодой» is not.
_CALL_START = re.compile(
    r"(?:следите|присоединяйтесь|переходите|вступайте|подключайтесь|узнавайте|будьте в курсе"
    r"|оставайтесь|больше новостей|(?:и )?еще больше|самые (?:яркие|свежие|важные|интересные)"
    r"|самую оперативную|все (?:главные|важные|самые)|хотите|оперативные новости)\b"
)
_CHANNEL = re.compile(
    r"telegram|телеграм|\bдзен|dzen|\bmax\b|\bмакс\b|вконтакте|\bvk\b|\bвк\b|одноклассник"
    r"|youtube|rutube|t\.me|подпис|\bнаш\w*\s+(?:[\w-]+\s+)?(?:канал|сообществ|групп|паблик)"
)
_CHROME_LINES = frozenset(
    [
        "поделиться",
        "поделитесь",
        "реклама",
        "иллюстрация",
        "последние новости",
        "новости партнеров",
        "популярное",
        "самое читаемое",
        "самое популярное",
        "топ",
        "комментарии",
        "все новости",
        "другие новости",
        "главные новости",
        "лента новостей",
        "скопировать ссылку",
        "копировать ссылку",
        "ссылка скопирована",
        "версия для печати",
        "распечатать",
        "в избранное",
        "подписаться",
        "обсудить",
        "комментировать",
        "оставить комментарий",
        "загрузка",
        "показать еще",
        "загрузить еще",
        "криптовалюты",
        "все рубрики",
        "в омске",
    ]
)
# A line made only of these words is a share widget.
_SHARE_WORDS = frozenset(
    [
        "вконтакте",
        "вк",
        "vk",
        "одноклассники",
        "ок",
        "ok",
        "telegram",
        "телеграм",
        "телеграмм",
        "tg",
        "whatsapp",
        "viber",
        "вайбер",
        "дзен",
        "twitter",
        "facebook",
        "фейсбук",
        "max",
        "макс",
        "rutube",
        "youtube",
        "мой",
        "мир",
        "mail",
        "ru",
        "livejournal",
        "жж",
        "email",
        "e-mail",
        "почта",
        "поделиться",
        "скопировать",
        "копировать",
        "ссылку",
    ]
)
_SHARE_WORD = re.compile(r"[\w-]+")


def _chrome_key(line: str | None) -> str:
    return fold_key(line).lstrip("*•·>—–- ")


def is_boilerplate(line: str | None) -> bool:
    """True for page chrome and calls to action, never for article sentences.

    Matches at the start of short lines (under 300 characters): subscribe calls, «Нашли
    опечатку?», «Читайте также», «Смотрите видео по теме», copyright notes, «Категория
    информационной продукции 12+», «Ваш регион: …», «Расскажите нам» appeals, ad labels
    (``Реклама``, ``erid:``), ``Теги:``, view counters and bare numbers, currency and traffic
    widgets; calls to follow a channel (``Самые яркие фото … в нашем Telegram-канале``); whole
    lines such as ``Поделиться`` or a row of share-widget names. Empty lines count as
    boilerplate. Photo credits are not boilerplate.

    >>> is_boilerplate("Подпишитесь")
    True
    >>> is_boilerplate("Нашли опечатку? Выделите её и нажмите Ctrl+Enter")
    True
    >>> is_boilerplate("Самые яркие фото и видео дня — в нашем Telegram-канале")
    True
    >>> is_boilerplate("ВКонтакте Одноклассники Telegram")
    True
    >>> is_boilerplate("Напомним, что Омская область получила на ремонт школ 7 млрд рублей.")
    False
    >>> is_boilerplate("Об этом мэр сообщил в своем телеграм-канале.")
    False
    >>> is_boilerplate("Фото: Om1.ru")
    False
    """
    key = _chrome_key(line)
    if not key:
        return True
    if len(key) > _MAX_CHROME_LENGTH:
        return False
    if _CHROME_START.match(key):
        return True
    if _CALL_START.match(key) and _CHANNEL.search(key):
        return True
    if key.rstrip(" .:!…") in _CHROME_LINES:
        return True
    words = _SHARE_WORD.findall(key)
    return bool(words) and len(key) <= 120 and all(word in _SHARE_WORDS for word in words)


_HASHTAG_LINE = re.compile(r"#[^#]+(?:#[^#]+)*")


def is_hashtag_line(line: str | None) -> bool:
    """True for a line made only of ``#``-tags (each at most five words).

    >>> is_hashtag_line("#Омск #Промышленность #Ольга Акамова")
    True
    >>> is_hashtag_line("#МыВместе: волонтеры Омска собрали для бойцов больше трех тонн помощи")
    False
    """
    text = collapse_ws(line)
    if not _HASHTAG_LINE.fullmatch(text):
        return False
    tags = text.split("#")[1:]
    return all(len(tag.split()) <= 5 and len(tag) <= 60 for tag in tags)


def clean_paragraphs(paragraphs: Iterable[str | None]) -> list[str]:
    """Clean a body given as paragraphs: the text lines worth keeping, in order.

    Collapses whitespace, drops empty lines, boilerplate (`is_boilerplate`), ``#``-tag lines
    (`is_hashtag_line`) and a line equal to the line kept just before it (compared with
    `fold_key`), such as a photo credit printed twice. Removing a paragraph equal to the title
    is left to the caller, which knows the title.

    >>> clean_paragraphs(["Текст.", "Правительство Омской области",
    ...                   "Правительство\\u00a0Омской области", "", None, "Подпишитесь"])
    ['Текст.', 'Правительство Омской области']
    """
    kept: list[str] = []
    previous = ""
    for paragraph in paragraphs:
        text = collapse_ws(paragraph)
        if is_boilerplate(text) or is_hashtag_line(text):
            continue
        key = fold_key(text)
        if key == previous:
            continue
        kept.append(text)
        previous = key
    return kept


# ---------------------------------------------------------------- generic-layer chrome
# A page with no site selector has no `body_exclude`: what a site module would cut by CSS,
# the generic layer cuts by the shape of the line. Each rule is one class of chrome seen on
# news pages in many languages; all apply only to short lines, never to prose.

_MONTH_WORDS = "|".join(
    (  # noqa: SIM905 - month names read best as text
        "january february march april may june july august september october november december "
        "jan feb mar apr jun jul aug sep sept oct nov dec "
        "januar februar märz juni juli oktober dezember mai okt dez "
        "janvier février mars avril juin juillet août septembre octobre novembre décembre "
        "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre "
        "января февраля марта апреля мая июня июля августа сентября октября ноября декабря"
    ).split()
)
_DATE_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[t ]\d{2}:\d{2}(?::\d{2})?)?|\d{1,2}[./]\d{1,2}[./]\d{2,4}"
    r"|\d{1,2}:\d{2}(?::\d{2})?(?:\s?[ap]\.?m\.?)?"
    rf"|\b\d{{1,2}}\.?\s+(?:{_MONTH_WORDS})\.?(?:\s+\d{{4}})?"
    rf"|\b(?:{_MONTH_WORDS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?(?:\s+\d{{4}})?",
    re.IGNORECASE,
)
# «Read also: <headline>» teasers and the headings of related-links blocks.
_READ_ALSO = re.compile(
    r"^(?:read (?:also|more)|see also|more (?:on|from|about) |lesen sie (?:auch|mehr)|auch lesen"
    r"|weiterlesen|zum weiterlesen|mehr zum thema|mehr dazu"
    r"|weitere (?:themen|beiträge|artikel|informationen|tipps|infos|links|news)"
    r"|à lire aussi|lire aussi|lire la suite|voir aussi|lea (?:más|también)|lee (?:más|también)"
    r"|le puede interesar|te puede interesar|ver también|leggi anche|czytaj (?:też|także|więcej)"
    r"|zobacz (?:też|także)|читайте также|смотрите также|читать также)"
    r"(?:\s*[:.»]|$|\s*(?:\w+\s*){0,4}:|.{0,30}$)",
    re.IGNORECASE,
)
_RELATED_HEADING = re.compile(
    r"^(?:related|recommended|more stories|you may also like|also read"
    r"|[\w ]{0,20}relacionad[oa]s?|empfohlene beiträge|auch interessant|schon gelesen"
    r"|weitere artikel(?: zum thema)?|mehr themen"
    r"|lesen sie hier|dowiedz się więcej|mira|mire|vea también|puedes ver|lea|te recomendamos"
    r"|по теме|читайте еще|материалы по теме|похожие новости)\b",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)\s|copyright\b)|all rights reserved|alle rechte vorbehalten|tous droits réservés",
    re.IGNORECASE,
)
_META_LABEL = re.compile(
    r"^(?:kategorie|category|categories|tags?|schlagw(?:ö|o)rte?r?|quelle|source|credits?"
    r"|crédits? photos?|titelbild|beitragsbild|image illustrative|bildquelle|fotos?|photos?"
    r"|bild)\s*:",
    re.IGNORECASE,
)
_STAMP = re.compile(
    r"^(?:aktualisiert|letzte änderung|zuletzt aktualisiert|last (?:modified|updated)|updated"
    r"|published|veröffentlicht|stand|publié|mis à jour|actualizado|publicado)\b",
    re.IGNORECASE,
)
_NEWSLETTER = re.compile(
    r"newsletter|(?<!un)subscribe|abonnieren|suscríb|inscrivez|zapisz się", re.IGNORECASE
)


def is_date_line(line: str) -> bool:
    """A line that is only a date or time (a byline stamp, not text).

    >>> is_date_line("23.10.2018"), is_date_line("24. März 2004, 19:49"), is_date_line("286,35 €")
    (True, True, False)
    """
    return (
        len(line) <= 60
        and bool(_DATE_TOKEN.search(line))
        and not re.sub(r"[\W_]+", "", _DATE_TOKEN.sub("", line))
    )


def is_generic_chrome(line: str) -> bool:
    """Chrome a generic extractor lets through: date stamps, «read also» teasers,
    related-links headings, copyright, label lines, newsletter calls.

    >>> is_generic_chrome("Read more: Looted colonial art")
    True
    >>> is_generic_chrome("Lesen Sie auch die folgenden Beiträge:")
    True
    >>> is_generic_chrome("© 2020 General Mills All Rights Reserved")
    True
    >>> is_generic_chrome("Aktualisiert am 17.01.2021.")
    True
    >>> is_generic_chrome("Never miss the latest news by signing up to our newsletter today!")
    True
    >>> is_generic_chrome("Read the full report before the council votes on the budget next week.")
    False
    """
    n = len(line)
    return (
        is_date_line(line)
        or (n <= 160 and bool(_READ_ALSO.match(line)))
        or (n <= 160 and bool(_COPYRIGHT.search(line)))
        or (n <= 120 and bool(_RELATED_HEADING.match(line)) and (n <= 40 or ":" in line[:25]))
        or (n <= 80 and bool(_META_LABEL.match(line)))
        or (n <= 80 and bool(_STAMP.match(line)) and bool(_DATE_TOKEN.search(line)))
        or (n <= 200 and bool(_NEWSLETTER.search(line)))
    )


def clean_generic(lines: Iterable[str]) -> list[str]:
    """Lines of a generically extracted body without `is_generic_chrome` lines and without
    trailing short headings that end in a colon (the heading of a link list that is gone).

    >>> clean_generic(["Текст статьи.", "23.10.2018", "Текст дальше.", "Weitere Informationen:"])
    ['Текст статьи.', 'Текст дальше.']
    """
    kept = [line for line in lines if not is_generic_chrome(line.strip())]
    while kept and len(kept[-1]) <= 60 and kept[-1].rstrip().endswith(":"):
        kept.pop()
    return kept


# ---------------------------------------------------------------- tags


def split_tags(values: Iterable[str | None]) -> list[str]:
    """Tags from tag-link texts and ``#``-tag lines, de-duplicated, in order.

    A value without ``#`` is one tag, even with several words. A value with ``#`` is split on
    ``#``, so multi-word tags stay whole; text before the first ``#`` is a tag too unless it is
    a label ending in ``:`` (``Теги:``). Surrounding commas, semicolons and spaces go.
    Duplicates are compared with `fold_key` (case and «ё» ignored); the first form wins.

    >>> split_tags(["#Ольга Акамова #Нефтехимическая промышленность"])
    ['Ольга Акамова', 'Нефтехимическая промышленность']
    >>> split_tags(["Теги: #Омск, #ЖКХ;", "омск", "Жилищно-коммунальное хозяйство", None])
    ['Омск', 'ЖКХ', 'Жилищно-коммунальное хозяйство']
    """
    tags: list[str] = []
    seen: set[str] = set()
    for value in values:
        text = collapse_ws(value)
        parts = text.split("#")
        if len(parts) > 1 and parts[0].rstrip().endswith(":"):
            parts = parts[1:]
        for part in parts:
            tag = collapse_ws(part.strip(" ,;"))
            key = fold_key(tag)
            if key and key not in seen:
                seen.add(key)
                tags.append(tag)
    return tags


def split_keywords(text: str | None) -> list[str]:
    """Tags from a keywords string such as ``<meta name="keywords">``: split on ``,`` and ``;``.

    >>> split_keywords("Омск, ЖКХ; мэрия, омск,")
    ['Омск', 'ЖКХ', 'мэрия']
    """
    return split_tags(re.split(r"[,;]", text or ""))


# ---------------------------------------------------------------- counting and hashing

# A number with a decimal part, or a run of letters and digits that hyphens and apostrophes
# may join («Омск-информ», «2024-2025», «О’Нил»).
_WORD = re.compile(r"\d+(?:[.,]\d+)+(?!\w)|[^\W_]+(?:[-‐‑'’][^\W_]+)*")


def word_count(text: str | None) -> int:
    """Number of words: runs of letters and digits, a hyphenated word counting once.

    Punctuation and dashes are not words; ``7,5`` is one word.

    >>> word_count("Омская область получила на ремонт школ 7 млрд рублей.")
    9
    >>> word_count("Экс-глава «Омск-информ» — о 2024-2025 годах: рост 7,5 %")
    7
    >>> word_count(None)
    0
    """
    return len(_WORD.findall(collapse_ws(text)))


_NOT_ALNUM = re.compile(r"[\W_]+")


def _hash_text(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", collapse_ws(text)).casefold().replace("ё", "е")
    return _NOT_ALNUM.sub(" ", text).strip()


def content_hash(*parts: str | None) -> str:
    """First 32 hex digits (128 bits) of the SHA-256 of the normalised parts.

    Each part is normalised as: whitespace collapsed (`collapse_ws`), Unicode NFKC, case
    folded, «ё» read as «е», and every run of characters that are not letters or digits
    (punctuation, quotes, dashes, symbols, spaces) turned into one space. So whitespace,
    typography (« » vs " ", — vs -) and letter case do not change the hash; any change to a
    word or number does. Parts are kept apart (``("ab", "c")`` differs from ``("a", "bc")``);
    ``None`` counts as an empty part.

    >>> content_hash("Хоценко  обсудил «развитие»")
    '86f40d30b0f819eb8da4d24d3b689be7'
    >>> hashlib.sha256("хоценко обсудил развитие".encode()).hexdigest()[:32]
    '86f40d30b0f819eb8da4d24d3b689be7'
    >>> content_hash("Хоценко обсудил \\"развитие\\"") == content_hash("ХОЦЕНКО\\nобсудил развитие")
    True
    >>> content_hash("Хоценко обсудил развитие") == content_hash("Хоценко обсудил рост")
    False
    """
    payload = "\x1f".join(_hash_text(part) for part in parts)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()[:32]
