"""Dedup and versions: across URLs, across runs and across outlets.

For each valid item, against the persistent state (`omskcrawl.dedup.state`):
1. Same canonical URL, same content hash → not written again
   (`omskcrawl/dedup/unchanged`).
2. Same URL, changed content → written as the next `version`, with
   `previous_hash`; its story group is kept (`omskcrawl/dedup/new_version`).
   A capture older than the stored version's (replaying history after a newer
   crawl) is not written: versions follow capture time (`omskcrawl/dedup/older_capture`).
3. New URL whose content is identical to another URL of the same source →
   dropped as the same article under two URLs (`omskcrawl/duplicates/same_content`).
4. New URL → compared with stored items published within the time window that
   share index terms; a same-story match gives `story_id` and `duplicate_of`, both
   naming the story's head: its first *stored* item. The head never changes, not
   even when an item published earlier is crawled later (that item points at the
   head like any other), so a row's `duplicate_of` on disk is final and the files
   and `dataset.load` agree. Mark and keep by default;
   OMSKCRAWL_DEDUP_STORY_POLICY=drop drops.

The same-story decision uses the latent-term model unless OMSKCRAWL_DEDUP_LATENT_TERMS is off or
the engine cannot run on this machine; then the word overlap alone decides. Which one was used
is logged once and kept in the stats (`omskcrawl/dedup/similarity`), hence in the run manifest.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

from omskcrawl.dedup.prefetch import (
    VectorPrefetch,
    close_prefetch,
    default_workers,
    open_prefetch,
)
from omskcrawl.dedup.semantic import (
    engine_problem,
    headline_vector,
    vector_from_bytes,
    vector_to_bytes,
)
from omskcrawl.dedup.similarity import StoryText, is_same_story, story_terms
from omskcrawl.dedup.state import (
    BODY_KEPT,
    SharedState,
    State,
    StoryItem,
    UrlRecord,
    state_errors,
    state_from_settings,
)
from omskcrawl.failures import record_failure
from omskcrawl.normalize import canonical_url, clean_title
from omskcrawl.signals import files_published, rows_lost
from omskcrawl.spiders.base import ENTRY

logger = logging.getLogger(__name__)

POLICIES = ("mark", "drop")
LATENT_MODEL = "latent terms + word overlap"
LEXICAL_ONLY = "word overlap only"


def similarity_in_use(latent_setting: bool) -> tuple[bool, str]:
    """Whether the latent terms are used, and the manifest's words for it (with the reason)."""
    if not latent_setting:
        description = f"{LEXICAL_ONLY}: OMSKCRAWL_DEDUP_LATENT_TERMS is off"
        _announce(description)
        return False, description
    problem = engine_problem()  # logs a warning once when the engine cannot run
    if problem is not None:
        return False, f"{LEXICAL_ONLY}: {problem}"
    return True, LATENT_MODEL


@lru_cache(maxsize=8)
def _announce(description: str) -> None:
    logger.warning("same-story decision: %s", description)  # once per process, not per crawler


def item_id(url: str) -> str:
    """Stable id of an item: the first 16 hex of the SHA-256 of its canonical URL.

    >>> item_id("https://omskinform.ru/news/218377")
    'ede0b8a91c8f3242'
    """
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def _timestamp(value: Any) -> float:
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime.now(UTC).timestamp()


def stored_text(item: StoryItem) -> StoryText:
    vector = vector_from_bytes(item.vector) if item.vector else None
    return StoryText(item.title, item.lead, item.body, vector)


