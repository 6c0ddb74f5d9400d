"""The dedup state: the same behaviour from SQLite and from a real Redis server."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from omskcrawl.dedup.state import (
    MAX_CANDIDATES,
    SCHEMA_VERSION,
    SqliteState,
    StoryItem,
    UrlRecord,
    open_state,
)

DAY = 86400.0


def story(n: int, ts: float, title: str = "Заголовок") -> StoryItem:
    return StoryItem(f"s{n}", f"https://a.ru/{n}", ts, title, None, None, f"https://a.ru/{n}")


def test_urls_and_versions(state: Any) -> None:
    assert state.get_url("https://a.ru/1") is None
    state.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None, 100.0))
    state.put_url(UrlRecord("https://a.ru/1", "a", "h2", 2, "s1", None, 200.0))
    state.commit()
    got = state.get_url("https://a.ru/1")
    assert (got.content_hash, got.version, got.fetched_ts) == ("h2", 2, 200.0)
    assert state.url_for_content("a", "h1") == "https://a.ru/1"
    assert state.url_for_content("b", "h1") is None
    state.touch_url("https://a.ru/1", 300.0)
    assert state.get_url("https://a.ru/1").fetched_ts == 300.0
    assert state.count_urls() == 1


def test_candidates_share_terms_within_the_window(state: Any) -> None:
    state.add_story_item(story(1, 10 * DAY), ["хоценко", "алиханов", "промышленность"])
    state.add_story_item(story(2, 10 * DAY + 3600), ["хоценко", "метро"])
    state.add_story_item(story(3, 20 * DAY), ["хоценко", "алиханов", "промышленность"])
    found = state.candidates(["алиханов", "хоценко"], 11 * DAY, 3 * DAY)
    assert [c.url for c in found][:1] == ["https://a.ru/1"]  # most shared terms first
    assert {c.url for c in found} == {"https://a.ru/1", "https://a.ru/2"}  # /3 is outside
    assert state.candidates(["лыжи"], 11 * DAY, 3 * DAY) == []
    assert state.candidates([], 11 * DAY, 3 * DAY) == []


def test_clear(state: Any) -> None:
    state.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None))
    state.add_story_item(story(1, 0), ["омск"])
    state.clear()
    assert state.count_urls() == 0
    assert state.candidates(["омск"], 0, DAY) == []


def test_sqlite_changes_are_not_visible_to_others_until_commit(tmp_path: Path) -> None:
    state = SqliteState(tmp_path / "dedup.sqlite")
    state.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None))
    other = sqlite3.connect(tmp_path / "dedup.sqlite")
    assert other.execute("SELECT COUNT(*) FROM urls").fetchone()[0] == 0
    state.commit()
    assert other.execute("SELECT COUNT(*) FROM urls").fetchone()[0] == 1
    state.close()


def test_corrupt_sqlite_file_is_reported_and_moved_aside(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "state" / "dedup.sqlite"
    path.parent.mkdir()
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4096)
    state = SqliteState(path)
    assert state.rebuilt_reason is not None and state.rebuilt_reason.startswith("corrupt")
    assert "unreadable" in caplog.text
    assert list(path.parent.glob("dedup.sqlite.corrupt-*"))
    state.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None))
    assert state.count_urls() == 1
    state.close()


def test_one_shared_state_per_process(tmp_path: Path) -> None:
    a = open_state("sqlite", root=tmp_path, redis_url="", prefix="p")
    b = open_state("sqlite", root=tmp_path, redis_url="", prefix="p")
    assert a is b
    a.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None))
    a.commit()
    a.close()  # b still open
    assert b.get_url("https://a.ru/1") is not None
    b.close()
    c = open_state("sqlite", root=tmp_path, redis_url="", prefix="p")
    assert c is not a and c.get_url("https://a.ru/1") is not None
    c.close()


def test_unknown_backend_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="one of \\('sqlite', 'redis'\\)"):
        open_state("mongo", root=tmp_path, redis_url="", prefix="p")


def test_vectors_are_stored_with_story_items(state: Any) -> None:
    packed = bytes(range(16))
    item = StoryItem("s1", "https://a.ru/1", 0.0, "Заголовок", None, None, "https://a.ru/1", packed)
    state.add_story_item(item, ["омск"])
    (found,) = state.candidates(["омск"], 0.0, DAY)
    assert found.vector == packed


def test_candidates_do_not_depend_on_what_is_published_yet(state: Any) -> None:
    """One cut over stored and staged items: a file published earlier or later (another
    batch size, a worker's timing) must not change which items a new one is compared with."""
    terms = ["мост", "метро", "сквер"]
    # More items than the cut; many tie on shared terms and on time, so the URL decides.
    items = [(story(n, float(100 + n % 3)), terms[: 1 + n % 3]) for n in range(3 * MAX_CANDIDATES)]

    def cut() -> list[str]:
        return [c.url for c in state.candidates(terms, 100.0, DAY)]

    for item, item_terms in items:
        state.add_story_item(item, item_terms)
    all_staged = cut()
    published = [item.url for n, (item, _) in enumerate(items) if n % 2 == 0]
    state.publish(["articles/part-a.parquet"], published)
    half_published = cut()
    state.commit()
    all_stored = cut()
    assert len(all_staged) == MAX_CANDIDATES
    assert all_staged == half_published == all_stored
    # the order: most shared terms first, then earliest, then URL
    top = sorted(items, key=lambda it: (-len(it[1]), it[0].published_ts, it[0].url))
    assert all_stored == [it[0].url for it in top[:MAX_CANDIDATES]]


def test_state_of_another_schema_version_is_moved_aside(tmp_path: Path) -> None:
    path = tmp_path / "dedup.sqlite"
    old = sqlite3.connect(path)
    old.execute("CREATE TABLE urls (url TEXT PRIMARY KEY)")
    old.execute("PRAGMA user_version = 1")
    old.commit()
    old.close()
    state = SqliteState(path)
    assert state.rebuilt_reason is not None and "schema version 1" in state.rebuilt_reason
    assert state.count_urls() == 0
    state.close()


def test_stored_candidates_cut_ties_at_the_last_place_by_url(state: Any) -> None:
    """Items tied with the last place on shared terms and time are all ranked, and the URL
    decides which of them make the cut, however they were stored (a backend that kept only the
    first MAX_CANDIDATES it met on (shared, time) would pick by storage order)."""
    terms = ["мост", "метро"]
    # 10 items share both terms; 2 * MAX_CANDIDATES share one, all at one time: the cut falls
    # among these, which are stored in an order that is not their URLs' order.
    both = [(story(n, 100.0), terms) for n in range(10)]
    one = [(story(n, 100.0), terms[:1]) for n in range(1000, 1000 + 2 * MAX_CANDIDATES)]
    for item, item_terms in both + sorted(one, key=lambda it: it[0].url[::-1]):
        state.add_story_item(item, item_terms)
    state.commit()
    ranked = sorted(both + one, key=lambda it: (-len(it[1]), it[0].published_ts, it[0].url))
    found = [c.url for c in state.candidates(terms, 100.0, DAY)]
    assert found == [it[0].url for it in ranked[:MAX_CANDIDATES]]


def test_state_of_the_previous_version_is_migrated_not_rebuilt(tmp_path: Path) -> None:
    """A version-4 state (term index without item_id) is brought up to date in place: its
    records stay, no rebuild (which would run the model for every stored headline)."""
    path = tmp_path / "dedup.sqlite"
    state = SqliteState(path)
    state.put_url(UrlRecord("https://a.ru/1", "a", "h1", 1, "s1", None, 100.0))
    state.add_story_item(story(1, 10 * DAY), ["хоценко", "метро"])
    state.close()
    old = sqlite3.connect(path)  # what version 4 wrote: the same tables, the older index
    old.execute("DROP INDEX story_terms_term_ts_item")
    old.execute("CREATE INDEX story_terms_term_ts ON story_terms (term, ts)")
    old.execute("PRAGMA user_version = 4")
    old.commit()
    old.close()

    state = SqliteState(path)
    assert state.rebuilt_reason is None
    assert state.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    indexes = {
        row[0] for row in state.db.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
    }
    assert "story_terms_term_ts_item" in indexes and "story_terms_term_ts" not in indexes
    assert state.get_url("https://a.ru/1") is not None
    assert [c.url for c in state.candidates(["метро"], 10 * DAY, DAY)] == ["https://a.ru/1"]
    state.close()


_TIED_CANDIDATES = """
import sys
from pathlib import Path
from omskcrawl.dedup.state import MAX_CANDIDATES, StoryItem, open_state

state = open_state("sqlite", root=Path(sys.argv[1]), redis_url="", prefix="")
terms = ["школа", "мост", "дорога", "парк", "метро", "сквер"]
for n in range(3 * MAX_CANDIDATES):  # more staged items than the cut, all sharing one term
    url = f"https://a.ru/{n}"
    state.add_story_item(StoryItem(f"s{n}", url, 100.0, "t", None, None, url), [terms[n % 6]])
print(" ".join(c.url for c in state.candidates(terms, 100.0, 10.0)))
"""


def test_staged_candidates_do_not_depend_on_the_hash_seed(tmp_path: Path) -> None:
    """Items tied on shared terms are cut at MAX_CANDIDATES the same way in every process."""
    import subprocess
    import sys

    runs = {
        subprocess.run(
            [sys.executable, "-c", _TIED_CANDIDATES, str(tmp_path / seed)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(runs) == 1
    assert len(runs.pop().split()) == 50


def test_staged_candidates_in_the_window_whatever_order_they_came_in(tmp_path: Path) -> None:
    """Staged items are kept by publication time; a replay stages them in any order."""
    state = open_state("sqlite", root=tmp_path, redis_url="", prefix="")
    times = [((n * 7919) % 200) * 3600.0 for n in range(200)]  # 200 hours, shuffled
    for n, ts in enumerate(times):
        state.add_story_item(story(n, ts), ["омск"] if n % 2 else ["омск", "мост"])
    for at in (0.0, 50 * 3600.0, 120 * 3600.0, 199 * 3600.0, 400 * 3600.0):
        window = 10 * 3600.0
        inside = [
            (-(1 if n % 2 else 2), ts, f"https://a.ru/{n}")
            for n, ts in enumerate(times)
            if at - window <= ts <= at + window  # both ends belong to the window
        ]
        expected = [url for *_, url in sorted(inside)[:MAX_CANDIDATES]]
        assert [c.url for c in state.candidates(["омск", "мост"], at, window)] == expected
    state.close()
