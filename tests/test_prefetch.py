"""Headline vectors computed ahead in worker threads: the same vectors, the same decisions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scrapy import Request
from scrapy.exceptions import DropItem
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from omskcrawl.dedup import prefetch, semantic
from omskcrawl.dedup.prefetch import VectorPrefetch
from omskcrawl.dedup.state import open_state
from omskcrawl.discovery import Entry
from omskcrawl.pipelines.dedup import DedupPipeline
from omskcrawl.spiders.base import ENTRY
from tests.test_pipelines import PRESS, article, stats

HEADLINES = [
    "Хоценко провел прием граждан в Таре",
    "В Омске из-за ДТП на Красном Пути погибли 2 человека",
    "Омский аэропорт закрыли из-за густого тумана",
    "Мэрия Омска выделит 300 млн рублей на ремонт дорог в Кировском округе",
    "«Авангард» обыграл СКА в овертайме",
    "Виталий Хоценко обсудил развитие промышленности с министром Алихановым",
    "Губернатор Хоценко и министр Алиханов обсудили развитие омской промышленности",
]


def test_vectors_from_worker_threads_are_the_ones_computed_inline() -> None:
    prefetch = VectorPrefetch(2)
    try:
        for title in HEADLINES:
            prefetch.ask(title)
        got = [prefetch.claim(title) for title in HEADLINES]
    finally:
        prefetch.close()
    for title, vector in zip(HEADLINES, got, strict=True):
        assert vector is not None
        # computed afresh on this thread, not read from the cache the workers filled
        inline = semantic.headline_vector.__wrapped__(title)
        assert np.array_equal(vector, inline), title


def test_unclaimed_headlines_beyond_the_limit_are_given_up() -> None:
    prefetch = VectorPrefetch(1, limit=2)
    try:
        for title in HEADLINES[:3]:
            prefetch.ask(title)
        assert prefetch.claim(HEADLINES[0]) is None  # the oldest was given up
        assert prefetch.claim(HEADLINES[2]) is not None
        assert prefetch.claim(HEADLINES[2]) is None  # claimed once
        assert prefetch.claim("never asked for") is None
    finally:
        prefetch.close()


def _items() -> list[Any]:
    return [
        article("https://omskportal.ru/news/1", HEADLINES[5], PRESS, source="omskportal"),
        article("https://gorod55.ru/news/2", HEADLINES[6], "Встреча прошла в Москве."),
        article("https://ngs55.ru/text/3/", HEADLINES[2], "Рейсы задерживаются.", source="ngs55"),
        article("https://gorod55.ru/news/4", HEADLINES[0], "Прием прошел в Таре.", source="bk55"),
    ]


def _decisions(root: Path, prefetch: VectorPrefetch | None) -> list[tuple[str, str | None]]:
    state = open_state("sqlite", root=root, redis_url="", prefix="")
    s = stats()
    dedup = DedupPipeline(state, s, prefetch=prefetch)
    rows = []
    for item in _items():
        entry = Entry(item["url"], "feed", title=item["title"])
        request = Request(item["url"], meta={ENTRY: entry})
        dedup.response_received(HtmlResponse(item["url"]), request, None)
        row = dedup.process_item(item)
        rows.append((row["story_id"], row["duplicate_of"]))
    if prefetch is not None:
        assert s.get_value("omskcrawl/dedup/vector_prefetched") == len(rows)
    state.close()
    return rows


def test_the_pipeline_decides_the_same_with_and_without_prefetch(tmp_path: Path) -> None:
    prefetch = VectorPrefetch(1)
    try:
        ahead = _decisions(tmp_path / "ahead", prefetch)
    finally:
        prefetch.close()
    inline = _decisions(tmp_path / "inline", None)
    assert ahead == inline
    assert ahead[1][1] == "https://omskportal.ru/news/1"  # the same meeting, grouped
    assert ahead[2][1] is None and ahead[3][1] is None


def _pipeline_workers(root: Path, **settings: Any) -> int | None:
    crawler = get_crawler(settings_dict={"OMSKCRAWL_EXPORT_DIR": str(root), **settings})
    dedup = DedupPipeline.from_crawler(crawler)
    try:
        return dedup.prefetch.workers if dedup.prefetch is not None else None
    finally:
        dedup.spider_closed()


def test_one_worker_per_usable_core_unless_set(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setattr(prefetch.os, "sched_getaffinity", lambda pid: {0, 2, 5}, raising=False)
    assert prefetch.default_workers() == 3
    assert _pipeline_workers(tmp_path / "default") == 3
    assert _pipeline_workers(tmp_path / "one", OMSKCRAWL_DEDUP_MODEL_THREADS=1) == 1
    assert _pipeline_workers(tmp_path / "inline", OMSKCRAWL_DEDUP_MODEL_THREADS=0) is None
    monkeypatch.delattr(prefetch.os, "sched_getaffinity", raising=False)  # not Linux
    monkeypatch.setattr(prefetch.os, "cpu_count", lambda: 6)
    assert prefetch.default_workers() == 6


def test_a_page_the_state_knows_gets_no_model_pass(tmp_path: Path, monkeypatch: Any) -> None:
    """Replaying an archive already read: every page is unchanged, no vector is computed."""
    asked: list[str] = []
    pool = VectorPrefetch(1)
    real_ask = pool.ask

    def ask(title: str) -> None:
        asked.append(title)
        real_ask(title)

    monkeypatch.setattr(pool, "ask", ask)
    state = open_state("sqlite", root=tmp_path, redis_url="", prefix="")
    try:
        for run in (1, 2):
            s = stats()
            dedup = DedupPipeline(state, s, prefetch=pool)
            outcomes = []
            for item in _items():
                entry = Entry(item["url"], "feed", title=item["title"])
                dedup.response_received(
                    HtmlResponse(item["url"]), Request(item["url"], meta={ENTRY: entry}), None
                )
                try:
                    dedup.process_item(item)
                    outcomes.append("written")
                except DropItem:
                    outcomes.append("dropped")
            state.commit()
            if run == 1:
                assert outcomes == ["written"] * 4 and len(asked) == 4
            else:
                assert outcomes == ["dropped"] * 4  # unchanged since version 1
                assert len(asked) == 4  # nothing more asked of the model
                assert s.get_value("omskcrawl/dedup/vector_not_needed") == 4
                assert s.get_value("omskcrawl/dedup/unchanged") == 4
    finally:
        state.close()
        pool.close()
