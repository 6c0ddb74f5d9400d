"""Project settings. Every omskcrawl setting is listed and explained in docs/settings.md."""

from __future__ import annotations

from scrapy.settings import default_settings

BOT_NAME = "omskcrawl"
SPIDER_MODULES = ["omskcrawl.spiders"]
NEWSPIDER_MODULE = "omskcrawl.spiders"
COMMANDS_MODULE = "omskcrawl.commands"

ADDONS = {"omskcrawl.run.RunAddon": 0, "omskcrawl.distributedaddon.DistributedAddon": 10}

# Polite by default: identify, obey robots.txt, throttle, 1-2 requests per site at a time.
# Name the crawler and a contact; set your own address before crawling live.
USER_AGENT = "omskcrawl/0.1 (news research crawler; +mailto:omskcrawl-operator@example.org)"
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
RETRY_TIMES = 2
DOWNLOAD_TIMEOUT = 30
DOWNLOAD_MAXSIZE = 20 * 1024 * 1024
# Requests waiting for download are pickled to a temporary folder, not held in memory: a replay
# or backfill queues thousands (omskcrawl.scheduler). The distributed mode uses its own.
SCHEDULER = "omskcrawl.scheduler.DiskQueueScheduler"
OMSKCRAWL_DISK_QUEUE = True
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False  # no per-crawler code-execution HTTP server (Scrapy 2.19)
FEED_EXPORT_ENCODING = "utf-8"
# `-o items.parquet` / FEEDS format "parquet": the dataset schema through Scrapy's feed storages.
FEED_EXPORTERS = {"parquet": "omskcrawl.feeds.ParquetItemExporter"}
LOG_LEVEL = "INFO"
# Quiet logs (omskcrawl.logs): a dropped item logs its reason, not the item; expected drops
# at INFO/DEBUG; network failures summed up per site (omskcrawl.network) instead of
# a traceback per request.
LOG_FORMATTER = "omskcrawl.logs.QuietLogFormatter"
DEFAULT_DROPITEM_LOG_LEVEL = "INFO"
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"

# http/https: replay from WARC files when OMSKCRAWL_REPLAY_WARC is set, live otherwise.
DOWNLOAD_HANDLERS = {
    "http": "omskcrawl.replay.ReplayOrLiveHandler",
    "https": "omskcrawl.replay.ReplayOrLiveHandler",
}

ITEM_PIPELINES = {
    "omskcrawl.pipelines.validate.ValidationPipeline": 100,
    "omskcrawl.pipelines.dedup.DedupPipeline": 200,
    "omskcrawl.pipelines.parquet.ParquetPipeline": 900,
}

EXTENSIONS = {
    "omskcrawl.runlock.RunLockExtension": 0,
    "scrapy.extensions.logstats.LogStats": None,  # one line for all crawlers instead:
    "omskcrawl.progress.ProgressExtension": 600,
    "omskcrawl.manifest.ManifestExtension": 500,
    "omskcrawl.gcpolicy.GcPolicyExtension": 700,
    "omskcrawl.heartbeat.EngineHeartbeatExtension": 800,
}
# Scrapy's own extensions without RemoteControl: it is off (REMOTE_CONTROL_ENABLED), and Scrapy
# imports every listed extension, even one set to None, so its aiohttp (~10 MB of RSS) came too.
EXTENSIONS_BASE = {
    name: order
    for name, order in default_settings.EXTENSIONS_BASE.items()
    if name != "scrapy.extensions.remote_control.RemoteControl"
}

