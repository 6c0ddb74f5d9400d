"""The project commands, offline: in this process (tests/runs.py), two as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from omskcrawl.fixtures import iter_fixtures
from omskcrawl.warc.sample import write_sample_warc
from tests.runs import NO_DELAY, ROOT, scrapy, scrapy_cli, write_warc

SAMPLE = ROOT / "omskcrawl" / "sample" / "sites"


def test_extract_generic_on_real_aif_page_from_the_command_line() -> None:
    page = SAMPLE / "omsk_aif" / "article-aif-ru-2020-real" / "page.html"
    url = "https://aif.ru/politics/world/otrezat_golovu_vo_imya_proroka_terakt_vo_francii_obnazhil_starye_problemy"
    result = scrapy_cli(
        "extract", str(page), "--url", url, "--crawl-time", "2020-10-20T12:00+03:00"
    )
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert (
        item["title"] == "Отрезать голову во имя пророка. Теракт во Франции обнажил старые проблемы"
    )
    assert item["published_at"] == "2020-10-19T03:34:31Z"
    assert item["date_source"] == "meta"
    body = item["body"]
    assert body.startswith("Во Франции с новой силой разгораются споры")
    assert "На сей раз поводом для проведения манифестаций" in body  # text after an inject
    assert body.endswith("Будут ли извлечены настоящие уроки на сей раз?")
    for chrome in ("Telegram", "Подпис", "Статья по теме", "Что известно о нападавшем"):
        assert chrome not in body
    assert item["tags"] == ["Франция", "экстремисты"]
    assert item["authors"] == ["Андрей Сидорчик"]


def test_extract_generic_on_real_mk_page_skips_region_picker() -> None:
    page = SAMPLE / "omsk_mk" / "article-rzn-real" / "page.html"
    url = "https://rzn.mk.ru/social/2020/01/13/v-ryazani-nagradili-luchshikh-zhurnalistov.html"
    result = scrapy("extract", str(page), "--url", url, "--crawl-time", "2020-01-13T20:00+03:00")
    assert result.returncode == 0, result.stderr
    item = json.loads(result.stdout)
    assert item["title"] == "В Рязани наградили лучших журналистов"
    assert item["published_at"] == "2020-01-13T14:04:34Z"
    # The page's articleBody is empty: no body rather than the region picker or the footer.
    assert item.get("body") is None
    assert "Омск" not in json.dumps(item, ensure_ascii=False)


def test_extract_rejects_bad_input(tmp_path: Path) -> None:
    missing = scrapy("extract", str(tmp_path / "nope.html"), "--url", "https://a.ru/")
    assert missing.returncode != 0 and "no such file" in missing.stderr
    page = SAMPLE / "omsk_mk" / "article-rzn-real" / "page.html"
    naive = scrapy("extract", str(page), "--url", "https://a.ru/", "--crawl-time", "2020-01-13")
    assert naive.returncode != 0 and "zone offset" in naive.stderr


def test_crawlall_isolates_a_failing_site(tmp_path: Path) -> None:
    # The archive holds gorod55's pages only: ngs55 gets nothing but 404s.
    warc = tmp_path / "gorod55.warc.gz"
    write_warc(warc, [f for f in iter_fixtures() if f.spider == "gorod55"])
    exports = tmp_path / "exports"
    result = scrapy(
        "crawlall",
        "gorod55",
        "ngs55",
        "-s",
        f"OMSKCRAWL_REPLAY_WARC={warc}",
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        *NO_DELAY,
        "-L",
        "WARNING",
    )
    assert result.returncode == 1, result.stdout + result.stderr[-2000:]
    (manifest_path,) = (exports / "runs").glob("*.json")
    manifest = json.loads(manifest_path.read_text("utf-8"))
    assert manifest["failed_spiders"] == ["ngs55"]
    assert sorted(manifest["spiders"]) == ["gorod55", "ngs55"]
    df = pd.read_parquet(exports / "articles")
    assert set(df["source"].astype(str)) == {"gorod55"} and len(df) >= 2
    gorod = next(s for s in manifest["per_spider"] if s["spider"] == "gorod55")
    assert gorod["field_coverage"]["title"] == 1.0
    assert "FAILED" in result.stdout


def test_sitecheck_over_replayed_pages(tmp_path: Path) -> None:
    warc = tmp_path / "sample.warc.gz"
    write_sample_warc(warc)
    result = scrapy(
        "sitecheck", "gorod55", "omskportal", "-s", f"OMSKCRAWL_REPLAY_WARC={warc}", *NO_DELAY
    )
    assert result.returncode == 0, result.stdout + result.stderr[-2000:]
    lines = {line.split()[0]: line for line in result.stdout.splitlines() if line.strip()}
    assert "yes" in lines["gorod55"] and "https://gorod55.ru/" in lines["gorod55"]
    assert "2 of 2 sites OK" in result.stdout
    empty = tmp_path / "empty.warc.gz"
    write_warc(empty, [])
    broken = scrapy("sitecheck", "gorod55", "-s", f"OMSKCRAWL_REPLAY_WARC={empty}", *NO_DELAY)
    assert broken.returncode == 1 and "HTTP: no page came back 2xx" in broken.stdout


def test_dedupstate_rebuild(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    warc = tmp_path / "gorod55.warc.gz"
    write_warc(warc, [f for f in iter_fixtures() if f.spider == "gorod55"])
    crawl = scrapy(
        "replay",
        str(warc),
        "--spider",
        "gorod55",
        "-s",
        f"OMSKCRAWL_EXPORT_DIR={exports}",
        "-L",
        "WARNING",
    )
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    rows = len(pd.read_parquet(exports / "articles"))
    state_file = exports / "state" / "dedup.sqlite"
    state_file.write_bytes(b"garbage, not a database" * 100)
    result = scrapy("dedupstate", "--rebuild", "-s", f"OMSKCRAWL_EXPORT_DIR={exports}")
    assert result.returncode == 0, result.stderr[-2000:]
    assert f"from {rows} rows" in result.stdout and f"{rows} URLs known" in result.stdout
    assert list(state_file.parent.glob("dedup.sqlite.corrupt-*"))


def test_crawl_exit_code_says_whether_the_site_failed(tmp_path: Path) -> None:
    good, empty = tmp_path / "gorod55.warc.gz", tmp_path / "empty.warc.gz"
    write_warc(good, [f for f in iter_fixtures() if f.spider == "gorod55"])
    write_warc(empty, [])
    # the good one from the command line, as cron runs it; the failing one in process
    for run, warc, code, failed in ((scrapy_cli, good, 0, []), (scrapy, empty, 1, ["gorod55"])):
        exports = tmp_path / warc.name.split(".")[0]
        result = run(
            "crawl",
            "gorod55",
            *NO_DELAY,
            "-s",
            f"OMSKCRAWL_REPLAY_WARC={warc}",
            "-s",
            f"OMSKCRAWL_EXPORT_DIR={exports}",
            "-L",
            "WARNING",
        )
        assert result.returncode == code, result.stderr[-2000:]
        (manifest,) = (exports / "runs").glob("*.json")
        assert json.loads(manifest.read_text("utf-8"))["failed_spiders"] == failed
    assert len(pd.read_parquet(tmp_path / "gorod55" / "articles")) >= 2
