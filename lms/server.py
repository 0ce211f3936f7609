"""Runs the application under gunicorn (the production server of `lms serve`).

Choices measured with `lms bench lrs` (docs/content/benchmark.md):

- ``gthread`` workers (several threads per process) when ``threads > 1``: a request spends
  much of its time waiting for the database, and the other threads use that time.
- Each worker builds its app, then runs a full garbage collection and ``gc.freeze()``: the
  hundreds of thousands of long-lived objects of Flask, SQLAlchemy and the schemas move out
  of the collector's generations, so the full collections that a large statement batch sets
  off scan only the request's own objects (for a batch of 1000 statements this took ~50 ms
  of ~250 ms before), and raises the young-generation threshold (see GC_GEN0_THRESHOLD).
- No access log unless asked for (``--access-log``): a line per request costs a write per
  request.
- Kept-alive connections are closed after a large request or after 100 requests
  (``spread_connections``), so that a few busy clients do not all stay on one worker.
- Each worker warms up before it accepts requests (``warm_up``), so that its first request is
  not ten times slower than the next ones.
"""
from __future__ import annotations

import gc
from typing import Any


def run_server(host: str, port: int, workers: int, threads: int, access_log: str | None = None) -> None:
    """Serve with gunicorn; each worker builds its own app (and its own database pool)."""
    try:
        from gunicorn.app.base import BaseApplication
    except ImportError:  # gunicorn does not run on Windows
        from lms import create_app

        create_app().run(host=host, port=port, threaded=True)
        return

    class _Server(BaseApplication):
        def __init__(self, options: dict[str, Any]) -> None:
            self.options = options
            super().__init__()

        def load_config(self) -> None:
            for key, value in self.options.items():
                self.cfg.set(key, value)

        def load(self):
            from lms import create_app

            app = create_app()
            warm_up(app)
            freeze_long_lived_objects()
            return app

    _Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync", "accesslog": access_log,
        "timeout": 60, "graceful_timeout": 20, "max_requests": 0, "pre_request": spread_connections,
    }).run()


# Sent by warm_up: HTTP Basic for a key that no credential has ("warm-up:-"), and a statement
# that is only validated, never stored.
_WARM_UP_AUTH = "Basic d2FybS11cDot"
_WARM_UP_STATEMENT = {
    "actor": {"objectType": "Agent", "mbox": "mailto:warm-up@example.invalid"},
    "verb": {"id": "http://adlnet.gov/expapi/verbs/experienced", "display": {"en-US": "experienced"}},
    "object": {"objectType": "Activity", "id": "https://example.invalid/warm-up",
               "definition": {"name": {"en-US": "warm-up"}}},
}


def warm_up(app: Any) -> None:
    """Run a worker's one-time work before its first request, without changing any data.

    The first request of a fresh worker took ~25 ms against ~1.5 ms for the next ones (a
    statement POST, measured in-process): opening the first database connection, compiling
    the credential look-up and the statement validators. Clients notice: a learner's first
    click after a restart, and LRS clients that time a first request (ADL's conformance suite
    measures its clock offset against the LRS with one, so a slow first request shifts every
    ``until`` it computes afterwards). A request with an unknown credential (401) and a
    validation of a sample statement do that work here, and on PostgreSQL the write function
    runs once on an empty batch in a transaction that is rolled back (storage.warm_up_writes);
    none of this writes anything. A database that cannot be reached only leaves the warm-up
    undone: requests still report it.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from lms.extensions import db
    from xapi.lrs.storage import warm_up_writes
    from xapi.schemas import validate_statement

    client = app.test_client()
    for version in ("1.0.3", "2.0.0"):
        validate_statement(dict(_WARM_UP_STATEMENT), version)
        client.get("/xapi/statements", headers={"Authorization": _WARM_UP_AUTH,
                                                "X-Experience-API-Version": version})
    client.get("/healthz")
    with app.app_context():
        try:
            warm_up_writes(db.session)
        except SQLAlchemyError:
            pass  # the database is not reachable now: the first requests will say so
        finally:
            db.session.remove()


# When a kept-alive connection is closed so that its client connects again (see spread_connections).
KEEPALIVE_REQUESTS = 100
LARGE_REQUEST_BYTES = 64 * 1024


def spread_connections(worker: Any, req: Any) -> None:
    """gunicorn ``pre_request`` hook: close a connection after a large request or after many.

    A kept-alive connection stays with the worker that accepted it. With a few busy clients
    (an LMS or a benchmark posting statements over 4 connections) one worker could carry
    three of them while the other idles: ``lms bench lrs`` measured 6,300 instead of 9,300
    statements/s for batches of 1000 when that happened (the "server CPU s" column showed
    11.2 s against 4.1 s). A new connection is accepted by whichever worker gets to it
    first, usually the less busy one. Connecting again costs ~0.2 ms: nothing beside a
    request of 64 KB or more (~30 statements), and little once per 100 small requests.
    """
    length = next((value for name, value in req.headers if name == "CONTENT-LENGTH"), "0")
    if req.req_number >= KEEPALIVE_REQUESTS or (length.isdigit() and int(length) >= LARGE_REQUEST_BYTES):
        req.must_close = True


# Allocations (net) between two young-generation collections; Python's default is 700. A batch
# of 1000 statements builds ~150,000 containers that all stay alive until the response, so the
# default ran ~68 collections per batch that found nothing to free (~10 µs per statement);
# with 10,000 it runs ~4.
GC_GEN0_THRESHOLD = 10_000


def freeze_long_lived_objects() -> None:
    """Collect once, then keep every object alive now out of later collections (see above)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(GC_GEN0_THRESHOLD, *gc.get_threshold()[1:])
