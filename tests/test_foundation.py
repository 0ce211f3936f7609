"""The foundation: configuration, start-up, health, languages, errors, security headers."""
from __future__ import annotations

import pytest

from lms.config import ConfigError, build_config, read_environment


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_home_page_is_vietnamese_by_default_and_switches_to_english(client):
    page = client.get("/")
    assert page.status_code == 200
    assert 'lang="vi"' in page.get_data(as_text=True)
    switched = client.get("/lang/en?next=/", follow_redirects=True)
    assert 'lang="en"' in switched.get_data(as_text=True)
    assert "Become a confident digital citizen" in switched.get_data(as_text=True)


def test_language_switch_refuses_offsite_redirect(client):
    response = client.get("/lang/en?next=//evil.example/")
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_404_page_in_both_languages(client, lang):
    response = client.get(f"/no-such-page?lang={lang}")
    assert response.status_code == 404
    body = response.get_data(as_text=True)
    assert f'lang="{lang}"' in body
    expected = "Trang này không tồn tại" if lang == "vi" else "This page does not exist"
    assert expected in body


def test_security_headers_on_pages(client):
    response = client.get("/")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "SAMEORIGIN"


def test_security_headers_keep_a_value_the_view_set_and_add_hsts_on_https(tmp_path):
    from flask import Response

    from lms import create_app

    app = create_app({"TESTING": True, "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "k",
                      "SITE_URL": "https://hoc.example.edu.vn", "DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})

    @app.route("/framed")
    def framed():
        return Response("ok", headers={"x-frame-options": "DENY"})

    response = app.test_client().get("/framed")
    assert response.headers.getlist("X-Frame-Options") == ["DENY"]  # the view's own, not a second one
    assert response.headers["Strict-Transport-Security"] == "max-age=31536000"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_no_hsts_on_plain_http(client):
    assert "Strict-Transport-Security" not in client.get("/").headers


def test_unknown_lms_variable_is_a_clear_error():
    with pytest.raises(ConfigError, match="LMS_DATABSE_URL is not a known setting"):
        read_environment({"LMS_DATABSE_URL": "x"})


def test_wrong_type_is_a_clear_error():
    with pytest.raises(ConfigError, match="LMS_MAIL_PORT: expected a whole number"):
        read_environment({"LMS_MAIL_PORT": "twenty-five"})


def test_default_database_is_sqlite_in_instance_folder(tmp_path):
    config = build_config(tmp_path, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'lms.sqlite3'}"
    assert config["SECRET_KEY_IS_EPHEMERAL"] is True


def test_sqlite_pragmas(app, db):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")
    with db.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2


@pytest.mark.parametrize("lang,expected", [("vi", "Hệ thống gặp sự cố"), ("en", "Something went wrong on our side")])
def test_500_page_in_both_languages(tmp_path, database_url, lang, expected):
    from lms import create_app

    app = create_app({"TESTING": False, "INSTANCE_PATH": str(tmp_path), "DATABASE_URL": database_url,
                      "SECRET_KEY": "x", "PROPAGATE_EXCEPTIONS": False})

    @app.route("/boom")
    def boom():
        raise RuntimeError("broken on purpose")

    response = app.test_client().get(f"/boom?lang={lang}")
    assert response.status_code == 500
    assert expected in response.get_data(as_text=True)


@pytest.mark.parametrize("lang,expected", [("vi", "Bạn không có quyền xem trang này"),
                                           ("en", "You do not have permission to see this page")])
def test_403_page_in_both_languages(client, db, lang, expected):
    from tests.accounts.factories import build_world, login

    world = build_world()
    assert login(client, world.student_username).status_code == 302
    response = client.get(f"/admin/?lang={lang}")
    assert response.status_code == 403
    assert expected in response.get_data(as_text=True)


def test_server_worker_freezes_startup_objects_and_collects_young_objects_less_often():
    """lms/server.py: after start-up each worker freezes what it has built and raises the
    young-generation threshold, so large statement batches are not scanned over and over."""
    import gc

    from lms import server

    before = gc.get_threshold()
    try:
        server.freeze_long_lived_objects()
        assert gc.get_threshold()[0] == server.GC_GEN0_THRESHOLD
        assert gc.get_threshold()[1:] == before[1:]
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
