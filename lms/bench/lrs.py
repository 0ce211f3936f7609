"""`lms bench lrs`: ingest throughput, query latency and paging speed of any xAPI LRS.

Only the standard xAPI HTTP API is used (POST/GET /statements, /about, Basic auth), so
the same run measures this LRS or another product. Phases, in order:

1. preflight: /about answers, the credentials are accepted, the data set is not there yet;
2. ingest: for each batch size, ``clients`` processes post their share at the same time;
3. fill: batches of 1000 up to ``stored`` statements, the last ones posted in sequence
   so that paging can be checked against a known order;
4. queries: p50/p95/max latency of each filter kind with limit=100;
5. paging: ``page_through`` statements via ``more`` links, checked for repeats and gaps.
"""
from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Callable
from urllib.parse import urlsplit

from lms.bench import dataset
from lms.bench.client import BenchAborted, ErrorLog, LrsClient, error_detail
from lms.bench.queries import QUERY_LIMIT, page_through, run_queries, stored_window
from lms.bench.report import phases
from lms.bench.rss import RssSampler
from lms.bench.stats import latency_summary, rate
from lms.bench.workers import (
    ClientPool,
    IngestJob,
    IngestResult,
    Target,
    encode_batches,
    post_batches,
    split_jobs,
)

FILL_BATCH = 1000
FORMAT_VERSION = 1


@dataclass
class BenchSettings:
    url: str
    key: str
    secret: str
    version: str = "1.0.3"
    clients: int = 4
    batch_sizes: list[int] = field(default_factory=lambda: [1, 10, 100, 1000])
    statements_per_size: int = 5000
    stored: int = 100_000
    seed: int = 42
    page_through: int = 10_000
    queries: int = 200
    server_pids: list[int] = field(default_factory=list)
    watch_rss: bool = False
    quick: bool = False

    def public(self) -> dict:
        """The parameters for the report (the secret left out)."""
        values = asdict(self)
        values.pop("secret")
        return values


def run_benchmark(settings: BenchSettings, progress: Callable[[str], None]) -> dict:
    """Run every phase and return the report (see docs/content/benchmark.md for its format)."""
    began = time.perf_counter()
    target = Target(settings.url, settings.key, settings.secret, settings.version)
    client = LrsClient(settings.url, settings.key, settings.secret, settings.version)
    report: dict = {"benchmark": "lms bench lrs", "format_version": FORMAT_VERSION,
                    "parameters": settings.public(), "environment": _environment(settings)}
    sampler = _rss_sampler(settings)
    try:
        report["environment"]["lrs_about"] = preflight(client, settings.seed)
        progress(f"LRS at {settings.url} answers; starting {settings.clients} client processes")
        with ClientPool(settings.clients, target) as pool:
            report["ingest"], offset = _ingest(pool, settings, progress, sampler)
            report["fill"], tail, offset = _fill(pool, client, settings, offset, progress)
        # Statements the LRS accepted; the queries pick their targets among the ones posted.
        report["stored_by_this_run"] = report["fill"]["statements"] + sum(p["statements"] for p in report["ingest"])
        progress(f"Query latency: {settings.queries} queries of each kind, limit={QUERY_LIMIT}")
        window = stored_window(client, settings.seed)
        report["queries"] = run_queries(client, settings.seed, offset, settings.queries, window, progress)
        wanted = min(settings.page_through, sum(len(batch) for batch in tail))
        progress(f"Paging through {wanted} statements with 'more'")
        report["paging"] = page_through(client, wanted, tail)
    finally:
        client.close()
        report["server_rss"] = sampler.stop() if sampler else None
    report["errors_total"] = _errors_total(report)
    report["duration_s"] = round(time.perf_counter() - began, 1)
    return report


def preflight(client: LrsClient, seed: int) -> dict:
    """Check the LRS answers, accepts the credentials and does not hold this data set yet."""
    try:
        about = client.request("GET", client.path("about"), auth=False)
        probe = client.get_statements({"limit": 1})
        existing = client.get_statements({"statementId": dataset.statement_id(seed, 0)})
    except OSError as exc:
        raise BenchAborted(f"cannot reach the LRS: {exc}") from None
    if about.status != 200:
        raise BenchAborted(f"GET {client.path('about')} answered {about.status}: is --url the xAPI endpoint?")
    if probe.status in (401, 403):
        raise BenchAborted(f"the LRS refused the credentials ({probe.status}: {error_detail(probe)})")
    if probe.status != 200:
        raise BenchAborted(f"GET statements answered {probe.status}: {error_detail(probe)}")
    if existing.status == 200:
        raise BenchAborted(f"the LRS already holds the data set of seed {seed}; use another --seed or an empty LRS")
    if existing.status != 404:
        raise BenchAborted(f"GET statements?statementId= answered {existing.status}: {error_detail(existing)}")
    try:
        return about.json()
    except ValueError:
        raise BenchAborted("GET about did not answer JSON: is --url the xAPI endpoint?") from None


