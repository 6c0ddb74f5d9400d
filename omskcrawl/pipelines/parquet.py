"""The Parquet writer: articles and quarantine, streamed, atomic, never overwriting.

Articles: `<root>/articles/source=<name>/crawl_date=YYYY-MM-DD/part-<run_id>-<n>.parquet`,
`crawl_date` being the capture date of the row (`crawled_at`, UTC).
Quarantine: `<root>/quarantine/crawl_date=YYYY-MM-DD/part-<run_id>-<n>.parquet`, with `reason`.
Files written (path, rows) go to stats `omskcrawl/files`, which the manifest reads.

Each article file, once published, is announced (`signals.files_published`) with
the URLs it holds, so the dedup state stores exactly those records. A file that
cannot be written or published (disk full, read-only folder) is a run failure
(`omskcrawl.failures`): its rows are counted as `omskcrawl/not_written`, their
state records dropped (`signals.rows_lost`), the spider is closed with
`write_failed`, and later items are not written either; the next run fetches
them again. Dot-files of dead runs are removed at the start (under the run lock).
"""

from __future__ import annotations

import logging
from datetime import UTC
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.signalmanager import SignalManager
from scrapy.statscollectors import StatsCollector
from scrapy.utils.defer import deferred_from_coro

from omskcrawl.failures import record_failure
from omskcrawl.pipelines.validate import Quarantined
from omskcrawl.run import check_run_id, run_started
from omskcrawl.runlock import RunLock, lock_from_settings
from omskcrawl.schema import FILE_SCHEMA, QUARANTINE_SCHEMA, SCHEMA_VERSION
from omskcrawl.signals import files_published, rows_lost
from omskcrawl.storage import (
    MAX_UNPUBLISHED_ROWS,
    PartitionedWriter,
    WriteFailed,
    WrittenFile,
    remove_dead_tmp_files,
)

logger = logging.getLogger(__name__)


