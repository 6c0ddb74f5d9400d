"""Validation, quarantine and dedup/versions — each dedup test against SQLite and real Redis."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import DropItem
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.test import get_crawler

from omskcrawl.dataset import load, load_quarantine
from omskcrawl.dedup.rebuild import rebuild_state
from omskcrawl.items import ArticleItem
from omskcrawl.normalize import content_hash
from omskcrawl.pipelines.dedup import DedupPipeline, ensure_state_matches_dataset
from omskcrawl.pipelines.parquet import ParquetPipeline
from omskcrawl.pipelines.validate import Quarantined, ValidationPipeline

PRESS = (
    "Губернатор Омской области Виталий Хоценко провел встречу с министром промышленности и "
    "торговли России Антоном Алихановым, в ходе которой обсуждалось развитие промышленного "
    "потенциала региона."
)
T0 = datetime(2024, 11, 20, 4, 55, tzinfo=UTC)


def article(url: str, title: str, body: str, source: str = "gorod55", **extra: Any) -> ArticleItem:
    item = ArticleItem(
        url=url,
        source=source,
        title=title,
        lead=None,
        body=body,
        published_at=extra.pop("published_at", T0),
        crawled_at=T0 + timedelta(hours=1),
        tags=[],
        authors=[],
        attachments=[],
    )
    item["content_hash"] = content_hash(title, None, body)
    item.update(extra)
    return item


def portal_item(published_at: datetime, extra: str = " Обсуждались кластеры.") -> ArticleItem:
    """The governor's meeting on the regional government portal."""
    return article(
        "https://omskportal.ru/news/1",
        "Виталий Хоценко провел встречу с Антоном Алихановым",
        PRESS + extra,
        source="omskportal",
        published_at=published_at,
    )


def ngs_item() -> ArticleItem:
    """The same meeting on ngs55, two hours later."""
    return article(
        "https://ngs55.ru/text/3/",
        "Губернатор и глава Минпромторга обсудили промышленность",
        "Встреча прошла в Москве. " + PRESS,
        source="ngs55",
        published_at=T0 + timedelta(hours=2),
    )


def stats() -> MemoryStatsCollector:
    return MemoryStatsCollector(get_crawler())


def test_validation_quarantines_with_reason(tmp_path: Path) -> None:
    s = stats()
    validate = ValidationPipeline(s)
    writer = ParquetPipeline(tmp_path, "r1", "2026-11-26", s)
    good = article("https://gorod55.ru/news/1", "Заголовок", "")
    assert validate.process_item(good) is good
    writer.process_item(good)
    bad = article("https://gorod55.ru/news/2", "", "Текст без заголовка.")
    with pytest.raises(Quarantined) as caught:
        validate.process_item(bad)
    writer.item_dropped(bad, None, caught.value, None)  # type: ignore[arg-type]
    writer.close_spider()
    assert s.get_value("omskcrawl/missing/body") == 1
    assert s.get_value("omskcrawl/quarantined") == 1
    assert s.get_value("omskcrawl/dropped/missing_title") == 1
    quarantine = load_quarantine(tmp_path)
    assert quarantine["reason"].tolist() == ["missing title"]
    assert quarantine["url"].tolist() == ["https://gorod55.ru/news/2"]
    assert load(tmp_path)["url"].tolist() == ["https://gorod55.ru/news/1"]


def test_plain_drops_are_not_quarantined(tmp_path: Path) -> None:
    s = stats()
    writer = ParquetPipeline(tmp_path, "r1", "2026-11-26", s)
    item = article("https://gorod55.ru/news/1", "Заголовок", "Текст.")
    writer.item_dropped(item, None, DropItem("unchanged"), None)  # type: ignore[arg-type]
    writer.close_spider()
    assert s.get_value("omskcrawl/quarantined") is None


def test_new_unchanged_and_edited(state: Any) -> None:
    s = stats()
    dedup = DedupPipeline(state, s)
    first = dedup.process_item(article("https://gorod55.ru/news/1", "Заголовок", PRESS))
    assert (first["version"], first["previous_hash"], first["duplicate_of"]) == (1, None, None)
    with pytest.raises(DropItem, match="unchanged"):
        dedup.process_item(article("https://gorod55.ru/news/1", "Заголовок", PRESS))
    edited = dedup.process_item(
        article("https://gorod55.ru/news/1", "Заголовок", PRESS + " Обновлено в 12:00.")
    )
    assert edited["version"] == 2
    assert edited["previous_hash"] == first["content_hash"]
    assert edited["story_id"] == first["story_id"]
    assert s.get_value("omskcrawl/dedup/unchanged") == 1
    assert s.get_value("omskcrawl/dedup/new_version") == 1


def test_versions_follow_capture_time(state: Any) -> None:
    """Replaying an older capture after a newer one never makes it the newer version."""
    s = stats()
    dedup = DedupPipeline(state, s)
    url = "https://gorod55.ru/news/1"
    later = T0 + timedelta(days=30)
    dedup.process_item(article(url, "Заголовок", PRESS, crawled_at=later))
    older = article(url, "Заголовок", PRESS + " Первая редакция.", crawled_at=T0)
    with pytest.raises(DropItem, match="captured before stored version 1"):
        dedup.process_item(older)
    assert s.get_value("omskcrawl/dedup/older_capture") == 1
    # An older capture with the stored text does not move the last fetch back either.
    with pytest.raises(DropItem, match="unchanged"):
        dedup.process_item(article(url, "Заголовок", PRESS, crawled_at=T0))
    record = state.get_url(url)
    assert record is not None and record.fetched_ts == later.timestamp()
    newer = dedup.process_item(
        article(url, "Заголовок", PRESS + " Обновлено.", crawled_at=later + timedelta(days=1))
    )
    assert newer["version"] == 2


