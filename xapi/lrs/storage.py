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

A write is two steps before the commit: (1) lock, xid, clock and seqs in one statement, then
the existing-id and referrer look-up and the canonical activity/agent rows (a separate
statement, so that its snapshot is taken after the lock is granted); (2) one statement
inserting the statements and their filter keys together, the voiding and canonical updates
(usually none) and the write's own Consistent-Through. The response's Consistent-Through is
read before the commit (the write's own transaction still counts as in flight, so T is just
before its own ``stored``): valid, and without another query after the commit.

A write whose statements refer to no other statement (nearly all of them) saves a query: after
(1a) the lock, xid, clock and seqs, one statement (``insert_if_new``) makes the look-up and
inserts the statements and their keys only if the look-up finds none of the ids stored and no
statement referring to them; canonical rows follow in another statement only when they change.
When the look-up does find something, that statement wrote nothing and the write goes on with
step (2) as above, using what it found (``tests/xapi/test_write_round_trips.py``).

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

import orjson
from sqlalchemy import Connection, String, any_, bindparam, insert, select, union_all, update
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

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
_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
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
        return _pg_begin_write(session, ids, with_refs, activity_keys, agent_keys)
    return _sqlite_begin_write(session, ids, activity_keys, agent_keys)


def finish_write(session: Session, plan: WritePlan) -> WriteOutcome:
    """Second round trip of a write: store everything in ``plan`` (no commit)."""
    if dialect_name(session) == "postgresql":
        return _pg_finish_write(session, plan)
    return _sqlite_finish_write(session, plan)


def writes_in_one_step(session: Session) -> bool:
    """Whether :func:`open_slot` and :func:`insert_if_new` serve writes without StatementRefs."""
    return dialect_name(session) == "postgresql"


def open_slot(session: Session, count: int, exclusive: bool = False) -> tuple[datetime, list[int]]:
    """PostgreSQL: the advisory lock (shared, or ``exclusive`` for a write with StatementRefs),
    the transaction id, then ``stored`` and ``count`` seqs (see _PG_START)."""
    lock = "pg_advisory_xact_lock" if exclusive else "pg_advisory_xact_lock_shared"
    started, = _run(session, [(_PG_START.format(lock=lock), {"count": count, "key": REF_LOCK_KEY}, False)])
    _, stored, seqs = started[0]
    return stored, sorted(seqs or [])


def insert_if_new(session: Session, plan: WritePlan, seqs: list[int], ids: list[str], activity_keys: list[str],
                  agent_keys: list[str]) -> tuple[WriteStart, WriteOutcome | None]:
    """PostgreSQL: the look-up of :func:`begin_write` and, if it finds no stored statement with
    these ids and none referring to them, the insert of :func:`finish_write` (without
    ``plan.voided``, ``extra_index_rows``, ``attachments`` and ``canonical``: see
    :func:`finish_extras`). Returns what the look-up found, and the outcome (None when nothing
    was written: go on with :func:`finish_write`)."""
    params = _pg_insert_params(plan)
    params.update(ids=TextArray(ids), activities=TextArray(activity_keys), agents=TextArray(agent_keys))
    rows, = _run(session, [(_PG_INSERT_IF_NEW, params, False)])
    found = [row[:7] for row in rows if row[0] != "i"]
    inserted_seqs, through = next(row[7:] for row in rows if row[0] == "i")
    start = _pg_start(plan.stored, seqs, found, ids)
    if start.existing or start.referrers:
        return start, None
    return start, _pg_outcome(session, plan, inserted_seqs, through)


