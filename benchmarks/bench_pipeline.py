"""Full pipeline against bare Scrapy on the same replayed corpus, at two sizes, in one run.

For each size (default 2,000 and 10,000 articles) a synthetic corpus is built from the fixture
templates (`benchmarks/synthetic_corpus.py`: varied titles, bodies and dates, ~10 % planted
cross-source duplicates) into one WARC. Then, each in its own subprocess and interleaved
(bare, full, ceiling, bare…) so that all see the same load on a shared machine:

- **bare**: one plain Scrapy spider requests the same URLs (every site's feeds, sitemaps and
  listings, then every article) through the same replay download handler; its callbacks parse
  nothing; no item pipelines, no extensions of ours.
- **full**: `scrapy replay corpus.warc.gz`, the command users run: every site spider, extraction,
  validation, dedup (fresh SQLite state) and Parquet.
- **ceiling** (unless `--no-ceiling`): the same replay with the same-story model off
  (`OMSKCRAWL_DEDUP_LATENT_TERMS=False`, word overlap alone): the ratio the full pipeline could
  reach if no headline needed a model pass. Its story decisions differ; its rows are not checked.

Printed: articles/s of each and their ratio, CPU per article by stage (exclusive CPU time of the
thread that ran it), peak RSS of each subprocess, and the RSS ratio of the two sizes. The rows
written (URL, title, publication date, story group) are digested and compared with a reference
digest kept outside the repository (`--work-dir`), so an optimisation that changes a result
fails the benchmark; `--save-reference` stores the digest of this run as the reference.

    .venv/bin/python benchmarks/bench_pipeline.py [--sizes 2000 10000] [--repeat 1]

Targets (issue 13): full >= 0.5 x bare articles/s at 10,000; peak RSS at 10,000 <= 1.2 x at 2,000.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

THROUGHPUT_TARGET = 0.5
# The ceiling run: the full pipeline with the same-story model off (word overlap alone decides),
# i.e. what the throughput ratio could reach if every model pass were spared.
WITHOUT_MODEL = "OMSKCRAWL_DEDUP_LATENT_TERMS=False"
RSS_TARGET = 1.2
DEFAULT_WORK_DIR = Path(tempfile.gettempdir()) / "omskcrawl-bench"


# ---------------------------------------------------------------------------------- stages


class StageClock:
    """Exclusive CPU time per stage, per thread: a nested stage pauses the one around it."""

    def __init__(self) -> None:
        self.cpu: dict[str, float] = defaultdict(float)
        self.calls: dict[str, int] = defaultdict(int)
        self._local = threading.local()
        self._lock = threading.Lock()

    def _stack(self) -> list[list[Any]]:
        stack = getattr(self._local, "stack", None)
        if stack is None:
            stack = self._local.stack = []
        return stack  # type: ignore[no-any-return]

    def enter(self, stage: str) -> None:
        now = time.thread_time()
        stack = self._stack()
        if stack:
            top = stack[-1]
            self._charge(top[0], now - top[1])
        stack.append([stage, now])
        with self._lock:
            self.calls[stage] += 1

    def exit(self) -> None:
        now = time.thread_time()
        stack = self._stack()
        stage, since = stack.pop()
        self._charge(stage, now - since)
        if stack:
            stack[-1][1] = now

    def _charge(self, stage: str, seconds: float) -> None:
        with self._lock:
            self.cpu[stage] += seconds

    def wrap(self, func: Callable[..., Any], stage: str) -> Callable[..., Any]:
        import functools
        import inspect

        if inspect.isgeneratorfunction(func):

            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
                inner = func(*args, **kwargs)
                while True:
                    self.enter(stage)
                    try:
                        value = next(inner)
                    except StopIteration:
                        return
                    finally:
                        self.exit()
                    yield value

            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.enter(stage)
            try:
                return func(*args, **kwargs)
            finally:
                self.exit()

        return wrapper


def instrument(clock: StageClock, targets: list[tuple[str, str, str]]) -> list[str]:
    """Wrap `module:qualname` callables in place, wherever omskcrawl modules imported them.

    Returns the targets that do not exist (the code moved on; the stage reads 0).
    """
    import importlib

    missing = []
    for module_name, qualname, stage in targets:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            missing.append(f"{module_name}:{qualname}")
            continue
        owner: Any = module
        *path, name = qualname.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        original = getattr(owner, name, None) if owner is not None else None
        if original is None:
            missing.append(f"{module_name}:{qualname}")
            continue
        wrapped = clock.wrap(original, stage)
        setattr(owner, name, wrapped)
        if not path:  # a module-level function: also where it was imported by name
            for other in list(sys.modules.values()):
                if getattr(other, "__name__", "").startswith("omskcrawl") and (
                    getattr(other, name, None) is original
                ):
                    setattr(other, name, wrapped)
    return missing


# Stages of the full run, innermost last where they nest (exclusive time each).
FULL_STAGES = [
    ("omskcrawl.warc.index", "WarcIndex.__init__", "replay: WARC index"),
    ("omskcrawl.warc.index", "read_capture", "replay: read capture"),
    ("omskcrawl.spiders.base", "NewsSpider.parse_feed", "discovery"),
    ("omskcrawl.spiders.base", "NewsSpider.parse_sitemap", "discovery"),
    ("omskcrawl.spiders.base", "NewsSpider.parse_listing", "discovery"),
    ("omskcrawl.spiders.base", "NewsSpider.parse_article", "extraction"),
    ("omskcrawl.pipelines.validate", "ValidationPipeline.process_item", "validate"),
    ("omskcrawl.pipelines.dedup", "DedupPipeline.process_item", "dedup: rest"),
    ("omskcrawl.dedup.state", "SqliteState.candidates", "dedup: candidates (SQLite)"),
    ("omskcrawl.dedup.similarity", "is_same_story", "dedup: is_same_story"),
    ("omskcrawl.dedup.semantic", "headline_vector", "dedup: model pass"),
    ("omskcrawl.pipelines.parquet", "ParquetPipeline.process_item", "parquet"),
    ("omskcrawl.pipelines.parquet", "ParquetPipeline.close_spider", "parquet"),
]
BARE_STAGES = [
    ("omskcrawl.warc.index", "WarcIndex.__init__", "replay: WARC index"),
    ("omskcrawl.warc.index", "read_capture", "replay: read capture"),
]


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


# ---------------------------------------------------------------------------------- children


def replay_argv(corpus: Path, export: Path, settings: list[str] | None = None) -> list[str]:
    """The `scrapy replay` command line of a full run (run from ROOT)."""
    argv = [
        "scrapy", "replay", str(corpus / "corpus.warc.gz"), "-L", "ERROR",
        "-s", f"OMSKCRAWL_EXPORT_DIR={export}",
    ]  # fmt: skip
    for setting in settings or []:
        argv += ["-s", setting]
    return argv


def on_each_item(callback: Callable[[int], None]) -> Callable[[], int]:
    """Call `callback(n)` as the n-th article reaches the Parquet pipeline; returns a function
    that tells how many have so far."""
    import omskcrawl.pipelines.parquet as parquet

    original = parquet.ParquetPipeline.process_item
    seen = [0]

    def counting(self: Any, item: Any) -> Any:
        seen[0] += 1
        callback(seen[0])
        return original(self, item)

    parquet.ParquetPipeline.process_item = counting  # type: ignore[method-assign]
    return lambda: seen[0]


def child_full(corpus: Path, export: Path, settings: list[str]) -> dict[str, Any]:
    """`scrapy replay corpus.warc.gz` in this process, timed, with stage clocks."""
    import scrapy.cmdline

    import omskcrawl.commands.replay
    import omskcrawl.pipelines.dedup
    import omskcrawl.pipelines.parquet
    import omskcrawl.pipelines.validate  # noqa: F401

    clock = StageClock()
    missing = instrument(clock, FULL_STAGES)
    stats = collect_stats()
    argv = replay_argv(corpus, export, settings)
    os.chdir(ROOT)
    wall, cpu = time.perf_counter(), _cpu()
    try:
        scrapy.cmdline.execute(argv)
    except SystemExit as e:
        code = e.code
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    peak = _peak_rss_mb()
    rows = read_rows(export)
    return {
        "exit": code,
        "wall": wall,
        "cpu": cpu,
        "articles": len(rows),
        "stages": dict(clock.cpu),
        "calls": dict(clock.calls),
        "missing_stages": missing,
        "peak_rss_mb": peak,
        "stats": stats,
        "rows": rows,
    }


def collect_stats() -> dict[str, float]:
    """Numeric omskcrawl stats of every crawler, summed (filled as each spider closes)."""
    from scrapy.statscollectors import StatsCollector

    totals: dict[str, float] = defaultdict(float)
    original = StatsCollector.close_spider

    def close_spider(self: StatsCollector, *args: Any, **kwargs: Any) -> None:
        for key, value in self.get_stats().items():
            if key.startswith("omskcrawl/") and isinstance(value, int | float):
                totals[key] += value
        original(self, *args, **kwargs)

    StatsCollector.close_spider = close_spider  # type: ignore[method-assign]
    return totals


def child_trace(corpus: Path, export: Path, first: int, frames: int = 12) -> None:
    """Where memory grows: tracemalloc snapshots after `first` articles and at the end, and the
    allocations that grew between them, by the innermost omskcrawl (else any) frame."""
    import tracemalloc

    import scrapy.cmdline

    import omskcrawl.pipelines.parquet as parquet

    tracemalloc.start(frames)
    snapshots: list[tracemalloc.Snapshot] = []

    def at_item(n: int) -> None:
        if n == first:
            snapshots.append(tracemalloc.take_snapshot())

    seen = on_each_item(at_item)
    os.chdir(ROOT)
    argv = replay_argv(corpus, export)
    closing: list[tracemalloc.Snapshot] = []

    def at_close(self: Any) -> Any:
        if not closing:  # the first pipeline to close: every article went through
            closing.append(tracemalloc.take_snapshot())
        return close(self)

    close = parquet.ParquetPipeline.close_spider
    parquet.ParquetPipeline.close_spider = at_close  # type: ignore[method-assign]
    with contextlib.suppress(SystemExit):
        scrapy.cmdline.execute(argv)
    before, after = snapshots[0], closing[0]
    print(f"memory that grew from article {first:,} to {seen():,} (traced):")
    stats = after.compare_to(before, "traceback")
    for stat in stats[:25]:
        where = [f for f in stat.traceback if "omskcrawl" in f.filename] or list(stat.traceback)
        frame = where[-1]
        print(
            f"  {stat.size_diff / 2**20:+8.2f} MB {stat.count_diff:+9,} blocks  "
            f"{frame.filename.split('site-packages/')[-1]}:{frame.lineno}"
        )
        for f in list(stat.traceback)[-4:]:
            print(f"        {f.filename.split('site-packages/')[-1]}:{f.lineno}")
    total = sum(s.size_diff for s in stats)
    print(f"  total traced growth {total / 2**20:+.1f} MB")


def child_sample_memory(corpus: Path, export: Path, every: int) -> None:
    """One full replay, printing where memory is every `every` articles (at the Parquet
    pipeline) and at the end: RSS, glibc's heap (in use / free, mallinfo2), pymalloc blocks,
    live responses and how many still hold a parsed tree, and the dedup caches' sizes."""
    import ctypes
    import gc

    import scrapy.cmdline
    from scrapy.http import Response

    from omskcrawl.dedup import semantic, similarity

    class Mallinfo2(ctypes.Structure):
        _fields_ = [
            (name, ctypes.c_size_t)
            for name in ("arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
                         "uordblks", "fordblks", "keepcost")
        ]  # fmt: skip

    libc = ctypes.CDLL(None)
    mallinfo2 = getattr(libc, "mallinfo2", None)
    if mallinfo2 is not None:
        mallinfo2.restype = Mallinfo2

    def line(label: str) -> str:
        with open("/proc/self/statm") as f:
            rss = int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
        heap = ""
        if mallinfo2 is not None:
            info = mallinfo2()
            heap = (
                f" | C heap in use {info.uordblks / 2**20:6.1f} free {info.fordblks / 2**20:6.1f}"
                f" mmapped {info.hblkhd / 2**20:5.1f} MB"
            )
        responses = [o for o in gc.get_objects() if isinstance(o, Response)]
        parsed = sum(1 for r in responses if getattr(r, "_cached_selector", None) is not None)
        caches = {
            "vectors": semantic.headline_vector.cache_info().currsize,
            "headlines": similarity._headline.cache_info().currsize,
            "texts": similarity._text.cache_info().currsize,
        }
        return (
            f"{label:>8}: RSS {rss:6.1f} MB{heap} | Python blocks "
            f"{sys.getallocatedblocks() / 1e6:4.2f} M | responses {len(responses)} "
            f"({parsed} with a parsed tree) | caches {caches}"
        )

    def at_item(n: int) -> None:
        if n % every == 0:
            print(line(f"{n:,}"), flush=True)

    on_each_item(at_item)
    os.chdir(ROOT)
    argv = replay_argv(corpus, export)
    print(line("start"), flush=True)
    with contextlib.suppress(SystemExit):
        scrapy.cmdline.execute(argv)
    print(line("end"), flush=True)
    print(f"peak RSS {_peak_rss_mb():.0f} MB")


