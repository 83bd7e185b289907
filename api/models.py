"""Request and response models of the API: every route declares what it returns."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "AlertOut",
    "AlertsOut",
    "ArticleOut",
    "AssignIn",
    "ErrorOut",
    "FacetBucket",
    "HealthOut",
    "NoteIn",
    "RuleErrorOut",
    "RuleTestOut",
    "RulesOut",
    "SnoozeIn",
    "SearchHitOut",
    "SearchOut",
]


class _Open(BaseModel):
    """Documents from the index: the documented fields, and whatever else an article carried."""

    model_config = ConfigDict(extra="allow")


class EntityOut(_Open):
    text: str
    label: str
    start: int
    end: int
    canonical: str | None = None


class PlaceOut(_Open):
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


class EventOut(_Open):
    type: str
    trigger: str | None = None
    sentence: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    place: dict[str, Any] | None = None
    fatalities: int | None = None
    injured: int | None = None
    arrested: int | None = None
    missing: int | None = None
    displaced: int | None = None
    evacuated: int | None = None
    perpetrators: dict[str, int] | None = Field(
        None, description="of the counts, those of the people who did it, where the text says"
    )
    date: str | None = None


DuplicateOf = Annotated[
    str | None, Field(description="id of the first copy of this story, when this is a later one")
]
StoryId = Annotated[
    str | None,
    Field(description="the story (reports of one happening) the article is in: `/stories`"),
]


class ArticleOut(_Open):
    id: str
    title: str | None = None
    text: str = ""
    url: str | None = None
    source: str | None = None
    published_at: str | None = None
    date: str | None = None
    lang: str | None = None
    entities: list[EntityOut] = []
    places: list[PlaceOut] = []
    events: list[EventOut] = []
    countries: list[str] = []
    regions: list[str] = []
    location: dict[str, float] | None = None
    duplicate_of: DuplicateOf = None
    story: StoryId = None


class SearchHitOut(BaseModel):
    id: str
    score: float | None
    title: str
    source: str | None
    date: str | None
    url: str | None
    segments: list[list[list[Any]]] = Field(
        description="Highlighted snippets: each a list of [text, matched] pairs (render as text)"
    )
    countries: list[str] = []
    event_types: list[str] = []
    places: list[PlaceOut] = []
    events: list[dict[str, Any]] = Field(
        default_factory=list, description="type, place {name, lat, lon, country_code}, counts"
    )
    duplicate_of: DuplicateOf = None
    story: StoryId = None


class FacetBucket(BaseModel):
    value: str
    count: int


class StoryOut(BaseModel):
    id: str = Field(description="the story's id: that of its first article; `/search?story=`")
    title: str = Field(description="the headline of its latest article")
    articles: int = Field(description="articles of the story in the window")
    recent: int = Field(description="of those, in the last `recent` hours")
    growth: float = Field(
        description="articles per hour in the recent hours, less its pace before them"
    )
    breaking: bool = Field(description="growth at or above the `breaking` threshold")
    first: str | None = None
    latest: str | None = None
    sources: list[FacetBucket] = []
    places: list[FacetBucket] = []
    countries: list[FacetBucket] = []
    event_types: list[FacetBucket] = []


class StoriesOut(BaseModel):
    window_hours: float
    recent_hours: float
    breaking: float = Field(description="the growth (articles per hour) that makes a story break")
    stories: list[StoryOut]


class SearchOut(BaseModel):
    total: int
    hits: list[SearchHitOut]
    facets: dict[str, list[FacetBucket]]
    histogram: list[dict[str, Any]]
    next: str | None = Field(None, description="Pass as `after` for the next page")


class AlertOut(_Open):
    id: str
    kind: str
    rule_id: str
    rule_name: str
    article_id: str
    story: StoryId = None
    article: dict[str, Any] = {}
    matched: dict[str, Any] = {}
    fired_at: float = Field(description="Unix time, seconds")
    arrived_at: float | None = Field(None, description="When the article arrived (Unix time)")
    matched_at: float | None = None
    latency_ms: float | None = None
    acknowledged: bool = False
    assignee: str | None = None
    state: str = Field("new", description="new, snoozed (until `snoozed_until`) or acknowledged")
    snoozed_until: float | None = Field(None, description="Unix time")
    acknowledged_by: str | None = None
    note: str | None = Field(None, description="The latest note")
    history: list[dict[str, Any]] = Field(
        default_factory=list,
        description="Every triage action: action, by, at, and note/until/assignee",
    )

    @field_validator("fired_at", "arrived_at", "matched_at", "snoozed_until", mode="before")
    @classmethod
    def _epoch(cls, value: Any) -> Any:
        """The index keeps ISO-8601 times (see ``alert_document``); the API speaks Unix time,
        as the alerts topic and the live stream do."""
        if isinstance(value, str):
            return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
        return value


class AlertsOut(BaseModel):
    data: list[AlertOut]
    count: int
    next: str | None = None
    states: dict[str, int] = Field(
        default_factory=dict, description="Alerts per state under the other filters"
    )


class NoteIn(BaseModel):
    note: str | None = Field(None, max_length=2000)


class AssignIn(NoteIn):
    assignee: str | None = Field(None, max_length=100, description="Empty or null: unassign")


class SnoozeIn(NoteIn):
    model_config = ConfigDict(populate_by_name=True)

    until: datetime | None = Field(None, description="ISO 8601 time to snooze until")
    for_: str | None = Field(None, alias="for", description="Or a duration: 30m, 4h, 2d")


class RulesOut(BaseModel):
    data: list[dict[str, Any]]
    count: int
    invalid: dict[str, str] = {}


class RuleErrorOut(BaseModel):
    detail: str
    errors: list[dict[str, str]]


class RuleTestOut(BaseModel):
    fired: list[dict[str, Any]]
    seen: int


class ErrorOut(BaseModel):
    detail: str


class HealthOut(BaseModel):
    status: str
    kafka: dict[str, Any]
    elasticsearch: dict[str, Any]
    lag: dict[str, int]
    feeds: list[dict[str, Any]]
    rules: int
