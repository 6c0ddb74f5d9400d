"""The short summary printed after `crawlall` / `replay`: what this run produced."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pyarrow.compute as pc
import pyarrow.dataset as ds

from omskcrawl.dataset import articles_dataset


def print_summary(root: Path, manifest_path: Path) -> None:
    manifest = json.loads(manifest_path.read_text("utf-8"))
    run_id = manifest["run_id"]
    totals = manifest["totals"]
    print(f"\nomskcrawl run {run_id}")
    folder = root / "articles"
    rows_by_source: dict[str, tuple[int, int]] = {}
    if folder.exists():
        table = articles_dataset(root).to_table(
            columns=["source", "published_at"], filter=ds.field("run_id") == run_id
        )
        for source in sorted(set(table.column("source").to_pylist())):
            part = table.filter(pc.equal(table.column("source"), source))
            dated = len(part) - part.column("published_at").null_count
            rows_by_source[source] = (len(part), dated)
    print(f"{'source':<16} {'rows':>6} {'dated':>6} {'body':>5} {'tags':>5} {'quar':>5}  status")
    for spider in manifest["per_spider"]:
        name = spider["spider"]
        rows, dated = rows_by_source.get(name, (0, 0))
        status = "FAILED" if spider["failed"] else "ok"
        quality = spider.get("quality") or {}
        shares = " ".join(
            f"{quality[k]:>5.0%}" if quality.get("items") and k in quality else f"{'-':>5}"
            for k in ("body_share", "tags_share", "quarantined_share")
        )
        print(f"{name:<16} {rows:>6} {dated:>6} {shares}  {status}")
    all_rows = sum(r for r, _ in rows_by_source.values())
    all_dated = sum(d for _, d in rows_by_source.values())
    share = f"{all_dated / all_rows:.0%}" if all_rows else "-"
    print(f"{'total':<16} {all_rows:>6} {all_dated:>6}  dates parsed: {share}")
    removed = totals.get("unchanged", 0) + totals.get("duplicates", 0)
    print(
        f"duplicates: {removed} not written (unchanged {totals.get('unchanged', 0)}, "
        f"same content {totals.get('duplicates', 0)}); "
        f"{totals.get('not_refetched', 0)} stored articles not fetched again; "
        f"{totals.get('story_duplicates', 0)} marked as the same story on another outlet; "
        f"{totals.get('new_versions', 0)} new versions; "
        f"{totals.get('quarantined', 0)} quarantined"
    )
    print(f"dataset:  {folder}/   manifest: {manifest_path}")
    python = Path(sys.executable)
    if python.is_relative_to(Path.cwd()):
        python = python.relative_to(Path.cwd())
    one_liner = f"import pandas as pd; print(pd.read_parquet('{folder}'))"
    print(f'pandas:   {python} -c "{one_liner}"')
    for spider in manifest["per_spider"]:
        if spider.get("network"):
            print(f"network:  {spider['network']}")
    if manifest["failed_spiders"]:
        print(f"FAILED:   {', '.join(manifest['failed_spiders'])}")
    for failure in manifest.get("run_failures", []):
        print(f"NOT WRITTEN ({failure['spider']}, {failure['cause']}): {failure['detail']}")
    for alarm in manifest.get("alarms", []):
        print(alarm["message"])
