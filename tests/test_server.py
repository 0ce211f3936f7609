"""`lms serve` (gunicorn) as clients meet it: kept-alive connections are spread over the workers."""
from __future__ import annotations

import http.client
import os
import subprocess
import sys
import time

import pytest

from lms.server import KEEPALIVE_REQUESTS, LARGE_REQUEST_BYTES
from tests.ports import free_port

LMS = [sys.executable, "-c", "from lms.cli import main; main()"]


@pytest.fixture()
def served(tmp_path):
    """A real `lms serve` with 2 gthread workers on an initialised SQLite database."""
    if sys.platform == "win32":
        pytest.skip("gunicorn does not run on Windows")
    env = {k: v for k, v in os.environ.items() if not k.startswith("LMS_")}
    env.update(LMS_INSTANCE_PATH=str(tmp_path), LMS_SECRET_KEY="s" * 40)
    subprocess.run(LMS + ["init", "--no-courses"], env=env, cwd=tmp_path, check=True, capture_output=True,
                   timeout=300)
    port = free_port()
    server = subprocess.Popen(LMS + ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
                              env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                probe.request("GET", "/healthz")
                if probe.getresponse().status == 200:
                    probe.close()
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"lms serve did not start: {server.stderr.read().decode()[-2000:]}")
                time.sleep(0.2)
        yield port
    finally:
        server.terminate()
        server.wait(timeout=30)


def _send(connection: http.client.HTTPConnection, method: str, path: str, body: bytes | None = None):
    headers = {"X-Experience-API-Version": "1.0.3"}
    if body is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=body, headers=headers)
    answer = connection.getresponse()
    answer.read()
    return answer


def test_a_connection_is_closed_after_many_requests(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    for number in range(1, KEEPALIVE_REQUESTS):
        answer = _send(connection, "GET", "/healthz")
        assert answer.status == 200
        assert (answer.getheader("Connection") or "").lower() != "close", number
    last = _send(connection, "GET", "/healthz")
    assert last.status == 200 and last.getheader("Connection").lower() == "close"
    # The client simply connects again, to whichever worker accepts first.
    assert _send(connection, "GET", "/healthz").status == 200


def test_a_connection_is_closed_after_a_large_request(served):
    connection = http.client.HTTPConnection("127.0.0.1", served, timeout=10)
    small = _send(connection, "POST", "/xapi/statements", b"[" + b" " * 1000 + b"]")
    assert small.status == 401  # no credentials: the answer does not matter here, the connection does
    assert (small.getheader("Connection") or "").lower() != "close"
    large = _send(connection, "POST", "/xapi/statements", b"[" + b" " * LARGE_REQUEST_BYTES + b"]")
    assert large.status == 401 and large.getheader("Connection").lower() == "close"


def test_warm_up_writes_nothing_and_leaves_the_session_clean(app, db):
    """lms.server.warm_up: a 401 look-up, statement validation and (PostgreSQL) one run of the
    write function on an empty batch, rolled back. Afterwards no statement, credential, agent
    or activity exists, the session holds no transaction and the pool keeps a connection."""
    import sqlalchemy as sa

    from lms.server import warm_up

    warm_up(app)
    with db.engine.connect() as connection:
        counts = {table: connection.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar()
                  for table in ("lrs_statement", "lrs_statement_index", "lrs_client", "lrs_agent", "lrs_activity")}
    assert counts == dict.fromkeys(counts, 0)
    assert not db.session().in_transaction()
    assert db.engine.pool.checkedin() >= 1


def test_warm_up_survives_an_unreachable_database(tmp_path):
    """A worker whose database is down still starts: the warm-up is skipped, requests report it."""
    from lms import create_app
    from lms.server import warm_up

    app = create_app({"SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:1/none",
                      "SECRET_KEY": "s" * 40, "INSTANCE_PATH": str(tmp_path)})
    warm_up(app)
