"""The latent-term vectors and scores of 30 headlines, pinned: every machine must compute them.

A machine whose engine, C library or CPU computes the latent terms differently would group the
same items into other stories than every other worker of a crawl. It fails here, loudly, instead.
The pinned values come from ``scripts/pin_headline_vectors.py`` (re-run it only on purpose).
"""

from __future__ import annotations

import json
import platform
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from omskcrawl.dedup.semantic import (
    LATENT_TERMS,
    WEIGHT_GRID,
    engine_problem,
    engine_values,
    headline_vector,
    vector_of_terms,
)
from omskcrawl.dedup.similarity import headline_similarity

PINNED = json.loads((Path(__file__).parent / "data" / "headline_vectors.json").read_text("utf-8"))
# Scores and weights must agree to this: far below any decision (the threshold is 0.635; pass/fail
# tests keep 0.05 from it) and far above float rounding, which the exact sums leave out anyway.
TOLERANCE = 1e-6

pytestmark = pytest.mark.skipif(
    engine_problem() is not None, reason=f"latent-term engine unavailable: {engine_problem()}"
)


def computes_differently(what: str) -> str:
    return (
        f"this machine ({platform.machine()}, {platform.processor() or 'unknown CPU'}) computes "
        f"{what} differently from the pinned values ({PINNED['pinned_on']}): its same-story "
        "decisions would differ from other machines'. See omskcrawl/dedup/semantic.py."
    )


def test_the_pinned_setup_is_this_code_s() -> None:
    assert PINNED["latent_terms"] == LATENT_TERMS and PINNED["weight_grid"] == WEIGHT_GRID
    assert len(PINNED["headlines"]) == 30


@pytest.mark.parametrize("pinned", PINNED["headlines"], ids=lambda h: h["title"])
def test_engine_values_are_the_pinned_ones(pinned: dict[str, Any]) -> None:
    latents, steps = engine_values(pinned["title"])
    assert latents == pinned["latent"], computes_differently("which latent terms are strongest")
    assert steps == pinned["grid"], computes_differently("the latent-term values")


@pytest.mark.parametrize("pinned", PINNED["headlines"], ids=lambda h: h["title"])
def test_vector_is_the_pinned_one(pinned: dict[str, Any]) -> None:
    expected = vector_of_terms(pinned["latent"], pinned["grid"])
    vector = headline_vector(pinned["title"])
    assert vector["latent"].tolist() == expected["latent"].tolist(), computes_differently(
        "the headline vector"
    )
    assert np.abs(vector["weight"] - expected["weight"]).max() <= TOLERANCE, computes_differently(
        "the headline vector"
    )


@pytest.mark.parametrize("pair", PINNED["pairs"], ids=lambda p: f"{p['a']} | {p['b']}")
def test_score_is_the_pinned_one(pair: dict[str, Any]) -> None:
    score = headline_similarity(pair["a"], pair["b"], latent=True)
    assert score == pytest.approx(pair["score"], abs=TOLERANCE), computes_differently(
        "the same-story score"
    )
