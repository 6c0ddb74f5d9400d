"""Grouping of news items that report the same story."""

from omskcrawl.dedup.similarity import (
    DEFAULT_THRESHOLD,
    StoryText,
    headline_similarity,
    is_same_story,
    lemmatize,
    morph_analyzer,
    same_story,
    story_similarity,
    story_terms,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "StoryText",
    "headline_similarity",
    "is_same_story",
    "lemmatize",
    "morph_analyzer",
    "same_story",
    "story_similarity",
    "story_terms",
]
