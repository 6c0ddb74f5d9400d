"""`scrapy report` over a real output folder (two crawls of a local site), rendered by
headless Chromium; the screenshot must show the plots, not a blank page."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.localnews import run_scrapy, serve, write_spiders

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("report")
    exports = tmp / "exports"
    with serve() as news:
        for site in ("sitea", "siteb"):
            news.add_site(site, 4)
        module = write_spiders(tmp, news.base, ["sitea", "siteb"])
        for _ in range(2):  # two runs: coverage over runs has two points
            run = run_scrapy(tmp, module, exports, "crawlall", "sitea", "siteb")
            assert run.returncode == 0, run.stderr[-2000:]
            news.add_site("sitea", 7)  # the second run finds new articles
    result = run_scrapy(tmp, module, exports, "report", "--runs", "5")
    assert result.returncode == 0, result.stderr[-2000:]
    return exports / "report.html"


def test_the_report_is_one_self_contained_page(report: Path) -> None:
    page = report.read_text("utf-8")
    assert page.count("<svg") == 7  # articles/day, duplicates/day, tags, 3 coverages, failures
    for title in (
        "Articles per day per source",
        "Top tags",
        "Failures per site",
        "Same-story duplicates per day",
        "Fetch failures per site in the last run",
        "Share of items with a body",
    ):
        assert title in page
    assert "sitea" in page and "siteb" in page
    assert "<script" not in page and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    ), "self-contained: nothing fetched when opened"


def test_chromium_renders_the_report(report: Path, tmp_path: Path) -> None:
    if CHROMIUM is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; .ci/run must install it")
        pytest.skip("chromium is not installed (Debian package `chromium`; .ci/run installs it)")
    from PIL import Image

    shot = tmp_path / "report.png"
    subprocess.run(
        [
            CHROMIUM,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=900,1600",
            report.as_uri(),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    image = Image.open(shot).convert("RGB")
    assert image.size == (900, 1600)
    colours = image.getcolors(maxcolors=1_000_000) or []
    assert len(colours) > 50, "a blank page has a handful of colours"
    background = max(colours)[0]
    assert background < 0.97 * image.width * image.height, "the page is nearly all one colour"
    plot_colours = {(31, 119, 180), (255, 127, 14)}  # the first two series colours
    assert plot_colours <= {rgb for _, rgb in colours}