def child_bare(corpus: Path) -> dict[str, Any]:
    """A plain Scrapy spider: the same requests through the same handler, no parsing."""
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.settings import Settings

    info = json.loads((corpus / "corpus.json").read_text("utf-8"))
    urls = [a["url"] for a in info["articles"]]

    class BareSpider(scrapy.Spider):
        name = "bare"

        async def start(self) -> Any:
            for url in info["start_urls"]:
                yield scrapy.Request(url, callback=self.nothing)
            for url in urls:
                yield scrapy.Request(url, callback=self.nothing)

        def nothing(self, response: Any) -> None:
            return None

    clock = StageClock()
    missing = instrument(clock, BARE_STAGES)
    settings = Settings(
        {
            "DOWNLOAD_HANDLERS": {
                "http": "omskcrawl.replay.ReplayOrLiveHandler",
                "https": "omskcrawl.replay.ReplayOrLiveHandler",
            },
            "OMSKCRAWL_REPLAY_WARC": [str(corpus / "corpus.warc.gz")],
            # what `scrapy replay` sets, and the project's politeness otherwise
            "ROBOTSTXT_OBEY": True,
            "CONCURRENT_REQUESTS": 16,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
            "DOWNLOAD_DELAY": 0,
            "AUTOTHROTTLE_ENABLED": False,
            "TELNETCONSOLE_ENABLED": False,
            "LOG_LEVEL": "ERROR",
        }
    )
    wall, cpu = time.perf_counter(), _cpu()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(BareSpider)
    process.crawl(crawler)
    process.start()
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    stats = crawler.stats.get_stats() if crawler.stats else {}
    hits = int(stats.get("omskcrawl/replay/hit", 0))
    return {
        "exit": 0,
        "wall": wall,
        "cpu": cpu,
        "articles": len(urls),
        "responses": hits,
        "stages": dict(clock.cpu),
        "calls": dict(clock.calls),
        "missing_stages": missing,
        "peak_rss_mb": _peak_rss_mb(),
    }


