"""Statement storage: ordering, the round trips of a write, voiding, Consistent-Through.

Ordering design (why paging never skips and Consistent-Through never lies)
--------------------------------------------------------------------------

Statements are ordered by (``stored``, ``seq``). ``stored`` is what the specification orders
by; ``seq`` is a unique number that breaks ties inside a batch (one ``stored`` per write).

**PostgreSQL: concurrent writers, no global lock.** A write first takes a transaction id
(``pg_current_xact_id()``) and only then reads ``stored = clock_timestamp()``, in the same
statement, so ``stored >= xact_start`` of the writing transaction, which is visible in
``pg_stat_activity`` (with ``backend_xid``) from that moment until it commits. A reader
computes Consistent-Through as ``T = min(t0, oldest xact_start of a transaction holding a
write xid) - 1 µs``, reading ``t0 = clock_timestamp()`` *before* scanning pg_stat_activity.
Every statement with ``stored <= T`` is then committed and visible to the reader's next
snapshot: its writer either still held its xid during the scan (then ``T < xact_start <=
stored``), or had already committed (and is visible), or took its xid after the scan (then
``stored > t0 > T``). So a consumer that uses T as its next ``since`` misses nothing, and a
paging session that freezes its upper bound at ``stored <= T`` reads a set that can no
longer change (except for voiding): keyset paging on (stored, seq) neither skips nor
repeats. Writers never wait for each other, and the commit fsyncs of concurrent writers
are grouped by PostgreSQL. The price: T lags behind "now" by the age of the oldest write
transaction in flight in the database (any write, milliseconds in practice; a long
``idle in transaction`` session with a write holds it back, never makes it wrong), and the
LRS's database role must see its own sessions in pg_stat_activity (always true for one role).

Two concurrent writes whose statements refer to each other (a voiding statement or a
StatementRef arriving while its target is being written) must still see each other, or a
target would stay un-voided. So every write holds an advisory lock until it ends: *shared*
for ordinary writes (they never block each other), *exclusive* for a write that contains a
StatementRef. The exclusive writer waits for the ordinary writes in flight and blocks new
ones only while it runs; StatementRefs are rare, so ordinary writes stay concurrent.

Two writers racing with the same statement id: the insert is ``ON CONFLICT DO NOTHING`` in
statement-id order (no deadlock); the loser learns which ids it did not insert and
:mod:`xapi.lrs.ingest` checks them for equivalence (409 when they differ).

The general write is two steps before the commit: (1) lock, xid, clock and seqs in one
statement, then the existing-id and referrer look-up and the canonical activity/agent rows (a
separate statement, so that its snapshot is taken after the lock is granted); (2) one statement
inserting the statements and their filter keys together, the voiding and canonical updates
(usually none) and the write's own Consistent-Through. The response's Consistent-Through is
read before the commit (the write's own transaction still counts as in flight, so T is just
before its own ``stored``): valid, and without another query after the commit.

**One round trip.** A write whose statements refer to no other statement (nearly all of them)
is one call of the PostgreSQL function ``lrs_insert_new`` (:func:`insert_new`; its SQL is in
migrations/versions/20261129_0005_lrs_insert_new.py). It takes the xid, the shared lock, the
clock and the seqs as step (1) does, checks for stored ids and referrers, reads the activity
rows, and inserts the statements and their keys only if it found no stored id and no referrer.
The database numbers the statements and appends ``stored`` (and the ``timestamp`` the LRS
fills in) to each body, so the worker sends the batch before it knows either. When it found
something it writes nothing, and the write goes the general way from the start.

The agents the statements name are merged into ``lrs_agent`` by the same call (the database
function ``lrs_merge_agents``: a row per agent, its names in the order first seen, the rule of
:func:`xapi.lrs.canonical.plan_writes`), so a learner's first statement needs nothing more.
The general path calls the same function; only SQLite merges them in Python.

A statement without anything else to write is one transaction: an HTTP write (``standalone``
in :func:`xapi.lrs.ingest.ingest_batch`) on a connection outside a transaction, without
attachments, that changes no activity definition. Then the call runs *alone*, in autocommit: no
BEGIN, no COMMIT, one round trip in all instead of four (what that saves is measured in
``docs/content/benchmark.md``, fifth round). Whether it changes an
activity row depends on the stored rows, which the worker predicts from what it last saw of
them (:mod:`xapi.lrs.canonical_memory`); the function checks the prediction (each row stored
with exactly the remembered text) and writes nothing if it was wrong. A write made alone
cannot be rolled back after the call, so if it lost a race for a statement id (a concurrent
writer inserted the id after the look-up) the function raises ``LR409`` and undoes itself,
and the write goes the general way too (``tests/xapi/test_write_round_trips.py``).
Other writes (the LMS's, inside its own transaction; new or changed activity definitions;
attachments) make the same call in a transaction and follow it with the activity rows and
attachments. Rows are locked in one order by every write: statements, agents, activities.

The function's statements are planned once per connection (PL/pgSQL keeps their plans) with
the planner settings of step (1), set on the function itself.

**SQLite: one writer at a time.** A write takes the database write lock first (a no-op
UPDATE), then numbers its statements after the last one with ``stored = max(now, last
stored + 1 µs)``. Consistent-Through: if no connection holds the write lock (checked with
``BEGIN IMMEDIATE`` without waiting), ``t0 - 1 µs``, else the last committed ``stored``.
"""
from __future__ import annotations

