"""The benchmark's data set, statistics, job split, paging check and RSS sampling."""
from __future__ import annotations

import os
import random
import socket
from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest

from lms.bench import dataset
from lms.bench.queries import FILTERS, check_paging, query_parameters
from lms.bench.rss import RssSampler, listening_pids, rss_bytes
from lms.bench.stats import latency_summary, percentile, rate
from lms.bench.workers import IngestJob, encode_batches, split_jobs


@pytest.mark.parametrize("version", ["1.0.3", "2.0.0"])
def test_every_generated_statement_is_valid(version):
    """Data §2.4: the generated statements pass the LRS's own strict validation."""
    from xapi.schemas import validate_statement

    for statement in dataset.statements(7, 0, dataset.SESSION_LENGTH * 30, version):
        validate_statement(statement, version)


def test_stream_is_deterministic_and_any_slice_matches_the_whole():
    whole = list(dataset.statements(42, 0, 100))
    assert whole == list(dataset.statements(42, 0, 100))
    assert list(dataset.statements(42, 37, 25)) == whole[37:62]
    assert list(dataset.statements(42, 5, 0)) == []
    assert [s["id"] for s in whole] == [dataset.statement_id(42, n) for n in range(100)]
    assert whole != list(dataset.statements(43, 0, 100))


def test_data_set_looks_like_what_the_lms_writes():
    made = list(dataset.statements(42, 0, dataset.SESSION_LENGTH * 200, "1.0.3"))
    assert len({s["id"] for s in made}) == len(made)
    verbs = Counter(s["verb"]["id"].rsplit("/", 1)[1] for s in made)
    assert set(verbs) == {"launched", "experienced", "answered", "passed", "failed", "completed", "progressed"}
    assert verbs["answered"] == 200 * dataset.QUESTIONS_PER_QUIZ
    for statement in made:
        account = statement["actor"]["account"]
        assert account["homePage"] == dataset.SITE and len(account["name"]) == 16
        assert datetime.fromisoformat(statement["timestamp"]).utcoffset() == timedelta(hours=7)
        assert set(statement["object"]["definition"]["name"]) == {"vi-VN", "en-US"}
        context = statement["context"]
        assert context["language"] == "vi-VN" and context["platform"] == dataset.PLATFORM
        assert "category" in context["contextActivities"]
    answered = next(s for s in made if s["verb"]["id"].endswith("answered"))
    assert answered["object"]["definition"]["interactionType"] == "choice"
    assert answered["context"]["contextActivities"]["grouping"][0]["id"].startswith(f"{dataset.SITE}/courses/")
    scored = next(s for s in made if s["verb"]["id"].endswith(("passed", "failed")))
    assert 0 <= scored["result"]["score"]["scaled"] <= 1
    # A learner keeps one registration per course across sessions (the enrolment).
    pairs = {}
    for index in range(200):
        sitting = dataset.session(42, index)
        assert pairs.setdefault((sitting.learner, sitting.course), sitting.registration) == sitting.registration


def test_version_2_timestamps_are_utc():
    """IEEE 9274.1.1: timestamps are formatted to UTC."""
    for statement in dataset.statements(42, 0, 24, "2.0.0"):
        assert statement["timestamp"].endswith("Z")
        assert datetime.fromisoformat(statement["timestamp"].replace("Z", "+00:00")) < datetime.now(timezone.utc)


def test_bodies_are_objects_for_single_statements_and_arrays_for_batches():
    import json

    single = encode_batches(IngestJob(seed=1, start=0, count=3, batch_size=1), "1.0.3")
    assert [count for count, _ in single] == [1, 1, 1] and isinstance(json.loads(single[0][1]), dict)
    batches = encode_batches(IngestJob(seed=1, start=0, count=25, batch_size=10), "1.0.3")
    assert [count for count, _ in batches] == [10, 10, 5]
    assert [s["id"] for s in json.loads(batches[2][1])] == [dataset.statement_id(1, n) for n in range(20, 25)]


@pytest.mark.parametrize("count, size, clients", [(1000, 1, 4), (8000, 1000, 4), (250, 100, 3), (5, 10, 4)])
def test_jobs_cover_every_statement_once(count, size, clients):
    jobs = split_jobs(seed=1, start=500, count=count, batch_size=size, clients=clients)
    assert len(jobs) == clients
    covered = [n for job in jobs for n in range(job.start, job.start + job.count)]
    assert covered == list(range(500, 500 + count))
    assert all(job.count % size == 0 for job in jobs[:-1] if job.count)


