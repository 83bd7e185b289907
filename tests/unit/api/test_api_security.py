"""The desk's own defences, on the app in process (authentication answers before any route
reaches Elasticsearch or Kafka): security headers, keys given by their digest, the analyst
scope, and failed authentications counted and limited per client address."""

from __future__ import annotations

import hashlib
import warnings

import pytest

from api.deps import FailureLimiter
from api.main import create_app
from config import Settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

RULE = {"id": "r", "name": "r", "query": "flood"}


@pytest.fixture
def client() -> TestClient:
    settings = Settings(
        api_read_keys=["sha256:" + hashlib.sha256(b"reader-key").hexdigest()],
        api_analyst_keys=["analyst-key"],
        api_admin_keys=["admin-key"],
        api_auth_failures_per_minute=3,
    )
    return TestClient(create_app(settings))  # no lifespan: nothing is connected


def test_the_desk_is_served_with_a_strict_content_security_policy(client: TestClient) -> None:
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
    assert "script-src 'self' 'sha256-" in csp  # the one inline script: the import map
    assert page.headers["x-content-type-options"] == "nosniff"
    assert page.headers["referrer-policy"] == "no-referrer"
    assert client.get("/no-such-route").headers["x-frame-options"] == "DENY"


def test_a_key_configured_by_its_digest_opens_its_scope(client: TestClient) -> None:
    ok = client.post("/rules/validate", json=RULE, headers={"X-API-Key": "reader-key"})
    assert ok.status_code == 200
    digest = "sha256:" + hashlib.sha256(b"reader-key").hexdigest()
    assert (
        client.post("/rules/validate", json=RULE, headers={"X-API-Key": digest}).status_code == 401
    )


def test_an_analyst_may_work_alerts_but_not_change_rules(client: TestClient) -> None:
    reader = {"X-API-Key": "reader-key"}
    analyst = {"X-API-Key": "analyst-key"}
    assert client.post("/alerts/a/ack", headers=reader).status_code == 403
    answer = client.put("/rules/r", json=RULE, headers=analyst)
    assert answer.status_code == 403 and "admin" in answer.json()["detail"]
    assert client.delete("/rules/r", headers=analyst).status_code == 403


def test_failed_authentications_are_counted_and_an_address_is_held_off(client: TestClient) -> None:
    for _ in range(3):
        assert (
            client.post("/rules/validate", json=RULE, headers={"X-API-Key": "guess"}).status_code
            == 401
        )
    held = client.post("/rules/validate", json=RULE, headers={"X-API-Key": "admin-key"})
    assert held.status_code == 429 and int(held.headers["retry-after"]) > 0
    counted = client.app.state.auth_failures.labels("invalid")._value.get()  # type: ignore[attr-defined]
    assert counted == 3


def test_the_limiter_forgets_after_a_minute() -> None:
    limiter = FailureLimiter(per_minute=2)
    limiter.failed("10.0.0.1", 0.0)
    limiter.failed("10.0.0.1", 1.0)
    assert limiter.blocked("10.0.0.1", 2.0) == pytest.approx(58.0)
    assert limiter.blocked("10.0.0.2", 2.0) == 0.0  # another address is not held
    assert limiter.blocked("10.0.0.1", 61.5) == 0.0
