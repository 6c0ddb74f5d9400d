"""Dedup state: what earlier runs stored. One interface, two backends.

- `SqliteState` (default): one SQLite file under the output root, WAL journal. A
  file that fails SQLite's integrity check is moved aside, reported and rebuilt
  from the dataset; a missing file next to a non-empty dataset is reported and
  rebuilt. A locked file ("database is locked": another process writes it) is
  waited for, then reported as `StateLocked` — never taken for corruption.
- `RedisState`: the same records in Redis, for several machines crawling at once.

Both sit behind `SharedState`, one per process, which *stages* what the dedup
pipeline records: an item's records reach the backend only when the Parquet
file holding the item is published (`publish`: its records and the file's path
in one transaction). So the state never runs ahead of the dataset, whatever
the number of crawlers in the process and wherever a run dies. The dataset can
run ahead of the state (killed between rename and commit, or a failed commit);
`catch_up` in `omskcrawl.dedup.rebuild` then reads the files the state does not
list and applies their rows before the next run starts.

Records: each canonical URL with its latest content hash and version; each
(source, content hash) with the URL that holds it; each stored story item with
its publish time and the terms the candidate index is keyed by. Candidate
lookup reads only postings of the item's terms inside the time window, so its
cost depends on how much news falls in the window, not on the size of history.
"""

from __future__ import annotations

import base64
import bisect
import json
import logging
import sqlite3
import sys
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

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


def rank_key(hit: tuple[int, StoryItem]) -> tuple[int, float, str]:
    """The order in which candidates make the cut: most shared terms, then earliest, then URL.

    A total order, so the same items are compared whichever backend or stage holds them.

    >>> a = StoryItem("s1", "https://a.ru/1", 10.0, "t", None, None, "https://a.ru/1")
    >>> b = StoryItem("s2", "https://b.ru/1", 10.0, "t", None, None, "https://b.ru/1")
    >>> [i.url for _, i in sorted([(2, b), (2, a), (3, b)], key=rank_key)]
    ['https://b.ru/1', 'https://a.ru/1', 'https://b.ru/1']
    """
    shared, item = hit
    return (-shared, item.published_ts, item.url)


# One staged record: a URL's record, or a story item with its index terms.
Op = UrlRecord | tuple[StoryItem, list[str]]


class StateError(RuntimeError):
    """The state could not be opened or read."""


class StateLocked(StateError):
    """Another process holds the SQLite state's write lock longer than we wait."""


# How long SQLite waits for another process's lock before `StateLocked` (seconds).
LOCK_TIMEOUT = 30.0


def state_errors() -> tuple[type[Exception], ...]:
    """What a failing state write raises: StateError, SQLite's errors and, once a Redis state has
    imported redis (no Redis error can come before), Redis's. A crawl on SQLite never imports
    redis (~5 MB of RSS)."""
    redis = sys.modules.get("redis")
    return (StateError, sqlite3.Error, *((redis.RedisError,) if redis is not None else ()))


class State(Protocol):
    def get_url(self, url: str) -> UrlRecord | None: ...
    def url_for_content(self, source: str, content_hash: str) -> str | None: ...
    def put_url(self, record: UrlRecord) -> None: ...
    def touch_url(self, url: str, fetched_ts: float) -> None: ...
    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None: ...
    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]: ...
    def ranked_candidates(
        self, terms: Iterable[str], ts: float, window: float
    ) -> list[tuple[int, StoryItem]]: ...
    def count_urls(self) -> int: ...
    def record_files(self, paths: Iterable[str]) -> None: ...
    def known_files(self) -> set[str]: ...
    def apply(self, ops: list[Op], files: Iterable[str]) -> None: ...
    def commit(self) -> None: ...
    def clear(self) -> None: ...
    def close(self) -> None: ...


BACKENDS = ("sqlite", "redis")
CONNECT_TIMEOUT = 5.0  # seconds; an unreachable Redis is reported, not waited for

