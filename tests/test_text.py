"""Text cleaning, checked on the seed article and on lines seen on real Omsk sites."""

from __future__ import annotations

import hashlib
import re

import pytest
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings

from omskcrawl.normalize.text import (
    clean_paragraphs,
    clean_title,
    collapse_ws,
    content_hash,
    fold_key,
    is_boilerplate,
    is_hashtag_line,
    split_keywords,
    split_tags,
    strip_markers,
    word_count,
)

# The seed article (shared/seed/seed_article.txt) line by line, copied so that the tests do
# not need the shared folder.
SEED_TITLE = "Виталий Хоценко обсудил развитие промышленности с министром Алихановым"
SEED_NAPOMNIM = (
    "Напомним, что Омская область получила на ремонт образовательных учреждений 7 млрд рублей."
)
SEED_TAGS_LINE = (
    "#Омск #Промышленность #Минпромторг #Новости #Ольга Акамова #Технопарк #Виталий Хоценко "
    "#Нефтехимическая промышленность #Инвестиционные проекты"
)
SEED_BODY = [
    "Губернатор Омской области Виталий Хоценко провел встречу с министром промышленности и "
    "торговли России Антоном Алихановым, в ходе которой обсуждалось развитие промышленного "
    "потенциала региона.",
    "",
    "По словам губернатора Виталия Хоценко, промышленное производство в Омской области "
    "демонстрирует стабильный ежегодный рост. В 2024 году в реестр Минпромторга было включено "
    "три индустриальных парка и один технопарк. Регион также стал одним из первых в России, "
    "участвующих в федеральной программе по компенсации затрат на создание инженерной "
    "инфраструктуры в парках.",
    "",
    "Особое внимание уделено промышленной кооперации. В 2024 году создано девять региональных "
    "и три межрегиональных промышленных кластера, а также подана заявка на регистрацию еще "
    "двух. Омская область активно развивает сотрудничество с соседними государствами, включая "
    "планы по созданию международного кластера с соседними республиками — Беларусью и "
    "Казахстаном.",
    "",
    "Правительство Омской области",
    "Правительство Омской области",
    "",
    "Также обсуждались крупные инвестиционные проекты и использование кластерной "
    "инвестиционной платформы для их финансирования. Отдельной темой встречи стало развитие "
    "беспилотных авиационных систем. Планируется, что на базе завода имени Баранова в Омске в "
    "ближайшие полтора года будет организован серийный выпуск компонентов для беспилотников.",
    "",
    "Глава региона Виталий Хоценко предложил в следующем году провести в Омской области "
    "Координационный совет по промышленности Минпромторга России с участием всех министров "
    "промышленности. Это мероприятие позволит обменяться опытом и лучшими практиками, в "
    "частности в области нефтехимической промышленности, а значит положительно повлияет на "
    "развитие всех участников совета.",
    "",
    SEED_NAPOMNIM,
    "",
    SEED_TAGS_LINE,
    "Подпишитесь",
]


# ---------------------------------------------------------------- collapse_ws


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("20\u00a0ноября,\u00a010:55", "20 ноября, 10:55"),  # gorod55 NBSP dates
        ("Сегодня,&nbsp;21:21".replace("&nbsp;", "\u00a0"), "Сегодня, 21:21"),
        ("\n   18.03.18 08:03  \n", "18.03.18 08:03"),  # omskinform .n_date
        ("20:52\u00a0\u00a0\u00a0|\u00a0\u00a0\u00a0Происшествия", "20:52 | Происшествия"),
        ("1\u2009000\u202fрублей", "1 000 рублей"),  # thin and narrow no-break spaces
        ("Хо\u200bценко\ufeff", "Хоценко"),  # zero-width characters render as nothing
        ("пере\u00adнос", "перенос"),  # soft hyphen
        ("и\u0306од", "йод"),  # decomposed «й» composed
        ("a\tb\r\nc", "a b c"),
        ("", ""),
        (None, ""),
    ],
)
def test_collapse_ws(raw: str | None, expected: str) -> None:
    assert collapse_ws(raw) == expected


# ---------------------------------------------------------------- titles

