"""Login by username or e-mail, throttling per account and per address, forced first password change."""
from __future__ import annotations

import time

from tests.accounts.factories import PASSWORD, login


def _make_student(db, username="an.nguyen", email=None, must_change=False, password=PASSWORD):
    from lms.accounts import services

    school = services.create_school("Trường A", f"S{username.replace('.', '')}"[:32].upper())
    return services.create_user(username, password, "student", full_name="Nguyễn An", email=email,
                                school=school, must_change_password=must_change)


def test_login_by_username_and_by_email_case_insensitive(client, db):
    """Issue 5: login by username or e-mail and password."""
    _make_student(db, email="An@Example.vn")
    assert login(client, "AN.NGUYEN").status_code == 302
    assert "an.nguyen" in client.get("/account").get_data(as_text=True)
    client.post("/logout")
    assert client.get("/account").status_code == 302
    assert login(client, "an@example.VN").status_code == 302
    assert client.get("/account").status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_message(client, db):
    _make_student(db)
    wrong = login(client, "an.nguyen", "not-the-password")
    unknown = login(client, "nobody-here", "not-the-password")
    assert wrong.status_code == unknown.status_code == 401
    message = "Sai tên đăng nhập, thư điện tử hoặc mật khẩu."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)


def test_password_is_stored_as_argon2id(client, db):
    """Issue 5: passwords hashed with Argon2id."""
    user = _make_student(db)
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash


def test_hash_is_upgraded_when_parameters_change(app, client, db):
    """Rehash at login when the Argon2 parameters changed since the hash was made."""
    from lms.accounts.models import User

    user = _make_student(db)
    old_hash = user.password_hash
    app.config["PASSWORD_HASH_TIME_COST"] = 2
    assert login(client, "an.nguyen").status_code == 302
    db.session.expire_all()
    new_hash = db.session.get(User, user.id).password_hash
    assert new_hash != old_hash and "t=2" in new_hash


def test_deactivated_account_cannot_log_in(client, db):
    from lms.accounts import services

    user = _make_student(db)
    services.set_active(user, False)
    assert login(client, "an.nguyen").status_code == 401


def test_forty_logins_from_one_address_in_a_minute_all_succeed(client, db):
    """Issue 5 acceptance: a lab of forty pupils behind one IP address can all log in within a minute."""
    from lms.accounts import services

    school = services.create_school("Trường Lab", "LAB")
    for number in range(40):
        services.create_user(f"lab{number:02d}", PASSWORD, "student", full_name=f"Học sinh {number}",
                             school=school, must_change_password=False, commit=False)
    db.session.commit()
    started = time.monotonic()
    for number in range(40):
        # a few pupils mistype first, as children do
        if number % 5 == 0:
            assert login(client, f"lab{number:02d}", "oops", REMOTE_ADDR="10.0.0.9").status_code == 401
        response = login(client, f"lab{number:02d}", REMOTE_ADDR="10.0.0.9")
        assert response.status_code == 302, f"login {number} refused"
        client.post("/logout")
    assert time.monotonic() - started < 60


def test_twenty_wrong_passwords_for_one_account_are_refused(client, db):
    """Issue 5 acceptance: twenty wrong passwords for one account are slowed or refused; even the right
    password is refused while the account is locked, and other accounts on the same address still work."""
    from lms.accounts import services

    _make_student(db)
    services.create_user("binh.tran", PASSWORD, "student", full_name="Trần Bình", must_change_password=False)
    statuses = [login(client, "an.nguyen", f"guess-{n}", REMOTE_ADDR="10.0.0.7").status_code for n in range(20)]
    assert statuses[:5] == [401] * 5
    assert statuses[5:] == [429] * 15
    refused = login(client, "an.nguyen", PASSWORD, REMOTE_ADDR="10.0.0.7")
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0
    assert "Bạn đã thử sai quá nhiều lần" in refused.get_data(as_text=True)
    assert login(client, "binh.tran", REMOTE_ADDR="10.0.0.7").status_code == 302


def test_lock_ends_after_its_time(app, client, db):
    from lms.accounts.models import LoginThrottle

    _make_student(db)
    for n in range(6):
        login(client, "an.nguyen", f"guess-{n}")
    assert login(client, "an.nguyen").status_code == 429
    # move the lock into the past, as if the wait were over
    for row in db.session.query(LoginThrottle).filter(LoginThrottle.key.like("user:%")):
        row.locked_until = row.window_started_at
    db.session.commit()
    assert login(client, "an.nguyen").status_code == 302


def test_unknown_names_are_throttled_like_real_accounts(client, db):
    statuses = [login(client, "ghost", f"guess-{n}").status_code for n in range(7)]
    assert statuses == [401] * 5 + [429] * 2


def test_address_limit_stops_spraying_many_accounts(app, client, db):
    """Guessing across many accounts from one address is stopped by the (generous) address limit."""
    app.config["LOGIN_IP_MAX_FAILURES"] = 10
    try:
        statuses = [login(client, f"user{n}", "guess", REMOTE_ADDR="10.9.9.9").status_code for n in range(12)]
        other_address = login(client, "user99", "guess", REMOTE_ADDR="10.9.9.10").status_code
    finally:
        app.config.pop("LOGIN_IP_MAX_FAILURES")
    assert statuses == [401] * 10 + [429] * 2
    assert other_address == 401


def test_first_login_forces_a_new_password(client, db):
    """Issue 5 acceptance: a first login forces a new password; nothing else opens until it is done."""
    _make_student(db, must_change=True)
    response = login(client, "an.nguyen")
    assert response.headers["Location"].endswith("/account/password")
    assert client.get("/classes").headers["Location"].endswith("/account/password")
    assert client.get("/account").headers["Location"].endswith("/account/password")
    page = client.get("/account/password").get_data(as_text=True)
    assert "Đây là lần đăng nhập đầu tiên" in page
    too_short = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "short",
                                                       "confirm": "short"})
    assert too_short.status_code == 200
    same = client.post("/account/password", data={"current_password": PASSWORD, "new_password": PASSWORD,
                                                  "confirm": PASSWORD})
    assert "Mật khẩu mới phải khác mật khẩu hiện tại." in same.get_data(as_text=True)
    done = client.post("/account/password", data={"current_password": PASSWORD, "new_password": "hoa-sen-2026",
                                                  "confirm": "hoa-sen-2026"})
    assert done.status_code == 302
    assert client.get("/account").status_code == 200
    client.post("/logout")
    assert login(client, "an.nguyen", PASSWORD).status_code == 401
    assert login(client, "an.nguyen", "hoa-sen-2026").headers["Location"] == "/"


def test_login_redirects_only_to_local_pages(client, db):
    _make_student(db)
    response = client.post("/login?next=//evil.example/x", data={"identifier": "an.nguyen", "password": PASSWORD})
    assert response.headers["Location"] == "/"
    client.post("/logout")
    response = client.post("/login?next=/classes", data={"identifier": "an.nguyen", "password": PASSWORD})
    assert response.headers["Location"] == "/classes"


def test_login_page_in_both_languages(client, db):
    assert "Tên đăng nhập hoặc thư điện tử" in client.get("/login").get_data(as_text=True)
    assert "Username or e-mail" in client.get("/login?lang=en").get_data(as_text=True)
