"""Request and response models of the API: every route declares what it returns."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from processors.alerting.model import Alert
from processors.articles.model import (
    ArticlePlace,
    DuplicateOf,
    EnrichedArticle,
    StoryId,
)

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


# the enriched article is defined once, in processors.articles.model: the API returns it as is
ArticleOut = EnrichedArticle


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
    places: list[ArticlePlace] = []
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


class AlertOut(Alert):
    """An alert (processors.alerting.model) as the desk sees it, with its triage."""

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