# Outlet names are site knowledge: each site module declares its own (`outlet_names`), the
# base the outlets without a module that headlines credit. Here: all of them together.
_LOADER = SpiderLoader.from_settings(get_project_settings())
OUTLETS = tuple(n for name in _LOADER.list() for n in _LOADER.load(name).title_outlets())


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        # printed twice, on one line or two (seed, ngs55)
        (f"{SEED_TITLE}\n\n{SEED_TITLE}", SEED_TITLE),
        (f"{SEED_TITLE} {SEED_TITLE}", SEED_TITLE),
        (f"{SEED_TITLE}\u00a0 {SEED_TITLE}", SEED_TITLE),
        # three times (om1: header, h1, caption)
        (f"{SEED_TITLE} {SEED_TITLE} {SEED_TITLE}", SEED_TITLE),
        # site names after a separator
        (f"{SEED_TITLE} — Омск-информ", SEED_TITLE),
        (f"{SEED_TITLE} | НГС55", SEED_TITLE),
        (f"{SEED_TITLE} - НГС55.ру", SEED_TITLE),
        (f"{SEED_TITLE} | NGS55.RU", SEED_TITLE),
        (f"{SEED_TITLE} | Новости Омска", SEED_TITLE),
        (f"{SEED_TITLE} — Новости Омска и Омской области", SEED_TITLE),
        (f"{SEED_TITLE} :: Город55", SEED_TITLE),
        (f"{SEED_TITLE} | АиФ Омск", SEED_TITLE),
        (f"{SEED_TITLE} | АиФ в Омске", SEED_TITLE),
        (f"{SEED_TITLE} | МК Омск", SEED_TITLE),
        (f"{SEED_TITLE}- Омскрегион", SEED_TITLE),
        (f"{SEED_TITLE} - Om1 Омск", SEED_TITLE),
        (f"{SEED_TITLE} | om1.ru", SEED_TITLE),
        (f"{SEED_TITLE} — Бизнес-Курс", SEED_TITLE),
        (f"{SEED_TITLE} | БК55", SEED_TITLE),
        (f"{SEED_TITLE} | Коммерческие вести", SEED_TITLE),
        (f"{SEED_TITLE} — «СуперОмск»", SEED_TITLE),
        (f"{SEED_TITLE} — Новый Омск", SEED_TITLE),
        (f"{SEED_TITLE} — 12 канал", SEED_TITLE),
        (f"{SEED_TITLE} — Омская правда", SEED_TITLE),
        (f"{SEED_TITLE} | Правительство Омской области", SEED_TITLE),
        (f"{SEED_TITLE} - ГТРК «Иртыш»", SEED_TITLE),
        (f"{SEED_TITLE} | omskinform.ru", SEED_TITLE),
        # real <title>s: rzn.mk.ru and aif.ru (rubrics between headline and site name go too)
        (
            "В Рязани наградили лучших журналистов - МК Рязань",
            "В Рязани наградили лучших журналистов",
        ),
        (
            "Отрезать голову во имя пророка. Теракт во Франции обнажил старые проблемы | В мире"
            " | Политика | Аргументы и Факты",
            "Отрезать голову во имя пророка. Теракт во Франции обнажил старые проблемы",
        ),
        # two site names, and a title both doubled and suffixed
        ("Пробки на Ленине :: Город55 | Новости Омска", "Пробки на Ленине"),
        (f"{SEED_TITLE} {SEED_TITLE} | НГС55", SEED_TITLE),
        # markers: omskinform puts them after NBSPs; gorod55 adds an age rating
        ("Омичи вышли на субботник\u00a0\u00a0[ФОТО]\u00a0\u00a0", "Омичи вышли на субботник"),
        ("Омичи вышли на субботник (ВИДЕО)", "Омичи вышли на субботник"),
        ("Омичи вышли на субботник [ФОТОРЕПОРТАЖ]", "Омичи вышли на субботник"),
        ("Омичи вышли на субботник [ФОТО, ВИДЕО] — Омск-информ", "Омичи вышли на субботник"),
        ("Омичи вышли на субботник (фото)", "Омичи вышли на субботник"),
        ("В Омске открылся ночной клуб 18+", "В Омске открылся ночной клуб"),
        ("Премьера в «Галерке» 16+", "Премьера в «Галерке»"),
        ("Что известно о новом мосте? — ВИДЕО", "Что известно о новом мосте?"),
        # the headline's own punctuation and dashes stay
        ("Хоценко — о развитии промышленности", "Хоценко — о развитии промышленности"),
        ("Омск — Новосибирск: трассу отремонтируют", "Омск — Новосибирск: трассу отремонтируют"),
        ("Жители пожаловались — АиФ проверил", "Жители пожаловались — АиФ проверил"),
        ("Спасатели предупредили — Иртыш поднимется", "Спасатели предупредили — Иртыш поднимется"),
        (
            "Хоценко: «Омск — город трудовой доблести» | НГС55",
            "Хоценко: «Омск — город трудовой доблести»",
        ),
        ("Экс-глава минстроя задержан?!", "Экс-глава минстроя задержан?!"),
        ("Куда пойти в выходные?", "Куда пойти в выходные?"),
        ("Фото дня: закат над Иртышом", "Фото дня: закат над Иртышом"),
        # a site name alone is not cut to nothing
        ("НГС55", "НГС55"),
    ],
)
def test_clean_title(raw: str, expected: str) -> None:
    assert clean_title(raw, OUTLETS) == expected


