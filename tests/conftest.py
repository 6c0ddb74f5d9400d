from __future__ import annotations

from typing import Any

import pytest
from scrapy.settings import Settings
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler


@pytest.fixture(scope="session")
def project_settings() -> Settings:
    return get_project_settings()


@pytest.fixture(scope="session")
def spider_loader(project_settings: Settings) -> SpiderLoader:
    return SpiderLoader.from_settings(project_settings)


def make_spider(spidercls: type, **kwargs: Any) -> Any:
    crawler = get_crawler(spidercls, {"OMSKCRAWL_RUN_ID": "test"})
    return spidercls.from_crawler(crawler, **kwargs)