def read_rows(export: Path) -> list[dict[str, Any]]:
    """The rows written: URL, title, publication date and story group (as its members' URLs)."""
    import pyarrow.parquet as pq

    files = sorted((export / "articles").rglob("*.parquet"))
    rows: list[dict[str, Any]] = []
    for path in files:
        table = pq.read_table(path, columns=["url", "title", "published_at", "story_id"])
        rows.extend(table.to_pylist())
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[row["story_id"]].append(row["url"])
    out = []
    for row in sorted(rows, key=lambda r: r["url"]):
        published = row["published_at"]
        out.append(
            {
                "url": row["url"],
                "title": row["title"],
                "published_at": published.isoformat() if published else None,
                # the group by its members, not its id: ids depend on which member came first
                "story": min(groups[row["story_id"]]),
            }
        )
    return out


def digest(rows: list[dict[str, Any]]) -> str:
    text = "\n".join(json.dumps(r, ensure_ascii=False, sort_keys=True) for r in rows)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


# ---------------------------------------------------------------------------------- parent


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{cpu}, {os.cpu_count()} logical CPUs, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; load average at start {load}"
    )


def ensure_corpus(size: int, seed: int, work: Path) -> Path:
    from benchmarks.synthetic_corpus import build, corpus_key

    folder = work / corpus_key(size, seed)
    if not (folder / "corpus.json").exists():
        started = time.perf_counter()
        info = build(size, folder, seed)
        planted = sum(1 for a in info["articles"] if a["duplicate_of"])
        print(
            f"built corpus {folder.name}: {size} articles, {planted} planted duplicates, "
            f"{len(info['templates'])} templates, {len(info['spiders'])} sites "
            f"({time.perf_counter() - started:.0f} s)",
            flush=True,
        )
    return folder


