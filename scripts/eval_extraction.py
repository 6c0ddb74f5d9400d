"""Body extraction: omskcrawl's generic layer vs trafilatura on trafilatura's eval set.

    .venv/bin/python scripts/eval_extraction.py TRAFILATURA_CHECKOUT [--limit N] [--show N]

TRAFILATURA_CHECKOUT is a checkout of github.com/adbar/trafilatura (its `tests/evaldata.json`
with `tests/cache/` and `tests/eval/`); it stays outside this repository.

Scoring is trafilatura's own (`tests/eval_common.py`): each page has up to six `with` snippets
that must appear in the body and `without` snippets that must not; whitespace is normalised and
a snippet counts when it is a substring of the body. Precision, recall and F1 are over all
snippets of all pages. One interleaved run: for every page ours, then the reference
(`trafilatura.bare_extraction(with_metadata=True, include_tables=True, include_comments=False)`,
the settings of trafilatura's benchmark, then `bare_extraction(with_metadata=True)` with its
defaults, the issue's time reference), each timed on the same bytes; the order alternates
from page to page after a warm-up pass over the first pages. "empty" counts pages
where a `with` snippet exists but the body came out empty; "entities" counts pages with an
HTML entity left escaped in title, lead or body.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import HtmlResponse

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from omskcrawl.extract.article import extract_article, page_selector

ENTITY = re.compile(r"&(?:[a-zA-Z]{2,8}|#\d{2,5}|#x[0-9a-fA-F]{2,4});")
NOW = datetime(2026, 12, 1, tzinfo=UTC)
WARM_PAGES = 50


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0
    seconds: float = 0.0
    empty: int = 0
    crashes: int = 0
    entities: int = 0
    misses: list[tuple[float, str, str]] = field(default_factory=list)

    def add(self, item: dict[str, Any], body: str | None, url: str) -> None:
        text = norm(body or "")
        tp = sum(1 for w in item["with"] if norm(w) in text)
        fp = sum(1 for w in item["without"] if norm(w) in text)
        self.tp += tp
        self.fp += fp
        self.fn += len(item["with"]) - tp
        self.tn += len(item["without"]) - fp
        if not text:
            self.empty += 1
        lost = (len(item["with"]) - tp) + fp
        if lost:
            self.misses.append(
                (lost / (len(item["with"]) + len(item["without"])), url, item["file"])
            )

    def row(self, name: str, pages: int, base: float) -> str:
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0
        f1 = 2 * self.tp / (2 * self.tp + self.fp + self.fn) if self.tp else 0.0
        ms = 1000 * self.seconds / pages if pages else 0.0
        ratio = self.seconds / base if base else 0.0
        return (
            f"{name:<28} {p:6.3f} {r:6.3f} {f1:6.3f} {self.empty:6d} {self.crashes:7d} "
            f"{self.entities:8d} {ms:8.2f} {ratio:6.2f}"
        )


def resolve(tests: Path, name: str) -> Path | None:
    for sub in ("cache", "eval"):
        path = tests / sub / name
        if path.is_file():
            return path
    return None


def ours(url: str, data: bytes) -> dict[str, Any]:
    response = HtmlResponse(url=url, body=data)
    item = extract_article(page_selector(response.text, url), url=url, now=NOW)
    return {k: item.get(k) for k in ("title", "lead", "body")}


def _fields(doc: Any) -> dict[str, Any]:
    if doc is None:
        return {"title": None, "lead": None, "body": None}
    return {"title": doc.title, "lead": doc.description, "body": doc.text}


def reference(url: str, data: bytes) -> dict[str, Any]:
    """trafilatura with its benchmark's settings (comments left out): the F1 to beat."""
    import trafilatura

    return _fields(
        trafilatura.bare_extraction(
            data, url=url, with_metadata=True, include_comments=False, include_tables=True
        )
    )


def reference_defaults(url: str, data: bytes) -> dict[str, Any]:
    """`bare_extraction(with_metadata=True)` as the issue names it (defaults: comments
    included): the time to beat."""
    import trafilatura

    return _fields(trafilatura.bare_extraction(data, url=url, with_metadata=True))


def escaped(fields: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and ENTITY.search(v) for v in fields.values())


def run_one(
    fn: Callable[[str, bytes], dict[str, Any]],
    score: Score,
    url: str,
    data: bytes,
    item: dict[str, Any],
) -> None:
    start = time.perf_counter()
    try:
        fields = fn(url, data)
    except Exception as e:
        score.seconds += time.perf_counter() - start
        score.crashes += 1
        print(f"  crash {fn.__name__} {item['file']}: {type(e).__name__}: {e}", file=sys.stderr)
        score.add(item, None, url)
        return
    score.seconds += time.perf_counter() - start
    if escaped(fields):
        score.entities += 1
    score.add(item, fields["body"], url)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("checkout", type=Path, help="a checkout of adbar/trafilatura")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    parser.add_argument("--show", type=int, default=0, help="list our N worst pages")
    parser.add_argument("--no-reference", action="store_true", help="skip trafilatura")
    args = parser.parse_args()
    tests = args.checkout / "tests" if (args.checkout / "tests").is_dir() else args.checkout
    evaldata = json.loads((tests / "evaldata.json").read_text(encoding="utf-8"))
    pages = []
    for url in sorted(evaldata):
        path = resolve(tests, evaldata[url]["file"])
        if path is None:
            print(f"missing file {evaldata[url]['file']}", file=sys.stderr)
            continue
        pages.append((url, path.read_bytes(), evaldata[url]))
    if args.limit:
        pages = pages[: args.limit]
    runners: list[tuple[str, Callable[[str, bytes], dict[str, Any]], Score]] = [
        ("omskcrawl generic", ours, Score())
    ]
    if not args.no_reference:
        import trafilatura

        version = trafilatura.__version__
        runners.append((f"trafilatura {version} benchmark", reference, Score()))
        runners.append((f"trafilatura {version} defaults", reference_defaults, Score()))
    # Warm-up: lazy imports and dateparser's per-language data load on first use; whichever
    # runner meets a page first would pay that. Then the runners alternate who goes first.
    for url, data, _ in pages[:WARM_PAGES]:
        for _, fn, _ in runners:
            with contextlib.suppress(Exception):  # crashes are counted in the timed pass
                fn(url, data)
    for i, (url, data, item) in enumerate(pages):
        order = runners if i % 2 == 0 else runners[::-1]
        for _, fn, score in order:
            run_one(fn, score, url, data, item)
    base = runners[-1][2].seconds
    print(
        f"{len(pages)} pages, one interleaved run; time ratio against the last row, "
        "bare_extraction(with_metadata=True)"
    )
    print(
        f"{'':<28} {'P':>6} {'R':>6} {'F1':>6} {'empty':>6} {'crashes':>7} {'entities':>8}"
        f" {'ms/page':>8} {'ratio':>6}"
    )
    for name, _, score in runners:
        print(score.row(name, len(pages), base))
    if args.show:
        worst = sorted(runners[0][2].misses, reverse=True)[: args.show]
        for lost, url, name in worst:
            print(f"  {lost:.2f} {name} {url}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
