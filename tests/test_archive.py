"""The archive loop: live crawl → WARC → replay gives the same rows; fixity; as_of.

Two sites on a local server (127.0.0.1): a windows-1251 one (omskinform pages)
and a utf-8 one served gzip-encoded and chunked (gorod55 pages), crawled by the
real `scrapy crawlall`, then replayed by `scrapy replay` from the WARC output.
"""

from __future__ import annotations

import gzip
import json
import shutil
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

import pandas as pd
import pytest
from warcio.archiveiterator import ArchiveIterator

from omskcrawl.dataset import load
from omskcrawl.fixtures import Fixture, iter_fixtures
from omskcrawl.manifest import verify
from tests import runs

ROOT = Path(__file__).parent.parent
WARCIO = Path(sys.executable).with_name("warcio")
SITES = {"inform": "omskinform", "gorod": "gorod55"}  # URL prefix → spider whose pages it serves


def pages_of(spider: str) -> list[Fixture]:
    return [f for f in iter_fixtures() if f.spider == spider and f.kind == "article"]


class Site(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    pages: dict[str, tuple[str, bytes, bool]] = {}

    def do_GET(self) -> None:
        if self.path not in self.pages:
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        ctype, body, compressed = self.pages[self.path]
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        if not compressed:
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        data = gzip.compress(body)
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(0, len(data), 4000):
            chunk = data[i : i + 4000]
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        self.wfile.write(b"0\r\n\r\n")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Site)
    base = f"http://127.0.0.1:{server.server_port}"
    Site.pages = {"/robots.txt": ("text/plain", b"User-agent: *\nDisallow: /private/\n", False)}
    for prefix, spider in SITES.items():
        items = []
        for fixture in pages_of(spider):
            path = f"/{prefix}{urlsplit(fixture.url).path}"
            ctype = fixture.headers.get("Content-Type", "text/html; charset=utf-8")
            Site.pages[path] = (ctype, fixture.body, spider == "gorod55")
            items.append(f"<item><title>{path}</title><link>{base}{path}</link></item>")
        feed = f'<?xml version="1.0"?><rss version="2.0"><channel>{"".join(items)}</channel></rss>'
        Site.pages[f"/{prefix}/rss"] = ("application/rss+xml", feed.encode(), False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base
    server.shutdown()
    server.server_close()


def spider_module(folder: Path, base: str, name: str, inform_article: str) -> None:
    (folder / f"{name}.py").write_text(
        textwrap.dedent(f"""
        from dataclasses import replace

        from omskcrawl.spiders.gorod55 import Gorod55Spider
        from omskcrawl.spiders.omskinform import OmskinformSpider

        class LocalInform(OmskinformSpider):
            name = "localinform"
            allowed_domains = ["127.0.0.1"]
            feeds = ("{base}/inform/rss",)
            listings = ()
            article_url = r"/inform/news/\\d+$"
            article = {inform_article}

        class LocalGorod(Gorod55Spider):
            name = "localgorod"
            allowed_domains = ["127.0.0.1"]
            feeds = ("{base}/gorod/rss",)
            listings = ()
            article_url = r"/gorod/news/"
        """)
    )


# The live crawl runs a spider whose body selector is too wide (it takes the author line and
# the rest of the article block); the fix is replayed over its archive later.
BROKEN = 'replace(OmskinformSpider.article, body="article")'
FIXED = "OmskinformSpider.article"


def scrapy(*args: str, spiders: Path, exports: Path, module: str = "local_spiders") -> runs.Ran:
    """The command in this process (tests/runs.py), with the spider modules on the path."""
    settings = {
        "OMSKCRAWL_EXPORT_DIR": str(exports),
        "SPIDER_MODULES": module,
        "DOWNLOAD_DELAY": "0",
        "AUTOTHROTTLE_ENABLED": "False",
        # One request at a time: live and replay process items in the same order.
        "CONCURRENT_REQUESTS": "1",
    }
    options = [x for name, value in settings.items() for x in ("-s", f"{name}={value}")]
    sys.path.insert(0, str(spiders))
    try:
        return runs.scrapy(*args, *options, "-L", "WARNING")
    finally:
        sys.path.remove(str(spiders))


@pytest.fixture(scope="module")
def crawled(site: str, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(spider module folder, exports) of one live crawl of both sites."""
    folder = tmp_path_factory.mktemp("archive")
    spider_module(folder, site, "local_spiders", BROKEN)
    spider_module(folder, site, "local_spiders_fixed", FIXED)
    exports = folder / "live"
    result = scrapy("crawlall", spiders=folder, exports=exports)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return folder, exports


def warcs(exports: Path) -> list[Path]:
    return sorted((exports / "warc").glob("*.warc.gz"))


def test_live_crawl_archives_every_response(crawled: tuple[Path, Path]) -> None:
    _, exports = crawled
    files = warcs(exports)
    assert len(files) == 2  # one per spider, published (no dot-files left)
    assert not list((exports / "warc").glob(".*"))
    uris: dict[str, dict[str, str]] = {}
    for path in files:
        kinds, info = [], ""
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                kinds.append(record.rec_type)
                if record.rec_type == "warcinfo":
                    info = record.content_stream().read().decode()
                if record.rec_type == "response":
                    url = record.rec_headers.get_header("WARC-Target-URI")
                    uris[url] = {k.lower(): v for k, v in record.http_headers.headers}
        assert kinds[0] == "warcinfo"
        assert "software: omskcrawl/" in info and "robots: obey" in info
        assert kinds.count("request") == kinds.count("response")
    paths = {urlsplit(u).path for u in uris}
    assert {"/robots.txt", "/inform/rss", "/gorod/rss"} <= paths
    assert len([p for p in paths if "/news/" in p]) == 4
    # Bytes as received: the gzip coding is kept; no header claims the undone chunking.
    gorod = next(h for u, h in uris.items() if "/gorod/news/" in u)
    assert gorod["content-encoding"] == "gzip"
    assert "transfer-encoding" not in gorod


def test_warcio_accepts_every_file(crawled: tuple[Path, Path]) -> None:
    _, exports = crawled
    for path in warcs(exports):
        check = subprocess.run([WARCIO, "check", "-v", path], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr
        index = subprocess.run([WARCIO, "index", path], capture_output=True, text=True)
        assert index.returncode == 0, index.stderr
        assert index.stdout.count('"response"') >= 2


def test_rows_point_at_their_warc_records(crawled: tuple[Path, Path]) -> None:
    _, exports = crawled
    df = load(exports)
    assert len(df) == 4
    assert set(df["source"]) == {"localinform", "localgorod"}
    for row in df.itertuples():
        with open(exports / "warc" / row.warc_file, "rb") as f:
            (record,) = [
                r
                for r in ArchiveIterator(f)
                if r.rec_headers.get_header("WARC-Record-ID") == row.warc_record_id
            ]
            assert record.rec_headers.get_header("WARC-Target-URI") == row.fetched_url
            date = record.rec_headers.get_header("WARC-Date")
        assert pd.Timestamp(date) == row.crawled_at
        assert str(row.crawled_at.date()) == str(row.crawl_date)
    inform = df[df["source"] == "localinform"]
    assert inform["body"].str.contains("[а-яА-Я]{4}", regex=True).all()
    assert not inform["body"].str.contains("Ð|Ã|Р°Р", regex=True).any()


def test_manifest_lists_files_with_checksums(crawled: tuple[Path, Path]) -> None:
    _, exports = crawled
    (path,) = (exports / "runs").glob("*.json")
    manifest = json.loads(path.read_text("utf-8"))
    kinds = {f["kind"] for f in manifest["files"]}
    assert kinds == {"articles", "warc"}
    for entry in manifest["files"]:
        assert (exports / entry["path"]).stat().st_size == entry["bytes"]
        assert len(entry["sha256"]) == 64
    assert manifest["software"]["omskcrawl"] and manifest["software"]["warcio"]
    assert manifest["settings"]["ROBOTSTXT_OBEY"] is True
    assert manifest["settings"]["OMSKCRAWL_WARC_ENABLED"] is True
    assert manifest["inputs"] == []


def comparable(df: pd.DataFrame) -> pd.DataFrame:
    """Rows without run ids; a story group named by its members, not by its head (the member
    stored first, whose id is `story_id` and URL `duplicate_of`): two sites crawled at once
    store their items in either order."""
    members = df.groupby("story_id")["url"].agg(lambda urls: " ".join(sorted(urls)))
    df = df.assign(story_id=df["story_id"].map(members)).drop(columns=["run_id", "duplicate_of"])
    return df.sort_values("url").reset_index(drop=True)


def test_replay_of_own_warcs_gives_the_same_rows(crawled: tuple[Path, Path]) -> None:
    folder, exports = crawled
    again = folder / "replayed"
    inputs = [str(p) for p in warcs(exports)]
    result = scrapy("replay", *inputs, spiders=folder, exports=again)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    live, replayed = comparable(load(exports)), comparable(load(again))
    pd.testing.assert_frame_equal(live, replayed)
    assert not (again / "warc").exists(), "a replay archives nothing: its inputs are the record"
    (path,) = (again / "runs").glob("*.json")
    manifest = json.loads(path.read_text("utf-8"))
    assert [Path(i["path"]).name for i in manifest["inputs"]] == [Path(p).name for p in inputs]
    assert all(len(i["sha256"]) == 64 for i in manifest["inputs"])
    # The index was kept beside each archive for the next replay.
    assert all(Path(p + ".cdxj").is_file() for p in inputs)


def test_verify_passes_intact_and_fails_on_one_flipped_byte(crawled: tuple[Path, Path]) -> None:
    folder, exports = crawled
    intact = verify(exports)
    assert intact.ok and intact.checked == len(list(exports.rglob("*.parquet"))) + 2
    copy = folder / "tampered"
    shutil.copytree(exports, copy)
    victim = next((copy / "articles").rglob("*.parquet"))
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x01
    victim.write_bytes(bytes(data))
    (copy / "warc" / "stray.warc.gz").write_bytes(b"")
    result = scrapy("verify", str(copy), spiders=folder, exports=copy)
    assert result.returncode == 1, result.stdout + result.stderr
    rel = victim.relative_to(copy).as_posix()
    assert f"changed   {rel}" in result.stdout
    assert "unlisted  warc/stray.warc.gz" in result.stdout


def test_a_parser_fix_replayed_over_the_archive_gives_corrected_rows(
    crawled: tuple[Path, Path],
) -> None:
    folder, exports = crawled
    fixed = folder / "fixed"
    shutil.copytree(exports, fixed)
    inputs = [str(p) for p in warcs(fixed)]
    result = scrapy(
        "replay",
        *inputs,
        "-s",
        "OMSKCRAWL_REVISIT_AFTER_HOURS=0",
        spiders=folder,
        exports=fixed,
        module="local_spiders_fixed",
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    history = load(fixed, latest_versions=False)
    inform = history[history["source"] == "localinform"].sort_values(["url", "version"])
    first, second = inform[inform["version"] == 1], inform[inform["version"] == 2]
    assert len(first) == len(second) == 2
    reviewed = {(f.expected() or {})["body"] for f in pages_of("omskinform")}
    assert set(second["body"]) == reviewed, "the fixed spider gives the reviewed text"
    assert set(first["body"]).isdisjoint(reviewed)
    assert second["run_id"].nunique() == 1 and set(second["run_id"]).isdisjoint(first["run_id"])
    # Same capture, same time: the corrected row is dated by the capture, not by the replay.
    assert second["crawled_at"].tolist() == first["crawled_at"].tolist()
    assert second["warc_record_id"].tolist() == first["warc_record_id"].tolist()
    gorod = history[history["source"] == "localgorod"]
    assert (gorod["version"] == 1).all(), "unchanged extraction: nothing new written"
    latest = load(fixed)
    assert set(latest[latest["source"] == "localinform"]["body"]) == reviewed
    assert verify(fixed).ok