import json
import sqlite3
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Iterable, Iterator

from sqlalchemy import Connection, String, any_, bindparam, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from xapi.lrs import canonical_memory
from xapi.lrs.document_models import LrsActivity, LrsAgent
from xapi.lrs.http import ServiceUnavailable
from xapi.lrs.models import Statement, StatementAttachment, StatementIndex
from xapi.lrs.pg_arrays import BigintArray, BooleanArray, TextArray, TimestamptzArray

# Arbitrary 63-bit constant naming the StatementRef lock among PostgreSQL advisory locks.
REF_LOCK_KEY = 7_302_115_001
ONE_MICROSECOND = timedelta(microseconds=1)
EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)

# libpq's PGRES_TUPLES_OK: the query returned rows (psycopg.pq.ExecStatus.TUPLES_OK; psycopg is
# only installed with the postgres extra, so the number is written here).
_TUPLES_OK = 2
# libpq's PQTRANS_IDLE: the connection is outside a transaction (psycopg.pq.TransactionStatus.IDLE).
_IDLE = 0
_STATEMENTS = Statement.__table__
_INDEX = StatementIndex.__table__

# Statement (seq, id, stored, body, voiding) as read back for the equivalence and voiding rules.
StoredRow = tuple[int, str, datetime, str, bool]
# A stored statement whose object refers to another: (seq, stored, id, target id, voiding).
Referrer = tuple[int, datetime, str, str, bool]


@dataclass
class WriteStart:
    """What a write learns in its first round trip."""

    stored: datetime
    seqs: list[int]                                   # one per statement sent, in order
    existing: dict[str, StoredRow]                    # statement id -> its stored row
    referrers: list[Referrer]                         # stored statements referring to the ids
    activities: dict[str, dict | None] = field(default_factory=dict)   # canonical key -> definition
    agents: dict[str, list] = field(default_factory=dict)              # canonical key -> names


@dataclass
class CanonicalWrites:
    """Rows of lrs_activity / lrs_agent to insert (if absent) or update, in key order."""

    activity_inserts: list[dict] = field(default_factory=list)   # key, activity_id, definition, updated
    activity_updates: list[dict] = field(default_factory=list)   # key, definition, updated
    agent_inserts: list[dict] = field(default_factory=list)      # key, ifi, names, updated
    agent_updates: list[dict] = field(default_factory=list)      # key, names, updated

    # Every agent the statements name, (key, IFI, names seen), in key order: on PostgreSQL the
    # database merges them itself (lrs_merge_agents), whatever agent_inserts/updates say.
    agents_seen: list[tuple[str, dict, list[str]]] = field(default_factory=list)

    def changes_activities(self) -> bool:
        return bool(self.activity_inserts or self.activity_updates)

    def activity_texts(self) -> dict[str, str | None]:
        """The texts these writes store in lrs_activity, canonical key -> text."""
        encode = canonical_memory.encode
        return {row["key"]: encode(row["definition"]) for row in self.activity_inserts + self.activity_updates}


@dataclass
class WritePlan:
    """Everything the second round trip of a write stores."""

    rows: list[dict]                          # lrs_statement rows, one per new statement
    index_rows: list[tuple[str, str, int]]    # (kind, value, seq) of the new statements
    stored: datetime
    client_id: int | None
    voided: set[str] = field(default_factory=set)                        # ids to mark voided
    extra_index_rows: list[tuple[str, str, datetime, int]] = field(default_factory=list)
    attachments: dict[str, tuple[str, bytes]] = field(default_factory=dict)
    canonical: CanonicalWrites = field(default_factory=CanonicalWrites)


@dataclass(frozen=True)
class WriteOutcome:
    skipped: set[str]                  # ids another writer inserted first (race): check them
    consistent_through: datetime       # for the response (see the module docstring)


def aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back; everything we store is UTC."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def utc(value: datetime) -> datetime:
    """The same instant in UTC; SQLite compares stored times as UTC text, so every bound must be UTC."""
    return aware(value).astimezone(timezone.utc)


def dialect_name(session: Session) -> str:
    """From the bind: no connection checkout (and no transaction begun) just to ask."""
    return session.get_bind().dialect.name


def begin_write(session: Session, ids: list[str], with_refs: bool, activity_keys: list[str],
                agent_keys: list[str]) -> WriteStart:
    """First round trip of a write: ordering slot, existing ids, referrers, canonical rows."""
    if dialect_name(session) == "postgresql":
        return _pg_begin_write(session, ids, with_refs, activity_keys)
    return _sqlite_begin_write(session, ids, activity_keys, agent_keys)


def finish_write(session: Session, plan: WritePlan) -> WriteOutcome:
    """Second round trip of a write: store everything in ``plan`` (no commit)."""
    if dialect_name(session) == "postgresql":
        return _pg_finish_write(session, plan)
    return _sqlite_finish_write(session, plan)


def writes_in_one_step(session: Session) -> bool:
    """Whether :func:`insert_new` serves writes without StatementRefs (PostgreSQL)."""
    return dialect_name(session) == "postgresql"


def _open_slot(session: Session, count: int, exclusive: bool = False) -> tuple[datetime, list[int]]:
    """PostgreSQL: the advisory lock (shared, or ``exclusive`` for a write with StatementRefs),
    the transaction id, then ``stored`` and ``count`` seqs (see _PG_START)."""
    lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    started, = _run(session, [(_PG_START.format(lock=lock), {"count": count, "key": REF_LOCK_KEY}, False)])
    _, stored, seqs = started[0]
    return stored, sorted(seqs or [])


