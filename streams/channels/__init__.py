"""Delivery channels: a name to a small class (``Channel``), one module each.

``streams.delivery`` runs every kind in ``CHANNELS``; a new kind (Slack, Teams, a templated
JSON webhook) is one module with a ``Channel`` subclass, added here, and its fields accepted by
``processors.alerting.rules.Channel``.
"""

from __future__ import annotations

from streams.channels.base import Channel, PermanentFailure
from streams.channels.email import EmailChannel, email_message
from streams.channels.slack import SlackChannel, slack_body
from streams.channels.webhook import WebhookChannel, sign, webhook_body

__all__ = [
    "CHANNELS",
    "Channel",
    "EmailChannel",
    "PermanentFailure",
    "SlackChannel",
    "WebhookChannel",
    "email_message",
    "sign",
    "slack_body",
    "webhook_body",
]

CHANNELS: dict[str, type[Channel]] = {
    c.kind: c for c in (WebhookChannel, EmailChannel, SlackChannel)
}
