"""Sessions for shared lab PCs: cookie flags, short lifetime, logout everywhere, password change ends others."""
from __future__ import annotations

from tests.accounts.factories import PASSWORD, login


def _user(db, username="minh.tran", role="teacher"):
    from lms.accounts import services

    school = services.create_school("Trường B", "TRUONGB")
    return services.create_user(username, PASSWORD, role, full_name="Trần Minh", school=school,
                                must_change_password=False)


def test_session_cookie_is_httponly_samesite_with_short_lifetime(app, client, db):
    """Issue 5: HttpOnly, SameSite cookies with a lifetime of SESSION_MINUTES; not Secure on plain http."""
    _user(db)
    response = login(client, "minh.tran")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # SITE_URL of the tests is http://
    assert "Expires=" in cookie
    assert app.permanent_session_lifetime.total_seconds() == app.config["SESSION_MINUTES"] * 60


def test_secure_cookie_when_site_is_https(tmp_path):
    from lms.config import build_config

    assert build_config(tmp_path, {"SITE_URL": "https://lms.example.vn"}, environ={})["SESSION_COOKIE_SECURE"]


def test_logout_everywhere_ends_every_session(app, db):
    """Issue 5: logout everywhere."""
    _user(db)
    lab_pc, home_pc = app.test_client(), app.test_client()
    login(lab_pc, "minh.tran")
    login(home_pc, "minh.tran")
    assert home_pc.get("/account").status_code == 200
    response = home_pc.post("/account/logout-everywhere")
    assert response.status_code == 302
    assert lab_pc.get("/account").status_code == 302
    assert home_pc.get("/account").status_code == 302
    assert login(lab_pc, "minh.tran").status_code == 302
    assert lab_pc.get("/account").status_code == 200


def test_password_change_ends_the_other_sessions_but_not_this_one(app, db):
    """Issue 5: a password change ends the user's other sessions."""
    _user(db)
    lab_pc, home_pc = app.test_client(), app.test_client()
    login(lab_pc, "minh.tran")
    login(home_pc, "minh.tran")
    changed = home_pc.post("/account/password", data={"current_password": PASSWORD,
                                                      "new_password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert changed.status_code == 302
    assert home_pc.get("/account").status_code == 200
    assert lab_pc.get("/account").status_code == 302


def test_wrong_current_password_changes_nothing(app, client, db):
    from lms.accounts.models import User

    user = _user(db)
    login(client, "minh.tran")
    response = client.post("/account/password", data={"current_password": "nope-nope",
                                                      "new_password": "mat-khau-moi-1", "confirm": "mat-khau-moi-1"})
    assert "Mật khẩu hiện tại không đúng." in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).session_version == 1


def test_deactivation_ends_the_session_at_once(app, client, db):
    from lms.accounts import services
    from lms.accounts.models import User

    user = _user(db)
    login(client, "minh.tran")
    assert client.get("/account").status_code == 200
    services.set_active(db.session.get(User, user.id), False)
    assert client.get("/account").status_code == 302


def test_forged_session_ids_are_refused(app, client, db):
    user = _user(db)
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:99"
    assert client.get("/account").status_code == 302
    with client.session_transaction() as session:
        session["_user_id"] = "garbage"
    assert client.get("/account").status_code == 302


def test_menu_follows_the_role(app, client, db):
    """The main menu shows what the role may use; other features register their own items."""
    from lms.accounts.menu import menu_for

    _user(db, "giaovien.a", "teacher")
    login(client, "giaovien.a")
    body = client.get("/account").get_data(as_text=True)
    assert 'href="/classes"' in body
    assert 'href="/admin/"' not in body
    with app.test_request_context():
        assert menu_for(None) == []
