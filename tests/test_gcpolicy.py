"""Fewer full garbage collections while crawlers run; Python's thresholds back afterwards."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from omskcrawl.gcpolicy import GcPolicyExtension


@pytest.fixture(autouse=True)
def python_thresholds() -> Iterator[tuple[int, int, int]]:
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    yield gc.get_threshold()
    gc.set_threshold(*before)


def _crawler(**settings: object) -> tuple[Crawler, GcPolicyExtension]:
    crawler = get_crawler(settings_dict={"EXTENSIONS_BASE": {}, **settings})
    return crawler, GcPolicyExtension.from_crawler(crawler)


def test_full_collections_are_rarer_while_crawlers_run_then_as_before() -> None:
    # the extensions are kept as Scrapy's extension manager keeps them (signals hold weak refs)
    first, first_ext = _crawler(OMSKCRAWL_GC_FULL_EVERY=100)
    second, second_ext = _crawler(OMSKCRAWL_GC_FULL_EVERY=100)  # crawlall: one process
    first.signals.send_catch_log(signals.engine_started)
    assert gc.get_threshold() == (700, 10, 100)
    second.signals.send_catch_log(signals.engine_started)
    first.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 100)  # the second crawler still runs
    second.signals.send_catch_log(signals.engine_stopped)
    assert gc.get_threshold() == (700, 10, 10)
    second.signals.send_catch_log(signals.engine_stopped)  # a second stop changes nothing
    assert gc.get_threshold() == (700, 10, 10)
    assert not first_ext.entered and not second_ext.entered


def test_zero_keeps_pythons_thresholds_and_nonsense_is_refused() -> None:
    with pytest.raises(NotConfigured):
        _crawler(OMSKCRAWL_GC_FULL_EVERY=0)
    with pytest.raises(ValueError, match="1 or more"):
        _crawler(OMSKCRAWL_GC_FULL_EVERY=-5)


def test_the_project_enables_it() -> None:
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    assert "omskcrawl.gcpolicy.GcPolicyExtension" in settings.getdict("EXTENSIONS")
    assert settings.getint("OMSKCRAWL_GC_FULL_EVERY") > 10