def run_child(
    kind: str, corpus: Path, work: Path, settings: list[str], hash_seed: int = 0
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(dir=work) as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--corpus", str(corpus), "--export", str(Path(tmp) / "exports"),
               "--result", str(out)]  # fmt: skip
        for setting in settings if kind == "full" else []:
            cmd += ["--full-setting", setting]
        log = Path(tmp) / "child.log"
        # One hash seed for every run, so that runs of two code versions compare row for row
        # even if some decision still hangs on the order of a set of strings.
        env = {**os.environ, "PYTHONHASHSEED": str(hash_seed)}
        with open(log, "w") as f:
            done = subprocess.run(cmd, cwd=ROOT, stdout=f, stderr=subprocess.STDOUT, env=env)
        if done.returncode or not out.exists():
            sys.stdout.write(log.read_text("utf-8", errors="replace")[-5000:])
            raise SystemExit(f"{kind} run failed (exit {done.returncode})")
        return json.loads(out.read_text("utf-8"))  # type: ignore[no-any-return]


def planted_found(corpus: Path, rows: list[dict[str, Any]]) -> tuple[int, int, int]:
    """(planted duplicates grouped with their source, planted, groups of unplanted items)."""
    info = json.loads((corpus / "corpus.json").read_text("utf-8"))
    story = {r["url"]: r["story"] for r in rows}
    canon = _canonical_urls(info, rows)
    planted = [(a["url"], a["duplicate_of"]) for a in info["articles"] if a["duplicate_of"]]
    found = sum(
        1 for url, source in planted
        if canon.get(url) in story and story[canon[url]] == story.get(canon.get(source, ""))
    )  # fmt: skip
    sizes: dict[str, int] = defaultdict(int)
    for row in rows:
        sizes[row["story"]] += 1
    grouped = sum(n for n in sizes.values() if n > 1)
    return found, len(planted), grouped


