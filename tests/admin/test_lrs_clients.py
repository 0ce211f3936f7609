"""Admin pages for LRS credentials: list, create with scopes and origins, rotate (secret once), revoke."""
from __future__ import annotations

import base64
import re

from tests.accounts.factories import login


def _basic(key, secret):
    token = base64.b64encode(f"{key}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {token}", "X-Experience-API-Version": "1.0.3"}


def _secret_page(response):
    body = response.get_data(as_text=True)
    key = re.search(r"<dt>[^<]+</dt><dd><code>([0-9a-f]+)</code></dd>", body).group(1)
    secret = re.search(r'<code class="secret">([^<]+)</code>', body).group(1)
    return key, secret


def _statements_status(client, key, secret):
    return client.get("/xapi/statements", headers=_basic(key, secret)).status_code


def test_create_rotate_revoke_through_the_pages(client, world, db):
    """LRS issue: credentials are listed, revoked and rotated from the admin pages; each action is audited."""
    from lms.accounts.models import AuditLog

    login(client, world.usernames["admin"])
    created = client.post("/admin/lrs-clients", data={"name": "Sở GD&ĐT dashboard",
                                                      "scopes": ["statements/read", "state"],
                                                      "origins": "https://bang.example.vn\n"})
    assert created.status_code == 200 and created.headers["Cache-Control"] == "no-store"
    key, secret = _secret_page(created)
    listing = client.get("/admin/lrs-clients").get_data(as_text=True)
    assert key in listing and "state statements/read" in listing and "https://bang.example.vn" in listing
    assert secret not in listing
    other = client.application.test_client()
    assert _statements_status(other, key, secret) not in (401, 403)

    rotated = client.post(f"/admin/lrs-clients/{key}/rotate")
    same_key, new_secret = _secret_page(rotated)
    assert same_key == key and new_secret != secret
    assert _statements_status(other, key, secret) == 401
    assert _statements_status(other, key, new_secret) not in (401, 403)

    client.post(f"/admin/lrs-clients/{key}/revoke")
    assert _statements_status(other, key, new_secret) == 401
    assert "đã thu hồi" in client.get("/admin/lrs-clients").get_data(as_text=True)

    entries = db.session.query(AuditLog).filter(AuditLog.action.like("lrs_client_%")).order_by(AuditLog.id).all()
    assert [e.action for e in entries] == ["lrs_client_create", "lrs_client_rotate", "lrs_client_revoke"]
    logged = repr([(e.target, e.details) for e in entries])
    assert secret not in logged and new_secret not in logged


def test_bad_origin_and_missing_scope_are_refused(client, world, db):
    from xapi.lrs.models import LrsClient

    login(client, world.usernames["admin"])
    bad_origin = client.post("/admin/lrs-clients", data={"name": "x", "scopes": ["all"],
                                                         "origins": "https://a.example.vn/path"})
    assert "không phải là nguồn dạng" in bad_origin.get_data(as_text=True)
    no_scope = client.post("/admin/lrs-clients", data={"name": "x"})
    assert "Hãy chọn ít nhất một phạm vi quyền." in no_scope.get_data(as_text=True)
    assert db.session.query(LrsClient).count() == 0


def test_rotating_an_unknown_or_revoked_key_is_a_clear_message(client, world, db):
    login(client, world.usernames["admin"])
    response = client.post("/admin/lrs-clients/nosuchkey/rotate", follow_redirects=True)
    assert "Không có thông tin xác thực nào đang hoạt động với khóa này." in response.get_data(as_text=True)


def test_credential_for_a_client_that_puts_profiles_without_precondition(client, world):
    """The "plain profile PUT" box: a 1.0.3 PUT creating a profile without If-None-Match is then
    stored (204) with this credential, while a credential created without the box gets 400."""
    login(client, world.usernames["admin"])
    lenient = _secret_page(client.post("/admin/lrs-clients", data={"name": "LMS tincan", "scopes": ["all"],
                                                                   "bare_profile_put": "y"}))
    strict = _secret_page(client.post("/admin/lrs-clients", data={"name": "LMS khác", "scopes": ["all"]}))
    listing = client.get("/admin/lrs-clients").get_data(as_text=True)
    rows = {key: row for row in listing.split("<tr>") for key in (lenient[0], strict[0]) if key in row}
    assert "cho phép" in rows[lenient[0]] and "từ chối" in rows[strict[0]]
    other = client.application.test_client()
    answers = [other.put("/xapi/agents/profile", json={"a": 1}, headers=_basic(*credential),
                         query_string={"agent": '{"mbox": "mailto:an@example.vn"}', "profileId": profile_id}
                         ).status_code for profile_id, credential in (("p1", lenient), ("p2", strict))]
    assert answers == [204, 400]
