"""Articles: what an article is before and after enrichment, apart from its language.

``validation`` (message bytes to a validated article, or the reason why not), ``identity``
(a stable id from the canonical URL), ``feeds`` (RSS, Atom and JSON Feed items as articles),
``dedup`` (near-duplicates), ``stories`` (the articles about one happening), ``documents``
(the Elasticsearch document). The enrichment itself is ``processors.enrich``.
"""

from processors.articles.dedup import Copy, fingerprint, first_copy, similarity
from processors.articles.documents import search_document
from processors.articles.feeds import feed_article, feed_entries, main_text
from processors.articles.identity import article_id, canonical_url
from processors.articles.model import EnrichedArticle
from processors.articles.stories import story_of, story_signature
from processors.articles.validation import REASONS, decode_article, validate_article

__all__ = [
    "REASONS",
    "Copy",
    "EnrichedArticle",
    "article_id",
    "canonical_url",
    "decode_article",
    "feed_article",
    "feed_entries",
    "fingerprint",
    "first_copy",
    "main_text",
    "search_document",
    "similarity",
    "story_of",
    "story_signature",
    "validate_article",
]
