"""Where the latent-term engine cannot run, same story is decided by the word overlap alone.

Forced with OMSKCRAWL_DEDUP_LATENT_TERMS = False (as on an arm64 worker or a CPU without AVX2,
where loading the engine would stop the process with an illegal instruction).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler

from omskcrawl.dedup import semantic
from omskcrawl.dedup.similarity import (
    DEFAULT_THRESHOLD,
    LEXICAL_THRESHOLD,
    StoryText,
    headline_similarity,
    is_same_story,
    lexical_similarity,
    same_story,
)
from omskcrawl.manifest import spider_summary, write_manifest
from omskcrawl.pipelines import dedup
from omskcrawl.pipelines.dedup import DedupPipeline
from tests.test_pipelines import T0, article

# Same story in plain words: the overlap alone is far above its threshold (1.0).
WORDS_SAY_SAME = (
    "В Омской области ввели режим ЧС из-за паводка",
    "Из-за паводка в Омской области введен режим чрезвычайной ситуации",
)
# Same story reworded: only the latent terms see it (overlap 0.54, model 0.75).
ONLY_LATENT_SAY_SAME = (
    "На омском НПЗ прошли учения МЧС",
    "МЧС провело учения на Омском нефтеперерабатывающем заводе",
)


def pipeline(tmp_path: Path, **settings: Any) -> tuple[DedupPipeline, Any]:
    crawler = get_crawler(settings_dict={"OMSKCRAWL_EXPORT_DIR": str(tmp_path), **settings})
    return DedupPipeline.from_crawler(crawler), crawler.stats


def run_pair(pipe: DedupPipeline, pair: tuple[str, str], n: int) -> list[Any]:
    first = pipe.process_item(article(f"https://gorod55.ru/news/{n}", pair[0], "", "gorod55"))
    second = pipe.process_item(article(f"https://ngs55.ru/text/{n}", pair[1], "", "ngs55"))
    return [first["story_id"] == second["story_id"], second["duplicate_of"]]


@pytest.fixture
def announcements() -> Iterator[None]:
    dedup._announce.cache_clear()
    yield
    dedup._announce.cache_clear()


def test_the_setting_switches_to_word_overlap_and_says_so_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, announcements: None
) -> None:
    caplog.set_level(logging.WARNING, logger="omskcrawl.pipelines.dedup")
    pipe, stats = pipeline(tmp_path, OMSKCRAWL_DEDUP_LATENT_TERMS=False)
    assert run_pair(pipe, WORDS_SAY_SAME, 1) == [True, "https://gorod55.ru/news/1"]
    assert run_pair(pipe, ONLY_LATENT_SAY_SAME, 2) == [False, None]
    assert [c.vector for c in pipe.state.candidates(["учение"], T0.timestamp(), 86400)] == [
        None,
        None,
    ]  # no model pass, nothing to store
    pipe.spider_closed()
    description = "word overlap only: OMSKCRAWL_DEDUP_LATENT_TERMS is off"
    assert stats.get_value("omskcrawl/dedup/similarity") == description
    # a second crawler in the same process (crawlall) does not say it again
    again, _ = pipeline(tmp_path / "other", OMSKCRAWL_DEDUP_LATENT_TERMS=False)
    again.spider_closed()
    said = [r.getMessage() for r in caplog.records if "word overlap only" in r.getMessage()]
    assert said == [f"same-story decision: {description}"]


def test_by_default_the_latent_terms_decide(tmp_path: Path) -> None:
    pipe, stats = pipeline(tmp_path)
    assert run_pair(pipe, ONLY_LATENT_SAY_SAME, 2) == [True, "https://gorod55.ru/news/2"]
    pipe.spider_closed()
    assert stats.get_value("omskcrawl/dedup/similarity") == "latent terms + word overlap"


def test_the_manifest_names_the_decision(tmp_path: Path) -> None:
    stats = {"omskcrawl/dedup/similarity": "word overlap only: the CPU lacks avx2"}
    summary = spider_summary("gorod55", stats, "finished")
    assert summary["same_story_model"] == "word overlap only: the CPU lacks avx2"
    path = write_manifest(tmp_path, "r1", T0, [summary])
    assert '"same_story_model": [\n    "word overlap only: the CPU lacks avx2"\n  ]' in (
        path.read_text("utf-8")
    )


@pytest.fixture
def cpu_without_avx2(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process as on an x86-64 CPU without AVX2: the engine must not be touched."""
    monkeypatch.setattr(semantic, "_cpu_flags", lambda: frozenset({"sse2", "avx"}))
    semantic.engine_problem.cache_clear()
    yield
    monkeypatch.undo()
    semantic.engine_problem.cache_clear()


def test_a_cpu_without_avx2_falls_back_without_loading_the_engine(
    cpu_without_avx2: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="omskcrawl.dedup.semantic")
    assert semantic.engine_problem() == "the CPU lacks avx2, fma"
    assert semantic.engine_problem() == "the CPU lacks avx2, fma"  # checked and said once
    assert len([r for r in caplog.records if "unavailable" in r.getMessage()]) == 1
    a, b = WORDS_SAY_SAME
    assert headline_similarity(a, b) == lexical_similarity(a, b) == pytest.approx(1.0)
    assert same_story(a, b) and not same_story(*ONLY_LATENT_SAY_SAME)
    assert not is_same_story(StoryText(ONLY_LATENT_SAY_SAME[0]), StoryText(ONLY_LATENT_SAY_SAME[1]))
    assert dedup.similarity_in_use(True) == (False, "word overlap only: the CPU lacks avx2, fma")


def test_the_two_scores_have_their_own_thresholds() -> None:
    a, b = ONLY_LATENT_SAY_SAME
    assert headline_similarity(a, b, latent=False) < LEXICAL_THRESHOLD - 0.05
    assert headline_similarity(a, b, latent=True) > DEFAULT_THRESHOLD + 0.05
