"""Grouping of news items that report the same story."""

from omskcrawl.dedup.similarity import (
    DEFAULT_THRESHOLD,
    HeadlineFeatures,
    LexicalEvidence,
    StoryText,
    headline_features,
    headline_similarity,
    headline_vector,
    headline_vectors,
    is_same_story,
    lemmatize,
    lexical_evidence,
    lexical_similarity,
    morph_analyzer,
    same_story,
    story_similarity,
    story_terms,
)

__all__ = [
    "DEFAULT_THRESHOLD",
    "HeadlineFeatures",
    "LexicalEvidence",
    "StoryText",
    "headline_features",
    "headline_similarity",
    "headline_vector",
    "headline_vectors",
    "is_same_story",
    "lemmatize",
    "lexical_evidence",
    "lexical_similarity",
    "morph_analyzer",
    "same_story",
    "story_similarity",
    "story_terms",
]
