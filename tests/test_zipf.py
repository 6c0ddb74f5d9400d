"""omskcrawl.dedup.zipf gives wordfreq's Russian Zipf frequencies exactly (term weights depend on
them), for listed words, their inflected and capitalised forms, numbers and unknown words."""

from __future__ import annotations

import itertools

import wordfreq

from omskcrawl.dedup import zipf
from omskcrawl.dedup.similarity import lemmatize

# what the similarity module asks for: headline tokens and their lemmas
HEADLINE_WORDS = (
    (
        "Хоценко провел прием граждан в Таре; мэр Шелест и МЧС: на Иртыше 2 человека, 2024 год, "
        "12-й этаж, 1,5 млрд рублей, ЦБ, ЮВО, МУРа, ёлки, «Омскэлектро», COVID-19, 100500, Ёлка"
    )
    .replace(",", " ")
    .replace(";", " ")
    .replace(":", " ")
    .split()
)


def listed_sample() -> list[str]:
    # every 53rd word of the whole list, from the most to the least frequent
    return list(itertools.islice(wordfreq.iter_wordlist(zipf.LANG), 0, None, 53))


def test_listed_words_have_wordfreqs_value() -> None:
    words = listed_sample()
    assert len(words) > 13_000
    ours = [zipf.zipf_frequency(w) for w in words]
    theirs = [wordfreq.zipf_frequency(w, zipf.LANG) for w in words]
    assert ours == theirs
    assert len(set(ours)) > 300  # the sample spans the whole range of frequencies


def test_other_forms_numbers_and_unknown_words_have_wordfreqs_value() -> None:
    words = listed_sample()[::20]
    variants = [
        *HEADLINE_WORDS,
        *(lemmatize(w) for w in HEADLINE_WORDS),
        *(w.capitalize() for w in words),
        *(w.upper() for w in words),
        *(w + "ами" for w in words),  # mostly not listed: the minimum
        *(w[:-1] for w in words if len(w) > 2),
        *(f"{a} {b}" for a, b in itertools.pairwise(words[:200])),  # several tokens combine
        "",
        "!!",
        "шклгщзц",
        "1 000 000",
        "в 1990-х",
    ]
    ours = [zipf.zipf_frequency(w) for w in variants]
    assert ours == [wordfreq.zipf_frequency(w, zipf.LANG) for w in variants]
    assert 0.0 in ours and max(ours) > 7  # unknown words and the commonest ones are covered
