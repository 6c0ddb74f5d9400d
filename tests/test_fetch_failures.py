"""Every fetch failure is counted per site in the manifest, Retry-After is honoured, and a
site whose feeds all failed is a failed site whatever robots.txt answered. One real
`crawlall` against two local servers (the second one's robots.txt forbids everything)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.localnews import Route, article_page, feed, run_scrapy, serve, write_spiders


def test_failures_are_counted_per_site_and_fail_the_run(tmp_path: Path) -> None:
    exports = tmp_path / "exports"
    with serve() as news, serve(robots=b"User-agent: *\nDisallow: /\n") as closed:
        news.routes["/feedfail/rss"] = Route(500, "text/plain", b"internal error")
        news.routes["/faulty/rss"] = Route(
            content_type="application/rss+xml", body=feed(news.base, "faulty", range(6))
        )
        ok = Route(body=article_page("faulty", 0))
        news.routes["/faulty/news/0"] = ok
        news.routes["/faulty/news/1"] = Route(
            429,
            "text/plain",
            b"slow down",
            headers={"Retry-After": "1"},
            then=Route(body=article_page("faulty", 1)),
        )
        news.routes["/faulty/news/2"] = Route(302, headers={"Location": "/faulty/news/2b"})
        news.routes["/faulty/news/2b"] = Route(302, headers={"Location": "/faulty/news/2"})
        news.routes["/faulty/news/3"] = Route(body=article_page("faulty", 3), delay=8)
        news.routes["/faulty/news/4"] = Route(reset=True)
        # /faulty/news/5 is missing: 404
        closed.add_site("blocked", 2)
        module = write_spiders(
            tmp_path, news.base, ["feedfail", "faulty", "blocked"], {"blocked": closed.base}
        )
        result = run_scrapy(
            tmp_path,
            module,
            exports,
            "crawlall",
            "feedfail",
            "faulty",
            "blocked",
            DOWNLOAD_TIMEOUT=3,
            RETRY_TIMES=1,
        )
        times = list(news.times)
    assert result.returncode == 1, result.stderr[-3000:]
    (path,) = (exports / "runs").glob("*.json")
    manifest = json.loads(path.read_text("utf-8"))
    assert sorted(manifest["failed_spiders"]) == ["blocked", "feedfail"]
    sites = {s["spider"]: s["fetch_failures"] for s in manifest["per_spider"]}
    assert sites["feedfail"]["http_5xx"] == 2 and sites["feedfail"]["sources_failed"] == 1
    assert sites["feedfail"]["retries_exhausted"] == 1
    assert sites["blocked"]["robots_forbidden"] >= 1 and sites["blocked"]["sources_failed"] == 1
    faulty = sites["faulty"]
    assert faulty["http_429"] == 1
    assert faulty["redirect_loops"] >= 1
    assert faulty["timeouts"] >= 2  # the try and its retry
    assert faulty["resets"] >= 1  # its retry may time out on a busy machine
    assert faulty["http_4xx"] == 1  # the 404 (not retried)
    assert faulty["sources_failed"] == 0
    assert manifest["fetch_failures"]["http_429"] == 1
    # Retry-After: 1 honoured: the retry came at least a second after the 429.
    asked = [t for p, t in times if p == "/faulty/news/1"]
    assert len(asked) == 2 and asked[1] - asked[0] >= 1.0
    urls = set(pd.read_parquet(exports / "articles", columns=["url"])["url"])
    assert {f"{news.base}/faulty/news/0", f"{news.base}/faulty/news/1"} <= urls
