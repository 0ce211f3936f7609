"""SQLite: a statement write polls for the single write lock (xapi/lrs/storage.py).

SQLite's own busy handler sleeps longer and longer between attempts (up to 100 ms), long after
a few-millisecond write has released the lock. A write therefore asks for the lock itself,
every half millisecond, for as long as the connection's busy timeout; then it answers 503.
"""
from __future__ import annotations

import sqlite3
import threading
from contextlib import contextmanager
from typing import Iterator

import pytest
from sqlalchemy.orm import Session

from xapi.lrs import storage
from xapi.lrs.http import ServiceUnavailable


@pytest.fixture()
def lock_holder(db):
    """A second connection to the same SQLite file that holds the write lock until told."""
    if db.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's single write lock (PostgreSQL writers do not wait for each other)")
    holder = sqlite3.connect(db.engine.url.database, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    yield holder
    if holder.in_transaction:
        holder.execute("ROLLBACK")
    holder.close()


@contextmanager
def _session_with_busy_timeout(db, milliseconds: int) -> Iterator[Session]:
    """A session whose pooled connection waits ``milliseconds``; set back before it returns to the pool."""
    session = Session(db.engine)
    raw = storage._raw(session)
    usual = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute(f"PRAGMA busy_timeout = {milliseconds}")
    try:
        yield session
    finally:
        session.rollback()
        raw.execute(f"PRAGMA busy_timeout = {usual}")
        session.close()


def test_a_write_gets_the_lock_as_soon_as_the_holder_commits(db, lock_holder):
    release = threading.Timer(0.3, lambda: lock_holder.execute("COMMIT"))
    with _session_with_busy_timeout(db, 10_000) as session:
        release.start()
        try:
            storage._sqlite_take_write_lock(session)
            raw = storage._raw(session)
            assert not lock_holder.in_transaction  # it waited for the holder, not through it
            assert raw.in_transaction  # and holds the lock now: another writer cannot start
            other = sqlite3.connect(db.engine.url.database, timeout=0)
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
            other.close()
            assert raw.execute("PRAGMA busy_timeout").fetchone()[0] == 10_000  # the connection's own again
        finally:
            release.join()


def test_a_write_that_never_gets_the_lock_is_refused_with_503(db, lock_holder):
    with _session_with_busy_timeout(db, 200) as session:
        with pytest.raises(ServiceUnavailable) as refused:
            storage._sqlite_take_write_lock(session)
        assert refused.value.status == 503 and "busy" in refused.value.message
        assert storage._raw(session).execute("PRAGMA busy_timeout").fetchone()[0] == 200
