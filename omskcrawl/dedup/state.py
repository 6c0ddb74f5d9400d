"""Dedup state: what earlier runs stored. One interface, two backends.

- `SqliteState` (default): one SQLite file under the output root, WAL journal;
  changes of a run are committed when the Parquet files holding them are
  published, so a crash mid-run leaves the state behind the dataset, never ahead
  of it (the next run writes those rows again rather than losing them). A file
  that fails SQLite's integrity check is moved aside, reported and rebuilt from
  the dataset; a missing file next to a non-empty dataset is reported and rebuilt.
- `RedisState`: the same records in Redis, for several machines crawling at once.

Records: each canonical URL with its latest content hash and version; each
(source, content hash) with the URL that holds it; each stored story item with
its publish time and the terms the candidate index is keyed by. Candidate
lookup reads only postings of the item's terms inside the time window, so its
cost depends on how much news falls in the window, not on the size of history.
"""

from __future__ import annotations

import base64
import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 50
BODY_KEPT = 4000  # characters of body kept per story item for sentence comparison


@dataclass(frozen=True)
class UrlRecord:
    url: str
    source: str
    content_hash: str
    version: int
    story_id: str
    duplicate_of: str | None
    fetched_ts: float = 0.0  # when this URL was last fetched (Unix seconds)


@dataclass(frozen=True)
class StoryItem:
    """What is kept of an item to compare later ones with it."""

    story_id: str
    url: str
    published_ts: float
    title: str
    lead: str | None
    body: str | None
    group_first_url: str
    vector: bytes | None = None  # the headline vector (omskcrawl.dedup.semantic), packed


class StateError(RuntimeError):
    """The state could not be opened or read."""


class State(Protocol):
    def get_url(self, url: str) -> UrlRecord | None: ...
    def url_for_content(self, source: str, content_hash: str) -> str | None: ...
    def put_url(self, record: UrlRecord) -> None: ...
    def touch_url(self, url: str, fetched_ts: float) -> None: ...
    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None: ...
    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]: ...
    def count_urls(self) -> int: ...
    def commit(self) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


SCHEMA_VERSION = 2  # PRAGMA user_version; a state file of another version is rebuilt
SCHEMA = """
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY, source TEXT NOT NULL, content_hash TEXT NOT NULL,
    version INTEGER NOT NULL, story_id TEXT NOT NULL, duplicate_of TEXT,
    fetched_ts REAL NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS contents (
    source TEXT NOT NULL, content_hash TEXT NOT NULL, url TEXT NOT NULL,
    PRIMARY KEY (source, content_hash)
);
CREATE TABLE IF NOT EXISTS story_items (
    id INTEGER PRIMARY KEY, story_id TEXT NOT NULL, url TEXT NOT NULL, ts REAL NOT NULL,
    title TEXT NOT NULL, lead TEXT, body TEXT, group_first_url TEXT NOT NULL, vector BLOB
);
CREATE TABLE IF NOT EXISTS story_terms (
    term TEXT NOT NULL, ts REAL NOT NULL, item_id INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS story_terms_term_ts ON story_terms (term, ts);
"""