@dataclass
class NewStatements:
    """A batch for :func:`insert_new`: statements that refer to no other, without seq and stored.

    ``bodies`` lack ``stored`` and, where ``timestamps`` has None, ``timestamp``: the function
    appends both. ``keys`` are (kind, value, position in the batch counted from 1).
    """

    statement_ids: list[str]
    timestamps: list[datetime | None]
    verb_ids: list[str]
    has_attachments: list[bool]
    bodies: list[str]
    keys: list[tuple[str, str, int]]
    client_id: int | None
    activity_keys: list[str]                            # canonical rows to read
    agent_keys: list[str]                               # agents to merge (lrs_merge_agents)
    agent_ifis: list[str]                               # JSON texts
    agent_names: list[str]                              # JSON texts: the names seen in the batch
    expected_activities: list[str | None] | None = None  # stored texts the write requires, per key


@dataclass
class NewAttempt:
    """What :func:`insert_new` read, and whether it wrote."""

    activities: dict[str, str | None]   # canonical key -> stored text
    outcome: WriteOutcome | None        # None: nothing was written (see insert_new)
    alone: bool                         # made alone: committed already


def warm_up_writes(session: Session) -> None:
    """PostgreSQL: run ``lrs_insert_new`` once on an empty batch, then roll back.

    A backend compiles a PL/pgSQL function and plans its statements on the function's first
    call (~5 ms); a worker that does this before its first request answers that request as
    fast as the next ones. Nothing is written: the batch is empty and the transaction is
    rolled back.
    """
    if not writes_in_one_step(session):
        return
    empty = NewStatements(statement_ids=[], timestamps=[], verb_ids=[], has_attachments=[], bodies=[], keys=[],
                          client_id=None, activity_keys=[], agent_keys=[], agent_ifis=[], agent_names=[])
    try:
        insert_new(session, empty, alone_if_possible=False)
    finally:
        session.rollback()


def insert_new(session: Session, batch: NewStatements, alone_if_possible: bool) -> NewAttempt:
    """PostgreSQL: write a batch of statements that refer to no other in one statement
    (the function ``lrs_insert_new``, see "One round trip" above).

    It writes only if no statement is stored under these ids, none refers to them, and, when
    ``batch.expected_activities`` is given, every activity row is stored with exactly that
    text. With the statements it merges the agents' rows (``lrs_merge_agents``).
    ``alone_if_possible``: the caller has nothing else to commit with this write. If the
    session's connection is outside a transaction and the session holds no pending change, the
    statement then runs *alone*, in autocommit: the write is committed when this returns, and a
    concurrent writer of one of the ids undoes it (outcome None). Otherwise it runs in the
    session's transaction, and a race shows in ``outcome.skipped`` as for :func:`finish_write`.
    """
    raw = _raw(session)
    alone = (alone_if_possible and raw.info.transaction_status == _IDLE
             and not (session.new or session.dirty or session.deleted))
    params = {
        "statement_id": TextArray(batch.statement_ids), "timestamp": TimestamptzArray(batch.timestamps),
        "verb_id": TextArray(batch.verb_ids), "has_attachments": BooleanArray(batch.has_attachments),
        "body": TextArray(batch.bodies), "kind": TextArray([key[0] for key in batch.keys]),
        "value": TextArray([key[1] for key in batch.keys]), "position": BigintArray([key[2] for key in batch.keys]),
        "client_id": batch.client_id, "activities": TextArray(batch.activity_keys),
        "expected_activities": None if batch.expected_activities is None else TextArray(batch.expected_activities),
        "agents": TextArray(batch.agent_keys), "agent_ifis": TextArray(batch.agent_ifis),
        "agent_names": TextArray(batch.agent_names), "alone": alone,
    }
    if alone:
        raw.autocommit = True
    try:
        rows, = _run(session, [(_PG_INSERT_NEW, params, False)], raw)
    except Exception as exc:
        if getattr(exc, "sqlstate", None) != RACE_SQLSTATE:
            raise
        rows = None
    finally:
        if alone and raw.info.transaction_status == _IDLE:
            raw.autocommit = False
    if rows is None:  # alone, and a concurrent writer stored one of the ids first: nothing written
        return NewAttempt(activities={}, outcome=None, alone=alone)
    _, _, _, stored, _, _, _, seqs, inserted, through = rows[-1]  # the 'i' row comes last
    attempt = NewAttempt(activities={row[2]: row[4] for row in rows if row[0] == "a"}, outcome=None, alone=alone)
    if inserted is None:  # a statement with one of the ids is stored, or one refers to them
        return attempt
    written = set(inserted)
    skipped = {statement_id for statement_id, seq in zip(batch.statement_ids, seqs) if seq not in written}
    if skipped:  # only in a transaction: the keys of the statements not inserted go again
        orphans = [(kind, value, seqs[position - 1]) for kind, value, position in batch.keys
                   if seqs[position - 1] not in written]
        _run(session, [(_PG_DROP_KEYS, (stored, *[list(column) for column in zip(*orphans)]), False)], raw)
    attempt.outcome = WriteOutcome(skipped=skipped, consistent_through=through - ONE_MICROSECOND)
    return attempt


