"""Benchmark client processes: each makes its share of the statements, then posts them in step.

Processes, not threads, so the client side is not held back by the GIL. A worker
generates and JSON-encodes all its request bodies before the start barrier, so the timed
part is only HTTP: send, wait, read.
"""
from __future__ import annotations

import json
import multiprocessing
import time
import traceback
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

from lms.bench.client import BenchAborted, ErrorLog, LrsClient, error_detail
from lms.bench.dataset import statements

_WAIT_SECONDS = 1800  # the longest a phase may take before the benchmark gives up on a worker


@dataclass(frozen=True)
class Target:
    url: str
    key: str
    secret: str
    version: str


@dataclass(frozen=True)
class IngestJob:
    """Post statements ``start`` .. ``start + count - 1`` of the stream in batches of ``batch_size``."""

    seed: int
    start: int
    count: int
    batch_size: int


@dataclass
class IngestResult:
    started: float = 0.0
    finished: float = 0.0
    requests: int = 0
    accepted: int = 0
    latencies: list[float] = field(default_factory=list)
    errors: ErrorLog = field(default_factory=ErrorLog)
    refused: bool = False  # the LRS refused the credentials (401/403): stop everything


class BenchWorkerError(BenchAborted):
    """A client process crashed or stopped answering."""


def encode_batches(job: IngestJob, version: str) -> list[tuple[int, bytes]]:
    """The request bodies of a job: one statement as an object, larger batches as arrays."""
    made = list(statements(job.seed, job.start, job.count, version))
    bodies = []
    for first in range(0, len(made), job.batch_size):
        batch = made[first:first + job.batch_size]
        payload: Any = batch[0] if job.batch_size == 1 else batch
        bodies.append((len(batch), json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()))
    return bodies


def post_batches(client: LrsClient, bodies: list[tuple[int, bytes]]) -> IngestResult:
    """POST each body; a 200 with one id per statement counts them as accepted."""
    result = IngestResult(started=time.monotonic())
    for count, body in bodies:
        result.requests += 1
        try:
            response = client.post_statements(body)
        except OSError as exc:
            result.errors.add("POST statements", "connection", str(exc))
            continue
        result.latencies.append(response.seconds)
        if response.status == 200 and _id_count(response.body) == count:
            result.accepted += count
            continue
        result.errors.add("POST statements", response.status, error_detail(response))
        if response.status in (401, 403):
            result.refused = True
            break
    result.finished = time.monotonic()
    return result


def _id_count(body: bytes) -> int:
    try:
        ids = json.loads(body)
    except ValueError:
        return -1
    return len(ids) if isinstance(ids, list) else -1


def worker_main(connection: Connection, barrier: Any, target: Target) -> None:
    """Loop of one client process: receive a job, prepare, wait for all, post, report."""
    client = LrsClient(target.url, target.key, target.secret, target.version)
    try:
        while True:
            job = connection.recv()
            if job is None:
                return
            try:
                bodies = encode_batches(job, target.version)
                barrier.wait(timeout=_WAIT_SECONDS)
                connection.send(post_batches(client, bodies))
            except Exception:  # the parent must hear about any failure, or it would wait forever
                connection.send(traceback.format_exc())
    finally:
        client.close()


class ClientPool:
    """``size`` client processes that run ingest jobs together (started once, reused per phase)."""

    def __init__(self, size: int, target: Target) -> None:
        context = multiprocessing.get_context("spawn")
        self.barrier = context.Barrier(size)
        self.connections: list[Connection] = []
        self.processes = []
        for number in range(size):
            parent_end, child_end = context.Pipe()
            process = context.Process(target=worker_main, args=(child_end, self.barrier, target),
                                      name=f"lrs-bench-client-{number}", daemon=True)
            process.start()
            child_end.close()
            self.connections.append(parent_end)
            self.processes.append(process)

    def __enter__(self) -> "ClientPool":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def run(self, jobs: list[IngestJob]) -> list[IngestResult]:
        """Give one job to each process (all start at the same moment) and collect the results."""
        if len(jobs) != len(self.processes):
            raise ValueError("one job per client process")
        for connection, job in zip(self.connections, jobs):
            connection.send(job)
        return [self._receive(number) for number in range(len(jobs))]

    def _receive(self, number: int) -> IngestResult:
        connection, process = self.connections[number], self.processes[number]
        deadline = time.monotonic() + _WAIT_SECONDS
        while not connection.poll(1.0):
            if not process.is_alive() or time.monotonic() > deadline:
                self.barrier.abort()
                raise BenchWorkerError(f"benchmark client process {number} stopped without an answer")
        answer = connection.recv()
        if isinstance(answer, str):
            self.barrier.abort()
            raise BenchWorkerError(f"benchmark client process {number} failed:\n{answer}")
        return answer

    def close(self) -> None:
        for connection, process in zip(self.connections, self.processes):
            if process.is_alive():
                try:
                    connection.send(None)
                except OSError:
                    pass
        for process in self.processes:
            process.join(timeout=10)
            if process.is_alive():
                process.terminate()
                process.join(timeout=5)


def split_jobs(seed: int, start: int, count: int, batch_size: int, clients: int) -> list[IngestJob]:
    """Split ``count`` statements into whole requests and share the requests out evenly."""
    requests = -(-count // batch_size)
    jobs = []
    for number in range(clients):
        first, last = requests * number // clients, requests * (number + 1) // clients
        job_start = start + first * batch_size
        job_end = min(start + last * batch_size, start + count)
        jobs.append(IngestJob(seed=seed, start=job_start, count=max(0, job_end - job_start), batch_size=batch_size))
    return jobs
