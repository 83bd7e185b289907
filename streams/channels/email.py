"""Email: the alert as a plain-text message over SMTP (``NEWSMON_SMTP_*``)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

from streams.channels.base import Channel, PermanentFailure

__all__ = ["EmailChannel", "email_message"]


def email_message(alert: dict[str, Any], sender: str, to: list[str]) -> EmailMessage:
    """The message for ``alert``: rule, article, what matched, and a digest's titles."""
    article = alert.get("article") or {}
    matched = alert.get("matched") or {}
    message = EmailMessage()
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Subject"] = f"[newsmon] {alert['rule_name']}: {article.get('title') or ''}"[:200]
    message["X-Newsmon-Alert-Id"] = alert["id"]
    lines = [
        f"Rule: {alert['rule_name']} ({alert['rule_id']})",
        f"Article: {article.get('title') or ''}",
        f"Source: {article.get('source') or '-'}   URL: {article.get('url') or '-'}",
    ]
    if matched.get("snippet"):
        lines.append(f"Matched: {matched['snippet']}")
    if matched.get("place"):
        lines.append(
            f"Place: {matched['place'].get('name')} ({matched['place'].get('country_code')})"
        )
    if matched.get("event"):
        event = matched["event"]
        lines.append(f"Event: {event.get('type')}, fatalities {event.get('fatalities')}")
    if alert.get("digest"):
        lines.append(f"Digest of {alert['digest']['count']} articles:")
        lines += [f"  - {i['article'].get('title')}" for i in alert["digest"]["items"][:50]]
    message.set_content("\n".join(lines) + "\n")
    return message


class EmailChannel(Channel):
    kind = "email"

    @staticmethod
    def destination(spec: dict[str, Any]) -> str:
        return ",".join(sorted(spec.get("to", [])))

    async def send(self, alert: dict[str, Any], spec: dict[str, Any], attempt: int) -> int:
        import aiosmtplib

        settings = self.settings
        try:
            await aiosmtplib.send(
                email_message(alert, settings.smtp_from, spec["to"]),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                start_tls=settings.smtp_starttls,
                username=settings.smtp_username,
                password=(
                    settings.smtp_password.get_secret_value() if settings.smtp_password else None
                ),
                timeout=10,
            )
        except aiosmtplib.SMTPRecipientsRefused as exc:
            raise PermanentFailure(f"recipients refused: {exc}") from exc
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ConnectionError(str(exc) or type(exc).__name__) from exc
        return 250