def write_extras(session: Session, attachments: dict[str, tuple[str, bytes]], writes: CanonicalWrites) -> None:
    """PostgreSQL: attachments and activity rows of a write made by :func:`insert_new` (which
    merged the agents itself)."""
    queries = _pg_attachment_queries(attachments) + _pg_activity_queries(writes)
    if queries:
        _run(session, queries)


# --- PostgreSQL -------------------------------------------------------------------------------

# The xid and the lock come first (a subquery is evaluated before the outer projection),
# then the clock: stored >= xact_start, see the module docstring.
# Three planner settings for the rest of the write transaction only (the LMS writes its
# statements right before it commits, lms/learn/services.py: of its own work only the pending
# row writes, by primary key, are flushed under them):
# - jit off: the estimates for the look-up are far too high when statistics are missing, and
#   compiling it took ~10 ms.
# - force_generic_plan: psycopg prepares these statements after a few uses; with a cached
#   generic plan no write is planned again. Planning each write cost ~0.4 ms of PostgreSQL CPU
#   for one statement and more for larger batches (their arrays are estimated element by element).
# - enable_seqscan off: what makes one generic plan right for every batch size. A generic plan
#   is made once, on the table as it is then (often nearly empty), and kept. Before this, the one
#   kept for the look-up read lrs_statement whole for "statement_id = ANY(...)", comparing each row
#   with every id of the batch: 150-210 ms per batch of 1000 on a table of a few thousand rows,
#   growing with the table (`lms bench lrs`: batches of 1000 fell from ~8,500 to ~4,000
#   statements/s). Every table these statements read has an index on the searched column, and
#   probing it is right for any batch and table size. tests/xapi/test_write_plans.py checks it.
# Against custom plans for batches of 20 or more (the previous choice), three pairs of
# `lms bench lrs` runs gave 493 / 3,064 / 7,589 / 9,560 instead of 428 / 2,210 / 6,903 / 8,591
# statements/s for batches of 1 / 10 / 100 / 1000 (means of three runs each).
_PG_START = (
    "SELECT started.xid, clock_timestamp(), "
    "(SELECT array_agg(nextval('lrs_statement_seq')) FROM generate_series(1, %(count)s::integer)) "
    "FROM (SELECT pg_current_xact_id() AS xid, {lock}(%(key)s::bigint), set_config('jit', 'off', true), "
    "set_config('plan_cache_mode', 'force_generic_plan', true), set_config('enable_seqscan', 'off', true) "
    "OFFSET 0) AS started"
)
# The clock is read before pg_stat_activity is scanned (the subquery runs first), and the
# status snapshot of this transaction is dropped so that the scan is current. The scan reads
# pg_stat_get_activity(NULL), the function under the pg_stat_activity view, without the view's
# joins with pg_database and pg_authid: ~30 µs less of PostgreSQL CPU per call.
_PG_CONSISTENT_THROUGH = (
    "SELECT least(clock.t0, (SELECT min(a.xact_start) FROM pg_stat_get_activity(NULL) AS a "
    "WHERE a.backend_xid IS NOT NULL AND a.datid = (SELECT oid FROM pg_database WHERE datname = current_database()))) "
    "FROM (SELECT clock_timestamp() AS t0, pg_stat_clear_snapshot() OFFSET 0) AS clock"
)
# Everything else the write needs to know, in one statement (taken after the lock is granted,
# so its snapshot sees every write that held the lock before): the statements already stored
# under the ids (s), those that refer to them (r) and the canonical activities (a). Agents are
# not read: the database merges their names (lrs_merge_agents).
# The referrers are probed id by id in the small partial index on ref_target (LATERAL ...
# OFFSET 0): with "ref_target = ANY(...)" a table without statistics (autovacuum off, or not
# yet analysed) was read whole for every batch, 50 ms at 100,000 statements.
_PG_LOOKUP = (
    "SELECT 's', seq, statement_id, stored, body, voiding, ref_target FROM lrs_statement "
    "WHERE statement_id = ANY(%(ids)b::text[]) "
    "UNION ALL SELECT 'r', r.* FROM unnest(%(ids)b::text[]) AS wanted(id) CROSS JOIN LATERAL "
    "(SELECT seq, statement_id, stored, NULL, voiding, ref_target FROM lrs_statement "
    "WHERE ref_target = wanted.id AND ref_target IS NOT NULL OFFSET 0) AS r "
    "UNION ALL SELECT 'a', NULL, key, NULL, definition::text, NULL, NULL FROM lrs_activity "
    "WHERE key = ANY(%(activities)b::text[])"
)
# Statements and their filter keys in one statement; ON CONFLICT covers a concurrent writer
# of the same id (see the module docstring); RETURNING tells which rows went in. Parameters
# are sent in binary (%b): psycopg escapes text arrays with a regular expression per element
# otherwise, which costs more than everything else in a large batch.
_INSERT_STATEMENTS = (
    "INSERT INTO lrs_statement (seq, statement_id, stored, timestamp, verb_id, client_id, "
    "voided, voiding, ref_target, has_attachments, body) "
    "SELECT s.seq, s.statement_id, %(stored)b, s.timestamp, s.verb_id, %(client_id)b, s.voided, s.voiding, "
    "s.ref_target, s.has_attachments, s.body FROM unnest(%(seq)b::bigint[], %(statement_id)b::text[], "
    "%(timestamp)b::timestamptz[], %(verb_id)b::text[], %(voided)b::boolean[], %(voiding)b::boolean[], "
    "%(ref_target)b::text[], %(has_attachments)b::boolean[], %(body)b::text[]) "
    "AS s(seq, statement_id, timestamp, verb_id, voided, voiding, ref_target, has_attachments, body) "
    "ORDER BY s.statement_id ON CONFLICT (statement_id) DO NOTHING RETURNING seq"
)
_INSERT_KEYS = (
    "INSERT INTO lrs_statement_index (kind, value, stored, statement_seq) "
    "SELECT k.kind, k.value, %(stored)b, k.seq FROM unnest(%(kind)b::text[], %(value)b::text[], "
    "%(key_seq)b::bigint[]) AS k(kind, value, seq)"
)
_PG_INSERT = (
    "WITH new AS (" + _INSERT_STATEMENTS + "), keys AS (" + _INSERT_KEYS + ") "
    "SELECT (SELECT array_agg(seq) FROM new), (" + _PG_CONSISTENT_THROUGH + ")"
)
# Writes of statements that refer to no other: the PostgreSQL function lrs_insert_new
# (migrations/versions/20261129_0005_lrs_insert_new.py, "One round trip" above). Every
# parameter has its type, so the prepared call never depends on the first values it saw.
_PG_INSERT_NEW = (
    "SELECT * FROM lrs_insert_new(%(statement_id)b::text[], %(timestamp)b::timestamptz[], %(verb_id)b::text[], "
    "%(has_attachments)b::boolean[], %(body)b::text[], %(kind)b::text[], %(value)b::text[], "
    "%(position)b::bigint[], %(client_id)b::bigint, %(activities)b::text[], %(expected_activities)b::text[], "
    "%(agents)b::text[], %(agent_ifis)b::text[], %(agent_names)b::text[], %(alone)b::boolean)"
)
# The SQLSTATE lrs_insert_new raises when, alone, it lost a race for a statement id.
RACE_SQLSTATE = "LR409"
# The keys are inserted without a join on the statements that went in (cheaper, and no plan
# to get wrong). A statement skipped in a race therefore leaves its keys behind; they are
# deleted with this statement (rare; the keys name exactly those rows).
_PG_DROP_KEYS = (
    "DELETE FROM lrs_statement_index WHERE (kind, value, stored, statement_seq) IN "
    "(SELECT kind, value, %b, seq FROM unnest(%b::text[], %b::text[], %b::bigint[]) AS k(kind, value, seq))"
)
_PG_EXTRA_KEYS = (
    "INSERT INTO lrs_statement_index (kind, value, stored, statement_seq) "
    "SELECT * FROM unnest(%b::text[], %b::text[], %b::timestamptz[], %b::bigint[]) ON CONFLICT DO NOTHING"
)
_PG_VOID = "UPDATE lrs_statement SET voided = true WHERE statement_id = ANY(%s::text[]) AND NOT voiding"
_PG_ATTACHMENTS = (
    "INSERT INTO lrs_attachment (sha2, content_type, length, content, created_at) "
    "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (sha2) DO NOTHING"
)
_PG_ACTIVITY_INSERT = (
    "INSERT INTO lrs_activity (key, activity_id, definition, updated) "
    "SELECT a.key, a.activity_id, a.definition::json, %b FROM unnest(%b::text[], %b::text[], %b::text[]) "
    "AS a(key, activity_id, definition) ORDER BY a.key ON CONFLICT (key) DO NOTHING"
)
_PG_ACTIVITY_UPDATE = "UPDATE lrs_activity SET definition = %s::json, updated = %s WHERE key = %s"
# The agents' rows, by the rule of canonical.plan_writes, in the database (migration 20261129_0005).
_PG_MERGE_AGENTS = "SELECT lrs_merge_agents(%b::text[], %b::text[], %b::text[])"