# omskcrawl ------------------------------------------------------------------
OMSKCRAWL_EXPORT_DIR = "exports"
OMSKCRAWL_RUN_LOCK = True  # one run at a time per export folder (omskcrawl.runlock)
OMSKCRAWL_RUN_LOCK_WAIT = 0.0  # seconds to wait for another run; 0: exit 75 at once
OMSKCRAWL_GC_FULL_EVERY = 100  # full garbage collections after this many middle ones (Python: 10)
OMSKCRAWL_REPLAY_WARC: list[str] = []
OMSKCRAWL_MAX_PAGES = 50
OMSKCRAWL_PARQUET_ENABLED = True
OMSKCRAWL_PARQUET_BATCH_SIZE = 500
OMSKCRAWL_PARQUET_MAX_ROWS_PER_FILE = 100_000
OMSKCRAWL_COMPACT_TARGET_MB = 128.0  # `scrapy compact`: size of the merged files
OMSKCRAWL_PARQUET_MAX_OPEN_FILES = 16
# Rows in files not yet published, over the whole process (omskcrawl.pipelines.parquet splits it
# among the crawlers of a crawlall/replay): they wait in the dedup state's stage until then.
OMSKCRAWL_PARQUET_MAX_UNPUBLISHED_ROWS = 2_000
OMSKCRAWL_MANIFEST_PER_SPIDER = True
# Bounded cost per page (omskcrawl.spiders.base, omskcrawl.pipelines.validate): larger pages
# and longer fields are quarantined with the reason.
OMSKCRAWL_MAX_PAGE_BYTES = 4 * 1024 * 1024
OMSKCRAWL_MAX_TITLE_CHARS = 500
OMSKCRAWL_MAX_LEAD_CHARS = 3000
OMSKCRAWL_MAX_BODY_CHARS = 500_000
# Retry-After of a 429/503 is waited for before the retry, at most this long (seconds).
OMSKCRAWL_RETRY_AFTER_ENABLED = True
OMSKCRAWL_RETRY_AFTER_MAX = 60.0
# Quality alarms (omskcrawl.quality): any alarm makes the run exit 1. Empty: the default there.
OMSKCRAWL_ALARMS_FAIL = True
# Progress (omskcrawl.progress): one line per interval for the whole process, a bar on a tty.
OMSKCRAWL_PROGRESS_INTERVAL = 60.0
OMSKCRAWL_PROGRESS_PER_SITE = False
OMSKCRAWL_PROGRESS_BAR = "auto"

# Dedup and versions (omskcrawl.pipelines.dedup); state backend: sqlite (default) or redis.
OMSKCRAWL_DEDUP_ENABLED = True
OMSKCRAWL_DEDUP_STORIES = True
OMSKCRAWL_DEDUP_STORY_POLICY = "mark"
OMSKCRAWL_DEDUP_WINDOW_DAYS = 3.0
OMSKCRAWL_DEDUP_LATENT_TERMS = True  # False: same story by word overlap alone (no model)
OMSKCRAWL_DEDUP_MODEL_THREADS = None  # threads computing headline vectors ahead; None: one
# per usable CPU core (omskcrawl.dedup.prefetch.default_workers); 0: inline
OMSKCRAWL_STATE_BACKEND = "sqlite"
OMSKCRAWL_REDIS_URL = "redis://127.0.0.1:6379/0"
OMSKCRAWL_REDIS_PREFIX = "omskcrawl"
OMSKCRAWL_STATE_LOCK_TIMEOUT = 30.0
# Distributed crawling (omskcrawl.distributed): scrapy-redis frontier + Redis state.
OMSKCRAWL_DISTRIBUTED = False
OMSKCRAWL_DISTRIBUTED_HEARTBEAT = 10.0  # seconds without a heartbeat = the worker is dead

# Incremental crawling (omskcrawl.middlewares.IncrementalMiddleware).
OMSKCRAWL_INCREMENTAL = True
OMSKCRAWL_REVISIT_AFTER_HOURS = ""  # empty: only when the feed says it changed; 0: always
DOWNLOADER_MIDDLEWARES = {
    "omskcrawl.network.NetworkFailureMiddleware": 40,
    "omskcrawl.middlewares.IncrementalMiddleware": 50,
    # Before Scrapy's retry (550) and redirect (600) see the response: Retry-After, loops.
    "omskcrawl.fetchfailures.RetryAfterMiddleware": 650,
    # Next to the download handler: archives bytes as received (before decompression).
    "omskcrawl.warc.capture.WarcCaptureMiddleware": 950,
}
SPIDER_MIDDLEWARES = {"omskcrawl.replay.ReplayCapturesMiddleware": 50}

# WARC capture of every live response (omskcrawl.warc.capture) under <export dir>/warc/.
OMSKCRAWL_WARC_ENABLED = True
OMSKCRAWL_WARC_MAX_BYTES = 1_000_000_000