def finish_extras(session: Session, plan: WritePlan) -> None:
    """PostgreSQL: what :func:`insert_if_new` leaves to a second statement (usually nothing)."""
    queries = _pg_extra_queries(plan)
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
# status snapshot of this transaction is dropped so that the scan is current.
_PG_CONSISTENT_THROUGH = (
    "SELECT least(clock.t0, (SELECT min(xact_start) FROM pg_stat_activity "
    "WHERE backend_xid IS NOT NULL AND datname = current_database())) "
    "FROM (SELECT clock_timestamp() AS t0, pg_stat_clear_snapshot() OFFSET 0) AS clock"
)
# Everything else the write needs to know, in one statement (taken after the lock is granted,
# so its snapshot sees every write that held the lock before): the statements already stored
# under the ids (s), those that refer to them (r), the canonical activities (a) and agents (g).
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
    "WHERE key = ANY(%(activities)b::text[]) "
    "UNION ALL SELECT 'g', NULL, key, NULL, names::text, NULL, NULL FROM lrs_agent "
    "WHERE key = ANY(%(agents)b::text[])"
)
# Statements and their filter keys in one statement; ON CONFLICT covers a concurrent writer
# of the same id (see the module docstring); RETURNING tells which rows went in. Parameters
# are sent in binary (%b): psycopg escapes text arrays with a regular expression per element
# otherwise, which costs more than everything else in a large batch. {where} is a condition
# on both inserts (none here, see _PG_INSERT_IF_NEW).
_INSERT_STATEMENTS = (
    "INSERT INTO lrs_statement (seq, statement_id, stored, timestamp, verb_id, client_id, "
    "voided, voiding, ref_target, has_attachments, body) "
    "SELECT s.seq, s.statement_id, %(stored)b, s.timestamp, s.verb_id, %(client_id)b, s.voided, s.voiding, "
    "s.ref_target, s.has_attachments, s.body FROM unnest(%(seq)b::bigint[], %(statement_id)b::text[], "
    "%(timestamp)b::timestamptz[], %(verb_id)b::text[], %(voided)b::boolean[], %(voiding)b::boolean[], "
    "%(ref_target)b::text[], %(has_attachments)b::boolean[], %(body)b::text[]) "
    "AS s(seq, statement_id, timestamp, verb_id, voided, voiding, ref_target, has_attachments, body) "
    "{where}ORDER BY s.statement_id ON CONFLICT (statement_id) DO NOTHING RETURNING seq"
)
_INSERT_KEYS = (
    "INSERT INTO lrs_statement_index (kind, value, stored, statement_seq) "
    "SELECT k.kind, k.value, %(stored)b, k.seq FROM unnest(%(kind)b::text[], %(value)b::text[], "
    "%(key_seq)b::bigint[]) AS k(kind, value, seq) {where}"
)
_PG_INSERT = (
    "WITH new AS (" + _INSERT_STATEMENTS.format(where="") + "), keys AS (" + _INSERT_KEYS.format(where="") + ") "
    "SELECT (SELECT array_agg(seq) FROM new), (" + _PG_CONSISTENT_THROUGH + ")"
)
# A write whose statements refer to no other statement usually finds nothing in the look-up
# but canonical rows. For it, the look-up and the insert are one statement: the insert (and
# its keys) happens only if no statement with these ids is stored and none refers to them
# ("clear"); otherwise nothing is written and the write goes on as above with what the
# look-up found. All parts of one statement see the same snapshot, taken after the lock of
# _PG_START was granted. One round trip less for nearly every write.
_PG_INSERT_IF_NEW = (
    "WITH found (tag, seq, key, stored, body, voiding, ref_target) AS (" + _PG_LOOKUP + "), "
    "clear AS (SELECT NOT EXISTS (SELECT 1 FROM found WHERE tag IN ('s', 'r')) AS ok), "
    "new AS (" + _INSERT_STATEMENTS.format(where="WHERE (SELECT ok FROM clear) ") + "), "
    "keys AS (" + _INSERT_KEYS.format(where="WHERE (SELECT ok FROM clear)") + ") "
    "SELECT found.*, NULL::bigint[], NULL::timestamptz FROM found UNION ALL "
    "SELECT 'i', NULL, NULL, NULL, NULL, NULL, NULL, (SELECT array_agg(seq) FROM new), (" + _PG_CONSISTENT_THROUGH + ")"
)
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
_PG_AGENT_INSERT = (
    "INSERT INTO lrs_agent (key, ifi, names, updated) "
    "SELECT a.key, a.ifi::json, a.names::json, %b FROM unnest(%b::text[], %b::text[], %b::text[]) "
    "AS a(key, ifi, names) ORDER BY a.key ON CONFLICT (key) DO NOTHING"
)
_PG_AGENT_UPDATE = "UPDATE lrs_agent SET names = %s::json, updated = %s WHERE key = %s"


