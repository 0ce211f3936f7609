"""Paging and Consistent-Through while writers are active, on a live server (both databases).

Communication §2.1.3.s2.b5 (Consistent-Through) and Data §2.5 (more): a consumer that pages
with ``more`` and then asks ``since=<Consistent-Through>`` again, over and over while several
clients write concurrently, must see every committed statement, and no paging session may
return a statement twice.
"""
from __future__ import annotations

import base64
import threading
import time
import uuid

import pytest
import requests

from tests.xapi.conftest import sample_statement

WRITERS = 4
BATCHES_PER_WRITER = 25


def _session(key: str, secret: str, version: str) -> requests.Session:
    session = requests.Session()
    session.headers["Authorization"] = "Basic " + base64.b64encode(f"{key}:{secret}".encode()).decode()
    session.headers["X-Experience-API-Version"] = version
    return session


def _writer(url: str, http: requests.Session, number: int, written: list, errors: list) -> None:
    for batch_number in range(BATCHES_PER_WRITER):
        size = 1 + (number + batch_number) % 5
        batch = [sample_statement(id=str(uuid.uuid4()), verb={"id": f"http://example.com/verbs/w{number}"})
                 for _ in range(size)]
        response = http.post(url + "/statements", json=batch)
        if response.status_code != 200:
            errors.append(response.text)
            return
        written.extend(response.json())


def _poll_once(url: str, http: requests.Session, since: str | None, ascending: bool) -> tuple[list[str], str]:
    """One paging session (limit 7); returns the ids and the Consistent-Through of its first page."""
    params = {"limit": "7", "ascending": "true" if ascending else "false"}
    if since:
        params["since"] = since
    response = http.get(url + "/statements", params=params)
    assert response.status_code == 200, response.text
    consistent_through = response.headers["X-Experience-API-Consistent-Through"]
    ids = []
    while True:
        body = response.json()
        ids += [statement["id"] for statement in body["statements"]]
        if not body["more"]:
            return ids, consistent_through
        response = http.get(url.rsplit("/xapi", 1)[0] + body["more"])
        assert response.status_code == 200, response.text


@pytest.mark.parametrize("ascending", [True, False])
def test_polling_with_more_and_consistent_through_misses_and_repeats_nothing(live_server, make_credential, ascending):
    """Communication §2.1.3.s2.b5 and Data §2.5.s3: under concurrent writers no statement is missed
    by a consumer that pages and then polls with since=Consistent-Through, and no paging session
    repeats a statement."""
    credential = make_credential("all")
    written: list[str] = []
    errors: list[str] = []
    seen: list[str] = []
    url = f"{live_server}/xapi"
    reader = _session(credential.key, credential.secret, "1.0.3")
    writers = [threading.Thread(target=_writer, args=(url, _session(credential.key, credential.secret, "1.0.3"),
                                                       number, written, errors))
               for number in range(WRITERS)]
    for thread in writers:
        thread.start()
    since = None
    while any(thread.is_alive() for thread in writers):
        ids, since = _poll_once(url, reader, since, ascending)
        assert len(ids) == len(set(ids)), "a paging session returned a statement twice"
        seen += ids
        time.sleep(0.005)
    for thread in writers:
        thread.join()
    ids, _ = _poll_once(url, reader, since, ascending)
    seen += ids
    assert not errors, errors[:3]
    assert len(written) == sum(1 + (n + b) % 5 for n in range(WRITERS) for b in range(BATCHES_PER_WRITER))
    missed = set(written) - set(seen)
    assert not missed, f"{len(missed)} committed statements were never returned"


def test_more_links_of_one_session_ignore_statements_written_meanwhile(xapi_client):
    """Data §2.5.s3.b4: the pages of one query come from the statements that existed when it ran."""
    first_ids = xapi_client.post("/statements", json=[sample_statement() for _ in range(4)]).get_json()
    page = xapi_client.get("/statements", query_string={"limit": "2", "ascending": "true"}).get_json()
    late = xapi_client.post("/statements", json=[sample_statement() for _ in range(2)]).get_json()
    collected = [s["id"] for s in page["statements"]]
    more = page["more"]
    while more:
        page = xapi_client.get(more[len("/xapi"):]).get_json()
        collected += [s["id"] for s in page["statements"]]
        more = page["more"]
    assert collected == first_ids
    assert not set(late) & set(collected)


