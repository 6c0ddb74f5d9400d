"""The one schema: the contract between the Parquet writer and every reader.

`ARTICLE_SCHEMA` is the dataset schema as analysts see it. Two of its columns,
`source` and `crawl_date`, are hive partition keys: they live in the directory
names (`source=<name>/crawl_date=YYYY-MM-DD/`), not inside the files, so
`FILE_SCHEMA` is the schema of each Parquet file. `omskcrawl.items.ArticleItem`
declares the same fields; `tests/test_schema.py` keeps the two equal.

Change it on purpose: add a column, bump `SCHEMA_VERSION`, document it in
`docs/schema.md`.
"""

from __future__ import annotations

import pyarrow as pa

# 2: tag_keys; duplicate_of = the first stored item.
# 3: warc_file, warc_record_id; crawl_date = capture date.
SCHEMA_VERSION = "3"

TIMESTAMP = pa.timestamp("us", tz="UTC")

ATTACHMENT = pa.struct([("url", pa.string()), ("text", pa.string())])

PARTITION_COLUMNS = ("source", "crawl_date")

ARTICLE_SCHEMA = pa.schema(
    [
        pa.field("url", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False),
        pa.field("crawl_date", pa.date32(), nullable=False),
        pa.field("fetched_url", pa.string()),
        pa.field("title", pa.string(), nullable=False),
        pa.field("lead", pa.string()),
        pa.field("body", pa.string()),
        pa.field("published_at", TIMESTAMP),
        pa.field("published_raw", pa.string()),
        pa.field("date_source", pa.string()),
        pa.field("modified_at", TIMESTAMP),
        pa.field("authors", pa.list_(pa.string())),
        pa.field("tags", pa.list_(pa.string())),
        pa.field("tag_keys", pa.list_(pa.string())),
        pa.field("section", pa.string()),
        pa.field("image_url", pa.string()),
        pa.field("attachments", pa.list_(ATTACHMENT)),
        pa.field("language", pa.string()),
        pa.field("word_count", pa.int32()),
        pa.field("content_hash", pa.string()),
        pa.field("version", pa.int32()),
        pa.field("previous_hash", pa.string()),
        pa.field("story_id", pa.string()),
        pa.field("duplicate_of", pa.string()),
        pa.field("crawled_at", TIMESTAMP),
        pa.field("run_id", pa.string()),
        pa.field("warc_file", pa.string()),
        pa.field("warc_record_id", pa.string()),
    ],
    metadata={"omskcrawl.schema_version": SCHEMA_VERSION},
)

FILE_SCHEMA = pa.schema(
    [f for f in ARTICLE_SCHEMA if f.name not in PARTITION_COLUMNS],
    metadata=ARTICLE_SCHEMA.metadata,
)

# Items that fail validation: the same columns, all nullable, plus the reason.
QUARANTINE_SCHEMA = pa.schema(
    [f.with_nullable(True) for f in FILE_SCHEMA]
    + [pa.field("source", pa.string()), pa.field("reason", pa.string(), nullable=False)],
    metadata=ARTICLE_SCHEMA.metadata,
)

# What each column means, for `docs/schema.md` and `scrapy report`.
COLUMN_DOCS: dict[str, str] = {
    "url": "Canonical URL of the article (tracking parameters, fragments, amp/print/mobile "
    "variants removed; rel=canonical honoured). One story may have several versions.",
    "source": "Spider name (site), e.g. `omskinform`. Partition key.",
    "crawl_date": "UTC date of `crawled_at`: the day the page was captured. Partition key.",
    "fetched_url": "The URL that was actually fetched, before canonicalisation.",
    "title": "Headline, cleaned: whitespace collapsed, printed-twice headlines kept once, "
    "site-name suffixes and [ФОТО]/[ВИДЕО]/18+ markers removed.",
    "lead": "Standfirst/subtitle, when the page has one.",
    "body": "Article text; paragraphs separated by one blank line; boilerplate removed.",
    "published_at": "Publication time in UTC; null when unknown.",
    "published_raw": "The text or value the publication time was read from.",
    "date_source": "Where published_at came from: jsonld, meta, time, text, url or feed.",
    "modified_at": "Last modification time in UTC, when the page states it.",
    "authors": "Author names as printed (list, possibly empty).",
    "tags": "Tags as displayed, without '#', de-duplicated (list, possibly empty).",
    "tag_keys": "`tags` normalised for counting across outlets, one per tag in the same order: "
    "whitespace collapsed, lower case (casefold), «ё» as «е» («Промышленность» and "
    "«промышленность» → `промышленность`).",
    "section": "Rubric/section as named by the site.",
    "image_url": "Lead image URL (absolute).",
    "attachments": "Linked documents (PDF/DOC/DOCX/XLS/RTF/ZIP): list of {url, text}; "
    "not downloaded.",
    "language": "ISO 639-1 language code of the page (usually `ru`).",
    "word_count": "Number of words in body.",
    "content_hash": "Hash of the normalised title + lead + body; changes when the text does.",
    "version": "1 for the first capture of a URL; n+1 each time its content changed.",
    "previous_hash": "content_hash of the previous version (null for version 1).",
    "story_id": "Id of the story group: the id of its head (its first stored item); rows of "
    "one story on several outlets share it.",
    "duplicate_of": "Canonical URL of the story's head — the first item of the story the "
    "crawler stored — or null for the head itself. Fixed when written, so the files and "
    "`dataset.load` hold the same value; an item published earlier but crawled later points "
    "at the head too (sort a story's rows by `published_at` for the earliest).",
    "crawled_at": "When the page was fetched (UTC); for replayed captures, the capture time.",
    "run_id": "Id of the run that wrote the row (also in the file name and run manifest).",
    "warc_file": "Name of the WARC file (under `exports/warc/` for our captures) holding the "
    "response the row was extracted from; null when WARC capture was off.",
    "warc_record_id": "WARC-Record-ID of that response record (`<urn:uuid:…>`).",
}
