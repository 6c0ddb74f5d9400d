"""The README's analysis recipes, run as written, in pandas, DuckDB and Polars, on one dataset."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from omskcrawl.pipelines.dedup import item_id
from omskcrawl.schema import FILE_SCHEMA
from omskcrawl.storage import PartitionedWriter

README = Path(__file__).parent.parent / "README.md"
TOOLS = ("pandas", "duckdb", "polars")
HEAD = "https://omskinform.ru/news/218377"
STORY = item_id(HEAD)
EDITED_TITLE = "Хоценко и Алиханов обсудили развитие промышленности (дополнено)"


def readme_blocks() -> dict[str, dict[str, str]]:
    """tool → recipe → code, from the "Analysis recipes" section; blocks start `# tool: name`."""
    text = README.read_text("utf-8")
    section = text.split("## Analysis recipes", 1)[1].split("\n## ", 1)[0]
    blocks: dict[str, dict[str, str]] = {tool: {} for tool in TOOLS}
    for code in re.findall(r"```python\n(.*?)```", section, flags=re.S):
        tool, name = re.match(r"# (\w+): (.+)\n", code).groups()  # type: ignore[union-attr]
        blocks[tool][name] = code
    return blocks


def row(url: str, source: str, published: str | None, tags: list[str], **extra: Any) -> dict:
    from omskcrawl.normalize.text import fold_key

    out = {
        "url": url,
        "source": source,
        "crawl_date": "2024-11-20",
        "title": f"Новость {url[-6:]}",
        "published_at": datetime.fromisoformat(published) if published else None,
        "tags": tags,
        "tag_keys": [fold_key(t) for t in tags],
        "version": 1,
        "content_hash": f"h-{url}",
        "story_id": item_id(url),
        "crawled_at": datetime(2024, 11, 20, 22, 0, tzinfo=UTC),
        "run_id": "r1",
    }
    out.update(extra)
    return out


@pytest.fixture(scope="module")
def exports(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One story on three outlets (its head edited once), two more articles, one undated."""
    root = tmp_path_factory.mktemp("recipes")
    w = PartitionedWriter(
        root / "exports" / "articles", FILE_SCHEMA, ("source", "crawl_date"), "r1"
    )
    story = {"story_id": STORY, "duplicate_of": HEAD}
    first = row(HEAD, "omskinform", "2024-11-20T04:55:00+00:00", ["Промышленность", "Омск"])
    first["title"] = "Хоценко и Алиханов обсудили развитие промышленности"
    w.write(first)
    w.write(
        row(HEAD, "omskinform", "2024-11-20T04:55:00+00:00", ["Промышленность", "Омск"])
        | {
            "title": EDITED_TITLE,
            "version": 2,
            "previous_hash": f"h-{HEAD}",
            "content_hash": "h-edited",
            "crawl_date": "2024-11-21",
            "crawled_at": datetime(2024, 11, 21, 8, 0, tzinfo=UTC),
        }
    )
    w.write(
        row(
            "https://gorod55.ru/news/1",
            "gorod55",
            "2024-11-20T05:20:00+00:00",
            ["промышленность", "Хоценко"],
        )
        | story
    )
    # 19:30 UTC is 01:30 the next day in Omsk.
    w.write(
        row(
            "https://ngs55.ru/text/1/",
            "ngs55",
            "2024-11-20T19:30:00+00:00",
            [" Промышленность ", "омск"],
        )
        | story
    )
    w.write(
        row(
            "https://gorod55.ru/news/2", "gorod55", "2024-11-21T10:00:00+00:00", ["Новогодняя ёлка"]
        )
    )
    w.write(row("https://ngs55.ru/text/2/", "ngs55", None, ["новогодняя  елка"]))
    w.close()
    return root


@pytest.fixture(scope="module", params=TOOLS)
def results(request: pytest.FixtureRequest, exports: Path) -> tuple[str, dict[str, Any]]:
    """Every block of one tool run in order in one namespace, in the folder holding `exports/`."""
    tool: str = request.param
    namespace: dict[str, Any] = {}
    out: dict[str, Any] = {}
    with pytest.MonkeyPatch.context() as mp:
        mp.chdir(exports)
        for name, code in readme_blocks()[tool].items():
            exec(compile(code, f"README.md [{tool}: {name}]", "exec"), namespace)
            out[name] = {k: namespace.get(k) for k in ("per_day", "top_tags", "stories", "history")}
    return tool, out


def records(frame: Any) -> list[dict[str, Any]]:
    """pandas or Polars rows as dicts."""
    if isinstance(frame, pd.DataFrame):
        return frame.reset_index().to_dict("records")
    return list(frame.to_dicts())


def test_every_tool_has_every_recipe() -> None:
    blocks = readme_blocks()
    assert set(blocks["pandas"]) == {"per day", "top tags", "stories", "history"}
    assert set(blocks["duckdb"]) == set(blocks["polars"]) == {"setup"} | set(blocks["pandas"])


def test_articles_per_day_per_source(results: tuple[str, dict[str, Any]]) -> None:
    _, out = results
    got = {
        (str(r["day"])[:10], r["source"], int(r["articles"]))
        for r in records(out["per day"]["per_day"])
    }
    assert got == {
        ("2024-11-20", "gorod55", 1),
        ("2024-11-20", "omskinform", 1),
        ("2024-11-21", "ngs55", 1),
        ("2024-11-21", "gorod55", 1),
    }


def test_top_tags(results: tuple[str, dict[str, Any]]) -> None:
    tool, out = results
    top = out["top tags"]["top_tags"]
    got = top.to_dict() if tool == "pandas" else {r["tag"]: int(r["n"]) for r in records(top)}
    assert got == {"промышленность": 3, "омск": 2, "новогодняя елка": 2, "хоценко": 1}


def test_one_row_per_story(results: tuple[str, dict[str, Any]]) -> None:
    _, out = results
    rows = {r["story_id"]: r for r in records(out["stories"]["stories"])}
    assert len(rows) == 3
    assert rows[STORY]["title"] == EDITED_TITLE
    assert int(rows[STORY]["outlets"]) == 3
    assert pd.Timestamp(rows[STORY]["first_published"]) == pd.Timestamp("2024-11-20T04:55Z")


def test_history_of_an_edited_article(results: tuple[str, dict[str, Any]]) -> None:
    _, out = results
    got = [(int(r["version"]), r["title"]) for r in records(out["history"]["history"])]
    assert got == [(1, "Хоценко и Алиханов обсудили развитие промышленности"), (2, EDITED_TITLE)]