def _raw(session: Session):
    """The psycopg connection under the session: same connection, same transaction."""
    return session.connection().connection.driver_connection


def _run(session: Session, queries: list[tuple[str, object, bool]]) -> list[list | None]:
    """Run (sql, params, many) queries in order on the session's connection; the rows of each.

    Plain sequential execution: on a local connection a round trip costs ~50 µs, and
    psycopg's pipeline mode measured slower here (more client CPU per query, an extra sync
    after BEGIN), so batching happens in the SQL instead (one INSERT for both tables).
    psycopg prepares each of these fixed statements on the server after a few uses.
    """
    results: list[list | None] = []
    with _raw(session).cursor() as cursor:
        for sql, params, many in queries:
            if many:
                cursor.executemany(sql, params)
            else:
                cursor.execute(sql, params)
            # The result's status, not cursor.description (which builds a Column per field).
            returned_rows = cursor.pgresult is not None and cursor.pgresult.status == _TUPLES_OK
            results.append(cursor.fetchall() if returned_rows else None)
    return results


def _pg_begin_write(session: Session, ids: list[str], with_refs: bool, activity_keys: list[str],
                    agent_keys: list[str]) -> WriteStart:
    stored, seqs = open_slot(session, len(ids), exclusive=with_refs)
    found, = _run(session, [(_PG_LOOKUP, {"ids": TextArray(ids), "activities": TextArray(activity_keys),
                                          "agents": TextArray(agent_keys)}, False)])
    return _pg_start(stored, seqs, found, ids)


def _pg_start(stored: datetime, seqs: list[int], found: list, ids: list[str]) -> WriteStart:
    """A WriteStart from the rows of _PG_LOOKUP (tag, seq, key, stored, body, voiding, ref_target)."""
    statements = [row[1:] for row in found if row[0] in "sr"]
    existing, referrers = _split_lookup(statements, set(ids))
    start = WriteStart(stored=stored, seqs=seqs, existing=existing, referrers=referrers)
    start.activities = {row[2]: _json_or_none(row[4]) for row in found if row[0] == "a"}
    start.agents = {row[2]: _json_or_none(row[4]) for row in found if row[0] == "g"}
    return start


def _json_or_none(text_value: str | None):
    if text_value is None:
        return None
    try:
        return orjson.loads(text_value)
    except orjson.JSONDecodeError:  # an integer beyond 64 bits: the standard parser keeps it exact
        return json.loads(text_value)


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
    if plan.attachments:
        now = datetime.now(timezone.utc)
        queries.append((_PG_ATTACHMENTS, [(sha2, content_type, len(content), content, now)
                                          for sha2, (content_type, content) in sorted(plan.attachments.items())],
                        True))
    return queries + _pg_canonical_queries(plan.canonical)


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


def _pg_canonical_queries(writes: CanonicalWrites) -> list[tuple[str, object, bool]]:
    def dumps(value) -> str | None:
        return None if value is None else _JSON.encode(value)

    queries: list[tuple[str, object, bool]] = []
    if writes.activity_inserts:
        rows = writes.activity_inserts
        queries.append((_PG_ACTIVITY_INSERT, (rows[0]["updated"], [r["key"] for r in rows],
                                              [r["activity_id"] for r in rows],
                                              [dumps(r["definition"]) for r in rows]), False))
    if writes.activity_updates:
        queries.append((_PG_ACTIVITY_UPDATE, [(dumps(r["definition"]), r["updated"], r["key"])
                                              for r in writes.activity_updates], True))
    if writes.agent_inserts:
        rows = writes.agent_inserts
        queries.append((_PG_AGENT_INSERT, (rows[0]["updated"], [r["key"] for r in rows],
                                           [dumps(r["ifi"]) for r in rows], [dumps(r["names"]) for r in rows]),
                        False))
    if writes.agent_updates:
        queries.append((_PG_AGENT_UPDATE, [(dumps(r["names"]), r["updated"], r["key"])
                                           for r in writes.agent_updates], True))
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


