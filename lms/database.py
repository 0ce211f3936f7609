"""Database engine settings and helpers shared by the CLI and the tests."""
from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lms.config import ConfigError

_configured = False


def configure_engine_events() -> None:
    """SQLite: WAL journal, foreign keys on, synchronous=FULL, on every new connection."""
    global _configured
    if _configured:
        return
    _configured = True

    @sa.event.listens_for(Engine, "connect")
    def _sqlite_pragmas(dbapi_connection, connection_record):  # noqa: ANN001
        module = type(dbapi_connection).__module__
        if not module.startswith("sqlite3"):
            return
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.close()


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
