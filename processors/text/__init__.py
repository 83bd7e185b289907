"""Text: from an article's title and body to the clean text everything reads, and the one
query language of search and rules.

``clean`` (HTML to text), ``truecase`` (shouting and title case to ordinary case), ``language``
(which language), ``normalise`` (the folding and stemming search uses), ``query`` (parse once,
run on Elasticsearch or in Python), ``highlight`` (snippets with the matches marked).
"""

from processors.text.clean import article_text, html_to_text, looks_like_html
from processors.text.highlight import snippets
from processors.text.language import detect_language
from processors.text.normalise import fold, norm_terms, normalize_text, place_key, stem, tokens
from processors.text.query import Query, parse_query
from processors.text.truecase import truecase

__all__ = [
    "Query",
    "article_text",
    "detect_language",
    "fold",
    "html_to_text",
    "looks_like_html",
    "norm_terms",
    "normalize_text",
    "parse_query",
    "place_key",
    "snippets",
    "stem",
    "tokens",
    "truecase",
]
