"""Database engine settings and helpers shared by the CLI and the tests."""
from __future__ import annotations

import time
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DisconnectionError, SQLAlchemyError
from sqlalchemy.pool import Pool

from lms.config import ConfigError

_configured = False

# A pooled connection unused for this long is checked with a round trip before it is handed out.
IDLE_PING_SECONDS = 1.0


def configure_engine_events() -> None:
    """Settings of every new connection; a liveness check for connections that sat idle.

    New connections: SQLite gets its pragmas (WAL, foreign keys, full sync, busy timeout);
    PostgreSQL (psycopg) gets the dumpers of the LRS's typed array parameters
    (xapi/lrs/pg_arrays.py; without them those arrays are still sent, only more slowly).

    The check replaces SQLAlchemy's ``pool_pre_ping``, which pays a round trip on every
    checkout (a sixth of the round trips of a one-statement LRS write). A database restart or a
    connection the server dropped shows up on connections that have been idle, and those are
    the ones checked: a dead one raises DisconnectionError, and the pool replaces it and tries
    again, so the request never sees it. Under load connections are reused within
    milliseconds and are not checked.
    """
    global _configured
    if _configured:
        return
    _configured = True

    @sa.event.listens_for(Pool, "checkin")
    def _remember_checkin(dbapi_connection, connection_record):  # noqa: ANN001
        connection_record.info["lms_checked_in"] = time.monotonic()

    @sa.event.listens_for(Pool, "checkout")
    def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):  # noqa: ANN001
        checked_in = connection_record.info.get("lms_checked_in")
        if checked_in is None or time.monotonic() - checked_in < IDLE_PING_SECONDS:
            return  # new, or used a moment ago
        if not is_alive(dbapi_connection):
            raise DisconnectionError("pooled connection is dead; the pool replaces it")

    @sa.event.listens_for(Engine, "connect")
    def _connection_settings(dbapi_connection, connection_record):  # noqa: ANN001
        module = type(dbapi_connection).__module__
        if module.startswith("psycopg"):
            from xapi.lrs.pg_arrays import register_dumpers

            register_dumpers(dbapi_connection.adapters)
            return
        if not module.startswith("sqlite3"):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


def is_alive(dbapi_connection) -> bool:  # noqa: ANN001
    """One trivial query outside any transaction (psycopg: autocommit for its duration)."""
    restore = getattr(dbapi_connection, "autocommit", None)
    try:
        if restore is False:
            dbapi_connection.autocommit = True
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("SELECT 1")
            cursor.fetchall()
        finally:
            cursor.close()
        if restore is False:
            dbapi_connection.autocommit = False
        return True
    except Exception:  # any driver error means the connection cannot be used
        return False


def migrations_directory() -> Path:
    """The Alembic folder, shipped as the ``migrations`` package so installs carry it."""
    import migrations

    return Path(migrations.__file__).parent


def check_connection(engine: Engine) -> None:
    """Raise ConfigError with one clear line when the database cannot be reached."""
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc) else exc.__class__.__name__
        raise ConfigError(f"cannot reach the database {engine.url.render_as_string(hide_password=True)}: {reason}") from None
