"""`scrapy compact [--before DATE]`: merge each partition's small Parquet files.

Takes the export folder's run lock (a crawl cannot write while files are merged),
compacts the `articles/` partitions whose crawl date is before DATE (default:
today, UTC, so the day still being crawled is left alone) into files of about
OMSKCRAWL_COMPACT_TARGET_MB, and writes a run manifest of what it wrote and removed.
"""

from __future__ import annotations

import argparse
from datetime import UTC, date, datetime
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from omskcrawl.dedup.state import state_from_settings
from omskcrawl.run import new_run_id
from omskcrawl.runlock import hold_or_exit


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "[--before YYYY-MM-DD]"

    def short_desc(self) -> str:
        return "Merge each partition's small Parquet files into files of the target size"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--before",
            metavar="DATE",
            help="only partitions crawled before this UTC date (default: today)",
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        # here, not at the top: Scrapy imports every command module for every command, and
        # this one's pyarrow.dataset/compute (with pandas) would cost every crawl ~45 MB of RSS
        from omskcrawl.compact import compact, record_in_state

        if args:
            raise UsageError("compact takes no arguments, only --before DATE")
        assert self.settings is not None
        try:
            before = date.fromisoformat(opts.before) if opts.before else datetime.now(UTC).date()
        except ValueError as e:
            raise UsageError(f"--before must be YYYY-MM-DD, not {opts.before!r}") from e
        target_mb = self.settings.getfloat("OMSKCRAWL_COMPACT_TARGET_MB")
        if target_mb <= 0:
            raise UsageError("OMSKCRAWL_COMPACT_TARGET_MB must be positive")
        root = Path(self.settings.get("OMSKCRAWL_EXPORT_DIR"))
        lock = hold_or_exit(self.settings, "scrapy compact")
        try:
            result = compact(
                root, new_run_id(), before=before, target_bytes=int(target_mb * 1024 * 1024)
            )
            if result.written:
                state = state_from_settings(self.settings)
                try:
                    record_in_state(state, result)
                finally:
                    state.close()
        finally:
            if lock is not None:
                lock.release()
        if result.manifest is None:
            print(f"nothing to compact before {before} in {root / 'articles'}")
            return
        rows = sum(f["rows"] for f in result.written)
        print(
            f"compacted {result.partitions} partitions: {len(result.removed)} files → "
            f"{len(result.written)} ({rows} rows, {result.copies_dropped} duplicate copies "
            f"dropped); manifest: {result.manifest}"
        )