class SqliteState:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.rebuilt_reason: str | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level="DEFERRED")
        try:
            db.execute("PRAGMA journal_mode=WAL")
            check = db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if tables and version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"state schema version {version}, this omskcrawl needs {SCHEMA_VERSION}"
                )
            db.executescript(SCHEMA)
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.DatabaseError as e:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
            logger.error("dedup state %s is unreadable (%s); moved to %s", self.path, e, aside)
            self.path.replace(aside)
            for suffix in ("-wal", "-shm"):
                side = self.path.with_name(self.path.name + suffix)
                if side.exists():
                    side.unlink()
            self.rebuilt_reason = f"corrupt: {e}"
            return self._connect()

    def get_url(self, url: str) -> UrlRecord | None:
        row = self.db.execute(
            "SELECT url, source, content_hash, version, story_id, duplicate_of, fetched_ts "
            "FROM urls WHERE url = ?",
            (url,),
        ).fetchone()
        return UrlRecord(*row) if row else None

    def url_for_content(self, source: str, content_hash: str) -> str | None:
        row = self.db.execute(
            "SELECT url FROM contents WHERE source = ? AND content_hash = ?",
            (source, content_hash),
        ).fetchone()
        return row[0] if row else None

    def put_url(self, record: UrlRecord) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO urls VALUES (?, ?, ?, ?, ?, ?, ?)",
            (
                record.url,
                record.source,
                record.content_hash,
                record.version,
                record.story_id,
                record.duplicate_of,
                record.fetched_ts,
            ),
        )
        self.db.execute(
            "INSERT OR IGNORE INTO contents VALUES (?, ?, ?)",
            (record.source, record.content_hash, record.url),
        )

    def touch_url(self, url: str, fetched_ts: float) -> None:
        self.db.execute("UPDATE urls SET fetched_ts = ? WHERE url = ?", (fetched_ts, url))

    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None:
        cur = self.db.execute(
            "INSERT INTO story_items "
            "(story_id, url, ts, title, lead, body, group_first_url, vector) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                item.story_id,
                item.url,
                item.published_ts,
                item.title,
                item.lead,
                item.body,
                item.group_first_url,
                item.vector,
            ),
        )
        self.db.executemany(
            "INSERT INTO story_terms VALUES (?, ?, ?)",
            [(term, item.published_ts, cur.lastrowid) for term in set(terms)],
        )

    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]:
        terms = sorted(set(terms))
        if not terms:
            return []
        marks = ",".join("?" * len(terms))
        rows = self.db.execute(
            f"SELECT i.story_id, i.url, i.ts, i.title, i.lead, i.body, i.group_first_url, i.vector "
            f"FROM (SELECT item_id, COUNT(*) AS shared FROM story_terms "
            f"      WHERE term IN ({marks}) AND ts BETWEEN ? AND ? "
            f"      GROUP BY item_id ORDER BY shared DESC LIMIT ?) AS hits "
            f"JOIN story_items AS i ON i.id = hits.item_id ORDER BY hits.shared DESC, i.ts",
            (*terms, ts - window, ts + window, MAX_CANDIDATES),
        ).fetchall()
        return [StoryItem(*row) for row in rows]

    def count_urls(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM urls").fetchone()[0])

    def commit(self) -> None:
        self.db.commit()

    def clear(self) -> None:
        for table in ("urls", "contents", "story_items", "story_terms"):
            self.db.execute(f"DELETE FROM {table}")
        self.db.commit()

    def close(self) -> None:
        self.db.commit()
        self.db.close()


def _b64(data: bytes | None) -> str | None:
    return base64.b64encode(data).decode("ascii") if data is not None else None


def _unb64(text: str | None) -> bytes | None:
    return base64.b64decode(text) if text is not None else None


class RedisState:
    """The same records in Redis (keys under `prefix`); writes apply at once."""

    def __init__(self, url: str, prefix: str = "omskcrawl") -> None:
        import redis

        self.r = redis.Redis.from_url(url, decode_responses=True)
        self.p = prefix
        self.rebuilt_reason: str | None = None
        try:
            self.r.ping()
        except redis.RedisError as e:
            raise StateError(f"cannot reach Redis at {url}: {e}") from e

    def get_url(self, url: str) -> UrlRecord | None:
        data: dict[str, str] = self.r.hgetall(f"{self.p}:url:{url}")  # type: ignore[assignment]
        if not data:
            return None
        return UrlRecord(
            url,
            data["source"],
            data["content_hash"],
            int(data["version"]),
            data["story_id"],
            data.get("duplicate_of") or None,
            float(data.get("fetched_ts", 0) or 0),
        )

    def url_for_content(self, source: str, content_hash: str) -> str | None:
        value = self.r.hget(f"{self.p}:content:{source}", content_hash)
        return str(value) if value else None

    def put_url(self, record: UrlRecord) -> None:
        pipe = self.r.pipeline()
        pipe.hset(
            f"{self.p}:url:{record.url}",
            mapping={
                "source": record.source,
                "content_hash": record.content_hash,
                "version": record.version,
                "story_id": record.story_id,
                "duplicate_of": record.duplicate_of or "",
                "fetched_ts": record.fetched_ts,
            },
        )
        pipe.sadd(f"{self.p}:urls", record.url)
        pipe.hsetnx(f"{self.p}:content:{record.source}", record.content_hash, record.url)
        pipe.execute()

    def touch_url(self, url: str, fetched_ts: float) -> None:
        key = f"{self.p}:url:{url}"
        if self.r.exists(key):
            self.r.hset(key, "fetched_ts", fetched_ts)

    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None:
        item_id = self.r.incr(f"{self.p}:item_seq")
        pipe = self.r.pipeline()
        record = {**item.__dict__, "vector": _b64(item.vector)}
        pipe.set(f"{self.p}:item:{item_id}", json.dumps(record, ensure_ascii=False))
        for term in set(terms):
            pipe.zadd(f"{self.p}:term:{term}", {str(item_id): item.published_ts})
        pipe.execute()

    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]:
        pipe = self.r.pipeline()
        for term in sorted(set(terms)):
            pipe.zrangebyscore(f"{self.p}:term:{term}", ts - window, ts + window)
        shared: dict[str, int] = {}
        for ids in pipe.execute():
            for item_id in ids:
                shared[item_id] = shared.get(item_id, 0) + 1
        best = sorted(shared, key=lambda i: -shared[i])[:MAX_CANDIDATES]
        if not best:
            return []
        raw = self.r.mget([f"{self.p}:item:{i}" for i in best])
        items = []
        for r in raw:
            if r:
                record = json.loads(r)
                record["vector"] = _unb64(record.get("vector"))
                items.append(StoryItem(**record))
        return sorted(items, key=lambda i: i.published_ts)

    def count_urls(self) -> int:
        return int(self.r.scard(f"{self.p}:urls"))

    def commit(self) -> None:
        """Writes are applied immediately."""

    def clear(self) -> None:
        keys: Iterator[Any] = self.r.scan_iter(f"{self.p}:*")
        batch = []
        for key in keys:
            batch.append(key)
            if len(batch) >= 500:
                self.r.delete(*batch)
                batch = []
        if batch:
            self.r.delete(*batch)

    def close(self) -> None:
        self.r.close()


