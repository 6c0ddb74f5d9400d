"""`scrapy verify [PATH]`: every file of an export folder against its run manifests.

Reports files missing, changed (size or sha256) and unlisted (in `articles/`,
`quarantine/` or `warc/` but in no manifest). Exit code 1 when anything does not
match, 0 when all files are intact.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from omskcrawl.manifest import verify


class Command(ScrapyCommand):
    requires_project = True
    requires_crawler_process = False
    default_settings = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "[PATH]"

    def short_desc(self) -> str:
        return "Check every exported file against the size and sha256 in its run manifest"

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) > 1:
            raise UsageError("give at most one export folder")
        assert self.settings is not None
        root = Path(args[0] if args else self.settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
        if not (root / "runs").is_dir():
            raise UsageError(f"no run manifests under {root}/runs")
        result = verify(root)
        for label, paths in (
            ("missing", result.missing),
            ("changed", result.changed),
            ("unlisted", result.unlisted),
        ):
            for path in paths:
                print(f"{label:<9} {path}")
        status = "ok" if result.ok else "MISMATCH"
        print(
            f"{status}: {result.checked} listed files checked; {len(result.missing)} missing, "
            f"{len(result.changed)} changed, {len(result.unlisted)} unlisted"
        )
        self.exitcode = 0 if result.ok else 1
