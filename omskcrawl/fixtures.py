"""The fixture model: one recorded page per folder (`meta.json` + page bytes + `expected.json`).

The bundled sample under `omskcrawl/sample/sites/<spider>/<case>/` is both the
test fixtures and the offline demo's pages (see docs/fixtures.md).
`save_fixture` writes such a folder from a real capture (`scrapy savefixture`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes

from omskcrawl.warc import CAPTURED_AT

SAMPLE_ROOT = Path(__file__).parent / "sample" / "sites"


@dataclass(frozen=True)
class Fixture:
    """One recorded page: `meta.json` + the page bytes (+ `expected.json`)."""

    folder: Path
    meta: dict[str, Any]

    @property
    def spider(self) -> str:
        return self.folder.parent.name

    @property
    def name(self) -> str:
        return f"{self.spider}/{self.folder.name}"

    @property
    def url(self) -> str:
        return str(self.meta["url"])

    @property
    def kind(self) -> str:
        return str(self.meta["kind"])

    @property
    def crawl_time(self) -> datetime:
        value = datetime.fromisoformat(self.meta["crawl_time"])
        if value.tzinfo is None:
            raise ValueError(f"{self.folder}: crawl_time needs a zone offset")
        return value

    @property
    def body(self) -> bytes:
        return (self.folder / self.meta.get("file", "page.html")).read_bytes()

    @property
    def headers(self) -> dict[str, str]:
        return dict(self.meta.get("headers", {}))

    def expected(self) -> dict[str, Any] | None:
        path = self.folder / "expected.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else None

    def response(self) -> Response:
        headers = Headers(self.headers)
        cls = responsetypes.from_args(headers=headers, url=self.url, body=self.body)
        request = Request(self.url, meta={CAPTURED_AT: self.crawl_time})
        return cls(
            url=self.url,
            status=int(self.meta.get("status", 200)),
            headers=headers,
            body=self.body,
            request=request,
        )


def iter_fixtures(root: Path = SAMPLE_ROOT) -> Iterator[Fixture]:
    for meta_path in sorted(root.glob("*/*/meta.json")):
        meta = json.loads(meta_path.read_text("utf-8"))
        yield Fixture(meta_path.parent, meta)
