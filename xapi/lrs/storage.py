"""Statement storage: the writer lock, bulk inserts, voiding, and X-Experience-API-Consistent-Through.

Ordering design (why paging never skips and Consistent-Through never lies):

* Every statement write takes one *statement writer lock* that is held until the transaction
  ends: ``pg_advisory_xact_lock`` on PostgreSQL; on SQLite the database write lock, taken by a
  no-op UPDATE (SQLite has one writer at a time anyway). Under the lock the writer reads the
  last ``seq`` and ``stored`` and gives its rows ``seq = last + 1 ...`` and
  ``stored = max(now, last stored + 1 µs)``. Writers are therefore serialised from the
  sequence assignment to the commit, so **seq order is commit order** and ``stored`` never
  decreases with ``seq``: a cursor ``seq > n`` (or ``< n``) can never skip a statement that
  commits later, and since/until map to seq bounds.
* Consistent-Through (Communication §2.1.3.s2.b5) must be a time T such that every statement
  with ``stored <= T`` is already visible, so a consumer that asks ``since=T`` next misses
  nothing. The reader takes the database clock ``t0`` and then checks that no writer holds the
  lock (PostgreSQL: ``pg_try_advisory_lock_shared`` released at once; SQLite: ``BEGIN
  IMMEDIATE`` with no wait, rolled back at once). If none does, any later writer reads the
  clock after ``t0``, so T = t0 - 1 µs. If a writer is in flight, T = the ``stored`` of the
  last committed statement: the writer in flight will get a strictly later ``stored``.
  A write's own response uses the ``stored`` of what it just committed, by the same argument.
"""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable

from sqlalchemy import Connection, String, any_, bindparam, insert, select, text, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from xapi.lrs.models import Statement, StatementAttachment, StatementIndex

# Arbitrary 63-bit constant naming the statement writer lock among PostgreSQL advisory locks.
WRITER_LOCK_KEY = 7_302_115_001
ONE_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

_STATEMENTS = Statement.__table__
_INDEX = StatementIndex.__table__


@dataclass(frozen=True)
class WriteSlot:
    """What the writer lock hands out: the first free seq and the ``stored`` of this write."""

    next_seq: int
    stored: datetime


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def utc(value: datetime) -> datetime:
    """The same instant in UTC; SQLite compares stored times as UTC text, so every bound must be UTC."""
    return aware(value).astimezone(timezone.utc)


def dialect_name(session: Session) -> str:
    return session.connection().dialect.name


def acquire_writer_lock(session: Session) -> WriteSlot:
    """Take the statement writer lock for the rest of the transaction; see the module docstring."""
    if dialect_name(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})
        # A new statement, so a new snapshot: it sees the commit of the previous lock holder.
        row = session.execute(text(
            "SELECT (SELECT seq FROM lrs_statement ORDER BY seq DESC LIMIT 1), "
            "(SELECT stored FROM lrs_statement ORDER BY seq DESC LIMIT 1), clock_timestamp()")).one()
        last_seq, last_stored, now = row
    else:
        # Any write statement makes SQLite take its single write lock (waiting busy_timeout).
        session.execute(text("UPDATE lrs_statement SET seq = seq WHERE 1 = 0"))
        last = session.execute(select(_STATEMENTS.c.seq, _STATEMENTS.c.stored)
                               .order_by(_STATEMENTS.c.seq.desc()).limit(1)).first()
        last_seq, last_stored = (last or (None, None))
        now = datetime.now(timezone.utc)
    stored = aware(now)
    if last_stored is not None:
        stored = max(stored, aware(last_stored) + ONE_MICROSECOND)
    return WriteSlot(next_seq=(last_seq or 0) + 1, stored=stored)


def existing_statements(session: Session, statement_ids: Iterable[str]) -> dict[str, tuple[int, str, bool]]:
    """id -> (seq, body, voiding) of the statements already stored among ``statement_ids``."""
    return lookup(session, statement_ids, with_referrers=False)[0]


def referrers(session: Session, statement_ids: Iterable[str]) -> list[tuple[int, str, str, bool]]:
    """(seq, id, target id, voiding) of stored statements whose object refers to one of the ids."""
    return lookup(session, statement_ids, with_existing=False)[1]


def lookup(session: Session, statement_ids: Iterable[str], with_existing: bool = True,
           with_referrers: bool = True) -> tuple[dict[str, tuple[int, str, bool]], list[tuple[int, str, str, bool]]]:
    """Stored statements among the ids and those referring to them, in one round trip.

    Returns (id -> (seq, body, voiding), [(seq, id, target id, voiding) of referrers]).
    """
    ids = list(statement_ids)
    if not ids:
        return {}, []
    columns = _STATEMENTS.c
    wanted_columns = (columns.statement_id, columns.seq, columns.body, columns.voiding, columns.ref_target)
    # Two selects, not one OR: PostgreSQL would read the whole table for "a IN (..) OR b IN (..)".
    postgres = dialect_name(session) == "postgresql"
    selects = []
    if with_existing:
        selects.append(select(*wanted_columns).where(_one_of(columns.statement_id, ids, postgres)))
    if with_referrers:
        selects.append(select(*wanted_columns).where(_one_of(columns.ref_target, ids, postgres)))
    rows = session.execute(union_all(*selects) if len(selects) > 1 else selects[0])
    wanted = set(ids)
    existing, referring = {}, {}
    for row in rows:  # a row can come from both selects
        if with_existing and row.statement_id in wanted:
            existing[row.statement_id] = (row.seq, row.body, row.voiding)
        if with_referrers and row.ref_target in wanted:
            referring[row.seq] = (row.seq, row.statement_id, row.ref_target, row.voiding)
    return existing, list(referring.values())


