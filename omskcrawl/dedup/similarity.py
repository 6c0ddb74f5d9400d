"""Near-duplicate detection: are two news items the same story?

One government press release reappears on several outlets under reworded headlines. Two headlines
are scored by a small logistic model over interpretable evidence:

* **latent terms**: the cosine of the headlines' sparse latent-term vectors from the bundled
  multilingual-e5-small model (:mod:`omskcrawl.dedup.semantic`); it sees synonyms, paraphrases
  and word forms, and still drops when a detail differs;
* **word overlap**: a weighted overlap of normalised terms, the matched share of each side's
  weight, leaning to the smaller side:

  - terms are pymorphy3 lemmas (ё = е), numbers as digits («два», «2», «второй» are all ``2``);
    function words score nothing;
  - a term weighs more the rarer the word is in Russian (``wordfreq`` Zipf frequency), so names
    and rare nouns dominate and «заявил», «год», «человек» barely count;
  - terms match exactly, by a shared stem (``омский``/``Омск``), as a small set of news
    synonyms, as an acronym and its spelled-out words (``ЮВО``) or as a transliteration
    (``Yandex``/``Яндекс``);

* **a person conflict**: each side names a person the other lacks.

The model's coefficients and the threshold were fitted on a labelled corpus of Russian news
headline pairs by ``scripts/fit_dedup.py``; the score is the model's probability of "same story".
Two conflicts are decisive instead, score 0: each side has a number the other lacks, or the two
contradict each other (a negation on one side only, or opposite events such as
«начался»/«завершился»).

The model's known weakness: one detail swapped in an otherwise identical headline («олимпиада по
физике» vs «по химии», «рейсы в Сочи» vs «в Казань») still scores as the same story.

When both items have a lead or body, whole shared sentences or a high share of shared word
5-shingles (one text reposting the other) also make them the same story.

Without the latent terms (``latent=False``, the setting OMSKCRAWL_DEDUP_LATENT_TERMS = False, or
automatically where the engine cannot run, :func:`omskcrawl.dedup.semantic.engine_problem`) the
headline score is the word-overlap score alone, :func:`lexical_similarity`, compared with its own
threshold LEXICAL_THRESHOLD.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pymorphy3

from omskcrawl.dedup.semantic import (
    engine_problem,
    headline_vector,
    headline_vectors,
    vector_similarity,
)
from omskcrawl.dedup.zipf import zipf_frequency

__all__ = [
    "DEFAULT_THRESHOLD",
    "LEXICAL_THRESHOLD",
    "HeadlineFeatures",
    "LexicalEvidence",
    "StoryText",
    "headline_features",
    "headline_similarity",
    "headline_vector",
    "headline_vectors",
    "is_same_story",
    "lemmatize",
    "lexical_evidence",
    "lexical_similarity",
    "morph_analyzer",
    "same_story",
    "story_similarity",
    "story_terms",
]

# The headline model: log-odds of "same story" = MODEL_INTERCEPT + the sum of each coefficient
# times its feature (see HeadlineFeatures). Fitted by scripts/fit_dedup.py on labelled pairs of
# Russian news headlines (same news vs different news); paste its output here when refitting.
# A number conflict or a contradiction is decisive instead (score 0): the corpus has too few such
# pairs to weigh them, and one differing number or a «не» makes other news however alike the
# rest is («Бюджет на 2025 год принят» vs «Бюджет на 2024 год принят»).
LATENT_CENTRE = 0.5  # latent-term cosine enters as (cosine - LATENT_CENTRE) / LATENT_SCALE
LATENT_SCALE = 0.2
MODEL_INTERCEPT = -1.508
LATENT_COEF = 3.279
OVERLAP_COEF = 1.832
PERSON_CONFLICT_COEF = -0.125

# Lowest probability treated as the same story: the lowest threshold that keeps precision at
# least 0.925 on the fitting corpus (TARGET_PRECISION in scripts/fit_dedup.py).
DEFAULT_THRESHOLD = 0.635
# The same rule for the word-overlap score alone (no latent terms): lexical_similarity of at least
# 0.72 keeps precision 0.927 on the same corpus (recall 0.62, against 0.8 with the model).
LEXICAL_THRESHOLD = 0.72

# Term weight = ZIPF_CEILING - Zipf frequency, clipped: a word seen once per million words
# (Zipf 3) weighs 4, «министр» (Zipf ~4.9) ~2, «год» (Zipf ~6) 1.
ZIPF_CEILING = 7.0
MIN_WEIGHT = 0.5
MAX_WEIGHT = 6.0
NUMBER_WEIGHT = 4.0  # an exact number is as telling as a rare word
UNIT_WEIGHT = 0.5  # «млн», «рубль», «процент»: only carry what the number says
REPORTING_FACTOR = 0.3  # «заявил», «сообщили»: who said it, not what happened

# Partial credit for a non-exact match of two terms.
STEM_CREDIT = 0.9
SYNONYM_CREDIT = 0.8
NEAR_NUMBER_CREDIT = 0.7  # numbers within 10 %: «почти 100 млн» vs «96 миллионов»

# Score = (1 - MAX_COVERAGE_SHARE) * smaller coverage + MAX_COVERAGE_SHARE * larger coverage.
MAX_COVERAGE_SHARE = 0.35

# The word-overlap score alone (lexical_similarity) is multiplied by these when the evidence
# disagrees: each side has a number the other lacks, a person the other lacks, a negation only
# one side has, or opposite events («начался» vs «завершился»). The headline model weighs the
# same conflicts with its own fitted coefficients instead.
NUMBER_CONFLICT_FACTOR = 0.6
PERSON_CONFLICT_FACTOR = 0.8
NEGATION_CONFLICT_FACTOR = 0.5
OPPOSITE_EVENT_FACTOR = 0.6

# Lead/body evidence.
SHINGLE_SIZE = 5
MIN_SHINGLES = 10  # texts shorter than this give no shingle evidence
MIN_SENTENCE_WORDS = 8  # shorter shared sentences are boilerplate («Фото: пресс-служба»)
FULL_SENTENCE_WORDS = 20  # shared sentence words that count as full evidence

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[$%€]|[^\W\d_]+(?:[-’'][^\W\d_]+)*")
# "15 000", "1 200 000": digit groups separated by (narrow) spaces are one number.
_DIGIT_GROUPS_RE = re.compile(r"(?<=\d)[ \u00a0\u202f](?=\d{3}(?!\d))")
_SENTENCE_END_RE = re.compile(r"(?<=[.!?…])\s+")
_WORD_RE = re.compile(r"\w+")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_NUMBER_WORDS = {
    "ноль": "0", "один": "1", "два": "2", "три": "3", "четыре": "4", "пять": "5",
    "шесть": "6", "семь": "7", "восемь": "8", "девять": "9", "десять": "10",
    "одиннадцать": "11", "двенадцать": "12", "пятнадцать": "15", "двадцать": "20",
    "тридцать": "30", "сорок": "40", "пятьдесят": "50", "сто": "100",
    "двое": "2", "трое": "3", "четверо": "4", "пятеро": "5", "оба": "2",
    "первый": "1", "второй": "2", "третий": "3", "четвертый": "4", "пятый": "5",
    "шестой": "6", "седьмой": "7", "восьмой": "8", "девятый": "9", "десятый": "10",
}  # fmt: skip
_ALIASES = {
    "тыс": "тысяча", "млн": "миллион", "млрд": "миллиард", "трлн": "триллион",
    "руб": "рубль", "долл": "доллар", "$": "доллар", "€": "евро", "%": "процент",
    "рф": "россия", "российский": "россия", "россиянин": "россия",
}  # fmt: skip
_UNITS = _words("тысяча миллион миллиард триллион рубль доллар евро процент штука")
_STOPWORDS = _words(
    """
    а без более бы быть в вам вас весь во вот все всего всех вы где да даже для до его ее если
    есть еще же за здесь и из или им их к как ко когда кто ли либо между меня мне мочь мы на над
    надо наш не него нее нет ни них но ну о об однако он она они оно от очень по под после при
    про с себя сам самый свой со так также такой там тем то тот тоже только ты у уже хотя чей чем
    что чтобы это этот я который являться стать какой каждый другой
    """
)
_REPORTING = _words("заявить сообщить рассказать сказать говорить считать отметить подчеркнуть сми")
_NEGATIONS = frozenset({"не", "нет", "ни"})
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "NPRO", "INTJ"})
_PERSON_GRAMMEMES = frozenset({"Name", "Surn", "Patr"})
_PROPER_GRAMMEMES = frozenset({"Geox", "Orgn", "Trad", "Abbr"})
# Common news synonyms, written by hand; a match scores SYNONYM_CREDIT.
_SYNONYM_GROUPS = (
    "умереть скончаться",
    "судно корабль",
    "автомобиль машина",
    "сотрудник работник",
    "руководитель глава начальник",
    "соглашение договор",
    "увеличить повысить",
    "увеличиться вырасти возрасти",
    "уменьшить снизить понизить сократить",
    "уменьшиться снизиться сократиться упасть",
    "похитить украсть",
    "хищение кража",
    "врач медик",
    "дтп авария",
    "пожар возгорание",
    "школьник ученик",
    "полиция полицейский",
    "ранить травмировать",
    "сша америка американский",
    "москва столица столичный",
    "обыграть победить одолеть",
)
_SYNONYMS: dict[str, frozenset[int]] = {}
for _group_id, _group in enumerate(_SYNONYM_GROUPS):
    for _word in _group.split():
        _SYNONYMS[_word] = _SYNONYMS.get(_word, frozenset()) | {_group_id}

# Events that exclude each other, written by hand: (one side, the other side).
_ANTONYM_PAIRS = (
    (
        "начаться начать открыться стартовать",
        "завершиться закончиться завершить закончить закрыться",
    ),
    ("вырасти увеличиться подорожать", "снизиться упасть сократиться подешеветь"),
    ("повысить увеличить", "понизить снизить сократить уменьшить"),
    ("разрешить", "запретить"),
    ("назначить", "уволить"),
    ("открыть", "закрыть"),
    ("задержать арестовать", "освободить отпустить"),
    ("найти", "пропасть потерять"),
    ("одобрить принять поддержать", "отклонить отвергнуть"),
    ("осудить приговорить", "оправдать"),
    ("обыграть победить выиграть", "проиграть уступить"),
)
_ANTONYMS: dict[str, tuple[int, int]] = {}
for _pair_id, _sides in enumerate(_ANTONYM_PAIRS):
    for _side, _members in enumerate(_sides):
        for _word in _members.split():
            _ANTONYMS[_word] = (_pair_id, _side)

_LATIN_DIGRAPHS = (
    ("sh", "ш"), ("ch", "ч"), ("zh", "ж"), ("ya", "я"), ("yu", "ю"), ("oo", "у"),
    ("ee", "и"), ("ea", "и"), ("th", "т"), ("ph", "ф"),
)  # fmt: skip
_LATIN_LETTERS = str.maketrans(
    dict(zip("abcdefghijklmnoprstuvwyz", "абкдефгхижклмнопрстуввйз", strict=True))
    | {"q": "к", "x": "кс"}
)


@dataclass(frozen=True)
class StoryText:
    """What the similarity needs of a news item: its title and, when known, lead and body.

    ``vector`` is the title's :func:`headline_vector` when the caller has it stored; without it
    the vector is computed (and cached by title) on first use.
    """

    title: str
    lead: str | None = None
    body: str | None = None
    vector: np.ndarray | None = field(default=None, compare=False, repr=False)

    def headline_vector(self) -> np.ndarray:
        return headline_vector(self.title) if self.vector is None else self.vector


# ----------------------------------------------------------------------------- words


@lru_cache(maxsize=1)
def morph_analyzer() -> pymorphy3.MorphAnalyzer:
    """The shared pymorphy3 analyser, created on first use (loading it takes ~0.3 s)."""
    return pymorphy3.MorphAnalyzer()


@dataclass(frozen=True, slots=True)
class _Word:
    lemma: str
    kind: str  # "word", "number", "unit", "stop" or "negation"
    weight: float
    person: bool = False  # the analyser's best guess is a first name, surname or patronymic
    # Capitalised inside a headline, probably a name: one of its likely readings is a person,
    # or it is a noun that is no known place, organisation or abbreviation («Мэр Шелест»).
    name_if_capitalised: bool = False


@lru_cache(maxsize=200_000)
def _analyse(word: str) -> _Word:
    """Analyse one lower-case token; cached because every item repeats the common words."""
    if word[0].isdigit():
        return _Word(word.replace(",", "."), "number", NUMBER_WEIGHT)
    if word in _NEGATIONS:
        return _Word(word, "negation", 0.0)
    if word in _ALIASES and not word.isalpha():
        return _Word(_ALIASES[word], "unit", UNIT_WEIGHT)
    parses = morph_analyzer().parse(word)
    best = parses[0]
    lemma = best.normal_form.replace("ё", "е")
    lemma = _ALIASES.get(lemma, lemma)
    if lemma in _NUMBER_WORDS:
        return _Word(_NUMBER_WORDS[lemma], "number", NUMBER_WEIGHT)
    if lemma in _UNITS:
        return _Word(lemma, "unit", UNIT_WEIGHT)
    if lemma in _STOPWORDS or best.tag.POS in _FUNCTION_POS or len(lemma) < 2:
        return _Word(lemma, "stop", 0.0)
    zipf = max(zipf_frequency(word), zipf_frequency(lemma))
    weight = min(MAX_WEIGHT, max(MIN_WEIGHT, ZIPF_CEILING - zipf))
    if lemma in _REPORTING:
        weight *= REPORTING_FACTOR
    person = bool(_PERSON_GRAMMEMES & best.tag.grammemes)
    maybe_person = any(
        _PERSON_GRAMMEMES & p.tag.grammemes for p in parses[:3] if p.score >= 0.3 * best.score
    )
    unknown_noun = best.tag.POS in {"NOUN", None} and not _PROPER_GRAMMEMES & best.tag.grammemes
    return _Word(lemma, "word", weight, person, maybe_person or unknown_noun)


def _tokens(text: str) -> list[str]:
    return _TOKEN_RE.findall(_DIGIT_GROUPS_RE.sub("", text))


def lemmatize(word: str) -> str:
    """Normalised form of one word: pymorphy3 lemma, lower case, ё = е, numbers as digits.

    >>> lemmatize("министром"), lemmatize("Алиханова"), lemmatize("Алихановым")
    ('министр', 'алиханов', 'алиханов')
    >>> lemmatize("ЁЛКИ"), lemmatize("елки")
    ('елка', 'елка')
    >>> lemmatize("двух"), lemmatize("2"), lemmatize("второго")
    ('2', '2', '2')
    """
    return _analyse(word.lower().replace("ё", "е")).lemma


# ----------------------------------------------------------------------------- headlines


@dataclass(frozen=True, slots=True)
class _Term:
    weight: float
    kind: str  # "word", "number" or "unit"
    person: bool  # a person's name, as far as the analyser and capitals tell


@dataclass(frozen=True)
class _Headline:
    terms: dict[str, _Term]  # lemma -> term, content terms only
    sequence: tuple[str, ...]  # content lemmas in headline order, for acronyms
    acronyms: frozenset[str]  # lemmas written in capitals: «ЦБ», «ЮВО», «МУРа»
    negated: bool
    total: float
    # match key -> lemmas filed under it (_match_keys): the terms of another headline that can
    # earn partial credit against one of these are found by key, not by trying every pair
    partners: dict[tuple[object, ...], tuple[str, ...]] = field(default_factory=dict)


def _is_acronym(token: str) -> bool:
    return 2 <= len(token) <= 6 and token[:2].isupper() and token.isalpha()


# Parsed headlines (~3.2 kB each) of a dedup window: ~900 items, a feed and a page spelling
# each. 8,192 held 4 windows and grew the crawl's memory by 15 MB from 2,000 to 10,000 articles.
HEADLINE_CACHE_SIZE = 4096


@lru_cache(maxsize=HEADLINE_CACHE_SIZE)
def _headline(text: str) -> _Headline:
    terms: dict[str, _Term] = {}
    sequence: list[str] = []
    acronyms: set[str] = set()
    negated = False
    for position, token in enumerate(_tokens(text)):
        word = _analyse(token.lower().replace("ё", "е"))
        if word.kind == "negation":
            negated = True
        if word.weight <= 0:
            continue
        acronym = _is_acronym(token)
        capitalised_inside = position > 0 and token[0].isupper() and not acronym
        person = word.person or (capitalised_inside and word.name_if_capitalised)
        sequence.append(word.lemma)
        if acronym:
            acronyms.add(word.lemma)
        known = terms.get(word.lemma)
        if known is None or known.weight < word.weight:
            terms[word.lemma] = _Term(word.weight, word.kind, person)
    total = sum(term.weight for term in terms.values())
    partners: dict[tuple[object, ...], tuple[str, ...]] = {}
    for lemma, term in terms.items():
        for key in _match_keys(lemma, term.kind)[0]:
            # tuples of strings: the garbage collector stops tracking them (lists it scans on
            # every full collection, and thousands of headlines stay cached)
            partners[key] = (*partners.get(key, ()), lemma)
    return _Headline(terms, tuple(sequence), frozenset(acronyms), negated, total, partners)


@lru_cache(maxsize=65_536)
def _match_keys(
    lemma: str, kind: str
) -> tuple[tuple[tuple[object, ...], ...], tuple[tuple[object, ...], ...]]:
    """(keys a term is filed under, keys of the other side's terms it may partly match).

    Every pair that :func:`_match_credits` can credit shares a key: numbers meet all numbers
    (nearness needs the values); other terms of one kind meet when they share a synonym group
    or their first four letters, transliterated when one is Latin and the other not (every
    :func:`_same_stem` rule needs four shared leading letters).

    >>> _match_keys("омский", "word")[0][:2]
    (('word', 'stem', False, 'омск'), ('word', 'translit', False, 'омск'))
    >>> _match_keys("yandex", "word")[1][1]
    ('word', 'translit', False, 'янде')
    """
    if kind == "number":
        return ((kind,),), ((kind,),)
    latin = lemma.isascii()
    stem = lemma[:4]
    translit = _transliterate(lemma)[:4]
    synonyms = tuple((kind, "synonym", group) for group in sorted(_SYNONYMS.get(lemma, ())))
    filed = ((kind, "stem", latin, stem), (kind, "translit", latin, translit), *synonyms)
    wanted = ((kind, "stem", latin, stem), (kind, "translit", not latin, translit), *synonyms)
    return filed, wanted


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


@lru_cache(maxsize=4096)
def _transliterate(latin: str) -> str:
    for digraph, letter in _LATIN_DIGRAPHS:
        latin = latin.replace(digraph, letter)
    return latin.translate(_LATIN_LETTERS)


def _same_stem(a: str, b: str, person: bool) -> bool:
    """Whether two different lemmas are forms of one word («омск»/«омский»)."""
    if a.isascii() != b.isascii():
        a, b = _transliterate(a), _transliterate(b)
    if a[:4] != b[:4]:
        return False  # fewer than 4 shared letters: no rule below holds (most pairs end here)
    shared = _common_prefix(a, b)
    shorter = min(len(a), len(b))
    if shared >= 4 and shared >= shorter - 1:
        return True  # one is the other plus an ending or a suffix
    if person:
        return False  # «Петров» and «Петросян» are different people
    return shared >= 5 or (shared >= 4 and shared >= 0.6 * shorter)


def _near_numbers(a: str, b: str) -> bool:
    """Two amounts that may be one rounded: within 10 %, one of them round or fractional.

    Two exact integers are identifiers or counts (`номер 1007`, `номер 1018`): never near.

    >>> _near_numbers("96", "100"), _near_numbers("1007", "1018"), _near_numbers("2024", "2025")
    (True, False, False)
    """
    x, y = float(a), float(b)
    is_year = 1900 <= x <= 2100 or 1900 <= y <= 2100
    approximate = any(not v.is_integer() or v % 10 == 0 for v in (x, y))
    return not is_year and approximate and min(x, y) >= 10 and abs(x - y) <= 0.1 * max(x, y)


def _match_credits(a: _Headline, b: _Headline) -> tuple[dict[str, float], dict[str, float]]:
    """For each term of each side, how well the other side matches it (0..1)."""
    got_a = dict.fromkeys(a.terms, 0.0)
    got_b = dict.fromkeys(b.terms, 0.0)
    for lemma in a.terms.keys() & b.terms.keys():
        got_a[lemma] = got_b[lemma] = 1.0
    for lemma_a, term_a in a.terms.items():
        # only the pairs that can earn credit (_match_keys), not all of them
        partners = {
            m for key in _match_keys(lemma_a, term_a.kind)[1] for m in b.partners.get(key, ())
        }
        for lemma_b in partners:
            term_b = b.terms[lemma_b]
            # both matched exactly already (checking only one side's exact matches would make
            # the score depend on the argument order)
            if got_a[lemma_a] == 1.0 and got_b[lemma_b] == 1.0:
                continue
            credit = 0.0
            if term_a.kind == "number":
                if _near_numbers(lemma_a, lemma_b):
                    credit = NEAR_NUMBER_CREDIT
            elif _SYNONYMS.get(lemma_a, frozenset()) & _SYNONYMS.get(lemma_b, frozenset()):
                credit = SYNONYM_CREDIT
            elif _same_stem(lemma_a, lemma_b, term_a.person or term_b.person):
                credit = STEM_CREDIT
            if credit:
                got_a[lemma_a] = max(got_a[lemma_a], credit)
                got_b[lemma_b] = max(got_b[lemma_b], credit)
    _match_acronyms(a, b, got_a, got_b)
    _match_acronyms(b, a, got_b, got_a)
    return got_a, got_b


def _match_acronyms(
    short: _Headline, long: _Headline, got_short: dict[str, float], got_long: dict[str, float]
) -> None:
    """«ЮВО» matches «Южного военного округа»: consecutive terms with those initials."""
    for acronym in short.acronyms:
        if got_short[acronym] == 1.0:
            continue
        n = len(acronym)
        for start in range(len(long.sequence) - n + 1):
            span = long.sequence[start : start + n]
            if all(lemma[0] == letter for lemma, letter in zip(span, acronym, strict=True)):
                got_short[acronym] = 1.0
                for lemma in span:
                    got_long[lemma] = 1.0


def _coverage(headline: _Headline, got: dict[str, float]) -> float:
    return (
        sum(headline.terms[lemma].weight * credit for lemma, credit in got.items()) / headline.total
    )


def _has_unmatched(headline: _Headline, got: dict[str, float], person: bool = False) -> bool:
    """Whether the headline has a number (or, with ``person``, a person) the other lacks."""
    return any(
        not got[lemma] and (term.person if person else term.kind == "number")
        for lemma, term in headline.terms.items()
    )


def _opposite_events(a: _Headline, b: _Headline) -> bool:
    """«начался» on one side and «завершился» on the other, and not both on either side."""
    sides_a = {_ANTONYMS[lemma] for lemma in a.terms if lemma in _ANTONYMS}
    sides_b = {_ANTONYMS[lemma] for lemma in b.terms if lemma in _ANTONYMS}
    only_a, only_b = sides_a - sides_b, sides_b - sides_a
    return any((pair, 1 - side) in only_b for pair, side in only_a)


@dataclass(frozen=True)
class LexicalEvidence:
    """What the words of two headlines say about them being one story."""

    overlap: float  # matched share of term weight, leaning to the smaller side; 0..1
    number_conflict: bool  # each side has a number the other lacks
    person_conflict: bool  # each side names a person the other lacks
    negation_conflict: bool  # a negation on one side only
    opposite_events: bool  # «начался» on one side, «завершился» on the other
    empty: bool = False  # a side has no content word at all

    @property
    def contradiction(self) -> bool:
        return self.negation_conflict or self.opposite_events


_EMPTY = LexicalEvidence(0.0, False, False, False, False, empty=True)


def lexical_evidence(headline_a: str, headline_b: str) -> LexicalEvidence:
    """Word overlap and conflicts of two headlines.

    >>> a, b = "В Омске из-за ДТП погибли 2 человека", "В Омске в ДТП погибли 5 человек"
    >>> e = lexical_evidence(a, b)
    >>> round(e.overlap, 2), e.number_conflict, e.contradiction
    (0.68, True, False)
    """
    a, b = _headline(headline_a), _headline(headline_b)
    if not a.total or not b.total:
        return _EMPTY
    got_a, got_b = _match_credits(a, b)
    low, high = sorted((_coverage(a, got_a), _coverage(b, got_b)))
    return LexicalEvidence(
        overlap=(1 - MAX_COVERAGE_SHARE) * low + MAX_COVERAGE_SHARE * high,
        number_conflict=_has_unmatched(a, got_a) and _has_unmatched(b, got_b),
        person_conflict=(
            _has_unmatched(a, got_a, person=True) and _has_unmatched(b, got_b, person=True)
        ),
        negation_conflict=a.negated != b.negated,
        opposite_events=_opposite_events(a, b),
    )


def lexical_similarity(headline_a: str, headline_b: str) -> float:
    """The word-overlap score alone in [0, 1], conflicts multiplied in (no model needed).

    >>> a = "Виталий Хоценко обсудил развитие промышленности с министром Алихановым"
    >>> b = "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности"
    >>> round(lexical_similarity(a, b), 2)
    0.82
    """
    evidence = lexical_evidence(headline_a, headline_b)
    score = evidence.overlap
    if evidence.number_conflict:
        score *= NUMBER_CONFLICT_FACTOR
    if evidence.person_conflict:
        score *= PERSON_CONFLICT_FACTOR
    if evidence.negation_conflict:
        score *= NEGATION_CONFLICT_FACTOR
    if evidence.opposite_events:
        score *= OPPOSITE_EVENT_FACTOR
    return score


@dataclass(frozen=True)
class HeadlineFeatures:
    """The inputs of the headline model, one per coefficient, and the decisive conflicts."""

    latent: float  # latent-term cosine, centred and scaled
    overlap: float  # LexicalEvidence.overlap
    person_conflict: float  # 1.0 when each side names a person the other lacks
    decisive_conflict: bool  # a number conflict or a contradiction: other news

    def inputs(self) -> tuple[float, float, float]:
        """The model inputs in the order of their coefficients."""
        return (self.latent, self.overlap, self.person_conflict)

    def log_odds(self) -> float:
        return (
            MODEL_INTERCEPT
            + LATENT_COEF * self.latent
            + OVERLAP_COEF * self.overlap
            + PERSON_CONFLICT_COEF * self.person_conflict
        )


def headline_features(
    headline_a: str,
    headline_b: str,
    vector_a: np.ndarray | None = None,
    vector_b: np.ndarray | None = None,
) -> HeadlineFeatures | None:
    """Model inputs for two headlines; ``None`` when a side has no content word."""
    evidence = lexical_evidence(headline_a, headline_b)
    if evidence.empty:
        return None
    if vector_a is None:
        vector_a = headline_vector(headline_a)
    if vector_b is None:
        vector_b = headline_vector(headline_b)
    cosine = vector_similarity(vector_a, vector_b)
    return HeadlineFeatures(
        latent=(cosine - LATENT_CENTRE) / LATENT_SCALE,
        overlap=evidence.overlap,
        person_conflict=float(evidence.person_conflict),
        decisive_conflict=evidence.number_conflict or evidence.contradiction,
    )


def use_latent(latent: bool | None = None) -> bool:
    """Whether to use the latent terms: as asked, and only where the engine runs (None: if so)."""
    return latent is not False and engine_problem() is None


def default_threshold(latent: bool | None = None) -> float:
    """The same-story threshold of the score in use: the model's, or the word overlap's."""
    return DEFAULT_THRESHOLD if use_latent(latent) else LEXICAL_THRESHOLD


def headline_similarity(
    headline_a: str,
    headline_b: str,
    vector_a: np.ndarray | None = None,
    vector_b: np.ndarray | None = None,
    *,
    latent: bool | None = None,
) -> float:
    """Probability in [0, 1] that two headlines report the same story.

    ``vector_a`` and ``vector_b`` are the headlines' stored :func:`headline_vector`, if any.
    Without the latent terms (see :func:`use_latent`) it is :func:`lexical_similarity` instead,
    to be compared with LEXICAL_THRESHOLD.

    >>> a = "Виталий Хоценко обсудил развитие промышленности с министром Алихановым"
    >>> b = "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности"
    >>> headline_similarity(a, b) > 0.8
    True
    >>> headline_similarity(a, "В Омске открылся новый сквер") < 0.01
    True
    """
    if not use_latent(latent):
        return lexical_similarity(headline_a, headline_b)
    features = headline_features(headline_a, headline_b, vector_a, vector_b)
    if features is None or features.decisive_conflict:
        return 0.0
    return 1 / (1 + math.exp(-features.log_odds()))


def same_story(headline_a: str, headline_b: str) -> bool:
    """Whether two items known only by their headlines are the same story (default settings).

    >>> same_story(
    ...     "Виталий Хоценко обсудил развитие промышленности с министром Алихановым",
    ...     "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности",
    ... )
    True
    >>> same_story("В Омске из-за ДТП погибли 2 человека", "В Омске в ДТП погибли 5 человек")
    False
    """
    return headline_similarity(headline_a, headline_b) >= default_threshold()


# ----------------------------------------------------------------------------- lead and body


@dataclass(frozen=True)
class _Text:
    # hash of each long normalised sentence -> its word count
    sentences: dict[int, int]
    # hashes of the word 5-shingles, sorted, unique: 8 bytes each (a frozenset of Python ints
    # took ~80), so a cache that holds a whole dedup window of bodies stays small
    shingles: np.ndarray


def _normalised_words(text: str) -> list[str]:
    return _WORD_RE.findall(text.lower().replace("ё", "е"))


# Texts kept ready: the bodies of a 3-day window of news (~1,000 items at 300 a day), ~6 kB each.
# Every new item is compared with up to MAX_CANDIDATES stored ones from that window; with 256 the
# cache missed most of them and re-split the same bodies again and again.
TEXT_CACHE_SIZE = 2048


@lru_cache(maxsize=TEXT_CACHE_SIZE)
def _text(text: str) -> _Text:
    sentences: dict[int, int] = {}
    for sentence in _SENTENCE_END_RE.split(text):
        words = _normalised_words(sentence)
        if len(words) >= MIN_SENTENCE_WORDS:
            sentences[hash(" ".join(words))] = len(words)
    words = _normalised_words(text)
    starts = range(len(words) - SHINGLE_SIZE + 1)
    hashes = (hash(" ".join(words[i : i + SHINGLE_SIZE])) for i in starts)
    shingles = np.unique(np.fromiter(hashes, dtype=np.int64))
    return _Text(sentences, shingles)


def _full_text(story: StoryText) -> str:
    return "\n".join(part for part in (story.lead, story.body) if part)


def _text_similarity(text_a: str, text_b: str) -> float:
    """Evidence in [0, 1] from shared sentences and shared word 5-shingles of two texts."""
    a, b = _text(text_a), _text(text_b)
    shared_words = sum(a.sentences[s] for s in a.sentences.keys() & b.sentences.keys())
    score = min(1.0, shared_words / FULL_SENTENCE_WORDS)
    smaller = min(len(a.shingles), len(b.shingles))
    if smaller >= MIN_SHINGLES:
        score = max(score, _shared_count(a.shingles, b.shingles) / smaller)
    return score


def _shared_count(a: np.ndarray, b: np.ndarray) -> int:
    """How many values two sorted arrays of unique values share (a vectorised merge).

    >>> _shared_count(np.array([1, 3, 5, 9]), np.array([0, 3, 9, 10, 11]))
    2
    """
    at = np.searchsorted(a, b)
    at[at == len(a)] = 0
    return int(np.count_nonzero(a[at] == b)) if len(a) else 0


def story_similarity(a: StoryText, b: StoryText, *, latent: bool | None = None) -> float:
    """Score in [0, 1] that two items are the same story, using lead and body when both have them.

    The headline score, raised to the text evidence: a shared press-release sentence or a text
    mostly contained in the other counts even when the headlines were reworded.

    >>> release = ("В Омской области до конца года отремонтируют 42 километра дорог "
    ...            "в рамках национального проекта «Безопасные качественные дороги».")
    >>> a = StoryText("Омские дороги отремонтируют к зиме", body=release + " Работы уже идут.")
    >>> b = StoryText("Нацпроект: в регионе приведут в порядок трассы", lead=release)
    >>> round(headline_similarity(a.title, b.title), 2), story_similarity(a, b)
    (0.0, 1.0)
    """
    if use_latent(latent):
        score = headline_similarity(a.title, b.title, a.headline_vector(), b.headline_vector())
    else:
        score = lexical_similarity(a.title, b.title)
    text_a, text_b = _full_text(a), _full_text(b)
    if text_a and text_b:
        score = max(score, _text_similarity(text_a, text_b))
    return score


def is_same_story(
    a: StoryText, b: StoryText, threshold: float | None = None, *, latent: bool | None = None
) -> bool:
    """Whether two items are the same story: :func:`story_similarity` at least ``threshold``.

    ``threshold`` None: the one of the score in use (:func:`default_threshold`).

    The same answer for less work: shared text, when it decides, spares the headline score;
    a decisive word conflict spares the headline vectors (a side without a stored vector
    gets one only when the cosine is needed).

    >>> a = StoryText("Хоценко провёл приём граждан в Таре")
    >>> is_same_story(a, StoryText("Хоценко провел прием граждан в Таре"))
    True
    """
    if threshold is None:
        threshold = default_threshold(latent)
    text_a, text_b = _full_text(a), _full_text(b)
    if text_a and text_b and _text_similarity(text_a, text_b) >= threshold:
        return True
    return headline_similarity(a.title, b.title, a.vector, b.vector, latent=latent) >= threshold


# ----------------------------------------------------------------------------- candidate index


def story_terms(title: str, lead: str | None = None) -> list[str]:
    """Informative normalised terms of an item, most informative first, without repeats.

    Lemmas of content words, rarest first, and numbers as digits; no function words or units.
    Ties keep text order, title before lead. Keys for the candidate index: two headlines that
    :func:`headline_similarity` scores as one story share at least one of these terms in
    practice, because the model needs word overlap besides latent terms (on the labelled
    corpus every accepted pair and every same-news pair shares one). Items matched only through
    their bodies may share none.

    >>> story_terms("Министр Алиханов и губернатор Хоценко обсудили два проекта")
    ['хоценко', 'алиханов', '2', 'обсудить', 'губернатор', 'министр', 'проект']
    """
    weights: dict[str, float] = {}
    for text in (title, lead or ""):
        for lemma, term in _headline(text).terms.items():
            if term.kind != "unit" and lemma not in weights:
                weights[lemma] = term.weight
    return sorted(weights, key=lambda lemma: -weights[lemma])