def test_percentiles_interpolate_like_numpy():
    values = [float(v) for v in range(1, 11)]
    assert percentile(values, 0.5) == 5.5
    assert percentile(values, 0.95) == pytest.approx(9.55)
    assert percentile(list(reversed(values)), 0.0) == 1.0 and percentile(values, 1.0) == 10.0
    summary = latency_summary([0.001, 0.002, 0.003, 0.010])
    assert summary["count"] == 4 and summary["max_ms"] == 10.0 and summary["p50_ms"] == 2.5
    assert latency_summary([])["p95_ms"] is None
    assert rate(500, 2.0) == 250.0 and rate(5, 0) == 0.0
    with pytest.raises(ValueError):
        percentile(values, 1.5)


def test_query_parameters_target_stored_data():
    rng = random.Random(1)
    window = (datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc))
    for kind in FILTERS:
        params = query_parameters(kind, 42, 1200, rng, window)
        if kind == "statementId":
            assert params["statementId"] in {dataset.statement_id(42, n) for n in range(1200)}
        else:
            assert params["limit"] == 100
    params = query_parameters("since_until", 42, 1200, rng, window)
    assert window[0].isoformat()[:10] <= params["since"][:10] and params["since"] < params["until"]
    assert query_parameters("related_activities", 42, 1200, rng, window)["related_activities"] == "true"


def test_paging_check_finds_duplicates_gaps_strangers_and_disorder():
    tail = [["f", "e"], ["d", "c"], ["b", "a"]]  # newest batch first
    times = [datetime(2026, 1, 1, tzinfo=timezone.utc) - timedelta(seconds=n) for n in range(6)]
    assert check_paging(["e", "f", "c", "d", "a", "b"], times, tail)["ok"]
    assert check_paging(["e", "f", "d"], times[:3], tail)["ok"]  # stopping inside a batch is fine
    duplicate = check_paging(["e", "f", "f", "d", "a", "b"], times, tail)
    assert duplicate["duplicates"] == 1 and not duplicate["ok"]
    gap = check_paging(["e", "f", "c", "a", "b"], times[:5], tail)
    assert gap["missing"] >= 1 and not gap["ok"]
    stranger = check_paging(["e", "f", "x", "d"], times[:4], tail)
    assert stranger["unexpected"] == 1 and not stranger["ok"]
    disorder = check_paging(["e", "f"], [times[1], times[0]], tail)
    assert disorder["out_of_order"] == 1 and not disorder["ok"]


def test_rss_of_this_process_and_of_a_listening_socket():
    assert rss_bytes(os.getpid()) > 10 * 2**20
    assert rss_bytes(2**22 + 12345) is None
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        assert os.getpid() in listening_pids(port)
        sampler = RssSampler(port=port, interval=0.05).start()
        ballast = bytearray(40 * 2**20)  # the sampler must see memory grow
        ballast[::4096] = b"x" * len(ballast[::4096])
        sampler.sample()
        report = sampler.stop()
    assert report["watched_pids"] == [os.getpid()]
    assert report["max_rss_mb_per_process"] >= 40
    del ballast


def test_report_counts_and_shows_every_error():
    from lms.bench.lrs import _errors_total
    from lms.bench.report import format_report

    errors = {"count": 2, "by_status": {"500": 2}, "examples": ["POST statements: 500 boom"]}
    clean = {"count": 0, "by_status": {}, "examples": []}
    latency = latency_summary([0.01])
    report = {
        "parameters": {"seed": 1},
        "environment": {"lrs_url": "http://x/xapi", "xapi_version": "1.0.3", "clients": 1, "machine_cores": 2},
        "ingest": [{"batch_size": 1, "statements": 5, "seconds": 1, "statements_per_s": 5, "requests_per_s": 5,
                    "latency": latency, "errors": errors}],
        "queries": {"agent": {**latency, "empty_results": 0, "errors": clean}},
        "paging": {"statements": 10, "pages": 1, "seconds": 0.1, "statements_per_s": 100, "ok": False,
                   "duplicates": 1, "missing": 0, "unexpected": 0, "out_of_order": 0, "errors": clean},
    }
    report["errors_total"] = _errors_total(report)
    assert report["errors_total"] == 2
    text = format_report(report)
    assert "POST statements: 500 boom" in text and "check FAILED: 1 duplicates" in text