class SharedState:
    """One open state per process, shared by every crawler of a `crawlall` run.

    Each user closes its handle; the backend closes with the last one.
    """

    def __init__(self, key: tuple[str, str], backend: State) -> None:
        self.key = key
        self.backend = backend
        self.refs = 1

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    def close(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            _OPEN.pop(self.key, None)
            self.backend.close()
        else:
            self.backend.commit()


_OPEN: dict[tuple[str, str], SharedState] = {}


def open_state(backend: str, *, root: Path, redis_url: str, prefix: str) -> State:
    """The configured backend (shared within the process); `ValueError` for an unknown name."""
    if backend == "sqlite":
        path = (root / "state" / "dedup.sqlite").resolve()
        key = (backend, str(path))
    elif backend == "redis":
        key = (backend, f"{redis_url}#{prefix}")
    else:
        raise ValueError(f"OMSKCRAWL_STATE_BACKEND must be 'sqlite' or 'redis', not {backend!r}")
    shared = _OPEN.get(key)
    if shared is not None:
        shared.refs += 1
        return cast(State, shared)
    state: State = SqliteState(path) if backend == "sqlite" else RedisState(redis_url, prefix)
    shared = _OPEN[key] = SharedState(key, state)
    return cast(State, shared)


def state_from_settings(settings: BaseSettings) -> State:
    """The state the project settings name (OMSKCRAWL_STATE_BACKEND and friends)."""
    return open_state(
        settings.get("OMSKCRAWL_STATE_BACKEND", "sqlite"),
        root=Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports")),
        redis_url=settings.get("OMSKCRAWL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        prefix=settings.get("OMSKCRAWL_REDIS_PREFIX", "omskcrawl"),
    )