@pytest.mark.parametrize(
    ("spider", "raw"),
    [
        ("omskinform", f"{SEED_TITLE} — Омск-информ"),
        ("ngs55", f"{SEED_TITLE} | НГС55"),
        ("omsk_aif", f"{SEED_TITLE} | АиФ в Омске"),
        ("kanal12", f"{SEED_TITLE} — 12 канал"),
        ("omskinform", f"{SEED_TITLE} — ТАСС"),
    ],
)
def test_title_suffix_names_come_from_the_site_module(spider: str, raw: str) -> None:
    """The site's names are passed in; normalize/ keeps no table of outlets."""
    assert clean_title(raw, _LOADER.load(spider).title_outlets()) == SEED_TITLE
    assert clean_title(raw) == raw


def test_another_sites_name_is_kept() -> None:
    """«— НГС55» after an Омск-информ headline is not Омск-информ's signature."""
    raw = f"{SEED_TITLE} — НГС55"
    assert clean_title(raw, _LOADER.load("omskinform").title_outlets()) == raw


@pytest.mark.parametrize("raw", [None, "", " \u00a0\n ", "[ФОТО]"])
def test_clean_title_empty_is_none(raw: str | None) -> None:
    assert clean_title(raw) is None


def test_strip_markers_keeps_words_that_are_not_markers() -> None:
    assert strip_markers("Видеокамеры поставят на 40 перекрестках") == (
        "Видеокамеры поставят на 40 перекрестках"
    )


# ---------------------------------------------------------------- boilerplate


@pytest.mark.parametrize(
    "line",
    [
        "Подпишитесь",  # seed
        "Подписывайтесь на наш канал в Дзене",
        "Подпишись на НГС55 в Telegram",
        "Нашли опечатку? Выделите ее и нажмите Ctrl+Enter",  # om1
        "Нашли опечатку? Выделите её и нажмите Ctrl+Enter",
        "Хочешь чаще читать новости Om1.ru? Подпишись на нас в Дзен.Новостях",
        "Читайте также",
        "Читайте также: В Омске открыли новый мост",
        "Читайте нас в Дзене",
        "Статья по теме",
        "По теме:",
        "Смотрите видео по теме:",  # mk.ru
        "Самые яркие фото и видео дня — в нашем Telegram-канале",  # mk.ru
        "Больше новостей и даже без интернета — в нашем канале в MAX.",  # HS platform
        "Самую оперативную информацию о жизни столицы можно узнать из Telegram-канала MSK1.RU:",
        "Знаете что-то об этом ДТП? Расскажите нам!",
        "Вам известны детали произошедшего? Расскажите нам.",
        "Вам есть что рассказать по этой теме? Напишите нам.",
        # vesti-omsk footer
        "Категория информационной продукции 12+",
        "*Ещё больше оперативных новостей вы найдёте в нашем телеграм-канале. Подписывайтесь "
        "https://t.me/vestiomsk",
        "*При использовании текстов, фото- и видеоматериала, опубликованных на сайте ГТРК "
        "«Иртыш», гиперссылка на первоисточник обязательна.",
        "Последние новости",
        # share widgets
        "Поделиться",
        "ВКонтакте",
        "Одноклассники",
        "Telegram",
        "ВКонтакте Одноклассники Telegram",
        # counters
        "просмотров: 173",
        "сегодня  в 17:04, просмотров: 173",  # regional mk.ru span.date
        "2548",
        "0",
        # rzn.mk.ru region picker
        "Ваш регион: Москва / Санкт-Петербург / Омск / Рязань",
        # ads, tags
        "Реклама",
        "Реклама. ООО «Ромашка», ИНН 5500000000, erid: 2VtzqvXYZ",
        "erid: 2VtzqvXYZ",
        "Теги: Омск, ЖКХ",
        # kvnews and superomsk header widgets
        "В Омске пятница, 22 Ноября",
        "Курсы ЦБ: $ 100,6798 € 106,0762",
        "Пробки: 4 балла",
        "Доллар - 78,19",
        "Криптовалюты",
        # gorod55 caption placeholder; empty lines
        "иллюстрация",
        "",
        "\u00a0",
    ],
)
def test_is_boilerplate(line: str) -> None:
    assert is_boilerplate(line)


