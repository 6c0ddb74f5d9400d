"""`scrapy dedupstate [--rebuild]`: inspect or rebuild the dedup state from the dataset."""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand

from omskcrawl.dedup.rebuild import rebuild_state
from omskcrawl.dedup.state import state_from_settings


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False

    def syntax(self) -> str:
        return "[--rebuild]"

    def short_desc(self) -> str:
        return "Show the dedup state, or rebuild it from the Parquet dataset"

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument(
            "--rebuild", action="store_true", help="clear the state and refill it from the dataset"
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        assert self.settings is not None
        root = Path(self.settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
        backend = self.settings.get("OMSKCRAWL_STATE_BACKEND", "sqlite")
        state = state_from_settings(self.settings)
        try:
            if opts.rebuild:
                window = self.settings.getfloat("OMSKCRAWL_DEDUP_WINDOW_DAYS", 3.0)
                rows = rebuild_state(state, root, window_days=window)
                print(f"rebuilt the {backend} state from {rows} rows of {root / 'articles'}")
            print(f"{backend} state: {state.count_urls()} URLs known")
        finally:
            state.close()
