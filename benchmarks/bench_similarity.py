"""Cost of the same-story decision, against the word-overlap score alone, in one run.

Run from the repository root:

    .venv/bin/python benchmarks/bench_similarity.py

Prints per-call times and their ratios to the baseline measured in the same process (so the
figures compare across machines): the warm ``same_story`` of cached headlines against the warm
``lexical_similarity`` of the same pairs, and one model pass for a new headline against it too.
These were the timed asserts of tests/test_similarity.py (warm ~60 µs, new headline ~30 ms on
the development machine); timing belongs here, not in the test suite.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from omskcrawl.dedup import headline_vectors, lexical_similarity, same_story

PAIRS = [
    (
        "Виталий Хоценко обсудил развитие промышленности с министром Алихановым",
        "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности",
    ),
    ("Омский аэропорт закрыли из-за густого тумана", "Из-за тумана закрыт аэропорт Омска"),
    ("Цены на бензин в Омске выросли на 3%", "В Омске бензин подорожал на 3 процента"),
    ("В Омске из-за ДТП погибли 2 человека", "В Омске в ДТП погибли 5 человек"),
    ("Хоценко провел прием граждан в Таре", "В Омске открылся новый сквер"),
    ("В Омской области ожидаются сильные морозы", "В Омской области ожидается аномальная жара"),
]
ROUNDS = 200


def per_call(fn: Callable[[str, str], object]) -> float:
    for a, b in PAIRS:
        fn(a, b)  # warm: analyser, model, caches
    start = time.perf_counter()
    for _ in range(ROUNDS):
        for a, b in PAIRS:
            fn(a, b)
    return (time.perf_counter() - start) / (ROUNDS * len(PAIRS))


def main() -> int:
    lexical = per_call(lexical_similarity)
    warm = per_call(same_story)
    titles = [f"В Омске отремонтируют {n} дворов и {n + 3} школы" for n in range(10, 30)]
    start = time.perf_counter()
    headline_vectors(titles)
    new = (time.perf_counter() - start) / len(titles)
    print(f"baseline lexical_similarity (warm): {lexical * 1e6:8.1f} µs per pair")
    print(
        f"same_story (warm, cached vectors):  {warm * 1e6:8.1f} µs per pair  x{warm / lexical:.1f}"
    )
    print(f"new headline (one model pass):      {new * 1e3:8.1f} ms          x{new / lexical:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