@pytest.mark.parametrize(
    "line",
    [
        SEED_NAPOMNIM,
        "Ранее мы писали, что мост через Иртыш откроют в мае.",
        "Как сообщалось, ремонт моста завершат к осени.",
        "Напомним, ранее мы писали, что комик Дорохов попросил губернатора вернуть Омску статус.",
        "Об этом мэр Сергей Шелест сообщил в своем телеграм-канале.",
        "Telegram-канал мэрии опубликовал график отключений.",
        "ВКонтакте появилась группа омских волонтеров.",
        "Следите за погодой: синоптики обещают снег.",
        "Самые яркие моменты праздника показал 12 канал.",
        "Еще больше омичей получили выплаты.",
        "Реклама на билбордах оказалась незаконной, решил суд.",
        "Подписание соглашения состоялось в пятницу.",
        "По теме выступления губернатора высказались депутаты.",
        "Знаете ли вы, что Омск основан в 1716 году?",
        "2024 год стал для региона рекордным.",
        "Просмотры фильма выросли втрое.",
        # photo credits are kept (only a repeat is dropped, by clean_paragraphs)
        "Правительство Омской области",
        "Фото: Om1.ru. Хоценко обсудил развитие промышленности",
        "Источник: пресс-служба губернатора и правительства Омской области",
        # a long paragraph is text whatever it starts with
        "Подпишитесь на петицию, призывали организаторы, " + "и " * 200 + "конец.",
    ],
)
def test_is_not_boilerplate(line: str) -> None:
    assert not is_boilerplate(line)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (SEED_TAGS_LINE, True),
        ("#Омск", True),
        ("  #Омск  #ЖКХ ", True),
        ("#МыВместе: волонтеры Омска собрали для бойцов больше трех тонн помощи", False),
        ("В Омске прошла акция #МыВместе", False),
        ("", False),
    ],
)
def test_is_hashtag_line(line: str, expected: bool) -> None:
    assert is_hashtag_line(line) is expected


# ---------------------------------------------------------------- paragraphs


def test_clean_paragraphs_on_seed_article() -> None:
    body = clean_paragraphs(SEED_BODY)

    assert body[0].startswith("Губернатор Омской области Виталий Хоценко провел встречу")
    assert body[-1] == SEED_NAPOMNIM
    assert body.count("Правительство Омской области") == 1
    assert "Подпишитесь" not in body
    assert SEED_TAGS_LINE not in body
    assert "" not in body
    assert len(body) == 7


def test_clean_paragraphs_folds_repeats_after_whitespace_and_case() -> None:
    paragraphs = ["Фото: Город55", "Фото:\u00a0ГОРОД55", "Текст.", "Фото: Город55"]

    assert clean_paragraphs(paragraphs) == ["Фото: Город55", "Текст.", "Фото: Город55"]


def test_clean_paragraphs_drops_chrome_around_mk_body() -> None:
    paragraphs = [
        "Ваш регион: Москва / Рязань / Омск",
        "В Рязани наградили лучших журналистов.",
        "Читайте также: Журналистам вручили премии",
        "Смотрите видео по теме:",
        "Самые яркие фото и видео дня — в нашем Telegram-канале",
        "Поделиться",
    ]

    assert clean_paragraphs(paragraphs) == ["В Рязани наградили лучших журналистов."]


