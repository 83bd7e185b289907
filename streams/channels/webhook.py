"""Webhooks: the alert as a signed JSON POST.

Requests carry ``X-Newsmon-Signature: sha256=<hex>``, the HMAC-SHA256 of the exact body under
the channel's secret (``secret_env`` names an environment variable; else
``NEWSMON_WEBHOOK_SECRET``), and ``X-Newsmon-Alert-Id`` for the receiver's own deduplication.
They go through ``streams.outbound.GuardedClient``: a URL that reaches an internal address
(refused when the rule was saved, and checked again on the address connected to) is refused
for good, never sent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from typing import Any

import aiohttp

from config import Settings
from processors.errors import OutboundRefused
from streams.channels.base import Channel, PermanentFailure

__all__ = ["WebhookChannel", "sign", "webhook_body"]


def sign(secret: bytes, body: bytes) -> str:
    """The value of the ``X-Newsmon-Signature`` header for ``body``."""
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def webhook_body(alert: dict[str, Any]) -> bytes:
    payload = {k: v for k, v in alert.items() if k != "channels"}
    return json.dumps(payload, ensure_ascii=False, sort_keys=True).encode()


def _secret(settings: Settings, spec: dict[str, Any]) -> bytes | None:
    if spec.get("secret_env"):
        value = os.environ.get(spec["secret_env"])
        if value:
            return value.encode()
    if settings.webhook_secret is not None:
        return settings.webhook_secret.get_secret_value().encode()
    return None


class WebhookChannel(Channel):
    kind = "webhook"

    @staticmethod
    def destination(spec: dict[str, Any]) -> str:
        return str(spec.get("url") or "")

    def body(self, alert: dict[str, Any]) -> bytes:
        """What is POSTed (a kind built on webhooks, such as Slack, says it its own way)."""
        return webhook_body(alert)

    async def send(self, alert: dict[str, Any], spec: dict[str, Any], attempt: int) -> int:
        body = self.body(alert)
        headers = {
            "Content-Type": "application/json",
            "User-Agent": "newsmon",
            "X-Newsmon-Alert-Id": alert["id"],
            "X-Newsmon-Attempt": str(attempt),
        }
        secret = _secret(self.settings, spec)
        if secret is not None:
            headers["X-Newsmon-Signature"] = sign(secret, body)
        try:
            response = await self.client.post(spec["url"], data=body, headers=headers)
        except OutboundRefused as exc:  # an internal address: never sent, whatever the retries
            raise PermanentFailure(f"refused: {exc}") from exc
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise ConnectionError(str(exc) or type(exc).__name__) from exc
        if response.status < 300:
            return response.status
        if response.status < 400:  # not followed: the receiver must answer the POST itself
            raise PermanentFailure(f"HTTP {response.status} (redirects are not followed)")
        if 400 <= response.status < 500 and response.status not in (408, 429):
            raise PermanentFailure(f"HTTP {response.status}")
        raise ConnectionError(f"HTTP {response.status}")