def _sqlite_begin_write(session: Session, ids: list[str], activity_keys: list[str],
                        agent_keys: list[str]) -> WriteStart:
    _sqlite_take_write_lock(session)
    # Under the lock seq and stored both grow, so the last seq is also the last stored.
    last = session.execute(select(_STATEMENTS.c.seq, _STATEMENTS.c.stored)
                           .order_by(_STATEMENTS.c.seq.desc()).limit(1)).first()
    stored = datetime.now(timezone.utc)
    if last is not None:
        stored = max(stored, aware(last.stored) + ONE_MICROSECOND)
    first = (last.seq if last is not None else 0) + 1
    existing, referrers = lookup(session, ids)
    start = WriteStart(stored=stored, seqs=list(range(first, first + len(ids))), existing=existing,
                       referrers=referrers)
    if activity_keys:
        start.activities = dict(session.execute(select(LrsActivity.key, LrsActivity.definition)
                                                .where(LrsActivity.key.in_(activity_keys))).all())
    if agent_keys:
        start.agents = dict(session.execute(select(LrsAgent.key, LrsAgent.names)
                                            .where(LrsAgent.key.in_(agent_keys))).all())
    return start


def _sqlite_finish_write(session: Session, plan: WritePlan) -> WriteOutcome:
    if plan.rows:
        session.execute(insert(_STATEMENTS), [{**row, "stored": plan.stored, "client_id": plan.client_id}
                                              for row in plan.rows])
    if plan.index_rows:
        session.execute(insert(_INDEX), [{"kind": kind, "value": value, "stored": plan.stored, "statement_seq": seq}
                                         for kind, value, seq in plan.index_rows])
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
    columns = _STATEMENTS.c
    wanted_columns = (columns.seq, columns.statement_id, columns.stored, columns.body, columns.voiding,
                      columns.ref_target)
    # Two selects, not one OR: PostgreSQL would read the whole table for "a IN (..) OR b IN (..)".
    postgres = dialect_name(session) == "postgresql"
    selects = []
    if with_existing:
        selects.append(select(*wanted_columns).where(_one_of(columns.statement_id, ids, postgres)))
    if with_referrers:
        # "IS NOT NULL" lets a prepared (generic) plan use the partial index on ref_target.
        selects.append(select(*wanted_columns).where(columns.ref_target.is_not(None),
                                                     _one_of(columns.ref_target, ids, postgres)))
    rows = session.execute(union_all(*selects) if len(selects) > 1 else selects[0])
    existing, referring = _split_lookup(rows, set(ids))
    return (existing if with_existing else {}), (referring if with_referrers else [])


def existing_statements(session: Session, statement_ids: Iterable[str]) -> dict[str, StoredRow]:
    """id -> (seq, id, stored, body, voiding) of the statements already stored among ``statement_ids``."""
    return lookup(session, statement_ids, with_referrers=False)[0]


def referrers(session: Session, statement_ids: Iterable[str]) -> list[Referrer]:
    """(seq, stored, id, target id, voiding) of stored statements whose object refers to one of the ids."""
    return lookup(session, statement_ids, with_existing=False)[1]


def _one_of(column, values: list[str], postgres: bool):
    """``column IN values``; on PostgreSQL ``= ANY(array)``, one parameter instead of thousands."""
    if postgres:
        return column == any_(bindparam(None, value=values, type_=ARRAY(String)))
    return column.in_(values)


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