def _raw(session: Session):
    """The psycopg connection under the session: same connection, same transaction."""
    return session.connection().connection.driver_connection


def _run(session: Session, queries: list[tuple[str, object, bool]], raw=None) -> list[list | None]:  # noqa: ANN001
    """Run (sql, params, many) queries in order on the session's connection (``raw``, the
    psycopg connection under it, if the caller has it already); the rows of each.

    Plain sequential execution: on a local connection a round trip costs ~50 µs, and
    psycopg's pipeline mode measured slower here (more client CPU per query, an extra sync
    after BEGIN), so batching happens in the SQL instead (one INSERT for both tables).
    psycopg prepares each of these fixed statements on the server after a few uses.
    """
    results: list[list | None] = []
    with (raw or _raw(session)).cursor() as cursor:
        for sql, params, many in queries:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            # The result's status, not cursor.description (which builds a Column per field).
            returned_rows = cursor.pgresult is not None and cursor.pgresult.status == _TUPLES_OK
            results.append(cursor.fetchall() if returned_rows else None)
    return results


def _pg_begin_write(session: Session, ids: list[str], with_refs: bool, activity_keys: list[str]) -> WriteStart:
    """The agents' rows are not read: the database merges them (see _pg_agent_queries)."""
    stored, seqs = _open_slot(session, len(ids), exclusive=with_refs)
    found, = _run(session, [(_PG_LOOKUP, {"ids": TextArray(ids), "activities": TextArray(activity_keys)}, False)])
    return _pg_start(stored, seqs, found, ids)