def test_consistent_through_of_a_write_covers_every_statement_committed_before_it(xapi_client):
    """§2.1.3.s2.b5: the Consistent-Through of a write covers every statement committed before the
    write began (so since=<it> does not return them again) and hides none that comes later."""
    first = xapi_client.post("/statements", json=sample_statement()).get_json()[0]
    response = xapi_client.post("/statements", json=sample_statement())
    second = response.get_json()[0]
    through = response.headers["X-Experience-API-Consistent-Through"]

    def stored(statement_id: str) -> str:
        return xapi_client.get("/statements", query_string={"statementId": statement_id}).get_json()["stored"]

    assert stored(first) <= through
    later = [s["id"] for s in xapi_client.get("/statements", query_string={"since": through}).get_json()["statements"]]
    assert first not in later
    assert second in later or stored(second) <= through


def _wait_until_blocked(db, seconds: float = 10.0) -> None:
    """Until a request waits for the holder's lock (PostgreSQL); SQLite gives no such view."""
    if db.engine.dialect.name != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    with db.engine.connect() as connection:
        while time.monotonic() < deadline:
            waiting = connection.exec_driver_sql(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' "
                "AND datname = current_database()").scalar()
            connection.rollback()
            if waiting:
                return
            time.sleep(0.02)
    raise AssertionError("the racing request never waited for the first writer")


def _post_while_a_write_is_held(db, xapi_client, held: dict, posted: dict):
    """Write ``held`` in a transaction left open, POST ``posted`` from another thread, wait until
    that request blocks on the open write, then commit it; the POST's response."""
    from sqlalchemy.orm import Session

    from xapi.lrs.ingest import ingest

    holder = Session(db.engine)
    ingest(holder, [held], xapi_client.authority)  # written, not committed: holds its id and lock
    outcome: dict = {}
    racer = threading.Thread(target=lambda: outcome.update(response=xapi_client.post("/statements", json=posted)))
    racer.start()
    try:
        _wait_until_blocked(db)
    finally:
        holder.commit()
        holder.close()
        racer.join(timeout=30)
    return outcome["response"]


@pytest.mark.parametrize("same", [True, False], ids=["equivalent", "different"])
def test_a_statement_id_written_by_two_writers_at_once_is_stored_once(db, xapi_client, same):
    """Communication §2.1.2.s2.b3/§2.1.1: two writes racing with one statement id (neither sees the
    other's uncommitted row): the first commit wins, the other is accepted without change (204, as
    for any POST of stored statements) when the statements are equivalent and refused with 409
    otherwise; no filter key of the loser is left."""
    statement_id = str(uuid.uuid4())
    first = sample_statement(id=statement_id)
    other_verb = "http://example.com/verbs/other"
    second = first if same else sample_statement(id=statement_id, verb={"id": other_verb})
    response = _post_while_a_write_is_held(db, xapi_client, held=first, posted=second)
    assert response.status_code == (204 if same else 409), response.get_data(as_text=True)

    def ids_with_verb(verb: str) -> list[str]:
        page = xapi_client.get("/statements", query_string={"verb": verb}).get_json()
        return [statement["id"] for statement in page["statements"]]

    assert ids_with_verb(first["verb"]["id"]) == [statement_id]
    assert ids_with_verb(other_verb) == []
    stored = xapi_client.get("/statements", query_string={"statementId": statement_id}).get_json()
    assert stored["verb"]["id"] == first["verb"]["id"]
    with db.engine.connect() as connection:
        orphans = connection.exec_driver_sql(
            "SELECT count(*) FROM lrs_statement_index AS i "
            "WHERE NOT EXISTS (SELECT 1 FROM lrs_statement AS s WHERE s.seq = i.statement_seq)").scalar()
    assert orphans == 0


@pytest.mark.parametrize("voiding_first", [True, False], ids=["voiding-first", "target-first"])
def test_a_voiding_statement_and_its_target_written_at_once_still_void_it(db, xapi_client, voiding_first):
    """Data §2.3.2: a voiding statement and its target written by two transactions at the same time
    (each one's look-up runs before the other commits): the target still ends up voided."""
    target = sample_statement(id=str(uuid.uuid4()))
    voiding = sample_statement(id=str(uuid.uuid4()), verb={"id": "http://adlnet.gov/expapi/verbs/voided"},
                               object={"objectType": "StatementRef", "id": target["id"]})
    held, raced = (voiding, target) if voiding_first else (target, voiding)
    response = _post_while_a_write_is_held(db, xapi_client, held=held, posted=raced)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert xapi_client.get("/statements", query_string={"statementId": target["id"]}).status_code == 404
    assert xapi_client.get("/statements", query_string={"voidedStatementId": target["id"]}).status_code == 200
