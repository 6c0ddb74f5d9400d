"""Per-item dedup cost at 1,000 vs 100,000 stored items (SQLite state), in one run.

The state is filled with synthetic Omsk-style items at a steady 200 a day, so
history grows while the 3-day window stays as full as in real news. Then the
same 300 new items (a third of them rewordings of stored stories) go through
the real `DedupPipeline.process_item`; the mean time per item is printed for
both sizes, with the ratio. Target: 100k within 2x of 1k.

    .venv/bin/python benchmarks/bench_dedup.py [--large 100000]
"""

from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from omskcrawl.dedup.semantic import headline_vector, vector_to_bytes
from omskcrawl.dedup.similarity import story_terms
from omskcrawl.dedup.state import SqliteState, StoryItem, UrlRecord
from omskcrawl.items import ArticleItem
from omskcrawl.pipelines.dedup import DedupPipeline, item_id

PER_DAY = 200
WINDOW_ITEMS = 4 * PER_DAY  # the 3-day window and a day of margin
WHO = [
    "Виталий Хоценко",
    "Сергей Шелест",
    "министр образования",
    "мэрия Омска",
    "прокуратура",
    "Минпромторг",
    "Законодательное собрание",
    "ГИБДД",
    "МЧС",
    "облизбирком",
    "Омский НПЗ",
    "Роспотребнадзор",
    "Минстрой",
    "полиция",
]
WHAT = [
    "обсудил",
    "проверил",
    "открыл",
    "закрыл",
    "выделил",
    "отремонтировал",
    "запустил",
    "перенес",
    "утвердил",
    "раскритиковал",
    "построит",
    "продлил",
]
OBJ = [
    "школу",
    "мост",
    "дорогу",
    "поликлинику",
    "трамвайную линию",
    "стадион",
    "парк",
    "бюджет",
    "метро",
    "котельную",
    "детский сад",
    "аэропорт",
    "набережную",
    "вокзал",
    "кластер",
    "технопарк",
    "теплотрассу",
    "остановки",
    "ледовую арену",
    "бассейн",
]
WHERE = [
    "в Кировском округе",
    "на Левобережье",
    "в Таре",
    "в Исилькуле",
    "на улице Ленина",
    "в Нефтяниках",
    "в Амуре",
    "на проспекте Мира",
    "в Чкаловском",
    "на Красном Пути",
    "в Называевске",
    "в Любинском районе",
    "на Иртышской набережной",
    "в Большеречье",
]


def headline(rng: random.Random) -> str:
    return (
        f"{rng.choice(WHO)} {rng.choice(WHAT)} {rng.choice(OBJ)} {rng.choice(WHERE)} "
        f"за {rng.randint(2, 900)} млн рублей"
    )


def fill(state: SqliteState, count: int, start: datetime, rng: random.Random) -> datetime:
    """`count` stored items at PER_DAY a day from `start`; returns the last publish time."""
    when = start
    for n in range(count):
        when = start + timedelta(days=n / PER_DAY)
        title = headline(rng)
        url = f"https://example-omsk.ru/news/{n}"
        sid = item_id(url)
        state.put_url(UrlRecord(url, "bench", f"h{n}", 1, sid, None, when.timestamp()))
        # Vectors only where candidates come from (the window before the new items):
        # elsewhere they would only cost model passes the measurement never uses.
        vector = vector_to_bytes(headline_vector(title)) if n >= count - WINDOW_ITEMS else None
        state.add_story_item(
            StoryItem(sid, url, when.timestamp(), title, None, None, url, vector),
            story_terms(title),
        )
    state.commit()
    return when


def measure(stored: int, seed: int = 7) -> float:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        state = SqliteState(Path(tmp) / "dedup.sqlite")
        last = fill(state, stored, datetime(2024, 1, 1, tzinfo=UTC), rng)
        recent = state.db.execute(
            "SELECT title FROM story_items ORDER BY ts DESC LIMIT 100"
        ).fetchall()
        stats = MemoryStatsCollector(get_crawler())
        pipeline = DedupPipeline(state, stats)
        items = []
        for n in range(300):
            if n % 3 == 0:  # a rewording of a recent story: same words, other order
                words = recent[n % len(recent)][0].split()
                title = " ".join(words[1:] + words[:1])
            else:
                title = headline(rng)
            items.append(
                ArticleItem(
                    url=f"https://other-omsk.ru/news/{n}",
                    source="other",
                    title=title,
                    lead=None,
                    body=None,
                    content_hash=f"new{n}",
                    published_at=last + timedelta(minutes=n),
                    crawled_at=last,
                )
            )
        started = time.perf_counter()
        for item in items:
            pipeline.process_item(item)
        elapsed = time.perf_counter() - started
        marked = stats.get_value("omskcrawl/dedup/story_duplicate", 0)
        state.close()
    per_item = elapsed / len(items)
    print(
        f"stored {stored:>7,}: {per_item * 1000:7.3f} ms per item "
        f"({marked} of {len(items)} marked as the same story)"
    )
    return per_item


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    measure(200)  # warm the lemma caches so both sizes see the same state of caches
    small = measure(args.small)
    large = measure(args.large)
    print(
        f"per-item time at {args.large:,} stored is {large / small:.2f}x the time at "
        f"{args.small:,} (target: at most 2x)"
    )


if __name__ == "__main__":
    main()
