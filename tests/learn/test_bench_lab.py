"""`lms bench lab` against a live server: every simulated learner finishes and the LRS holds exactly their statements."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture()
def live_server(app, db):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)


def test_lab_bench_small_class(runner, live_server):
    from lms.bench.lab import lab_command

    result = runner.invoke(lab_command, ["--url", live_server, "--learners", "3", "--spread", "0.5"])
    assert "learners: 3" in result.output and "errors: 0" in result.output, result.output
    assert "statements: exactly as expected (38 per learner)" in result.output
    assert "PASS  no errors" in result.output and "PASS  exact statements in the LRS" in result.output
    assert "login        n=   3" in result.output and "submit       n=  15" in result.output