def test_same_content_under_two_urls_of_one_source(state: Any) -> None:
    s = stats()
    dedup = DedupPipeline(state, s)
    dedup.process_item(article("https://bk55.ru/news/article/1/", "Заголовок", PRESS))
    with pytest.raises(DropItem, match="same content"):
        dedup.process_item(article("https://bk55.ru/news/article/1/?page=1", "Заголовок", PRESS))
    # The same text on another outlet is a story duplicate, not a URL duplicate.
    other = dedup.process_item(
        article("https://ngs55.ru/text/1/", "Заголовок", PRESS, source="ngs55")
    )
    assert other["duplicate_of"] == "https://bk55.ru/news/article/1/"
    assert s.get_value("omskcrawl/duplicates/same_content") == 1


def test_one_story_on_three_outlets(state: Any) -> None:
    dedup = DedupPipeline(state, stats())
    rows = [
        dedup.process_item(portal_item(T0 - timedelta(minutes=25))),
        dedup.process_item(
            article(
                "https://gorod55.ru/news/2",
                "Хоценко обсудил развитие промышленности с Алихановым",
                PRESS + " Также обсуждались беспилотники.",
            )
        ),
        dedup.process_item(ngs_item()),
        dedup.process_item(
            article(
                "https://gorod55.ru/news/4",
                "В Омске построят новый ледовый дворец",
                "Строительство ледового дворца начнется весной на Левобережье.",
            )
        ),
    ]
    assert len({r["story_id"] for r in rows[:3]}) == 1
    assert rows[3]["story_id"] != rows[0]["story_id"]
    assert [r["duplicate_of"] for r in rows] == [
        None,
        "https://omskportal.ru/news/1",
        "https://omskportal.ru/news/1",
        None,
    ]


def test_head_stays_when_an_earlier_item_is_crawled_later(state: Any) -> None:
    """The documented rule: the head is the story's first stored item, for good."""
    dedup = DedupPipeline(state, stats())
    head = dedup.process_item(
        article("https://gorod55.ru/news/2", "Хоценко обсудил промышленность с Алихановым", PRESS)
    )
    earlier = dedup.process_item(portal_item(T0 - timedelta(hours=3)))
    later = dedup.process_item(ngs_item())
    assert head["duplicate_of"] is None
    assert earlier["duplicate_of"] == later["duplicate_of"] == "https://gorod55.ru/news/2"
    assert head["story_id"] == earlier["story_id"] == later["story_id"]
    # A new version of the earlier item keeps pointing at the same head.
    edited = dedup.process_item(
        portal_item(T0 - timedelta(hours=3), " Обсуждались кластеры и кадры.")
    )
    assert (edited["version"], edited["duplicate_of"]) == (2, "https://gorod55.ru/news/2")


def test_head_stays_across_a_state_rebuilt_from_the_dataset(tmp_path: Path, state: Any) -> None:
    s = stats()
    dedup = DedupPipeline(state, s)
    writer = ParquetPipeline(tmp_path, "r1", "2024-11-20", s)
    head = article(
        "https://gorod55.ru/news/2", "Хоценко обсудил промышленность с Алихановым", PRESS
    )
    for item in (head, portal_item(T0 - timedelta(hours=3))):
        writer.process_item(dedup.process_item(item))
    writer.close_spider()
    rebuild_state(state, tmp_path)
    assert dedup.process_item(ngs_item())["duplicate_of"] == "https://gorod55.ru/news/2"


def test_items_outside_the_time_window_are_not_grouped(state: Any) -> None:
    dedup = DedupPipeline(state, stats(), window_days=3)
    a = dedup.process_item(article("https://gorod55.ru/news/1", "Хоценко и Алиханов", PRESS))
    b = dedup.process_item(
        article(
            "https://ngs55.ru/text/1/",
            "Хоценко и Алиханов",
            PRESS,
            source="ngs55",
            published_at=T0 + timedelta(days=10),
        )
    )
    assert a["story_id"] != b["story_id"] and b["duplicate_of"] is None


def test_drop_policy(state: Any) -> None:
    dedup = DedupPipeline(state, stats(), policy="drop")
    dedup.process_item(article("https://gorod55.ru/news/1", "Хоценко и Алиханов", PRESS))
    with pytest.raises(DropItem, match="same story"):
        dedup.process_item(
            article(
                "https://ngs55.ru/text/1/", "Хоценко встретился с Алихановым", PRESS, source="ngs55"
            )
        )
    with pytest.raises(ValueError, match="POLICY"):
        DedupPipeline(state, stats(), policy="delete")


def test_state_rebuilt_from_dataset(tmp_path: Path, state: Any) -> None:
    s = stats()
    dedup = DedupPipeline(state, s)
    writer = ParquetPipeline(tmp_path, "r1", "2026-11-26", s)
    for n, body in enumerate([PRESS, "Другой текст про погоду в Омске на выходных."]):
        writer.process_item(
            dedup.process_item(article(f"https://gorod55.ru/news/{n}", f"Заголовок {n}", body))
        )
    writer.close_spider()
    state.clear()
    assert state.count_urls() == 0
    ensure_state_matches_dataset(state, tmp_path, s)  # empty state beside a dataset: rebuilt
    assert s.get_value("omskcrawl/dedup/state_rebuilt").startswith("missing")
    assert state.count_urls() == 2
    assert rebuild_state(state, tmp_path) == 2
    with pytest.raises(DropItem, match="unchanged"):
        dedup.process_item(article("https://gorod55.ru/news/0", "Заголовок 0", PRESS))