def test_clean_paragraphs_accepts_a_generator_and_empty_input() -> None:
    assert clean_paragraphs(p for p in [None, " ", "Текст."]) == ["Текст."]
    assert clean_paragraphs([]) == []


# ---------------------------------------------------------------- tags


def test_split_tags_on_seed_line() -> None:
    assert split_tags([SEED_TAGS_LINE]) == [
        "Омск",
        "Промышленность",
        "Минпромторг",
        "Новости",
        "Ольга Акамова",
        "Технопарк",
        "Виталий Хоценко",
        "Нефтехимическая промышленность",
        "Инвестиционные проекты",
    ]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        # tag links: one value, one tag, even with spaces
        (
            ["Виталий Хоценко", "ЖКХ", "Омская область"],
            ["Виталий Хоценко", "ЖКХ", "Омская область"],
        ),
        # case-insensitive duplicates, ё = е, first form kept
        (["Ёлка", "ёлка", "елка", "ЕЛКА"], ["Ёлка"]),
        (["#Омск #омск", "ОМСК"], ["Омск"]),
        # commas, semicolons, a label, NBSP
        (["Теги: #Омск, #ЖКХ;"], ["Омск", "ЖКХ"]),
        (["#Ольга\u00a0Акамова #Технопарк"], ["Ольга Акамова", "Технопарк"]),
        # empties
        ([None, "", "#", " # ", ",;"], []),
        # text before the first # that is not a label is a tag too
        (["Омск #ЖКХ"], ["Омск", "ЖКХ"]),
    ],
)
def test_split_tags(values: list[str | None], expected: list[str]) -> None:
    assert split_tags(values) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Омск, ЖКХ, мэрия", ["Омск", "ЖКХ", "мэрия"]),
        ("Омск; ЖКХ;  мэрия ,", ["Омск", "ЖКХ", "мэрия"]),
        ("Омск, омск, Виталий Хоценко", ["Омск", "Виталий Хоценко"]),
        ("", []),
        (None, []),
    ],
)
def test_split_keywords(text: str | None, expected: list[str]) -> None:
    assert split_keywords(text) == expected


# ---------------------------------------------------------------- counting and hashing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SEED_NAPOMNIM, 12),
        ("Омск-информ", 1),
        ("экс-глава — о 2024-2025 годах", 4),
        ("рост 7,5 %", 2),
        ("  \u00a0 ", 0),
        (None, 0),
    ],
)
def test_word_count(text: str | None, expected: int) -> None:
    assert word_count(text) == expected


def test_word_count_of_seed_body() -> None:
    body = " ".join(clean_paragraphs(SEED_BODY))

    assert 200 < word_count(body) < 260


def test_content_hash_is_stable_and_32_hex() -> None:
    digest = content_hash(SEED_TITLE, SEED_NAPOMNIM)

    assert re.fullmatch(r"[0-9a-f]{32}", digest)
    assert digest == content_hash(SEED_TITLE, SEED_NAPOMNIM)
    # the SHA-256 of the normalised parts, joined by a unit separator
    expected = hashlib.sha256("омск сегодня\x1fвсе еще 2 5 млн".encode()).hexdigest()[:32]
    assert content_hash("Омск — «сегодня»", "Всё ещё  2,5 млн.") == expected


def test_content_hash_ignores_rendering_differences() -> None:
    body = " ".join(clean_paragraphs(SEED_BODY))
    rerendered = (
        body.replace(" ", "\u00a0 ")
        .replace("—", "-")
        .replace("Омская область", "ОМСКАЯ область")
        .replace("еще", "ещё")
    )

    assert content_hash(SEED_TITLE, body) == content_hash(f"  {SEED_TITLE}\n", rerendered)


def test_content_hash_changes_with_an_edited_sentence() -> None:
    body = " ".join(clean_paragraphs(SEED_BODY))
    edited = body.replace("7 млрд рублей", "8 млрд рублей")

    assert content_hash(SEED_TITLE, body) != content_hash(SEED_TITLE, edited)


def test_content_hash_keeps_parts_apart() -> None:
    assert content_hash("Омск", "информ") != content_hash("Омск информ")
    assert content_hash("Омск", None) != content_hash(None, "Омск")
    assert content_hash(None) == content_hash("")


def test_fold_key() -> None:
    assert fold_key("Всё  ЕЩЁ\u00a0") == "все еще"
