"""Pure normalizers: strings in, values out. No Scrapy, no I/O.

Every other module may use these; they use nothing of the project's.
"""

from __future__ import annotations

from omskcrawl.normalize.dates import parse_date
from omskcrawl.normalize.text import (
    clean_paragraphs,
    clean_title,
    collapse_ws,
    content_hash,
    is_boilerplate,
    split_tags,
    word_count,
)
from omskcrawl.normalize.urls import canonical_url

__all__ = [
    "canonical_url",
    "clean_paragraphs",
    "clean_title",
    "collapse_ws",
    "content_hash",
    "is_boilerplate",
    "parse_date",
    "split_tags",
    "word_count",
]
