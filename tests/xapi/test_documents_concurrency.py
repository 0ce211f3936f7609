"""Concurrent writers on one document never lose an update (Communication §3.1), on a live server."""
from __future__ import annotations

import json
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from tests.xapi.document_helpers import ACTIVITY, AGENT, basic, make_credential

WRITERS = 12
UPDATES_PER_WRITER = 5


def _session(auth: str, version: str) -> requests.Session:
    session = requests.Session()
    session.headers.update({"Authorization": auth, "X-Experience-API-Version": version})
    return session


def _read_modify_write(url: str, params: dict, auth: str, version: str, writer: int, method: str) -> int:
    """Each update: GET, add one key, write back with If-Match; on 412 read again and retry."""
    session = _session(auth, version)
    retries = 0
    for update in range(UPDATES_PER_WRITER):
        while True:
            current = session.get(url, params=params)
            assert current.status_code == 200, current.text
            document = current.json()
            document[f"w{writer}-{update}"] = True
            body = document if method == "PUT" else {f"w{writer}-{update}": True}
            answer = session.request(method, url, params=params, data=json.dumps(body),
                                     headers={"If-Match": current.headers["ETag"],
                                              "Content-Type": "application/json"})
            if answer.status_code == 204:
                break
            assert answer.status_code == 412, answer.text
            retries += 1
    return retries


@pytest.mark.slow
@pytest.mark.parametrize("method", ["PUT", "POST"])
@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_many_if_match_writers_lose_no_update(db, live_server, method, version):
    """§3.1: optimistic concurrency with ETags; every one of the 60 updates survives."""
    auth = basic(*make_credential(db))
    params = {"activityId": ACTIVITY, "profileId": "shared", }
    url = f"{live_server}/xapi/activities/profile"
    created = _session(auth, version).put(url, params=params, data="{}",
                                          headers={"Content-Type": "application/json",
                                                   "If-None-Match": "*"})
    assert created.status_code == 204
    with ThreadPoolExecutor(WRITERS) as pool:
        retries = list(pool.map(
            lambda w: _read_modify_write(url, params, auth, version, w, method), range(WRITERS)))
    final = _session(auth, version).get(url, params=params).json()
    expected = {f"w{w}-{u}" for w in range(WRITERS) for u in range(UPDATES_PER_WRITER)}
    assert set(final) == expected
    assert sum(retries) > 0 or WRITERS == 1  # the writers really did collide


@pytest.mark.slow
def test_concurrent_posts_without_preconditions_all_merge(db, live_server):
    """§2.2.s7: a POST merge is atomic, so concurrent merges into one state document all land."""
    auth = basic(*make_credential(db))
    params = {"activityId": ACTIVITY, "agent": json.dumps(AGENT), "stateId": "progress"}
    barrier = threading.Barrier(WRITERS)

    def post(writer: int) -> None:
        session = _session(auth, "1.0.3")
        barrier.wait()
        for update in range(UPDATES_PER_WRITER):
            answer = session.post(url, params=params, data=json.dumps({f"w{writer}-{update}": update}),
                                  headers={"Content-Type": "application/json"})
            assert answer.status_code == 204, answer.text

    url = f"{live_server}/xapi/activities/state"
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(post, range(WRITERS)))
    final = _session(auth, "1.0.3").get(url, params=params).json()
    assert len(final) == WRITERS * UPDATES_PER_WRITER


@pytest.mark.slow
def test_concurrent_creations_with_if_none_match_have_one_winner(db, live_server):
    """§3.1.s4.b6: of many PUTs with If-None-Match: * on a new document exactly one succeeds."""
    auth = basic(*make_credential(db))
    params = {"agent": json.dumps(AGENT), "profileId": "race"}
    barrier = threading.Barrier(WRITERS)

    def put(writer: int) -> int:
        session = _session(auth, "2.0.0")
        barrier.wait()
        return session.put(url, params=params, data=json.dumps({"winner": writer}),
                           headers={"Content-Type": "application/json", "If-None-Match": "*"}).status_code

    url = f"{live_server}/xapi/agents/profile"
    with ThreadPoolExecutor(WRITERS) as pool:
        statuses = list(pool.map(put, range(WRITERS)))
    assert sorted(statuses) == [204] + [412] * (WRITERS - 1)
