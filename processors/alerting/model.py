"""An alert: the one definition of its shape.

``decisions`` makes them, the agents carry them on the alerts topic and index them
(``decisions.alert_document``: without channels, times as ISO strings), the delivery channels
send them, and the API returns them (``api.models.AlertOut`` adds the desk's triage fields).
A unit test checks that every kind of alert ``decide`` makes has only these fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from processors.articles.model import StoryId

__all__ = ["Alert"]


class Alert(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str = Field(description="stable: the same match, window or digest gives the same id")
    kind: str = Field(description="match, story, story_growth, frequency, spike or digest")
    rule_id: str
    rule_name: str
    article_id: str = Field(description="the article that made the alert fire")
    story: StoryId = None
    article: dict[str, Any] = Field(
        default_factory=dict,
        description="what a reader needs of it: title, url, source, countries, places, entities",
    )
    matched: dict[str, Any] = Field(default_factory=dict, description="why the rule matched")
    fired_at: float = Field(description="Unix time, seconds")
    arrived_at: float | None = Field(None, description="When the article arrived (Unix time)")
    matched_at: float | None = None
    latency_ms: float | None = None
    stages_ms: dict[str, float] | None = Field(
        None, description="where the latency went: queue wait, enrichment, matching, decision"
    )
    channels: list[dict[str, Any]] | None = Field(
        None, description="where to deliver it (on the alerts topic; not in the index)"
    )
    key: str | None = Field(None, description="the throttle or grouping key's value")
    window: dict[str, Any] | None = Field(None, description="an aggregate's window and count")
    digest: dict[str, Any] | None = Field(None, description="a digest's period and its items")
    suppressed: int | None = Field(None, description="matches the throttle held back before it")
    silenced: int | None = Field(None, description="matches silenced since the rule's last alert")
