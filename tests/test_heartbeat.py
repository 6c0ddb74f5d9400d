"""A replay moves on its engine's own events: its heartbeat is an hour, a live crawl keeps 5 s."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import signals
from scrapy.core.engine import ExecutionEngine
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from omskcrawl import heartbeat
from omskcrawl.heartbeat import REPLAY_HEARTBEAT, EngineHeartbeatExtension
from tests import runs


def test_a_replay_runs_its_engine_on_an_hourly_heartbeat(tmp_path: Path, monkeypatch: Any) -> None:
    seen: list[float | None] = []
    original = EngineHeartbeatExtension.engine_started

    def engine_started(self: EngineHeartbeatExtension) -> None:
        original(self)
        crawler = self.crawler

        def item_scraped(**_: Any) -> None:  # the engine is running: its heartbeat started
            assert crawler.engine is not None and crawler.engine._slot is not None
            seen.append(crawler.engine._slot.heartbeat.interval)

        crawler.signals.connect(item_scraped, signal=signals.item_scraped, weak=False)

    monkeypatch.setattr(EngineHeartbeatExtension, "engine_started", engine_started)
    ran = runs.scrapy(
        "replay", "--sample", "--spider", "omskportal", "-s", f"OMSKCRAWL_EXPORT_DIR={tmp_path}"
    )
    assert ran.returncode == 0, ran.stderr[-2000:]
    assert seen and set(seen) == {REPLAY_HEARTBEAT}
    # set on that engine only: other crawlers of the process keep Scrapy's
    assert getattr(ExecutionEngine, heartbeat.ENGINE_ATTRIBUTE) == 5.0


def test_a_live_crawl_keeps_scrapys_heartbeat_and_nonsense_is_refused() -> None:
    with pytest.raises(NotConfigured):
        EngineHeartbeatExtension.from_crawler(get_crawler(settings_dict={}))
    with pytest.raises(ValueError, match="above 0"):
        EngineHeartbeatExtension.from_crawler(
            get_crawler(settings_dict={"OMSKCRAWL_ENGINE_HEARTBEAT": -1})
        )
    ext = EngineHeartbeatExtension.from_crawler(
        get_crawler(settings_dict={"OMSKCRAWL_ENGINE_HEARTBEAT": "30"})
    )
    assert ext.interval == 30.0
