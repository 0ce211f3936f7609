"""`lms bench lrs --quick` end to end against a live server of our LRS (real HTTP, real database)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest


@pytest.fixture()
def live_lrs(app, db, live_server):
    """Our app served by a threaded werkzeug server on a free port, and an all-scopes credential."""
    from xapi.lrs.auth import create_client

    with app.app_context():
        credential, secret = create_client(db.session, "benchmark", ["all"], "http://lms.test")
        key = credential.key
        db.session.commit()
    yield {"url": f"{live_server}/xapi", "key": key, "secret": secret}


def bench(live: dict, *args: str, secret: str | None = None) -> subprocess.CompletedProcess:
    """Run `lms bench lrs` as a separate program, as an operator would."""
    command = [sys.executable, "-c", "from lms.cli import main; main()", "bench", "lrs",
               "--url", live["url"], "--key", live["key"], "--secret", secret or live["secret"], *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


@pytest.mark.slow
def test_quick_benchmark_against_our_lrs(live_lrs, tmp_path):
    """Ingest, fill, every query filter and paging run without one error response."""
    report_file = tmp_path / "bench.json"
    run = bench(live_lrs, "--quick", "--clients", "2", "--json", str(report_file),
                "--server-pids", str(os.getpid()))
    assert run.returncode == 0, run.stdout + run.stderr
    report = json.loads(report_file.read_text())

    assert [phase["batch_size"] for phase in report["ingest"]] == [1, 10, 100]
    for phase in report["ingest"]:
        assert phase["errors"]["count"] == 0
        assert phase["statements"] == max(200, phase["batch_size"] * 2 * 2)
        assert phase["statements_per_s"] > 0 and phase["latency"]["p95_ms"] > 0
        # The watched server (this process) worked for every phase; busiest process first.
        assert phase["server_cpu_s"] and sum(phase["server_cpu_s"]) > 0
        assert phase["server_cpu_s"] == sorted(phase["server_cpu_s"], reverse=True)
    assert report["stored_by_this_run"] == 3000
    assert report["fill"]["statements"] == 3000 - sum(p["statements"] for p in report["ingest"])

    assert set(report["queries"]) == {"agent", "verb", "activity", "related_activities", "registration",
                                      "since_until", "statementId", "agent_verb"}
    for kind, figures in report["queries"].items():
        assert figures["count"] == 20 and figures["errors"]["count"] == 0, kind
        assert figures["empty_results"] == 0, kind  # every query targets data this run stored
        assert 0 < figures["p50_ms"] <= figures["p95_ms"] <= figures["max_ms"]

    paging = report["paging"]
    assert paging["statements"] == 1000 and paging["ok"], paging
    assert report["errors_total"] == 0
    assert report["server_rss"]["max_rss_mb_per_process"] > 0
    assert report["environment"]["clients"] == 2 and report["environment"]["machine_cores"] >= 1
    assert report["parameters"]["seed"] == 42 and "secret" not in report["parameters"]
    assert "Ingest (POST /statements)" in run.stdout and "Paging:" in run.stdout
    assert "server CPU s" in run.stdout
    assert "Fill:" in run.stderr  # progress goes to stderr

    again = bench(live_lrs, "--quick", "--clients", "1")
    assert again.returncode == 2
    assert "already holds the data set of seed 42" in again.stderr


def test_refused_credentials_stop_the_benchmark(live_lrs):
    """Communication §4: a wrong secret is answered 401, and the benchmark says so and exits 2."""
    run = bench(live_lrs, "--quick", secret="wrong-secret")
    assert run.returncode == 2
    assert "refused the credentials (401" in run.stderr
    assert "Ingest" not in run.stdout


def test_credential_that_may_not_write_stops_the_benchmark(app, db, live_lrs):
    """Communication §4.2 scopes: a read-only credential is answered 403 on POST; exit 2, said clearly."""
    from xapi.lrs.auth import create_client

    with app.app_context():
        reader, secret = create_client(db.session, "reader", ["statements/read"], "http://lms.test")
        live = {**live_lrs, "key": reader.key}
        db.session.commit()
    run = bench(live, "--quick", "--clients", "1", secret=secret)
    assert run.returncode == 2
    assert "refused the credentials while posting" in run.stderr and "403" in run.stderr


def test_unreachable_lrs_is_a_clear_error():
    run = bench({"url": "http://127.0.0.1:9/xapi", "key": "k", "secret": "s"}, "--quick")
    assert run.returncode == 2
    assert "cannot reach the LRS" in run.stderr


def test_bad_option_values_are_refused():
    run = bench({"url": "http://127.0.0.1:9/xapi", "key": "k", "secret": "s"}, "--batch-sizes", "1,x")
    assert run.returncode == 2
    assert "comma-separated whole numbers" in run.stderr


def test_cpu_time_of_processes():
    """CPU seconds come from /proc: this busy process has used some; a missing one has none."""
    from lms.bench.lrs import _cpu_used
    from lms.bench.rss import RssSampler, cpu_seconds

    sum(range(2_000_000))  # make sure this process has used at least one clock tick
    assert cpu_seconds(os.getpid()) > 0
    assert cpu_seconds(2**22 + 7) is None  # above Linux's largest pid
    watched = RssSampler(pids={os.getpid()}).cpu_by_pid()
    assert set(watched) >= {os.getpid()} and watched[os.getpid()] > 0
    # Between two readings: per process, busiest first; idle and vanished processes left out,
    # a process that appeared counts from zero.
    assert _cpu_used({1: 2.0, 2: 5.0, 3: 1.0}, {1: 2.0, 2: 5.5, 4: 0.75}) == [0.75, 0.5]