def _one_of(column, values: list[str], postgres: bool):
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of thousands."""
    if postgres:
        return column == any_(bindparam(None, value=values, type_=ARRAY(String)))
    return column.in_(values)


def insert_statements(session: Session, rows: list[dict], index_rows: list[dict]) -> None:
    """Bulk-insert statement rows and their filter keys.

    PostgreSQL: COPY, several times faster than row-by-row INSERTs for large batches (it runs
    on the session's own connection, so it is part of the caller's transaction). SQLite: one
    executemany per table.
    """
    if dialect_name(session) == "postgresql":
        _copy_rows(session, _STATEMENTS, rows)
        _copy_rows(session, _INDEX, index_rows)
        return
    if rows:
        session.execute(insert(_STATEMENTS), rows)
    if index_rows:
        session.execute(insert(_INDEX), index_rows)


def _copy_rows(session: Session, table, rows: list[dict]) -> None:
    if not rows:
        return
    columns = [column.name for column in table.columns]
    raw = session.connection().connection.driver_connection
    names = ", ".join(f'"{name}"' for name in columns)
    with raw.cursor() as cursor, cursor.copy(f"COPY {table.name} ({names}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def add_index_keys(session: Session, index_rows: list[dict]) -> None:
    """Insert filter keys that may already exist (keys inherited late through a StatementRef)."""
    if not index_rows:
        return
    if dialect_name(session) == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    session.execute(dialect_insert(_INDEX).on_conflict_do_nothing(), index_rows)


def mark_voided(session: Session, statement_ids: Iterable[str]) -> None:
    """Void stored statements (never a voiding statement: Data §2.3.2.s2.b3)."""
    ids = list(statement_ids)
    if ids:
        session.execute(update(_STATEMENTS).where(_STATEMENTS.c.statement_id.in_(ids),
                                                  _STATEMENTS.c.voiding.is_(False)).values(voided=True))


def store_attachments(session: Session, attachments: dict[str, tuple[str, bytes]]) -> None:
    """Store attachment contents not stored yet (sha2 -> (content type, content))."""
    if not attachments:
        return
    known = set(session.scalars(select(StatementAttachment.sha2)
                                .where(StatementAttachment.sha2.in_(list(attachments)))))
    rows = [{"sha2": sha2, "content_type": content_type, "length": len(content), "content": content,
             "created_at": datetime.now(timezone.utc)}
            for sha2, (content_type, content) in attachments.items() if sha2 not in known]
    if rows:
        session.execute(insert(StatementAttachment), rows)


def load_attachments(session: Session, sha2s: Iterable[str]) -> dict[str, tuple[str, bytes]]:
    """sha2 -> (content type, content) of the stored attachments among ``sha2s``."""
    wanted = list(set(sha2s))
    if not wanted:
        return {}
    rows = session.execute(select(StatementAttachment.sha2, StatementAttachment.content_type,
                                  StatementAttachment.content).where(StatementAttachment.sha2.in_(wanted)))
    return {row.sha2: (row.content_type, row.content) for row in rows}


def consistent_through(session: Session) -> datetime:
    """The Consistent-Through time for a read that starts now (see the module docstring)."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        t0, idle = connection.execute(text(
            "SELECT t0, CASE WHEN pg_try_advisory_lock_shared(:key) "
            "THEN pg_advisory_unlock_shared(:key) ELSE false END "
            "FROM (SELECT clock_timestamp() AS t0 OFFSET 0) AS clock"), {"key": WRITER_LOCK_KEY}).one()
    else:
        t0 = datetime.now(timezone.utc)
        idle = _sqlite_writer_idle(connection)
    if idle:
        return aware(t0) - ONE_MICROSECOND
    last = connection.execute(select(_STATEMENTS.c.stored).order_by(_STATEMENTS.c.seq.desc()).limit(1)).scalar()
    return aware(last) if last is not None else EPOCH


def _sqlite_writer_idle(connection: Connection) -> bool:
    """True when no connection holds the SQLite write lock right now (checked without waiting)."""
    raw = connection.connection.driver_connection
    if raw.in_transaction:
        return False  # this session itself is writing
    timeout = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        raw.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:  # "database is locked": a writer holds the lock
        return False
    else:
        raw.execute("ROLLBACK")
        return True
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout)}")


def last_seq(session: Session) -> int:
    """The highest seq committed and visible now (0 when there is none)."""
    return session.execute(select(_STATEMENTS.c.seq).order_by(_STATEMENTS.c.seq.desc()).limit(1)).scalar() or 0