def _pg_start(stored: datetime, seqs: list[int], found: list, ids: list[str]) -> WriteStart:
    """A WriteStart from the rows of _PG_LOOKUP (tag, seq, key, stored, body, voiding, ref_target)."""
    statements = [row[1:] for row in found if row[0] in "sr"]
    existing, referrers = _split_lookup(statements, set(ids))
    start = WriteStart(stored=stored, seqs=seqs, existing=existing, referrers=referrers)
    start.activities = {row[2]: canonical_memory.decode(row[4]) for row in found if row[0] == "a"}
    return start


def _pg_finish_write(session: Session, plan: WritePlan) -> WriteOutcome:
    results = _run(session, [(_PG_INSERT, _pg_insert_params(plan), False)] + _pg_extra_queries(plan))
    inserted_seqs, through = results[0][0]
    return _pg_outcome(session, plan, inserted_seqs, through)


def _pg_extra_queries(plan: WritePlan) -> list[tuple[str, object, bool]]:
    """Voiding, keys gained by earlier statements, attachments and canonical rows of a write."""
    queries: list[tuple[str, object, bool]] = []
    if plan.voided:
        queries.append((_PG_VOID, (sorted(plan.voided),), False))
    if plan.extra_index_rows:
        queries.append((_PG_EXTRA_KEYS, [list(column) for column in zip(*plan.extra_index_rows)], False))
    # Agents before activities: every write locks rows in that order.
    return (queries + _pg_attachment_queries(plan.attachments) + _pg_agent_queries(plan.canonical)
            + _pg_activity_queries(plan.canonical))


def _pg_attachment_queries(attachments: dict[str, tuple[str, bytes]]) -> list[tuple[str, object, bool]]:
    if not attachments:
        return []
    now = datetime.now(timezone.utc)
    return [(_PG_ATTACHMENTS, [(sha2, content_type, len(content), content, now)
                               for sha2, (content_type, content) in sorted(attachments.items())], True)]


def _pg_outcome(session: Session, plan: WritePlan, inserted_seqs: list[int] | None, through: datetime) -> WriteOutcome:
    """The ids another writer inserted first (their keys are dropped again), and Consistent-Through."""
    inserted = set(inserted_seqs or ())
    skipped = {row["statement_id"]: row["seq"] for row in plan.rows if row["seq"] not in inserted}
    if skipped:
        orphans = [key for key in plan.index_rows if key[2] not in inserted]
        _run(session, [(_PG_DROP_KEYS, (plan.stored, *[list(column) for column in zip(*orphans)]), False)])
    return WriteOutcome(skipped=set(skipped), consistent_through=through - ONE_MICROSECOND)


# The array type of each column of _PG_INSERT (see xapi/lrs/pg_arrays.py).
_INSERT_ARRAYS = (("seq", BigintArray), ("statement_id", TextArray), ("timestamp", TimestamptzArray),
                  ("verb_id", TextArray), ("voided", BooleanArray), ("voiding", BooleanArray),
                  ("ref_target", TextArray), ("has_attachments", BooleanArray), ("body", TextArray))


def _pg_insert_params(plan: WritePlan) -> dict:
    params = {name: array([row[name] for row in plan.rows]) for name, array in _INSERT_ARRAYS}
    params.update(stored=plan.stored, client_id=plan.client_id,
                  kind=TextArray([key[0] for key in plan.index_rows]),
                  value=TextArray([key[1] for key in plan.index_rows]),
                  key_seq=BigintArray([key[2] for key in plan.index_rows]))
    return params


def _pg_agent_queries(writes: CanonicalWrites) -> list[tuple[str, object, bool]]:
    """The agents the statements name, merged by the database (lrs_merge_agents)."""
    if not writes.agents_seen:
        return []
    dumps = canonical_memory.encode
    return [(_PG_MERGE_AGENTS, ([key for key, _, _ in writes.agents_seen],
                                [dumps(ifi) for _, ifi, _ in writes.agents_seen],
                                [dumps(names) for _, _, names in writes.agents_seen]), False)]


def _pg_activity_queries(writes: CanonicalWrites) -> list[tuple[str, object, bool]]:
    dumps = canonical_memory.encode
    queries: list[tuple[str, object, bool]] = []
    if writes.activity_inserts:
        rows = writes.activity_inserts
        queries.append((_PG_ACTIVITY_INSERT, (rows[0]["updated"], [r["key"] for r in rows],
                                              [r["activity_id"] for r in rows],
                                              [dumps(r["definition"]) for r in rows]), False))
    if writes.activity_updates:
        queries.append((_PG_ACTIVITY_UPDATE, [(dumps(r["definition"]), r["updated"], r["key"])
                                              for r in writes.activity_updates], True))
    return queries


def _split_lookup(rows: Iterable, wanted: set[str]) -> tuple[dict[str, StoredRow], list[Referrer]]:
    """Rows (seq, id, stored, body, voiding, ref_target) -> (existing by id, referrers)."""
    existing: dict[str, StoredRow] = {}
    referring: dict[int, Referrer] = {}
    for seq, statement_id, stored, body, voiding, target in rows:
        stored = aware(stored)
        if body is not None and statement_id in wanted:
            existing[statement_id] = (seq, statement_id, stored, body, voiding)
        if target in wanted:  # a row can come from both halves of the look-up
            referring[seq] = (seq, stored, statement_id, target, voiding)
    return existing, list(referring.values())


# --- SQLite -----------------------------------------------------------------------------------