# PRAGMA user_version; a state file of another version is rebuilt, except one MIGRATIONS can bring
# up to date. 4: headline vectors chosen on the weight grid (omskcrawl.dedup.semantic), so no
# stored vector of the old rule stays. 5: the term index covers item_id (see MIGRATIONS).
SCHEMA_VERSION = 5
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
CREATE INDEX IF NOT EXISTS story_terms_term_ts_item ON story_terms (term, ts, item_id);
CREATE TABLE IF NOT EXISTS files (path TEXT PRIMARY KEY);
"""


# Version -> the statements that bring a state file of it to the next version, in one transaction.
# Each statement may run twice: two processes that open one old file both migrate it, one after
# the other (IF [NOT] EXISTS makes the second a no-op).
# 4 -> 5: the candidate query counts shared terms per item from the index alone (a covering index:
# no table row read per posting; 2.9 -> 2.1 ms a query on a full 10,000-item state, BENCHMARKS.md).
# Rebuilding instead would run the model again for every stored headline.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    4: (
        "CREATE INDEX IF NOT EXISTS story_terms_term_ts_item ON story_terms (term, ts, item_id)",
        "DROP INDEX IF EXISTS story_terms_term_ts",
    ),
}


def _is_lock_error(e: sqlite3.Error) -> bool:
    """SQLite's "database is locked"/"busy": another process, not a damaged file."""
    code = getattr(e, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(e) or "busy" in str(e)


def _migrate(db: sqlite3.Connection, version: int) -> int:
    """Bring a state file from `version` up to SCHEMA_VERSION through MIGRATIONS, one version per
    transaction; returns the version reached."""
    while version in MIGRATIONS:
        db.execute("BEGIN IMMEDIATE")
        try:
            for statement in MIGRATIONS[version]:
                db.execute(statement)
            db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except sqlite3.Error:
            db.rollback()
            raise
        logger.info("dedup state: schema version %d -> %d", version, version + 1)
        version += 1
    return version


class SqliteState:
    def __init__(self, path: Path, lock_timeout: float = LOCK_TIMEOUT) -> None:
        self.path = path
        self.lock_timeout = lock_timeout
        self.rebuilt_reason: str | None = None
        path.parent.mkdir(parents=True, exist_ok=True)
        self.db = self._open()

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level="DEFERRED", timeout=self.lock_timeout)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            check = db.execute("PRAGMA quick_check").fetchone()
            if check is None or check[0] != "ok":
                raise sqlite3.DatabaseError(f"integrity check failed: {check}")
            version = db.execute("PRAGMA user_version").fetchone()[0]
            tables = db.execute("SELECT COUNT(*) FROM sqlite_master").fetchone()[0]
            if tables and version in MIGRATIONS:
                version = _migrate(db, version)
            if tables and version != SCHEMA_VERSION:
                raise sqlite3.DatabaseError(
                    f"state schema version {version}, this omskcrawl needs {SCHEMA_VERSION}"
                )
            if not tables:  # a new file; an existing one is only read here (no write lock)
                db.executescript(SCHEMA)
                db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
                db.commit()
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    def _open(self) -> sqlite3.Connection:
        try:
            return self._connect()
        except sqlite3.OperationalError as e:
            # Locked, unreadable folder, I/O error: the file may be fine; never move it aside.
            if _is_lock_error(e):
                raise StateLocked(
                    f"dedup state {self.path} is locked by another process "
                    f"(waited {self.lock_timeout:g} s): {e}"
                ) from e
            raise StateError(f"cannot open dedup state {self.path}: {e}") from e
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
        return [item for _, item in self.ranked_candidates(terms, ts, window)]

    def ranked_candidates(
        self, terms: Iterable[str], ts: float, window: float
    ) -> list[tuple[int, StoryItem]]:
        terms = sorted(set(terms))
        if not terms:
            return []
        marks = ",".join("?" * len(terms))
        # Ranked from the term index alone (a posting carries its item's time), so only the items
        # that can make the cut are read with their texts: RANK() keeps every item tied with the
        # last place on (shared terms, time), and the URL breaks those ties (rank_key's order).
        # Joining every item in the window first and sorting them read ~1,000 texts for 50.
        rows = self.db.execute(
            f"SELECT hits.shared, i.story_id, i.url, i.ts, i.title, i.lead, i.body, "
            f"       i.group_first_url, i.vector "
            f"FROM (SELECT item_id, shared, RANK() OVER (ORDER BY shared DESC, ts) AS place "
            f"      FROM (SELECT item_id, COUNT(*) AS shared, MIN(ts) AS ts FROM story_terms "
            f"            WHERE term IN ({marks}) AND ts BETWEEN ? AND ? "
            f"            GROUP BY item_id)) AS hits "
            f"JOIN story_items AS i ON i.id = hits.item_id "
            f"WHERE hits.place <= ? "
            f"ORDER BY hits.shared DESC, i.ts, i.url LIMIT ?",
            (*terms, ts - window, ts + window, MAX_CANDIDATES, MAX_CANDIDATES),
        ).fetchall()
        return [(int(row[0]), StoryItem(*row[1:])) for row in rows]

    def count_urls(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM urls").fetchone()[0])

    def record_files(self, paths: Iterable[str]) -> None:
        self.db.executemany("INSERT OR IGNORE INTO files VALUES (?)", [(p,) for p in paths])

    def known_files(self) -> set[str]:
        return {row[0] for row in self.db.execute("SELECT path FROM files")}

    def commit(self) -> None:
        self.db.commit()

    def rollback(self) -> None:
        self.db.rollback()

    def apply(self, ops: list[Op], files: Iterable[str]) -> None:
        """Records and file paths in one transaction: all of them or none."""
        try:
            for op in ops:
                if isinstance(op, UrlRecord):
                    self.put_url(op)
                else:
                    self.add_story_item(*op)
            self.record_files(files)
            self.db.commit()
        except sqlite3.Error:
            self.db.rollback()
            raise

    def clear(self) -> None:
        for table in ("urls", "contents", "story_items", "story_terms", "files"):
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

        self.r = redis.Redis.from_url(
            url, decode_responses=True, socket_connect_timeout=CONNECT_TIMEOUT
        )
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
        self._put_url(pipe, record)
        pipe.execute()

    def _put_url(self, pipe: Any, record: UrlRecord) -> None:
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

    def touch_url(self, url: str, fetched_ts: float) -> None:
        key = f"{self.p}:url:{url}"
        if self.r.exists(key):
            self.r.hset(key, "fetched_ts", fetched_ts)

    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None:
        pipe = self.r.pipeline()
        self._add_story_item(pipe, item, terms)
        pipe.execute()

    def _add_story_item(self, pipe: Any, item: StoryItem, terms: Iterable[str]) -> None:
        item_id = self.r.incr(f"{self.p}:item_seq")
        record = {**item.__dict__, "vector": _b64(item.vector)}
        pipe.set(f"{self.p}:item:{item_id}", json.dumps(record, ensure_ascii=False))
        for term in set(terms):
            pipe.zadd(f"{self.p}:term:{term}", {str(item_id): item.published_ts})

    def apply(self, ops: list[Op], files: Iterable[str]) -> None:
        """Records and file paths in one MULTI/EXEC: all of them or none."""
        pipe = self.r.pipeline(transaction=True)
        for op in ops:
            if isinstance(op, UrlRecord):
                self._put_url(pipe, op)
            else:
                self._add_story_item(pipe, *op)
        files = list(files)
        if files:
            pipe.sadd(f"{self.p}:files", *files)
        pipe.execute()

    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]:
        return [item for _, item in self.ranked_candidates(terms, ts, window)]

    def ranked_candidates(
        self, terms: Iterable[str], ts: float, window: float
    ) -> list[tuple[int, StoryItem]]:
        pipe = self.r.pipeline()
        for term in sorted(set(terms)):
            pipe.zrangebyscore(f"{self.p}:term:{term}", ts - window, ts + window, withscores=True)
        shared: dict[str, int] = {}
        published: dict[str, float] = {}
        for hits in pipe.execute():
            for item_id, score in hits:
                shared[item_id] = shared.get(item_id, 0) + 1
                published[item_id] = float(score)
        ranked = sorted(shared, key=lambda i: (-shared[i], published[i]))
        if not ranked:
            return []
        # The URL breaks the last ties: read every item tied with the last one that makes the cut.
        last = ranked[min(MAX_CANDIDATES, len(ranked)) - 1]
        edge = (-shared[last], published[last])
        best = [i for i in ranked if (-shared[i], published[i]) <= edge]
        raw = self.r.mget([f"{self.p}:item:{i}" for i in best])
        found = []
        for item_id, r in zip(best, raw, strict=True):
            if r:
                record = json.loads(r)
                record["vector"] = _unb64(record.get("vector"))
                found.append((shared[item_id], StoryItem(**record)))
        return sorted(found, key=rank_key)[:MAX_CANDIDATES]

    def count_urls(self) -> int:
        return int(self.r.scard(f"{self.p}:urls"))

    def record_files(self, paths: Iterable[str]) -> None:
        paths = list(paths)
        if paths:
            self.r.sadd(f"{self.p}:files", *paths)

    def known_files(self) -> set[str]:
        members: set[str] = self.r.smembers(f"{self.p}:files")  # type: ignore[assignment]
        return set(members)

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