def _canonical_urls(info: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, str]:
    """Corpus URL -> row URL (rows hold canonical URLs: no www., https)."""
    by_tail = {r["url"].split("://", 1)[1].removeprefix("www."): r["url"] for r in rows}
    out = {}
    for article in info["articles"]:
        tail = article["url"].split("://", 1)[1].removeprefix("www.")
        if tail in by_tail:
            out[article["url"]] = by_tail[tail]
    return out


def report(results: dict[int, dict[str, list[dict[str, Any]]]], sizes: list[int]) -> bool:
    ok = True
    print()
    print(
        "| articles | bare articles/s | full articles/s | full / bare | "
        "bare CPU ms/article | full CPU ms/article | bare peak RSS MB | full peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")  # fmt: skip
    for size, b, f, brate, frate in _against_bare(results, sizes, "full"):
        print(
            f"| {size:,} | {brate:.1f} | {frate:.1f} | {frate / brate:.3f} | "
            f"{b['cpu'] / b['articles'] * 1000:.1f} | {f['cpu'] / f['articles'] * 1000:.1f} | "
            f"{b['peak_rss_mb']:.0f} | {f['peak_rss_mb']:.0f} |"
        )
    large, small = max(sizes), min(sizes)
    ratio = _median([f["articles"] / f["wall"] for f in results[large]["full"]]) / _median(
        [b["articles"] / b["wall"] for b in results[large]["bare"]]
    )
    print()
    for size in sizes:
        full = results[size]["full"][-1]
        print(f"CPU per article by stage, full pipeline, {size:,} articles (ms, exclusive):")
        staged = sum(full["stages"].values())
        for stage, cpu in sorted(full["stages"].items(), key=lambda kv: -kv[1]):
            calls = full["calls"].get(stage, 0)
            print(f"  {stage:32s} {cpu / full['articles'] * 1000:8.2f}   ({calls:,} calls)")
        other = full["cpu"] - staged
        print(f"  {'Scrapy and the rest':32s} {other / full['articles'] * 1000:8.2f}")
        print(f"  {'total':32s} {full['cpu'] / full['articles'] * 1000:8.2f}")
        bare = results[size]["bare"][-1]
        print(f"  bare: {bare['cpu'] / bare['articles'] * 1000:.2f} ms/article, of which", end="")
        print(
            ", ".join(f" {s} {c / bare['articles'] * 1000:.2f}" for s, c in bare["stages"].items())
        )
        dedup = {k: v for k, v in full.get("stats", {}).items() if k.startswith("omskcrawl/dedup")}
        if dedup:
            print(
                "  dedup stats:",
                ", ".join(f"{k.split('/', 2)[2]} {v:,.0f}" for k, v in dedup.items()),
            )
        if full["missing_stages"]:
            print("  (not instrumented, code moved:", ", ".join(full["missing_stages"]), ")")
    for size, _, c, brate, crate in _against_bare(results, sizes, "ceiling"):
        print(
            f"ceiling at {size:,} (the full pipeline with {WITHOUT_MODEL}: no model pass; "
            f"other story decisions, rows not compared): {crate:.1f} articles/s = "
            f"{crate / brate:.3f} x bare, {c['cpu'] / c['articles'] * 1000:.1f} ms CPU/article"
        )
    rss = _median([f["peak_rss_mb"] for f in results[large]["full"]]) / _median(
        [f["peak_rss_mb"] for f in results[small]["full"]]
    )
    print()
    print(
        f"throughput full / bare at {large:,}: {ratio:.3f} (target >= {THROUGHPUT_TARGET}) "
        f"{'MET' if ratio >= THROUGHPUT_TARGET else 'NOT MET'}"
    )
    print(
        f"peak RSS full {large:,} / {small:,}: {rss:.2f} (target <= {RSS_TARGET}) "
        f"{'MET' if rss <= RSS_TARGET else 'NOT MET'}"
    )
    return ok