# SQLite's own busy handler sleeps 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms between
# attempts at a lock, while a write holds the write lock for a few milliseconds: writers that
# had to wait slept long after it was free (`lms bench lrs`, one statement per request, two
# workers: p95 58 ms, max 1 s, half of the CPU idle). A write asks for the lock without the
# handler, again every WRITE_LOCK_RETRY_SECONDS, for as long as the connection's busy timeout.
WRITE_LOCK_RETRY_SECONDS = 0.0005
WRITE_LOCK_BUSY_MESSAGE = "The database is busy with other writes; try again"


@contextmanager
def _sqlite_without_busy_handler(raw: sqlite3.Connection) -> Iterator[float]:
    """Turn the connection's busy handler off for a moment; yields its timeout in seconds."""
    timeout_ms = raw.execute("PRAGMA busy_timeout").fetchone()[0]
    raw.execute("PRAGMA busy_timeout = 0")
    try:
        yield timeout_ms / 1000
    finally:
        raw.execute(f"PRAGMA busy_timeout = {int(timeout_ms)}")


def _sqlite_take_write_lock(session: Session) -> None:
    """Take SQLite's single write lock for this transaction (any write statement takes it).

    A failed attempt leaves no lock and no read snapshot behind (the transaction has only
    begun), so trying the same statement again is what SQLite's own handler does.
    """
    raw = _raw(session)
    with _sqlite_without_busy_handler(raw) as timeout:
        deadline = time.monotonic() + timeout
        while True:
            try:
                raw.execute("UPDATE lrs_statement SET seq = seq WHERE 1 = 0")
                return
            except sqlite3.OperationalError as exc:
                if getattr(exc, "sqlite_errorname", "SQLITE_BUSY") != "SQLITE_BUSY":
                    raise
                if time.monotonic() >= deadline:
                    raise ServiceUnavailable(WRITE_LOCK_BUSY_MESSAGE) from None
            time.sleep(WRITE_LOCK_RETRY_SECONDS)


