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
            freeze_long_lived_objects()
            return app

    _Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync", "accesslog": access_log,
        "timeout": 60, "graceful_timeout": 20, "max_requests": 0,
    }).run()


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
