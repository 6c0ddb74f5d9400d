"""Quality alarms: a drop against the site's earlier runs, or a share past its threshold,
is a line naming the site and the field, in the manifest and the summary, and exit 1."""

from __future__ import annotations

import json
from pathlib import Path

from omskcrawl.quality import Thresholds, alarms
from tests.localnews import Route, article_page, feed, run_scrapy, serve, write_spiders

TAGS = '<div class="n_tags">Теги: <a href="/tags/1">Омск</a></div>'


def quality(**figures: float) -> dict[str, float]:
    base = {
        "items": 20,
        "date_share": 1.0,
        "body_share": 1.0,
        "tags_share": 0.9,
        "duplicate_share": 0.0,
        "quarantined_share": 0.0,
        "mojibake_share": 0.0,
        "listing_share": 0.2,
    }
    return {**base, **figures}


def test_thresholds_and_drops_name_the_site_and_the_field() -> None:
    sites = [
        {"spider": "gorod55", "quality": quality(body_share=0.4)},
        {"spider": "ngs55", "quality": quality(tags_share=0.3)},
        {"spider": "bk55", "quality": quality(quarantined_share=0.5)},
        {"spider": "kvnews", "quality": quality(items=2, body_share=0.0)},  # too few to judge
    ]
    earlier = {"ngs55": [quality(), quality(tags_share=0.8), quality()]}
    found = alarms(sites, earlier, Thresholds())
    assert [(a["site"], a["field"]) for a in found] == [
        ("gorod55", "body_share"),
        ("ngs55", "tags_share"),
        ("bk55", "quarantined_share"),
    ]
    assert found[1]["message"] == (
        "ALARM ngs55 tags_share: 30% fell from 90% (median of 3 earlier runs)"
    )


def test_a_site_that_stopped_giving_tags_fails_the_next_run(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with serve() as news:
        module = write_spiders(tmp_path, news.base, ["sitea"])
        results = []
        for run, numbers in enumerate((range(0, 6), range(6, 12))):
            news.routes["/sitea/rss"] = Route(
                content_type="application/rss+xml", body=feed(news.base, "sitea", numbers)
            )
            for n in numbers:
                page = article_page("sitea", n)
                if run == 1:  # the redesign lost the tags block
                    page = page.replace(TAGS.encode(), b"")
                news.routes[f"/sitea/news/{n}"] = Route(body=page)
            results.append(run_scrapy(tmp_path, module, exports, "crawlall", "sitea"))
    first, second = results
    assert first.returncode == 0, first.stdout[-2000:] + first.stderr[-2000:]
    assert second.returncode == 1, second.stdout[-2000:] + second.stderr[-2000:]
    line = "ALARM sitea tags_share: 0% fell from 100% (median of 1 earlier runs)"
    assert line in second.stdout
    newest = max((exports / "runs").glob("*.json"), key=lambda p: p.stat().st_mtime)
    manifest = json.loads(newest.read_text("utf-8"))
    assert [a["message"] for a in manifest["alarms"]] == [line]
    assert manifest["per_spider"][0]["quality"]["tags_share"] == 0.0