# The write's own queries run as plain SQL on the sqlite3 connection under the session (same
# connection, same transaction), as the PostgreSQL path does with psycopg: building and
# compiling them through SQLAlchemy took a third of a one-statement write's worker CPU
# (docs/content/benchmark.md, fifth round). Values are stored exactly as SQLAlchemy stores
# them (datetimes as UTC text with microseconds, booleans as 0/1), so every other query reads
# them unchanged; tests/xapi run the whole suite on SQLite. Ids travel as one JSON array
# parameter (json_each), so each statement's text, and SQLite's prepared statement, is fixed.
_SQLITE_LAST = "SELECT seq, stored FROM lrs_statement ORDER BY seq DESC LIMIT 1"
_SQLITE_LOOKUP = (
    "SELECT seq, statement_id, stored, body, voiding, ref_target FROM lrs_statement "
    "WHERE statement_id IN (SELECT value FROM json_each(?1)) "
    "UNION ALL SELECT seq, statement_id, stored, NULL, voiding, ref_target FROM lrs_statement "
    "WHERE ref_target IS NOT NULL AND ref_target IN (SELECT value FROM json_each(?1))"
)
_SQLITE_ACTIVITIES = "SELECT key, definition FROM lrs_activity WHERE key IN (SELECT value FROM json_each(?))"
_SQLITE_AGENTS = "SELECT key, names FROM lrs_agent WHERE key IN (SELECT value FROM json_each(?))"
_SQLITE_INSERT_STATEMENTS = (
    "INSERT INTO lrs_statement (seq, statement_id, stored, timestamp, verb_id, client_id, voided, voiding, "
    "ref_target, has_attachments, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_SQLITE_INSERT_KEYS = "INSERT INTO lrs_statement_index (kind, value, stored, statement_seq) VALUES (?, ?, ?, ?)"


def _sqlite_time(value: datetime) -> str:
    """A datetime as SQLAlchemy stores it in SQLite (UTC, always six digits of microseconds)."""
    return utc(value).strftime("%Y-%m-%d %H:%M:%S.%f")


def _sqlite_read_time(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=timezone.utc)


def _sqlite_begin_write(session: Session, ids: list[str], activity_keys: list[str],
                        agent_keys: list[str]) -> WriteStart:
    _sqlite_take_write_lock(session)
    raw = _raw(session)
    # Under the lock seq and stored both grow, so the last seq is also the last stored.
    last = raw.execute(_SQLITE_LAST).fetchone()
    stored = datetime.now(timezone.utc)
    if last is not None:
        stored = max(stored, _sqlite_read_time(last[1]) + ONE_MICROSECOND)
    first = (last[0] if last is not None else 0) + 1
    existing, referrers = lookup(session, ids)
    start = WriteStart(stored=stored, seqs=list(range(first, first + len(ids))), existing=existing,
                       referrers=referrers)
    if activity_keys:
        start.activities = {key: canonical_memory.decode(text)
                            for key, text in raw.execute(_SQLITE_ACTIVITIES, (json.dumps(activity_keys),))}
    if agent_keys:
        start.agents = {key: canonical_memory.decode(text)
                        for key, text in raw.execute(_SQLITE_AGENTS, (json.dumps(agent_keys),))}
    return start


def _sqlite_finish_write(session: Session, plan: WritePlan) -> WriteOutcome:
    raw = _raw(session)
    stored_text = _sqlite_time(plan.stored)
    if plan.rows:
        raw.executemany(_SQLITE_INSERT_STATEMENTS, [
            (row["seq"], row["statement_id"], stored_text, _sqlite_time(row["timestamp"]), row["verb_id"],
             plan.client_id, int(row["voided"]), int(row["voiding"]), row["ref_target"],
             int(row["has_attachments"]), row["body"]) for row in plan.rows])
    if plan.index_rows:
        raw.executemany(_SQLITE_INSERT_KEYS, [(kind, value, stored_text, seq) for kind, value, seq in plan.index_rows])
    mark_voided(session, plan.voided)
    if plan.extra_index_rows:
        session.execute(sqlite_insert(_INDEX).on_conflict_do_nothing(),
                        [{"kind": kind, "value": value, "stored": stored, "statement_seq": seq}
                         for kind, value, stored, seq in plan.extra_index_rows])
    store_attachments(session, plan.attachments)
    _sqlite_canonical(session, plan.canonical)
    # One writer at a time: everything stored up to this write is committed with it.
    return WriteOutcome(skipped=set(), consistent_through=plan.stored)


def _sqlite_canonical(session: Session, writes: CanonicalWrites) -> None:
    for model, inserts, updates, column in ((LrsActivity, writes.activity_inserts, writes.activity_updates,
                                             "definition"),
                                            (LrsAgent, writes.agent_inserts, writes.agent_updates, "names")):
        table = model.__table__
        if inserts:
            session.execute(sqlite_insert(model).on_conflict_do_nothing(index_elements=["key"]), inserts)
        if updates:  # one executemany, not a statement per row
            session.execute(update(table).where(table.c.key == bindparam("row_key")),
                            [{"row_key": row["key"], column: row[column], "updated": row["updated"]}
                             for row in updates])


# --- Both databases: look-ups of the rare paths, reads ----------------------------------------

def lookup(session: Session, statement_ids: Iterable[str], with_existing: bool = True,
           with_referrers: bool = True) -> tuple[dict[str, StoredRow], list[Referrer]]:
    """Stored statements among the ids and those referring to them, in one round trip."""
    ids = list(statement_ids)
    if not ids:
        return {}, []
    if dialect_name(session) == "sqlite":  # plain SQL, as the rest of the SQLite write (see above)
        rows = [(seq, statement_id, _sqlite_read_time(stored), body, bool(voiding), target)
                for seq, statement_id, stored, body, voiding, target
                in _raw(session).execute(_SQLITE_LOOKUP, (json.dumps(ids),))]
        existing, referring = _split_lookup(rows, set(ids))
        return (existing if with_existing else {}), (referring if with_referrers else [])
    columns = _STATEMENTS.c
    wanted_columns = (columns.seq, columns.statement_id, columns.stored, columns.body, columns.voiding,
                      columns.ref_target)
    # Two selects, not one OR: PostgreSQL would read the whole table for "a IN (..) OR b IN (..)".
    selects = []
    if with_existing:
        selects.append(select(*wanted_columns).where(_one_of(columns.statement_id, ids)))
    if with_referrers:
        # "IS NOT NULL" lets a prepared (generic) plan use the partial index on ref_target.
        selects.append(select(*wanted_columns).where(columns.ref_target.is_not(None),
                                                     _one_of(columns.ref_target, ids)))
    rows = session.execute(union_all(*selects) if len(selects) > 1 else selects[0])
    existing, referring = _split_lookup(rows, set(ids))
    return (existing if with_existing else {}), (referring if with_referrers else [])


def existing_statements(session: Session, statement_ids: Iterable[str]) -> dict[str, StoredRow]:
    """id -> (seq, id, stored, body, voiding) of the statements already stored among ``statement_ids``."""
    return lookup(session, statement_ids, with_referrers=False)[0]


def referrers(session: Session, statement_ids: Iterable[str]) -> list[Referrer]:
    """(seq, stored, id, target id, voiding) of stored statements whose object refers to one of the ids."""
    return lookup(session, statement_ids, with_existing=False)[1]


def _one_of(column, values: list[str]):
    """PostgreSQL ``column = ANY(array)``: one parameter instead of thousands."""
    return column == any_(bindparam(None, value=values, type_=ARRAY(String)))


def mark_voided(session: Session, statement_ids: Iterable[str]) -> None:
    """Void stored statements (never a voiding statement: Data §2.3.2.s2.b3)."""
    ids = sorted(statement_ids)
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
    """The Consistent-Through time for a read that starts now (see the module docstring).

    Call it before the read's queries, in the same transaction: on PostgreSQL the read's
    next statements then take snapshots after the scan of pg_stat_activity.
    """
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        return aware(connection.exec_driver_sql(_PG_CONSISTENT_THROUGH).scalar()) - ONE_MICROSECOND
    t0 = datetime.now(timezone.utc)
    if _sqlite_writer_idle(connection):
        return t0 - ONE_MICROSECOND
    last = connection.execute(select(_STATEMENTS.c.stored)
                              .order_by(_STATEMENTS.c.stored.desc(), _STATEMENTS.c.seq.desc()).limit(1)).scalar()
    return aware(last) if last is not None else EPOCH


def _sqlite_writer_idle(connection: Connection) -> bool:
    """True when no connection holds the SQLite write lock right now (checked without waiting)."""
    raw = connection.connection.driver_connection
    if raw.in_transaction:
        return False  # this session itself is writing
    with _sqlite_without_busy_handler(raw):
        try:
            raw.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:  # "database is locked": a writer holds the lock
            return False
        raw.execute("ROLLBACK")
        return True
