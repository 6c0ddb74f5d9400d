"""`scrapy crawl SITE`: Scrapy's command, with an exit code that says whether the site failed.

Exit code 1 when the crawl did not finish normally or not one page came back 2xx
(the same rule as the run manifest's `failed`), so cron and schedulers see it.
"""

from __future__ import annotations

import argparse

from scrapy.commands.crawl import Command as ScrapyCrawl
from scrapy.exceptions import UsageError

from omskcrawl.commands import check_run_options, check_state_reachable
from omskcrawl.manifest import spider_summary
from omskcrawl.runlock import hold_or_exit


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            raise UsageError("give exactly one spider; for several use `scrapy crawlall`")
        assert self.crawler_process is not None and self.settings is not None
        check_run_options(self.settings, opts.spargs)
        self.run_lock = hold_or_exit(self.settings)
        check_state_reachable(self.settings)
        crawler = self._create_crawler(args[0])
        self.crawler_process.crawl(crawler, **opts.spargs)
        self.crawler_process.start()
        if self.crawler_process.bootstrap_failed:  # the spider refused its arguments
            self.exitcode = 1
            return
        stats = crawler.stats.get_stats() if crawler.stats else {}
        name = crawler.spidercls.name if crawler.spidercls else args[0]
        failed = spider_summary(name, stats, stats.get("finish_reason"))["failed"]
        failed = failed or bool(stats.get("omskcrawl/alarms"))  # quality alarms
        self.exitcode = 1 if self.crawler_process.bootstrap_failed or failed else 0