def _ingest(pool: ClientPool, settings: BenchSettings, progress: Callable[[str], None],
            sampler: RssSampler | None) -> tuple[list, int]:
    results, offset = [], 0
    for size in settings.batch_sizes:
        # Every client sends at least two requests, so each size measures steady traffic.
        count = max(settings.statements_per_size, size * settings.clients * 2)
        progress(f"Ingest: {count} statements in batches of {size} from {settings.clients} clients")
        cpu_before = sampler.cpu_by_pid() if sampler else None
        outcome = _combine(pool.run(split_jobs(settings.seed, offset, count, size, settings.clients)))
        outcome["batch_size"] = size
        outcome["server_cpu_s"] = _cpu_used(cpu_before, sampler.cpu_by_pid()) if sampler else None
        results.append(outcome)
        offset += count
        progress(f"  {outcome['statements_per_s']} statements/s, p95 {outcome['latency']['p95_ms']} ms "
                 f"per request, {outcome['errors']['count']} errors")
    return results, offset


def _fill(pool: ClientPool, client: LrsClient, settings: BenchSettings, offset: int,
          progress: Callable[[str], None]) -> tuple[dict, list[list[str]], int]:
    """Fill up to ``stored``; the last ``page_through`` statements go in sequence from one client."""
    tail_count = -(-settings.page_through // FILL_BATCH) * FILL_BATCH
    parallel = max(0, settings.stored - offset - tail_count)
    progress(f"Fill: {parallel + tail_count} statements in batches of {FILL_BATCH} "
             f"(the last {tail_count} in sequence, for the paging check)")
    outcomes = pool.run(split_jobs(settings.seed, offset, parallel, FILL_BATCH, settings.clients))
    offset += parallel
    # Posted one request after another, so the LRS stores these batches in this order.
    bodies = encode_batches(IngestJob(settings.seed, offset, tail_count, FILL_BATCH), settings.version)
    outcomes.append(post_batches(client, bodies))
    tail = [[dataset.statement_id(settings.seed, n) for n in range(start, start + FILL_BATCH)]
            for start in range(offset + tail_count - FILL_BATCH, offset - 1, -FILL_BATCH)]
    offset += tail_count
    fill = _combine(outcomes)
    progress(f"  {fill['statements']} statements stored by the fill, {fill['errors']['count']} errors")
    return fill, tail, offset


def _combine(outcomes: list[IngestResult]) -> dict:
    """Throughput of a phase: all accepted statements over the time from first start to last end."""
    timed = [o for o in outcomes if o.requests]
    errors = ErrorLog()
    for outcome in outcomes:
        errors.merge(outcome.errors)
    if any(o.refused for o in outcomes):
        raise BenchAborted(f"the LRS refused the credentials while posting: {errors.examples[:1]}")
    seconds = max((o.finished for o in timed), default=0) - min((o.started for o in timed), default=0)
    accepted = sum(o.accepted for o in outcomes)
    requests = sum(o.requests for o in outcomes)
    latencies = [value for o in outcomes for value in o.latencies]
    return {"statements": accepted, "requests": requests, "seconds": round(seconds, 3),
            "statements_per_s": rate(accepted, seconds), "requests_per_s": rate(requests, seconds),
            "latency": latency_summary(latencies), "errors": errors.as_dict()}


def _cpu_used(before: dict[int, float], after: dict[int, float]) -> list[float]:
    """CPU seconds each watched process used between two readings, busiest first.

    Shows how the load fell on the server's workers: a client's kept-alive connection stays
    with the worker that accepted it, so with few clients one worker can carry most of them.
    A process that started in between counts from zero; one that ended is left out.
    """
    used = [after[pid] - before.get(pid, 0.0) for pid in after]
    return sorted((round(seconds, 2) for seconds in used if seconds > 0), reverse=True)


def _errors_total(report: dict) -> int:
    return sum(phase.get("errors", {}).get("count", 0) for phase in phases(report))


def _rss_sampler(settings: BenchSettings) -> RssSampler | None:
    if settings.server_pids:
        return RssSampler(pids=set(settings.server_pids)).start()
    if settings.watch_rss:
        parts = urlsplit(settings.url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        return RssSampler(port=port).start()
    return None


def _environment(settings: BenchSettings) -> dict:
    return {"lrs_url": settings.url, "xapi_version": settings.version, "clients": settings.clients,
            "machine_cores": os.cpu_count(), "platform": platform.platform(), "python": sys.version.split()[0],
            "started_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
