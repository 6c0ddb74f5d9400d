"""Publication day: omskcrawl's date policy vs htmldate on htmldate's eval sets.

    .venv/bin/python scripts/eval_dates.py HTMLDATE_CHECKOUT [--limit N] [--show N]

HTMLDATE_CHECKOUT is a checkout of github.com/adbar/htmldate (its `tests/eval_default.json`,
`tests/eval_mediacloud_2020.json` and the pages in `tests/test_set/`, `tests/cache/`,
`tests/eval/`); it stays outside this repository.

Scoring is htmldate's own (`tests/evaluation.py`): the day (YYYY-MM-DD) found must equal the
annotated one; no date counts as a miss. Our day is the calendar day the page wrote (the
decision's value in its own offset, or in the site zone when it names none), not the UTC day.
One interleaved run: for every page ours (parse + structured data + date policy, as in a
crawl), then htmldate `find_date(original_date=True, extensive_search=True)` on the same
string without the URL (its benchmark's settings), then the same with the URL, each timed;
the order alternates from page to page after a warm-up pass over the first pages.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from scrapy.http import HtmlResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from omskcrawl.extract.article import page_selector
from omskcrawl.extract.dates import publication_date
from omskcrawl.extract.generic import visible_dates
from omskcrawl.extract.structured import read_structured

NOW = datetime(2026, 12, 1, tzinfo=UTC)
FILES = ("eval_mediacloud_2020.json", "eval_default.json")
WARM_PAGES = 50


@dataclass
class Score:
    right: int = 0
    wrong: int = 0
    none: int = 0
    crashes: int = 0
    seconds: float = 0.0
    sources: Counter[str] = field(default_factory=Counter)
    misses: list[tuple[str, str | None, str]] = field(default_factory=list)

    def row(self, name: str, base: float) -> str:
        total = self.right + self.wrong + self.none
        acc = self.right / total if total else 0.0
        ms = 1000 * self.seconds / total if total else 0.0
        ratio = self.seconds / base if base else 0.0
        return (
            f"{name:<40} {acc:6.3f} {self.right:6d} {self.wrong:6d} {self.none:6d} "
            f"{self.crashes:7d} {ms:8.2f} {ratio:6.2f}"
        )


def load_page(tests: Path, name: str) -> bytes | None:
    for sub in ("test_set", "cache", "eval"):
        path = tests / sub / name
        if path.is_file():
            return path.read_bytes()
    return None


def ours(url: str, data: bytes) -> tuple[str | None, str | None]:
    response = HtmlResponse(url=url, body=data)
    sel = page_selector(response.text, url)
    root = sel.root
    decision = publication_date(
        read_structured(sel).published,
        shown=lambda: visible_dates(sel),
        from_selector=False,
        feed_raw=None,
        url=url,
        now=NOW,
        tz="Asia/Omsk",
        root=root,
    )
    day = decision.value.date().isoformat() if decision.value else None
    return day, decision.source


def htmldate_plain(url: str, data: bytes) -> tuple[str | None, str | None]:
    from htmldate import find_date

    return find_date(data, original_date=True, extensive_search=True), None


def htmldate_url(url: str, data: bytes) -> tuple[str | None, str | None]:
    from htmldate import find_date

    return find_date(data, url=url, original_date=True, extensive_search=True), None


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of adbar/htmldate")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--show", type=int, default=0, help="list N of our misses")
    args = parser.parse_args()
    tests = args.checkout / "tests" if (args.checkout / "tests").is_dir() else args.checkout
    annotated: dict[str, dict[str, str]] = {}
    for name in FILES:
        annotated.update(json.loads((tests / name).read_text(encoding="utf-8")))
    pages = []
    undated = 0
    for url, entry in annotated.items():
        if not isinstance(entry.get("date"), str):  # a few entries are annotated NaN
            undated += 1
            continue
        data = load_page(tests, entry["file"])
        if data is None:
            print(f"missing file {entry['file']}", file=sys.stderr)
            continue
        pages.append((url, data, entry))
    if args.limit:
        pages = pages[: args.limit]
    import htmldate

    version = htmldate.__version__
    runners: list[tuple[str, Callable[[str, bytes], tuple[str | None, str | None]], Score]] = [
        ("omskcrawl date policy", ours, Score()),
        (f"htmldate {version} extensive, no URL", htmldate_plain, Score()),
        (f"htmldate {version} extensive, with URL", htmldate_url, Score()),
    ]
    # Warm-up: dateparser loads a language's data the first time it meets one; whichever
    # runner meets a page first would pay that. Then the runners alternate who goes first.
    for url, data, _ in pages[:WARM_PAGES]:
        for _, fn, _ in runners:
            with contextlib.suppress(Exception):  # crashes are counted in the timed pass
                fn(url, data)
    for i, (url, data, entry) in enumerate(pages):
        order = runners if i % 2 == 0 else runners[::-1]
        for _, fn, score in order:
            start = time.perf_counter()
            try:
                day, source = fn(url, data)
            except Exception as e:
                day, source = None, None
                score.crashes += 1
                print(
                    f"  crash {fn.__name__} {entry['file']}: {type(e).__name__}: {e}",
                    file=sys.stderr,
                )
            score.seconds += time.perf_counter() - start
            if day is None:
                score.none += 1
            elif day == entry["date"]:
                score.right += 1
            else:
                score.wrong += 1
            if day != entry["date"]:
                score.misses.append((entry["file"], day, entry["date"]))
            score.sources[f"{source}:{'ok' if day == entry['date'] else 'miss'}"] += 1
    base = runners[1][2].seconds
    print(
        f"{len(pages)} dated pages ({undated} annotated without a date left out), one "
        "interleaved run after a warm-up; time ratio against htmldate without URL"
    )
    print(
        f"{'':<40} {'day acc':>6} {'right':>6} {'wrong':>6} {'none':>6} {'crashes':>7}"
        f" {'ms/page':>8} {'ratio':>6}"
    )
    for name, _, score in runners:
        print(score.row(name, base))
    ours_score = runners[0][2]
    print("our sources:", dict(sorted(ours_score.sources.items())))
    for name, got, want in ours_score.misses[: args.show]:
        print(f"  {name}: got {got}, annotated {want}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
