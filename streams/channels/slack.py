"""Slack: the alert as a message to an incoming webhook (``{"text": ...}`` in Slack's markup).

A Slack incoming webhook takes a JSON POST with the message's ``text``; anything else the alert
carries stays in newsmon (the desk, the alerts index). The POST goes out like a webhook's
(``streams.channels.webhook``): through the outbound guard, with the alert id in a header, the
same retries and the same permanent failures.
"""

from __future__ import annotations

import json
from typing import Any

from streams.channels.webhook import WebhookChannel

__all__ = ["SlackChannel", "slack_body"]


def _escape(text: str) -> str:
    """Slack's three control characters, as its message formatting asks."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def slack_body(alert: dict[str, Any]) -> bytes:
    """One line a desk reads at a glance: rule, article (linked), source and where."""
    article = alert.get("article") or {}
    title = _escape(str(article.get("title") or alert.get("article_id") or "an article"))
    url = article.get("url")
    link = f"<{url}|{title}>" if url else title
    parts = [f"*{_escape(str(alert.get('rule_name') or alert.get('rule_id')))}*: {link}"]
    if article.get("source"):
        parts.append(_escape(str(article["source"])))
    place = (alert.get("matched") or {}).get("place") or {}
    if place.get("name"):
        parts.append(_escape(f"{place['name']} ({place.get('country_code') or '?'})"))
    if alert.get("kind") not in (None, "match"):
        parts.append(_escape(str(alert["kind"])))
    return json.dumps({"text": " · ".join(parts)}, ensure_ascii=False).encode()


class SlackChannel(WebhookChannel):
    kind = "slack"

    def body(self, alert: dict[str, Any]) -> bytes:
        return slack_body(alert)
