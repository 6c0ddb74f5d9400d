"""`scrapy replay [WARC ...] [--sample] [SPIDER options]`: crawl recorded pages offline.

Every spider runs unchanged with its real URLs; responses come from the WARC
files. `--sample` first packs the bundled sample pages into
`<export dir>/sample/sample.warc.gz` and replays that: the offline main job.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import BaseRunSpiderCommand
from scrapy.exceptions import UsageError

from omskcrawl.commands import check_feeds
from omskcrawl.commands.crawlall import run_all
from omskcrawl.heartbeat import REPLAY_HEARTBEAT
from omskcrawl.run import ensure_run
from omskcrawl.runlock import hold_or_exit
from omskcrawl.warc.sample import write_sample_warc


class Command(BaseRunSpiderCommand):
    requires_project = True
    # The engine moves on its own events only: the same archive gives the same rows. At the
    # command's priority, so a project setting or `-s OMSKCRAWL_ENGINE_HEARTBEAT=...` wins.
    default_settings = {"OMSKCRAWL_ENGINE_HEARTBEAT": REPLAY_HEARTBEAT}

    def syntax(self) -> str:
        return "[WARC ...] [--sample] [--spider NAME ...] [-a since=YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Run the spiders over recorded WARC captures instead of the live sites"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--sample", action="store_true", help="replay the bundled sample")
        parser.add_argument(
            "--spider", action="append", default=[], help="only this spider (repeatable)"
        )

    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        assert self.settings is not None
        check_feeds(opts, opts.spider)
        # Before packing the sample: a second run must not rewrite the WARC under the first.
        self.run_lock = hold_or_exit(self.settings)
        warcs = list(args)
        if opts.sample:
            out = Path(self.settings.get("OMSKCRAWL_EXPORT_DIR", "exports")) / "sample"
            path = out / "sample.warc.gz"
            count = write_sample_warc(path)
            print(f"packed {count} sample pages into {path}")
            warcs.append(str(path))
        if not warcs:
            raise UsageError("give WARC files to replay, or --sample")
        for warc in warcs:
            if not Path(warc).exists() and "*" not in warc:
                raise UsageError(f"no such WARC file: {warc}")
        self.settings.set("OMSKCRAWL_REPLAY_WARC", warcs, priority="cmdline")
        # Replayed pages are local: no politeness delay needed.
        self.settings.set("AUTOTHROTTLE_ENABLED", False, priority="cmdline")
        self.settings.set("DOWNLOAD_DELAY", 0, priority="cmdline")
        self.settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8, priority="cmdline")
        self.settings.set("OMSKCRAWL_MANIFEST_PER_SPIDER", False, priority="cmdline")
        ensure_run(self.settings, priority="cmdline")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        self.exitcode = run_all(self, opts.spider, opts.spargs)
