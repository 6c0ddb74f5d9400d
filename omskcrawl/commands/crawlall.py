"""`scrapy crawlall [SPIDER ...] [-a since=YYYY-MM-DD]`: every site in one process.

One shared dedup state, one run id, one run manifest. A failing site does not
stop the others; the exit code is 1 when any site failed, 0 otherwise.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from scrapy.commands import BaseRunSpiderCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError
from scrapy.settings import SETTINGS_PRIORITIES

from omskcrawl.commands import check_feeds, check_run_options, check_state_reachable
from omskcrawl.manifest import run_alarms, run_context, spider_summary, write_manifest
from omskcrawl.run import ensure_run, run_started
from omskcrawl.runlock import hold_or_exit
from omskcrawl.spiders.base import site_names
from omskcrawl.summary import print_summary


class Command(BaseRunSpiderCommand):
    requires_project = True

    def syntax(self) -> str:
        return "[SPIDER ...] [-a since=YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Run every site (or the ones named) in one process with one run manifest"

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_feeds(opts, args)
        self.settings.set("OMSKCRAWL_MANIFEST_PER_SPIDER", False, priority="cmdline")
        ensure_run(self.settings, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        self.run_lock = hold_or_exit(self.settings)
        self.exitcode = run_all(self, args, opts.spargs)


def own_setting(crawler: Crawler, name: str, value: Any) -> None:
    """A setting of this crawler only, above the command line's priority: `process.crawl()`
    applies the process's settings (`-s` included) to the crawler once more."""
    crawler.settings.set(name, value, priority=SETTINGS_PRIORITIES["cmdline"] + 1)


def run_all(cmd: BaseRunSpiderCommand, names: list[str], spargs: dict[str, Any]) -> int:
    process = cmd.crawler_process
    assert process is not None and cmd.settings is not None
    available = site_names(process.spider_loader)
    unknown = sorted(set(names) - set(available))
    if unknown:
        raise UsageError(f"unknown spider(s): {', '.join(unknown)}; see `scrapy list`")
    check_run_options(cmd.settings, spargs)
    check_state_reachable(cmd.settings)
    crawlers: list[Crawler] = []
    names = names or sorted(available)
    for name in names:
        crawler = process.create_crawler(name)
        # Process-wide limits are split among the crawlers (pipelines.parquet.unpublished_share).
        own_setting(crawler, "OMSKCRAWL_CRAWLERS_IN_PROCESS", len(names))
        jobdir = cmd.settings.get("JOBDIR")
        if jobdir:  # a job folder holds one crawler's queue, seen requests and state
            own_setting(crawler, "JOBDIR", str(Path(jobdir) / name))
        crawlers.append(crawler)
        process.crawl(crawler, **spargs)
    process.start()
    summaries = []
    for crawler in crawlers:
        assert crawler.spidercls is not None
        stats = crawler.stats.get_stats() if crawler.stats else {}
        reason = stats.get("finish_reason")
        summaries.append(spider_summary(crawler.spidercls.name, stats, reason))
    settings = cmd.settings
    root = Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
    found = run_alarms(root, settings, summaries)
    manifest = write_manifest(
        root,
        settings["OMSKCRAWL_RUN_ID"],
        run_started(settings),
        summaries,
        {**run_context(settings), "alarms": found},
    )
    print_summary(root, manifest)
    alarmed = bool(found) and settings.getbool("OMSKCRAWL_ALARMS_FAIL", True)
    failed = process.bootstrap_failed or any(s["failed"] for s in summaries) or alarmed
    return 1 if failed else 0
