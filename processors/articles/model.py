"""The enriched article: the one definition of its shape.

The enrichment (``processors.enrich``) writes it, the agents carry it as JSON, the index stores
it with a few search fields more (``documents.search_document``), and the API returns it
(``api.models`` uses these classes as they are). Every class keeps fields it does not declare
(``extra="allow"``): an article keeps the unknown fields it arrived with, and a document read
back from the index carries its search fields. A unit test checks that the enrichment writes
nothing these classes do not declare, so a new field is added here first.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ArticleEvent", "ArticlePlace", "EnrichedArticle", "Entity", "EventPlace", "Pipeline"]


class _Open(BaseModel):
    """The documented fields, and whatever else the article or document carried."""

    model_config = ConfigDict(extra="allow")


class Entity(_Open):
    text: str
    label: str
    start: int
    end: int
    canonical: str | None = None


class ArticlePlace(_Open):
    name: str
    start: int
    end: int
    lat: float
    lon: float
    country_code: str | None = None
    admin1: str | None = None
    admin1_name: str | None = None
    geonameid: str | None = None
    kind: str | None = None
    confidence: float | None = None
    metonymic: bool = False
    role: str | None = None
    approximate: bool = False  # an unknown name placed at the place that qualifies it
    capital: bool = False  # a national capital (copy filed from one covers the country)
    newsroom: bool = False  # a dateline's place: where the copy was filed


class EventPlace(_Open):
    name: str | None = None  # None: the article's location, no place named
    lat: float
    lon: float
    country_code: str | None = None
    admin1: str | None = None


class ArticleEvent(_Open):
    type: str
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    trigger: str | None = None
    sentence: str | None = None
    start: int | None = None
    end: int | None = None
    actor1: str | None = None
    actor2: str | None = None
    place: EventPlace | None = None
    fatalities: int | None = None
    injured: int | None = None
    arrested: int | None = None
    surrendered: int | None = None
    escaped: int | None = None
    held: int | None = None
    missing: int | None = None
    displaced: int | None = None
    evacuated: int | None = None
    perpetrators: dict[str, int] | None = Field(
        None, description="of the counts, those of the people who did it, where the text says"
    )
    date: str | None = None


class Pipeline(_Open):
    version: str
    model: str


DuplicateOf = Annotated[
    str | None, Field(description="id of the first copy of this story, when this is a later one")
]
StoryId = Annotated[
    str | None,
    Field(description="the story (reports of one happening) the article is in: `/stories`"),
]


class EnrichedArticle(_Open):
    id: str
    title: str | None = None
    body: str | None = None
    text: str = ""
    url: str | None = None
    source: str | None = None
    feed: str | None = None
    published_at: str | None = None
    date: str | None = None  # in the index: published_at, else enriched_at
    language: str | None = None  # as declared by the sender
    lang: str | None = None  # as detected (or declared)
    entities: list[Entity] = []
    places: list[ArticlePlace] = []
    events: list[ArticleEvent] = []
    countries: list[str] = []
    regions: list[str] = []
    location: dict[str, float] | None = None
    # the near-duplicate fingerprint (articles.dedup): for the index, never returned to readers
    fingerprint: dict[str, Any] | None = Field(None, exclude=True)
    duplicate_of: DuplicateOf = None
    story: StoryId = None
    first_seen: str | None = None  # set when first indexed
    enriched_at: str | None = None
    pipeline: Pipeline | None = None