def _against_bare(
    results: dict[int, dict[str, list[dict[str, Any]]]], sizes: list[int], kind: str
) -> Iterator[tuple[int, dict[str, Any], dict[str, Any], float, float]]:
    """(size, bare run, `kind` run, bare articles/s, its articles/s) for each pair run."""
    for size in sizes:
        for b, other in zip(results[size]["bare"], results[size].get(kind, []), strict=False):
            yield size, b, other, b["articles"] / b["wall"], other["articles"] / other["wall"]


def _median(values: list[float]) -> float:
    values = sorted(values)
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


def check_rows(size: int, corpus: Path, runs: list[dict[str, Any]], work: Path, save: bool) -> bool:
    """Every full run of a size wrote the same rows as each other and as the reference."""
    ok = True
    digests = [digest(run["rows"]) for run in runs]
    found, planted, grouped = planted_found(corpus, runs[-1]["rows"])
    print(
        f"{size:,}: {len(runs[-1]['rows']):,} rows, {found} of {planted} planted duplicates "
        f"grouped with their source, {grouped} rows in multi-item story groups; "
        f"rows digest {digests[-1][:16]}"
    )
    if len(set(digests)) > 1:
        print(f"  FAIL: repeated full runs at {size:,} wrote different rows")
        ok = False
    reference = work / f"reference-{corpus.name}.json"
    if save or not reference.exists():
        reference.write_text(json.dumps({"digest": digests[-1], "rows": runs[-1]["rows"]}))
        print(f"  stored as the reference: {reference}")
    else:
        stored = json.loads(reference.read_text("utf-8"))
        if stored["digest"] == digests[-1]:
            print(f"  same rows as the reference ({reference.name})")
        else:
            ok = False
            before = {r["url"]: r for r in stored["rows"]}
            after = {r["url"]: r for r in runs[-1]["rows"]}
            changed = [
                u for u in sorted(before.keys() | after.keys()) if before.get(u) != after.get(u)
            ]
            print(f"  FAIL: {len(changed)} rows differ from the reference {reference}, e.g.:")
            for url in changed[:5]:
                print(f"    before {before.get(url)}\n    after  {after.get(url)}")
    return ok


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[2000, 10000])
    parser.add_argument("--repeat", type=int, default=1, help="bare/full pairs per size")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument(
        "--work-dir",
        type=Path,
        default=DEFAULT_WORK_DIR,
        help="corpora and reference digests (outside the repository)",
    )
    parser.add_argument(
        "--save-reference",
        action="store_true",
        help="store this run's rows as the reference instead of comparing",
    )
    parser.add_argument(
        "--hash-seed", type=int, default=0, help="PYTHONHASHSEED of the measured runs"
    )
    parser.add_argument(
        "--full-setting",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a Scrapy setting for the full runs (repeatable), e.g. to compare code paths",
    )
    parser.add_argument(
        "--trace-memory",
        type=int,
        metavar="N",
        help="instead: one full run of the smallest size under tracemalloc, printing what grew "
        "from article N to the end",
    )
    parser.add_argument(
        "--sample-memory",
        type=int,
        metavar="N",
        help="instead: one full run of the smallest size printing RSS, the C heap, live "
        "responses and cache sizes every N articles",
    )
    parser.add_argument(
        "--no-ceiling",
        dest="ceiling",
        action="store_false",
        help=f"skip the third run per size: the full pipeline with {WITHOUT_MODEL}, "
        "the ratio it could reach if no headline needed the model",
    )
    parser.add_argument("--child", choices=["bare", "full"], help=argparse.SUPPRESS)
    parser.add_argument("--corpus", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--export", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()  # fmt: skip

    if args.child:
        if args.child == "full":
            result = child_full(args.corpus, args.export, args.full_setting)
        else:
            result = child_bare(args.corpus)
        args.result.write_text(json.dumps(result, ensure_ascii=False), "utf-8")
        return 0

    work: Path = args.work_dir
    work.mkdir(parents=True, exist_ok=True)
    print("machine:", machine(), flush=True)
    sizes = sorted(args.sizes)
    corpora = {size: ensure_corpus(size, args.seed, work) for size in sizes}
    if args.sample_memory:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            child_sample_memory(corpora[sizes[0]], Path(tmp) / "exports", args.sample_memory)
        return 0
    if args.trace_memory:
        with tempfile.TemporaryDirectory(dir=work) as tmp:
            child_trace(corpora[sizes[0]], Path(tmp) / "exports", args.trace_memory)
        return 0
    results: dict[int, dict[str, list[dict[str, Any]]]] = {}
    for size in sizes:
        results[size] = {"bare": [], "full": [], "ceiling": []}
        for n in range(args.repeat):
            for kind in ("bare", "full", "ceiling") if args.ceiling else ("bare", "full"):
                settings = args.full_setting + ([WITHOUT_MODEL] if kind == "ceiling" else [])
                child = "full" if kind == "ceiling" else kind
                result = run_child(child, corpora[size], work, settings, args.hash_seed)
                results[size][kind].append(result)
                rate = result["articles"] / result["wall"]
                rss = result["peak_rss_mb"]
                print(
                    f"{size:>6,} {kind:7s} #{n + 1}: {result['articles']:,} articles in "
                    f"{result['wall']:.1f} s = {rate:.1f}/s, peak RSS {rss:.0f} MB",
                    flush=True,
                )
    report(results, sizes)
    # every size checked (and reported), not only up to the first that differs
    checked = [
        check_rows(size, corpora[size], results[size]["full"], work, args.save_reference)
        for size in sizes
    ]
    ok = all(checked)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
