"""The bundled sample pages (fixture folders) packed into one WARC, as a live capture would be."""

from __future__ import annotations

from datetime import UTC
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from omskcrawl.fixtures import SAMPLE_ROOT, iter_fixtures


def write_sample_warc(out: Path, root: Path = SAMPLE_ROOT) -> int:
    """Pack every fixture page into one gzipped WARC; returns the record count."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    tmp = out.with_name("." + out.name + ".tmp")
    with open(tmp, "wb") as f:
        writer = WARCWriter(f, gzip=True)
        for fixture in iter_fixtures(root):
            status = int(fixture.meta.get("status", 200))
            headers = list(fixture.headers.items())
            headers.append(("Content-Length", str(len(fixture.body))))
            http = StatusAndHeaders(f"{status} OK", headers, protocol="HTTP/1.1")
            when = fixture.crawl_time.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            record = writer.create_warc_record(
                fixture.url,
                "response",
                payload=BytesIO(fixture.body),
                length=len(fixture.body),  # known: warcio needs no temporary file for the digest
                http_headers=http,
                warc_headers_dict={"WARC-Date": when},
            )
            writer.write_record(record)
            count += 1
    tmp.replace(out)
    return count
