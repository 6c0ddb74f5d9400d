"""The Parquet writer: articles and quarantine, streamed, atomic, never overwriting.

Articles: `<root>/articles/source=<name>/crawl_date=YYYY-MM-DD/part-<run_id>-<n>.parquet`.
Quarantine: `<root>/quarantine/crawl_date=YYYY-MM-DD/part-<run_id>-<n>.parquet`, with `reason`.
Files written (path, rows) go to stats `omskcrawl/files`, which the manifest reads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import StatsCollector

from omskcrawl.pipelines.validate import Quarantined
from omskcrawl.run import run_started
from omskcrawl.schema import FILE_SCHEMA, QUARANTINE_SCHEMA, SCHEMA_VERSION
from omskcrawl.signals import files_published
from omskcrawl.storage import PartitionedWriter


class ParquetPipeline:
    def __init__(
        self,
        root: Path,
        run_id: str,
        crawl_date: str,
        stats: StatsCollector,
        batch_size: int = 500,
        max_rows_per_file: int = 100_000,
    ) -> None:
        self.run_id = run_id
        self.crawl_date = crawl_date
        self.stats = stats
        self.signals: SignalManager | None = None
        meta = {"omskcrawl.run_id": run_id, "omskcrawl.schema_version": SCHEMA_VERSION}
        self.articles = PartitionedWriter(
            root / "articles",
            FILE_SCHEMA,
            ("source", "crawl_date"),
            run_id,
            batch_size,
            max_rows_per_file,
            meta,
            sort_by="published_at",
        )
        self.quarantine = PartitionedWriter(
            root / "quarantine",
            QUARANTINE_SCHEMA,
            ("crawl_date",),
            run_id,
            batch_size,
            max_rows_per_file,
            meta,
        )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ParquetPipeline:
        settings = crawler.settings
        if not settings.getbool("OMSKCRAWL_PARQUET_ENABLED", True):
            raise NotConfigured("OMSKCRAWL_PARQUET_ENABLED is off")
        assert crawler.stats is not None
        pipeline = cls(
            root=Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports")),
            run_id=settings["OMSKCRAWL_RUN_ID"],
            crawl_date=run_started(settings).date().isoformat(),
            stats=crawler.stats,
            batch_size=settings.getint("OMSKCRAWL_PARQUET_BATCH_SIZE", 500),
            max_rows_per_file=settings.getint("OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE", 100_000),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        pipeline.signals = crawler.signals
        return pipeline

    def _row(self, item: Any) -> dict[str, Any]:
        row = ItemAdapter(item).asdict()
        row["run_id"] = self.run_id
        row["crawl_date"] = self.crawl_date
        return row

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        adapter["run_id"] = self.run_id
        published = len(self.articles.written)
        self.articles.write(self._row(item))
        self.stats.inc_value("omskcrawl/written")
        if len(self.articles.written) > published:
            self._published()
        return item

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(exception, Quarantined):
            row = self._row(item)
            row["reason"] = exception.reason
            self.quarantine.write(row)
            self.stats.inc_value("omskcrawl/quarantined")

    def close_spider(self) -> None:
        files = self.articles.close() + self.quarantine.close()
        listed = self.stats.get_value("omskcrawl/files") or []
        listed += [{"path": f.path, "rows": f.rows} for f in files]
        self.stats.set_value("omskcrawl/files", listed)
        self._published()

    def _published(self) -> None:
        if self.signals is not None:
            self.signals.send_catch_log(files_published)