class DedupPipeline:
    def __init__(
        self,
        state: SharedState,
        stats: StatsCollector,
        *,
        window_days: float = 3.0,
        policy: str = "mark",
        cross_outlet: bool = True,
        latent: bool = True,
        prefetch: VectorPrefetch | None = None,
    ) -> None:
        if policy not in POLICIES:
            raise ValueError(
                f"OMSKCRAWL_DEDUP_STORY_POLICY must be one of {POLICIES}, not {policy!r}"
            )
        self.state = state
        self.stats = stats
        self.window = window_days * 86400
        self.policy = policy
        self.cross_outlet = cross_outlet
        self.latent = latent
        self.prefetch = prefetch

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        settings = crawler.settings
        if not settings.getbool("OMSKCRAWL_DEDUP_ENABLED", True):
            raise NotConfigured("OMSKCRAWL_DEDUP_ENABLED is off")
        assert crawler.stats is not None
        root = Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports"))
        state = state_from_settings(settings)
        ensure_state_matches_dataset(state, root, crawler.stats)
        latent, description = similarity_in_use(
            settings.getbool("OMSKCRAWL_DEDUP_LATENT_TERMS", True)
        )
        crawler.stats.set_value("omskcrawl/dedup/similarity", description)
        cross_outlet = settings.getbool("OMSKCRAWL_DEDUP_STORIES", True)
        threads = (
            default_workers()
            if settings.get("OMSKCRAWL_DEDUP_MODEL_THREADS") is None
            else settings.getint("OMSKCRAWL_DEDUP_MODEL_THREADS")
        )
        if threads < 0:
            raise ValueError(f"OMSKCRAWL_DEDUP_MODEL_THREADS must be 0 or more, not {threads}")
        pipeline = cls(
            state,
            crawler.stats,
            window_days=settings.getfloat("OMSKCRAWL_DEDUP_WINDOW_DAYS", 3.0),
            policy=settings.get("OMSKCRAWL_DEDUP_STORY_POLICY", "mark"),
            cross_outlet=cross_outlet,
            latent=latent,
            prefetch=open_prefetch(threads) if cross_outlet and latent and threads else None,
        )
        if pipeline.prefetch is not None:
            crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        crawler.signals.connect(pipeline.files_published, signal=files_published)
        crawler.signals.connect(pipeline.rows_lost, signal=rows_lost)
        # After the Parquet pipeline's close_spider has published the last files.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def files_published(self, paths: list[str], urls: list[str]) -> None:
        """Store the records of the rows these files hold, with the files' paths."""
        try:
            self.state.publish(paths, urls)
        except state_errors() as e:
            record_failure(
                self.stats,
                "state_commit",
                f"the state did not record {len(urls)} rows of {', '.join(paths)} ({e}); "
                "the next run reads them from these files",
            )

    def response_received(self, response: Any, request: Any, spider: Any) -> None:
        """A new article arrived: have its entry's headline vector computed while it is parsed.

        Not for a URL the state knows: its item is unchanged or a new version keeping its story,
        and needs no vector (a replay of an archive already read would otherwise run the model
        for every page again, for nothing)."""
        entry = request.meta.get(ENTRY)
        title = clean_title(entry.title) if entry is not None and entry.title else None
        if not title or self.prefetch is None:
            return
        url = canonical_url(response.url, print_views=getattr(spider, "print_views", ()))
        if self.state.get_url(url) is not None:
            self.stats.inc_value("omskcrawl/dedup/vector_not_needed")
            return
        self.prefetch.ask(title)

    def _headline_vector(self, title: str) -> Any:
        vector = self.prefetch.claim(title) if self.prefetch is not None else None
        if vector is not None:
            self.stats.inc_value("omskcrawl/dedup/vector_prefetched")
            return vector
        if self.prefetch is not None:
            self.stats.inc_value("omskcrawl/dedup/vector_not_prefetched")
        return headline_vector(title)

    def rows_lost(self, urls: list[str]) -> None:
        self.state.discard(urls)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        url, source, digest = adapter["url"], adapter["source"], adapter["content_hash"]
        known = self.state.get_url(url)
        fetched = _timestamp(adapter.get("crawled_at"))
        if known is not None:
            if known.content_hash == digest:
                self.state.touch_url(url, max(fetched, known.fetched_ts))
                self.stats.inc_value("omskcrawl/dedup/unchanged")
                raise DropItem(f"unchanged since version {known.version}: {url}", log_level="DEBUG")
            if fetched < known.fetched_ts:
                # A replayed capture older than what the state holds is not a newer version.
                self.stats.inc_value("omskcrawl/dedup/older_capture")
                raise DropItem(f"captured before stored version {known.version}: {url}")
            adapter["version"] = known.version + 1
            adapter["previous_hash"] = known.content_hash
            adapter["story_id"] = known.story_id
            adapter["duplicate_of"] = known.duplicate_of
            self.state.put_url(
                UrlRecord(
                    url,
                    source,
                    digest,
                    known.version + 1,
                    known.story_id,
                    known.duplicate_of,
                    fetched,
                )
            )
            self.stats.inc_value("omskcrawl/dedup/new_version")
            return item

        same_content = self.state.url_for_content(source, digest)
        if same_content is not None and same_content != url:
            self.stats.inc_value("omskcrawl/duplicates/same_content")
            raise DropItem(f"same content as {same_content}: {url}")

        vector = (
            self._headline_vector(adapter["title"]) if self.cross_outlet and self.latent else None
        )
        text = StoryText(adapter["title"], adapter.get("lead"), adapter.get("body"), vector)
        ts = _timestamp(adapter.get("published_at") or adapter.get("crawled_at"))
        terms = story_terms(text.title, text.lead)
        match = self._match(text, terms, ts) if self.cross_outlet else None
        story_id, duplicate_of, first_url = item_id(url), None, url
        if match is not None:
            story_id = match.story_id
            duplicate_of = first_url = match.group_first_url
            self.stats.inc_value("omskcrawl/dedup/story_duplicate")
        adapter["version"] = 1
        adapter["previous_hash"] = None
        adapter["story_id"] = story_id
        adapter["duplicate_of"] = duplicate_of
        self.state.put_url(UrlRecord(url, source, digest, 1, story_id, duplicate_of, fetched))
        body = adapter.get("body")
        self.state.add_story_item(
            StoryItem(
                story_id,
                url,
                ts,
                text.title,
                text.lead,
                body[:BODY_KEPT] if body else None,
                first_url,
                vector_to_bytes(vector) if vector is not None else None,
            ),
            terms,
        )
        if duplicate_of and self.policy == "drop":
            self.stats.inc_value("omskcrawl/duplicates/same_story")
            raise DropItem(f"same story as {duplicate_of}: {url}")
        return item

    def _match(self, text: StoryText, terms: list[str], ts: float) -> StoryItem | None:
        """The earliest-published stored item of the same story, if any.

        Candidates are tried earliest first (ties in the state's order), so the first match is
        the answer and the later candidates need no comparison.
        """
        candidates = self.state.candidates(terms, ts, self.window)
        for cand in sorted(candidates, key=lambda c: c.published_ts):
            if is_same_story(text, stored_text(cand), latent=self.latent):
                return cand
        return None

    def spider_closed(self) -> None:
        if self.prefetch is not None:
            close_prefetch(self.prefetch)
            self.prefetch = None
        self.state.close()


def ensure_state_matches_dataset(state: State, root: Path, stats: StatsCollector) -> None:
    """Rebuild a corrupt state, or an empty one beside a non-empty dataset, and say so;
    else catch up with files an earlier run published but did not record."""
    from omskcrawl.dedup.rebuild import catch_up, dataset_has_rows, rebuild_state

    reason = getattr(state, "rebuilt_reason", None)
    if reason is None and state.count_urls() == 0 and dataset_has_rows(root):
        reason = "missing: the state is empty but the dataset is not"
    if reason is None:
        rows = catch_up(state, root)
        if rows:
            logger.warning(
                "dedup state: %d rows of files an earlier run published were not recorded "
                "(killed or failed after publishing); recorded them now",
                rows,
            )
            stats.set_value("omskcrawl/dedup/state_caught_up_rows", rows)
        return
    logger.error("dedup state %s; rebuilding it from %s", reason, root / "articles")
    rows = rebuild_state(state, root)
    stats.set_value("omskcrawl/dedup/state_rebuilt", reason)
    stats.set_value("omskcrawl/dedup/state_rebuilt_rows", rows)