_published = attrgetter("published_ts")


class SharedState:
    """One open state per process, shared by every crawler of a `crawlall` run.

    Records written through it are staged in memory, keyed by URL, and reach the
    backend only through `publish` (the records of the URLs in a published file,
    with the file's path, in one transaction) or `commit` (everything staged).
    Reads see the staged records too, so one run dedups against itself.
    Each user closes its handle; the backend closes with the last one, and what
    is still staged then (rows whose file was never published) is dropped.
    """

    def __init__(self, key: tuple[str, str], backend: State) -> None:
        self.key = key
        self.backend = backend
        self.refs = 1
        self._ops: dict[str, list[Op]] = {}
        self._urls: dict[str, UrlRecord] = {}
        self._contents: dict[tuple[str, str], str] = {}
        # term -> staged items with it, by publication time: a window is found by bisection, not
        # by reading every staged item of a common term (a replay stages every row of the run)
        self._terms: dict[str, list[StoryItem]] = {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)

    @property
    def staged(self) -> int:
        """How many URLs have records waiting for their file."""
        return len(self._ops)

    def get_url(self, url: str) -> UrlRecord | None:
        return self._urls.get(url) or self.backend.get_url(url)

    def url_for_content(self, source: str, content_hash: str) -> str | None:
        return self.backend.url_for_content(source, content_hash) or self._contents.get(
            (source, content_hash)
        )

    def put_url(self, record: UrlRecord) -> None:
        self._ops.setdefault(record.url, []).append(record)
        self._urls[record.url] = record
        self._contents.setdefault((record.source, record.content_hash), record.url)

    def add_story_item(self, item: StoryItem, terms: Iterable[str]) -> None:
        unique = sorted(set(terms))
        self._ops.setdefault(item.url, []).append((item, unique))
        for term in unique:
            bisect.insort(self._terms.setdefault(term, []), item, key=_published)

    def candidates(self, terms: Iterable[str], ts: float, window: float) -> list[StoryItem]:
        # In a fixed order: staged items tied on shared terms keep the order they are met in
        # below, and a set's order changes with the process's hash seed (PYTHONHASHSEED), so
        # which tied items made the cut, and the story decisions, changed from run to run.
        # One cut over stored and staged items together, by one total order (rank_key): which
        # items are candidates must not depend on whether their file is published yet.
        terms = sorted(set(terms))
        found = self.backend.ranked_candidates(terms, ts, window)
        shared: dict[int, int] = {}
        staged: dict[int, StoryItem] = {}
        for term in terms:
            items = self._terms.get(term, [])
            start = bisect.bisect_left(items, ts - window, key=_published)
            end = bisect.bisect_right(items, ts + window, key=_published)
            for item in items[start:end]:
                shared[id(item)] = shared.get(id(item), 0) + 1
                staged[id(item)] = item
        ranked = found + [(shared[k], item) for k, item in staged.items()]
        return [item for _, item in sorted(ranked, key=rank_key)[:MAX_CANDIDATES]]

    def touch_url(self, url: str, fetched_ts: float) -> None:
        self.backend.touch_url(url, fetched_ts)  # harmless ahead of the dataset

    def record_files(self, paths: Iterable[str]) -> None:
        self.backend.record_files(paths)

    def known_files(self) -> set[str]:
        return self.backend.known_files()

    def apply(self, ops: list[Op], files: Iterable[str]) -> None:
        self.backend.apply(ops, files)

    def count_urls(self) -> int:
        return self.backend.count_urls() + sum(
            1 for url in self._urls if self.backend.get_url(url) is None
        )

    def _take(self, urls: Iterable[str]) -> list[Op]:
        ops: list[Op] = []
        for url in urls:
            ops.extend(self._ops.pop(url, ()))
            record = self._urls.pop(url, None)
            if (
                record is not None
                and self._contents.get((record.source, record.content_hash)) == url
            ):
                del self._contents[(record.source, record.content_hash)]
        for op in ops:
            if isinstance(op, tuple):
                item, terms = op
                for term in terms:
                    self._unstage(term, item)
        return ops

    def _unstage(self, term: str, item: StoryItem) -> None:
        """Take `item` off `term`'s staged list (found by its time: publishing a file no longer
        reads every staged list, which a replay with many small files did for every file)."""
        items = self._terms.get(term)
        if items is None:
            return
        at = bisect.bisect_left(items, item.published_ts, key=_published)
        while at < len(items) and items[at].published_ts == item.published_ts:
            if items[at] is item:
                del items[at]
                if not items:
                    del self._terms[term]
                return
            at += 1

    def publish(self, files: Iterable[str], urls: Iterable[str]) -> None:
        """The file(s) holding `urls` are published: store their records with the paths.

        On a backend error the records are dropped from the stage (the files are
        in the dataset; the next run's `catch_up` reads them) and the error raised.
        """
        self.backend.apply(self._take(urls), files)

    def discard(self, urls: Iterable[str]) -> None:
        """The rows of `urls` were not written: forget their staged records."""
        self._take(urls)

    def commit(self) -> None:
        """Store everything staged (for direct use: rebuilds, tools, tests)."""
        self.backend.apply(self._take(list(self._ops)), ())

    def clear(self) -> None:
        self._take(list(self._ops))
        self.backend.clear()

    def close(self) -> None:
        self.refs -= 1
        if self.refs == 0:
            _OPEN.pop(self.key, None)
            if self._ops:
                logger.warning(
                    "dedup state: %d URLs were never published; not recorded", len(self._ops)
                )
                self._take(list(self._ops))
            self.backend.close()
        else:
            self.backend.commit()


