"""The one ArticleLoader: normalizers composed declaratively (itemloaders).

Values are added layer by layer in order of trust (structured data, then site
selectors, then generic extraction); `TakeFirst` keeps the first usable one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from itemloaders.processors import Compose, Identity, MapCompose, TakeFirst
from scrapy.loader import ItemLoader

from omskcrawl.items import ArticleItem
from omskcrawl.normalize import clean_paragraphs, clean_title, collapse_ws, split_tags


def none_if_empty(value: str | None) -> str | None:
    """Drop empty strings so `TakeFirst` moves on to the next layer.

    >>> none_if_empty("  ") is None, none_if_empty(" a ")
    (True, ' a ')
    """
    if value is None or not value.strip():
        return None
    return value


# A headline candidate is cleaned from at most this many characters: cleaning reads it
# several times, and anything this long is no headline (validation quarantines it).
TITLE_SCAN_CHARS = 4096


def title_head(value: str) -> str:
    """The part of a headline candidate worth cleaning (bounded cost per page).

    >>> len(title_head("Омск " * 100_000))
    4096
    """
    return value[:TITLE_SCAN_CHARS]


def site_title(value: str, loader_context: Mapping[str, Any]) -> str | None:
    """`clean_title` with the outlet names the loader was given (`ArticleLoader(outlets=…)`).

    >>> site_title("Куда пойти в выходные? | НГС55", {"outlets": ("НГС55",)})
    'Куда пойти в выходные?'
    >>> site_title("Куда пойти в выходные? | НГС55", {})
    'Куда пойти в выходные? | НГС55'
    """
    return clean_title(value, outlets=tuple(loader_context.get("outlets", ())))


URL_LIKE = re.compile(r"^(?:https?://|www\.)|^[\w.-]+\.(?:ru|com|org|net|рф)(?:/|$)", re.IGNORECASE)


def not_a_url(value: str | None) -> str | None:
    """Drop a link where a name belongs (JSON-LD `author` as the publisher's VK page).

    >>> not_a_url("https://vk.com/omskinform") is None, not_a_url("Иван Петров")
    (True, 'Иван Петров')
    """
    if value is None or URL_LIKE.match(value.strip()):
        return None
    return value


def join_paragraphs(paragraphs: list[str]) -> str | None:
    """Paragraphs separated by one blank line; None when there is no text.

    >>> join_paragraphs(["Первый.", "Второй."])
    'Первый.\\n\\nВторой.'
    >>> join_paragraphs([]) is None
    True
    """
    return "\n\n".join(paragraphs) or None


def unique(values: Iterable[str]) -> list[str]:
    """Keep the first of equal values (case-insensitive, ё = е), in order.

    >>> unique(["Иван Петров", "иван петров", "Пётр Ёлкин", "Петр Елкин"])
    ['Иван Петров', 'Пётр Ёлкин']
    """
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold().replace("ё", "е")
        if key not in seen:
            seen.add(key)
            out.append(value)
    return out


class ArticleLoader(ItemLoader):
    default_item_class = ArticleItem
    default_input_processor = MapCompose(none_if_empty)
    default_output_processor = TakeFirst()

    title_in = MapCompose(title_head, site_title)
    lead_in = MapCompose(collapse_ws, none_if_empty)
    section_in = MapCompose(collapse_ws, none_if_empty)
    body_in = Identity()
    body_out = Compose(clean_paragraphs, join_paragraphs)
    authors_in = MapCompose(collapse_ws, not_a_url, none_if_empty)
    authors_out = Compose(unique)
    tags_in = Identity()
    tags_out = Compose(split_tags)
    attachments_in = Identity()
    attachments_out = Identity()
    tag_keys_in = Identity()
    tag_keys_out = Identity()
    # Values decided elsewhere (dates by `extract/dates.py`, counts computed): as they are.
    published_at_in = modified_at_in = word_count_in = Identity()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Each field's output, until a value is added to it: extraction reads the title, tags
        # and body before `load_item` (to drop a repeated headline, to hash the content), and
        # cleaning a body is the loader's most expensive step.
        self._outputs: dict[str, Any] = {}
        super().__init__(*args, **kwargs)

    def _add_value(self, field_name: str, value: Any) -> None:
        self._outputs.pop(field_name, None)
        super()._add_value(field_name, value)

    def get_output_value(self, field_name: str) -> Any:
        if field_name not in self._outputs:
            self._outputs[field_name] = super().get_output_value(field_name)
        return self._outputs[field_name]
