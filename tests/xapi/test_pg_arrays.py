"""PostgreSQL write path: array parameters of a known type (xapi/lrs/pg_arrays.py).

The write queries wrap their arrays in typed list classes so that psycopg dumps them without
first scanning every element for its type. These tests check that every connection of the
application has the dumpers, that values (NULLs included) arrive unchanged, and that a write
really sends its arrays through them.
"""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from xapi.lrs import keys, storage
from xapi.lrs.pg_arrays import BigintArray, BooleanArray, TextArray, TimestamptzArray

psycopg = pytest.importorskip("psycopg")
from psycopg.adapt import PyFormat  # noqa: E402
from psycopg.types import array as psycopg_arrays  # noqa: E402

CASES = [
    (TextArray(["a", None, "é ☃", ""]), "text[]"),
    (BigintArray([1, None, 2**62, -5]), "bigint[]"),
    (BooleanArray([True, None, False]), "boolean[]"),
    (TimestamptzArray([datetime(2026, 11, 29, 20, 15, 1, 123456, tzinfo=timezone.utc), None]), "timestamptz[]"),
]


@pytest.fixture()
def raw(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg parameter types (CI runs the suite on PostgreSQL as well)")
    connection = storage._raw(db.session)
    yield connection
    db.session.rollback()


@pytest.mark.parametrize("value, sql_type", CASES, ids=[case[1] for case in CASES])
def test_typed_arrays_reach_postgresql_unchanged(raw, value, sql_type):
    with raw.cursor() as cursor:
        cursor.execute(f"SELECT %b::{sql_type}, pg_typeof(%b) = '{sql_type}'::regtype", [value, value])
        returned, sent_as_that_type = cursor.fetchone()
    assert returned == list(value)
    assert sent_as_that_type


def test_every_application_connection_knows_the_array_types(db):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg parameter types (CI runs the suite on PostgreSQL as well)")
    # A connection opened now (not only the one the session holds) gets the dumpers.
    connection = db.engine.raw_connection()
    try:
        driver = connection.driver_connection
        for value, _ in CASES:
            dumper = driver.adapters.get_dumper(type(value), PyFormat.BINARY)(type(value), driver)
            assert dumper.oid, f"{type(value).__name__} is dumped as an untyped list"
    finally:
        connection.close()


def test_a_write_does_not_scan_its_arrays_for_their_type(db, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("psycopg parameter types (CI runs the suite on PostgreSQL as well)")
    scanned: list[type] = []
    original = psycopg_arrays.BaseListDumper._find_list_element

    def spy(self, items, format):  # noqa: ANN001, A002
        scanned.append(type(items))
        return original(self, items, format)

    monkeypatch.setattr(psycopg_arrays.BaseListDumper, "_find_list_element", spy)
    start = storage.begin_write(db.session, ["00000000-0000-4000-8000-000000000001"], False, ["k"], ["g"])
    plan = storage.WritePlan(
        rows=[{"seq": start.seqs[0], "statement_id": "00000000-0000-4000-8000-000000000001",
               "timestamp": start.stored, "verb_id": "http://example.com/verb", "voided": False,
               "voiding": False, "ref_target": None, "has_attachments": False, "body": "{}"}],
        index_rows=[(keys.VERB, "http://example.com/verb", start.seqs[0])], stored=start.stored, client_id=None)
    storage.finish_write(db.session, plan)
    db.session.rollback()
    assert scanned == []
