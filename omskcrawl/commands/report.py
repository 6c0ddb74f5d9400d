"""`scrapy report [--runs N] [-o FILE]`: one self-contained HTML page about the last runs."""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--runs N] [-o FILE]"

    def short_desc(self) -> str:
        return "Write an HTML report (plots, failures, alarms) of the last runs"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--runs", type=int, default=10, help="how many last runs (10)")
        parser.add_argument(
            "-o", "--output", help="the HTML file (default: <export dir>/report.html)"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # here, not at the top: Scrapy imports every command module for every command, and
        # the report reads the dataset with pandas, which a crawl does not need
        from omskcrawl.report import write_report

        assert self.settings is not None
        if opts.runs < 1:
            raise UsageError("--runs must be at least 1")
        root = Path(self.settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
        out = Path(opts.output) if opts.output else root / "report.html"
        print(f"report: {write_report(root, out, opts.runs)}")