_OPEN: dict[tuple[str, str], SharedState] = {}


def open_state(
    backend: str, *, root: Path, redis_url: str, prefix: str, lock_timeout: float = LOCK_TIMEOUT
) -> SharedState:
    """The configured backend (shared within the process); `ValueError` for an unknown name."""
    if backend == "sqlite":
        path = (root / "state" / "dedup.sqlite").resolve()
        key = (backend, str(path))
    elif backend == "redis":
        key = (backend, f"{redis_url}#{prefix}")
    else:
        raise ValueError(f"OMSKCRAWL_STATE_BACKEND must be one of {BACKENDS}, not {backend!r}")
    shared = _OPEN.get(key)
    if shared is not None:
        shared.refs += 1
        return shared
    state: State = (
        SqliteState(path, lock_timeout) if backend == "sqlite" else RedisState(redis_url, prefix)
    )
    shared = _OPEN[key] = SharedState(key, state)
    return shared


def state_from_settings(settings: BaseSettings, backend: str | None = None) -> SharedState:
    """The state the project settings name (OMSKCRAWL_STATE_BACKEND and friends)."""
    return open_state(
        backend or settings.get("OMSKCRAWL_STATE_BACKEND", "sqlite"),
        root=Path(settings.get("OMSKCRAWL_EXPORT_DIR", "exports")),
        redis_url=settings.get("OMSKCRAWL_REDIS_URL", "redis://127.0.0.1:6379/0"),
        prefix=settings.get("OMSKCRAWL_REDIS_PREFIX", "omskcrawl"),
        lock_timeout=settings.getfloat("OMSKCRAWL_STATE_LOCK_TIMEOUT", LOCK_TIMEOUT),
    )
