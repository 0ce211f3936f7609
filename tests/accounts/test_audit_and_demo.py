"""The audit log is append-only and never holds a secret; the demo people can log in at once."""
from __future__ import annotations

import pytest

from tests.accounts.factories import PASSWORD, login


def test_audit_log_refuses_updates_and_deletes(app, db):
    """Issue 5: an append-only audit log (no update or delete path)."""
    from lms.accounts import audit
    from lms.accounts.models import AppendOnlyError, AuditLog

    entry = audit.record(None, "test_action", audit.Origin("10.1.1.1", "pytest"), target="x")
    entry.outcome = "failed"
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    entry = db.session.get(AuditLog, entry.id)
    db.session.delete(entry)
    with pytest.raises(AppendOnlyError):
        db.session.commit()
    db.session.rollback()
    assert db.session.get(AuditLog, entry.id).outcome == "ok"


def test_audit_details_never_keep_secret_keys(app, db):
    from lms.accounts import audit

    entry = audit.record(None, "x", audit.Origin(), details={"password": "p", "new_secret": "s", "role": "teacher"})
    assert entry.details == {"role": "teacher"}


def test_logins_are_audited_with_address_and_agent_without_the_password(client, db):
    from lms.accounts import services
    from lms.accounts.models import AuditLog

    services.create_user("hoa.le", PASSWORD, "teacher", must_change_password=False)
    client.post("/login", data={"identifier": "hoa.le", "password": "wrong-guess"},
                environ_base={"REMOTE_ADDR": "10.2.3.4", "HTTP_USER_AGENT": "LabPC/1"})
    login(client, "hoa.le")
    rows = db.session.query(AuditLog).filter_by(action="login").order_by(AuditLog.id).all()
    assert [(r.outcome, r.target) for r in rows] == [("failed", "hoa.le"), ("ok", "hoa.le")]
    assert rows[0].ip_address == "10.2.3.4" and rows[0].user_agent == "LabPC/1"
    assert rows[1].actor_username == "hoa.le"
    text = repr([(r.details, r.target, r.user_agent) for r in rows])
    assert "wrong-guess" not in text and PASSWORD not in text


def test_demo_people_log_in_directly(app, client, db):
    """The demo logins are printed and work without a forced password change."""
    from lms.accounts.demo import build_demo_people

    people = build_demo_people()
    roles = [login_["role"] for login_ in people["logins"]]
    assert roles.count("student") == 10 and "teacher" in roles and "manager" in roles
    assert len(people["class"].students) == 10
    teacher = next(x for x in people["logins"] if x["role"] == "teacher")
    response = login(client, teacher["username"], teacher["password"])
    assert response.headers["Location"] == "/"
    assert "Lớp 7A" in client.get("/classes").get_data(as_text=True)


def test_first_passwords_are_easy_and_random(app):
    import re

    from lms.accounts.passwords import generate_first_password

    made = {generate_first_password() for _ in range(200)}
    assert len(made) == 200
    assert all(re.fullmatch(r"[bdghkmnprstv][aeu][bdghkmnprstv][aeu][bdghkmnprstv][aeu][bdghkmnprstv][aeu][0-9]{2}",
                            p) for p in made)


def test_first_password_encryption_follows_the_secret_key(app):
    from lms.accounts import passwords

    with app.app_context():
        token = passwords.encrypt_first_password("bekutama47")
        assert "bekutama47" not in token
        assert passwords.decrypt_first_password(token) == "bekutama47"
        saved = app.config["SECRET_KEY"]
        app.config["SECRET_KEY"] = "another-key"
        try:
            assert passwords.decrypt_first_password(token) is None
        finally:
            app.config["SECRET_KEY"] = saved
