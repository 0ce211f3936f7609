"""`lms bench lab` against a live server: every simulated learner finishes and the LRS holds exactly their statements."""
from __future__ import annotations


def test_lab_bench_small_class(runner, live_server):
    from lms.bench.lab import lab_command

    result = runner.invoke(lab_command, ["--url", live_server, "--learners", "3", "--spread", "0.5"])
    assert "learners: 3" in result.output and "errors: 0" in result.output, result.output
    assert "statements: exactly as expected (38 per learner)" in result.output
    assert "PASS  no errors" in result.output and "PASS  exact statements in the LRS" in result.output
    assert "login        n=   3" in result.output and "submit       n=  15" in result.output
