"""WARC: capture of live responses, the replay index, and sample packing.

- `capture.py`: `WarcCaptureMiddleware` writes every live response (request +
  response records, bytes as received) through `writer.RotatingWarcWriter`.
- `index.py`: `WarcIndex`, URL → captures in capture order, kept beside each
  archive as a `.cdxj` file so the next replay starts without reading it.
- `sample.py`: the bundled fixture pages packed into a WARC (`scrapy replay --sample`).

The meta keys below are how the download layer tells the spider about a capture.
"""

from __future__ import annotations

# When the response was fetched (datetime, UTC): the WARC-Date of its capture.
CAPTURED_AT = "omskcrawl_captured_at"
# Where the response is archived: (WARC file name, WARC-Record-ID of its response record).
WARC_RECORD = "omskcrawl_warc_record"
