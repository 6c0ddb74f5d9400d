"""Measure ``omskcrawl.dedup.same_story`` on labelled Russian news headline pairs.

The pairs (ParaPhraser, labels 1 = same news, 0 = same story with other details, -1 = different
news) live outside the repository and are used for evaluation only. Label 1 is the positive class,
-1 the negative one; label 0 is reported apart as the share marked "same".

    .venv/bin/python scripts/eval_dedup.py [--path FILE] [--threshold T] [--sweep] [--halves]
                                           [--lexical]

``--lexical`` measures the fallback without the latent-term model (word overlap alone, against
LEXICAL_THRESHOLD). Every run first prints the scores of BORDERLINE: Omsk pairs too close to the
threshold (within 0.05) to be pass/fail tests.

``--halves`` reports 2-fold held-out figures: the threshold (and, in the last block, the model
too, refitted by ``scripts/fit_dedup.py``) chosen on the even rows and measured on the odd ones,
and the reverse. The shipped model was fitted on all rows of this file, so only that last block is
free of it. The first pass embeds every headline (~2-3 minutes). Exits 0 with a message when the
file is absent.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from omskcrawl.dedup import (  # noqa: E402
    DEFAULT_THRESHOLD,
    LEXICAL_THRESHOLD,
    headline_similarity,
)

DEFAULT_PATH = REPO_ROOT / ".." / "shared" / "eval" / "paraphraser_dev.tsv"

# Omsk headline pairs whose score lies within 0.05 of the threshold: which side they land on is
# not a property worth a pass/fail test (tests/test_similarity.py keeps its pairs 0.05 clear).
# (label as in the corpus, a, b)
BORDERLINE = [
    (
        -1,
        "Виталий Хоценко обсудил развитие промышленности с министром Алихановым",
        "Хоценко обсудил с Алихановым строительство метро",
    ),
    (
        1,
        "В Омске эвакуировали торговый центр «Мега» из-за сообщения о минировании",
        "ТЦ «Мега» в Омске эвакуировали после сообщения о бомбе",
    ),
    (
        1,
        "Хоценко назначил нового министра здравоохранения Омской области",
        "Губернатор Хоценко назначил министра здравоохранения региона",
    ),
    (
        -1,
        "В Омске ограничат движение по Ленинградскому мосту на выходных",
        "В Омске ограничат движение по улице Лермонтова на выходных",
    ),
]


def print_borderline(latent: bool, threshold: float) -> None:
    print(f"borderline Omsk pairs (threshold {threshold:.3f}):")
    for label, a, b in BORDERLINE:
        score = headline_similarity(a, b, latent=latent)
        print(f"  label {label:+d}  score {score:.4f} ({score - threshold:+.4f})  {a} | {b}")


@dataclass(frozen=True)
class Pair:
    label: int
    a: str
    b: str


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float
    near_same: float  # share of label-0 pairs marked same
    tp: int
    fp: int
    fn: int


def read_pairs(path: Path) -> list[Pair]:
    pairs = []
    with path.open(encoding="utf-8") as f:
        header = f.readline().rstrip("\n").split("\t")
        if header != ["label", "headline_a", "headline_b"]:
            raise SystemExit(f"{path}: unexpected header {header}")
        for line in f:
            label, a, b = line.rstrip("\n").split("\t")
            pairs.append(Pair(int(label), a, b))
    return pairs


def evaluate(labels: list[int], predicted: list[bool]) -> Scores:
    tp = sum(1 for y, p in zip(labels, predicted, strict=True) if p and y == 1)
    fp = sum(1 for y, p in zip(labels, predicted, strict=True) if p and y == -1)
    fn = sum(1 for y, p in zip(labels, predicted, strict=True) if not p and y == 1)
    near = [p for y, p in zip(labels, predicted, strict=True) if y == 0]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    near_same = sum(near) / len(near) if near else 0.0
    return Scores(precision, recall, f1, near_same, tp, fp, fn)


def at_threshold(labels: list[int], scores: list[float], threshold: float) -> Scores:
    return evaluate(labels, [s >= threshold for s in scores])


def best_f1_threshold(labels: list[int], scores: list[float]) -> float:
    return max(sorted(set(scores)), key=lambda t: at_threshold(labels, scores, t).f1)


def precision_threshold(labels: list[int], scores: list[float], min_precision: float) -> float:
    """Lowest threshold (most recall) whose precision is at least ``min_precision``."""
    for t in sorted(set(scores)):
        if at_threshold(labels, scores, t).precision >= min_precision:
            return t
    return 1.0


def describe(s: Scores) -> str:
    return (
        f"P={s.precision:.3f} R={s.recall:.3f} F1={s.f1:.3f} "
        f"label-0 marked same={s.near_same:.3f} (tp={s.tp} fp={s.fp} fn={s.fn})"
    )


def print_sweep(labels: list[int], scores: list[float]) -> None:
    print("\nthreshold  precision  recall  F1     label-0 same")
    for step in range(30, 96, 5):
        s = at_threshold(labels, scores, step / 100)
        print(
            f"  {step / 100:.2f}     {s.precision:.3f}      {s.recall:.3f}   {s.f1:.3f}  "
            f"{s.near_same:.3f}"
        )


def print_halves(pairs: list[Pair], labels: list[int], scores: list[float]) -> None:
    """Pick a threshold on one half (even or odd rows), report it on the other."""
    import fit_dedup  # here: it imports this module

    target = fit_dedup.TARGET_PRECISION
    halves = {"even": range(0, len(labels), 2), "odd": range(1, len(labels), 2)}
    print("\nthreshold tuned on one half (shipped model), measured on the other:")
    for tune, test in (("even", "odd"), ("odd", "even")):
        tune_labels = [labels[i] for i in halves[tune]]
        tune_scores = [scores[i] for i in halves[tune]]
        test_labels = [labels[i] for i in halves[test]]
        test_scores = [scores[i] for i in halves[test]]
        rules = (
            ("best F1", best_f1_threshold(tune_labels, tune_scores)),
            (f"P>={target}", precision_threshold(tune_labels, tune_scores, target)),
        )
        for rule, t in rules:
            tuned = at_threshold(tune_labels, tune_scores, t)
            held_out = at_threshold(test_labels, test_scores, t)
            print(f"  {rule:9s} on {tune:4s}: t={t:.3f} tuning F1={tuned.f1:.3f}")
            print(f"    held-out {test:4s}: {describe(held_out)}")
    for name, rows in halves.items():
        part = at_threshold([labels[i] for i in rows], [scores[i] for i in rows], DEFAULT_THRESHOLD)
        print(f"  default t={DEFAULT_THRESHOLD:.3f} on {name:4s}: {describe(part)}")

    print(f"\nmodel refitted and threshold (precision >= {target}) on one half only:")
    fit_dedup.held_out(fit_dedup.feature_matrix(pairs), labels, target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--path", type=Path, default=DEFAULT_PATH)
    parser.add_argument("--threshold", type=float, default=None, help="instead of the default")
    parser.add_argument("--sweep", action="store_true", help="print P/R/F1 over thresholds")
    parser.add_argument("--halves", action="store_true", help="tune on one half, test on other")
    parser.add_argument("--lexical", action="store_true", help="word overlap alone (no model)")
    args = parser.parse_args(argv)
    latent = not args.lexical
    default = DEFAULT_THRESHOLD if latent else LEXICAL_THRESHOLD
    print_borderline(latent, default)

    if not args.path.is_file():
        print(f"skipped: evaluation pairs not found at {args.path}")
        return 0
    pairs = read_pairs(args.path)
    labels = [p.label for p in pairs]
    counts = {label: labels.count(label) for label in (1, 0, -1)}
    print(f"{args.path.resolve()}: {len(pairs)} pairs", end=" ")
    print(f"(label 1: {counts[1]}, 0: {counts[0]}, -1: {counts[-1]})")

    start = time.perf_counter()
    scores = [headline_similarity(p.a, p.b, latent=latent) for p in pairs]
    cold = time.perf_counter() - start
    start = time.perf_counter()
    predicted = [headline_similarity(p.a, p.b, latent=latent) >= default for p in pairs]
    warm = time.perf_counter() - start

    if args.threshold is None:
        print(f"same_story (default threshold {default:.3f}), 1 vs -1:")
        print(f"  {describe(evaluate(labels, predicted))}")
    else:
        print(f"threshold {args.threshold:.2f}, 1 vs -1:")
        print(f"  {describe(at_threshold(labels, scores, args.threshold))}")
    print(
        f"runtime: first pass {cold:.1f} s ({cold / len(pairs) * 1e3:.1f} ms/pair: loading the "
        f"analyser and the model, every new word and headline); "
        f"warm {warm / len(pairs) * 1e6:.0f} µs per same_story call"
    )
    if args.sweep:
        print_sweep(labels, scores)
    if args.halves:
        print_halves(pairs, labels, scores)
    return 0


if __name__ == "__main__":
    sys.exit(main())
