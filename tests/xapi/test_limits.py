"""Rate and size limits per credential (Communication §3.2.s3.b11-b17): 429 and 413, configurable."""
from __future__ import annotations

import os

import pytest

from tests.xapi.document_helpers import LrsCaller, make_credential, state_params


def test_rate_limit_answers_429_with_retry_after(app, client, db, monkeypatch):
    """§3.2.s3.b13: too many requests from one credential in the window are refused with 429."""
    monkeypatch.setitem(app.config, "LRS_RATE_LIMIT", 3)
    monkeypatch.setitem(app.config, "LRS_RATE_WINDOW_SECONDS", 3600)
    caller = LrsCaller(client, *make_credential(db))
    statuses = [caller.get("/activities/state", state_params(stateId=None)).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = caller.get("/activities/state", state_params(stateId=None))
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many requests" in refused.get_json()["error"]["message"]


def test_rate_limit_is_counted_per_credential(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "LRS_RATE_LIMIT", 1)
    monkeypatch.setitem(app.config, "LRS_RATE_WINDOW_SECONDS", 3600)
    first = LrsCaller(client, *make_credential(db, name="first"))
    second = LrsCaller(client, *make_credential(db, name="second"))
    assert first.get("/activities/state", state_params(stateId=None)).status_code == 200
    assert first.get("/activities/state", state_params(stateId=None)).status_code == 429
    assert second.get("/activities/state", state_params(stateId=None)).status_code == 200


def test_a_credential_can_be_exempted(app, client, db, monkeypatch):
    """§3.2.s3.b17: configurable to accept requests at any reasonable rate (conformance testing)."""
    key, secret = make_credential(db)
    monkeypatch.setitem(app.config, "LRS_RATE_LIMIT", 1)
    monkeypatch.setitem(app.config, "LRS_CLIENT_LIMITS", {key: {"rate": 0}})
    caller = LrsCaller(client, key, secret)
    assert {caller.get("/activities/state", state_params(stateId=None)).status_code for _ in range(5)} == {200}


def test_size_limit_per_credential_answers_413_and_stores_nothing(app, client, db, monkeypatch):
    """§3.2.s3.b11, b12: a document larger than the credential may send is refused with 413."""
    key, secret = make_credential(db)
    monkeypatch.setitem(app.config, "LRS_CLIENT_LIMITS", {key: {"max_bytes": 100}})
    caller = LrsCaller(client, key, secret)
    response = caller.put("/activities/state", state_params(), b"x" * 101, content_type="text/plain")
    assert response.status_code == 413
    assert "100 bytes" in response.get_json()["error"]["message"]
    assert caller.get("/activities/state", state_params()).status_code == 404
    assert caller.put("/activities/state", state_params(), b"x" * 100, content_type="text/plain").status_code == 204


def test_global_size_limit_answers_413(app, client, db, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1000)
    monkeypatch.setitem(app.config, "LRS_MAX_REQUEST_BYTES", 1000)
    caller = LrsCaller(client, *make_credential(db))
    response = caller.put("/activities/state", state_params(), b"y" * 2000, content_type="text/plain")
    assert response.status_code == 413
    assert response.is_json


@pytest.mark.skipif(not os.environ.get("LMS_TEST_REDIS_URL"), reason="needs LMS_TEST_REDIS_URL")
def test_rate_limit_shared_through_redis(app, client, db, monkeypatch):
    """With REDIS_URL the counters are shared by every worker process."""
    import redis

    from xapi.lrs.limits import RedisCounter

    url = os.environ["LMS_TEST_REDIS_URL"]
    monkeypatch.setitem(app.extensions["xapi"], "rate_counter", RedisCounter(url))
    monkeypatch.setitem(app.config, "LRS_RATE_LIMIT", 2)
    monkeypatch.setitem(app.config, "LRS_RATE_WINDOW_SECONDS", 3600)
    key, secret = make_credential(db)
    caller = LrsCaller(client, key, secret)
    statuses = [caller.get("/activities/state", state_params(stateId=None)).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert any(redis.Redis.from_url(url).scan_iter(f"lrs:rate:{key}:*"))