def unpublished_share(settings: BaseSettings) -> int:
    """This crawler's part of `OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS`, a limit of the process.

    Until its file is published a row also waits in the dedup state's stage, which every crawler
    of a `crawlall` or `replay` shares; those commands set `OMSKCRAWL_CRAWLERS_IN_PROCESS`, and
    each crawler keeps an even share (at least one row).

    >>> from scrapy.settings import Settings
    >>> unpublished_share(Settings({"OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS": 2000,
    ...                             "OMSKCRAWL_CRAWLERS_IN_PROCESS": 14}))
    142
    """
    total = settings.getint("OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS", MAX_UNPUBLISHED_ROWS)
    crawlers = max(1, settings.getint("OMSKCRAWL_CRAWLERS_IN_PROCESS", 1))
    return max(1, total // crawlers)


class ParquetPipeline:
    def __init__(
        self,
        root: Path,
        run_id: str,
        crawl_date: str,
        stats: StatsCollector,
        batch_size: int = 500,
        max_rows_per_file: int = 100_000,
        max_open_files: int = 16,
        max_unpublished_rows: int = MAX_UNPUBLISHED_ROWS,
    ) -> None:
        self.root = root
        self.run_id = check_run_id(run_id)
        self.crawl_date = crawl_date
        self.stats = stats
        self.signals: SignalManager | None = None
        self.crawler: Crawler | None = None
        self.stopped: str | None = None  # why items are no longer written
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
            max_open_files=max_open_files,
            max_unpublished_rows=max_unpublished_rows,
        )
        self.quarantine = PartitionedWriter(
            root / "quarantine",
            QUARANTINE_SCHEMA,
            ("crawl_date",),
            run_id,
            batch_size,
            max_rows_per_file,
            meta,
            max_open_files=max_open_files,
            max_unpublished_rows=max_unpublished_rows,
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
            max_open_files=settings.getint("OMSKCRAWL_PARQUET_MAX_OPEN_FILES", 16),
            max_unpublished_rows=unpublished_share(settings),
        )
        crawler.signals.connect(pipeline.item_dropped, signal=signals.item_dropped)
        pipeline.signals = crawler.signals
        pipeline.crawler = crawler
        if settings.getbool("OMSKCRAWL_RUN_LOCK"):
            pipeline.remove_dead_files(lock_from_settings(settings))
        return pipeline

    def remove_dead_files(self, lock: RunLock) -> None:
        """Dot-files of dead runs: removed only under the run lock (no other run alive)."""
        with lock:  # this process holds it already (RunLockExtension): a counted re-take
            removed = remove_dead_tmp_files(self.root, self.run_id)
        if removed:
            logger.warning("removed %d unpublished files of dead runs", len(removed))
            self.stats.inc_value("omskcrawl/dead_tmp_removed", len(removed))

    def _row(self, item: Any) -> dict[str, Any]:
        row = ItemAdapter(item).asdict()
        row["run_id"] = self.run_id
        crawled = row.get("crawled_at")
        # Partitioned by capture date, so replayed history lands where a live crawl put it.
        row["crawl_date"] = (
            crawled.astimezone(UTC).date().isoformat() if crawled else self.crawl_date
        )
        return row

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        adapter["run_id"] = self.run_id
        if self.stopped is not None:
            self._lost([str(adapter.get("url"))])
            raise DropItem(f"not written: {self.stopped}")
        try:
            done = self.articles.write(self._row(item))
        except WriteFailed as e:
            self._failed(e)
            raise DropItem(f"not written: {e}") from e
        self._published(done)
        return item

    def item_dropped(
        self, item: Any, response: Response | None, exception: Exception, spider: Spider
    ) -> None:
        if isinstance(exception, Quarantined) and self.stopped is None:
            row = self._row(item)
            row["reason"] = exception.reason
            try:
                for published in self.quarantine.write(row):
                    published.take_urls()  # nothing to announce; not kept either
            except WriteFailed as e:
                self._failed(e, articles=False)
                return
            self.stats.inc_value("omskcrawl/quarantined")

    def close_spider(self) -> None:
        published = list(self.articles.written)
        articles = self.articles.close()
        self._published(articles[len(published) :])
        quarantine = self.quarantine.close()
        for failure in self.articles.failed[:]:
            self._failed(failure)
        for failure in self.quarantine.failed:
            self._failed(failure, articles=False)
        listed = self.stats.get_value("omskcrawl/files") or []
        listed += [{"path": f.path, "rows": f.rows} for f in articles + quarantine]
        self.stats.set_value("omskcrawl/files", listed)

    def _published(self, files: list[WrittenFile]) -> None:
        if not files:
            return
        self.stats.inc_value("omskcrawl/written", sum(f.rows for f in files))
        urls = [url for f in files for url in f.take_urls()]
        if self.signals is not None:
            self.signals.send_catch_log(
                files_published,
                paths=[Path(f.path).relative_to(self.root).as_posix() for f in files],
                urls=urls,
            )

    def _failed(self, failure: WriteFailed, articles: bool = True) -> None:
        kind = "article" if articles else "quarantine"
        record_failure(
            self.stats,
            "write",
            f"{kind} file {failure.path} not written ({len(failure.urls)} rows): {failure.cause}",
        )
        if not articles:
            return
        self._lost(failure.urls)
        if self.stopped is None:
            self.stopped = f"{failure.path} failed: {failure.cause}"
            self._stop_crawl()

    def _stop_crawl(self) -> None:
        if self.crawler is None:
            return
        try:
            engine = self.crawler.engine
        except RuntimeError:  # not crawling (the pipeline used on its own)
            return
        deferred_from_coro(engine.close_spider_async(reason="write_failed"))

    def _lost(self, urls: list[str]) -> None:
        self.stats.inc_value("omskcrawl/not_written", len(urls))
        if self.signals is not None:
            self.signals.send_catch_log(rows_lost, urls=urls)
