"""Delivery channels as a name-to-class mapping (streams/channels), on plain data."""

from __future__ import annotations

import hashlib
import hmac
import json
import typing

from processors.alerting.rules import Channel as RuleChannel
from streams.channels import (
    CHANNELS,
    Channel,
    EmailChannel,
    SlackChannel,
    WebhookChannel,
    email_message,
    sign,
    slack_body,
    webhook_body,
)

ALERT = {
    "id": "a1",
    "rule_id": "floods",
    "rule_name": "Floods",
    "article": {"title": "River bursts its banks", "source": "Wire", "url": "https://x.test/1"},
    "matched": {"place": {"name": "Riverton", "country_code": "XX"}},
    "channels": [{"type": "webhook", "url": "https://hooks.test/desk"}],
}


def test_every_channel_kind_is_a_class_found_by_its_name_and_accepted_by_rules() -> None:
    assert {"webhook": WebhookChannel, "email": EmailChannel, "slack": SlackChannel} == CHANNELS
    assert all(issubclass(c, Channel) and c.kind == name for name, c in CHANNELS.items())
    kinds = typing.get_args(RuleChannel.model_fields["type"].annotation)
    assert set(kinds) == set(CHANNELS)  # a new kind is accepted by the rules too


def test_each_destination_has_its_own_key() -> None:
    assert (
        WebhookChannel.destination({"url": "https://hooks.test/desk"}) == "https://hooks.test/desk"
    )
    assert EmailChannel.destination({"to": ["b@x.test", "a@x.test"]}) == "a@x.test,b@x.test"


def test_the_webhook_body_is_the_alert_without_its_channels_and_is_signed() -> None:
    body = webhook_body(ALERT)
    assert "channels" not in json.loads(body) and json.loads(body)["id"] == "a1"
    expected = hmac.new(b"secret", body, hashlib.sha256).hexdigest()
    assert sign(b"secret", body) == f"sha256={expected}"


def test_the_email_says_rule_article_and_place() -> None:
    message = email_message(ALERT, "newsmon@x.test", ["desk@x.test"])
    assert message["Subject"] == "[newsmon] Floods: River bursts its banks"
    assert message["X-Newsmon-Alert-Id"] == "a1"
    text = message.get_content()
    assert "Rule: Floods (floods)" in text and "Place: Riverton (XX)" in text


def test_the_slack_message_links_the_article_and_says_where_in_slack_markup() -> None:
    text = json.loads(slack_body({**ALERT, "kind": "digest"}))["text"]
    assert text == (
        "*Floods*: <https://x.test/1|River bursts its banks> · Wire · Riverton (XX) · digest"
    )
    hostile = {**ALERT, "article": {"title": "a <b> & c", "url": "https://x.test/2"}}
    assert "<https://x.test/2|a &lt;b&gt; &amp; c>" in json.loads(slack_body(hostile))["text"]
    assert SlackChannel.destination({"url": "https://hooks.test/s"}) == "https://hooks.test/s"


def test_a_slack_channel_needs_a_url_like_a_webhook() -> None:
    assert RuleChannel(type="slack", url="https://hooks.slack.test/T1/B2/x").url
    try:
        RuleChannel(type="slack")
    except ValueError as exc:
        assert "slack channel needs an http(s) `url`" in str(exc)
    else:
        raise AssertionError("a slack channel without a url was accepted")
