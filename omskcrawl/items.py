"""The article item. Its fields mirror `omskcrawl.schema.ARTICLE_SCHEMA` one to one."""

from __future__ import annotations

import scrapy


class ArticleItem(scrapy.Item):
    url = scrapy.Field()
    source = scrapy.Field()
    crawl_date = scrapy.Field()
    fetched_url = scrapy.Field()
    title = scrapy.Field()
    lead = scrapy.Field()
    body = scrapy.Field()
    published_at = scrapy.Field()
    published_raw = scrapy.Field()
    date_source = scrapy.Field()
    modified_at = scrapy.Field()
    authors = scrapy.Field()
    tags = scrapy.Field()
    tag_keys = scrapy.Field()
    section = scrapy.Field()
    image_url = scrapy.Field()
    attachments = scrapy.Field()
    language = scrapy.Field()
    word_count = scrapy.Field()
    content_hash = scrapy.Field()
    version = scrapy.Field()
    previous_hash = scrapy.Field()
    story_id = scrapy.Field()
    duplicate_of = scrapy.Field()
    crawled_at = scrapy.Field()
    run_id = scrapy.Field()
    warc_file = scrapy.Field()
    warc_record_id = scrapy.Field()


class RejectedPage(scrapy.Item):
    """A fetched article page that is no article (empty, binary, soft 404, ...).

    Validation quarantines it with `reason`; it is never written as an article.
    """

    url = scrapy.Field()
    fetched_url = scrapy.Field()
    source = scrapy.Field()
    title = scrapy.Field()
    crawled_at = scrapy.Field()
    warc_file = scrapy.Field()
    warc_record_id = scrapy.Field()
    reason = scrapy.Field()
