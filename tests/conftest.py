"""Shared fixtures: an app on SQLite (default) or PostgreSQL (LMS_TEST_DATABASE_URL), client, db.

The schema is built once per test session by running the Alembic migrations (so tests
exercise the real migration chain), and every table is emptied after each test.
"""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from werkzeug.serving import WSGIRequestHandler, make_server

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")


def _reset_postgres_schema(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        connection.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        _reset_postgres_schema(TEST_DATABASE_URL)
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


class FreshContextClient(FlaskClient):
    """Each request runs in its own app context, as in production.

    Without this Flask reuses the test's app context for every request, so ``g``, the
    database session and the locale would leak from one request into the next.
    """

    def open(self, *args, **kwargs):  # noqa: ANN002, ANN003
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture(scope="session")
def app(database_url: str, tmp_path_factory: pytest.TempPathFactory):
    from flask_migrate import upgrade

    from lms import create_app

    instance = tmp_path_factory.mktemp("instance")
    app = create_app({
        "TESTING": True,
        "INSTANCE_PATH": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": "test-secret-key",
        "SITE_URL": "http://lms.test",
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": None,
        # Argon2 at production cost takes ~100 ms a hash; tests need correctness, not cost.
        "PASSWORD_HASH_TIME_COST": 1,
        "PASSWORD_HASH_MEMORY_KIB": 1024,
        "PASSWORD_HASH_PARALLELISM": 1,
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        upgrade()
    yield app


def _all_tables():
    from lms.extensions import db
    from xapi.lrs.models import Base

    tables = list(db.metadata.sorted_tables) + list(Base.metadata.sorted_tables)
    return tables


@pytest.fixture()
def db(app):
    """The Flask-SQLAlchemy handle inside an app context; every table is emptied afterwards."""
    from lms.extensions import db as _db

    with app.app_context():
        yield _db
        _db.session.rollback()
        _db.session.remove()
        _empty_tables(_db.engine)


def _empty_tables(engine: sa.Engine) -> None:
    tables = _all_tables()
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):
                connection.execute(table.delete())


@pytest.fixture()
def client(app, db):
    return app.test_client()


@pytest.fixture()
def runner(app, db):
    return app.test_cli_runner()


@pytest.fixture()
def project_root() -> Path:
    return Path(__file__).resolve().parent.parent


@pytest.fixture()
def world(db):
    """Two schools with their managers, teachers, classes and students (see tests/accounts/factories.py)."""
    from tests.accounts.factories import build_world

    return build_world()


class _QuietHandler(WSGIRequestHandler):
    """Live-server tests send thousands of requests; access log lines would bury the output."""

    def log_request(self, *args, **kwargs) -> None:  # noqa: ANN002, ANN003
        pass


@pytest.fixture()
def live_server(app, db):
    """The application on a real HTTP port of 127.0.0.1 (threaded werkzeug); yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_QuietHandler)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
