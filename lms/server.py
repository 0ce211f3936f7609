"""Runs the application under gunicorn (the production server of `lms serve`)."""
from __future__ import annotations

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

            return create_app()

    _Server({
        "bind": f"{host}:{port}", "workers": workers, "threads": threads,
        "worker_class": "gthread" if threads > 1 else "sync", "accesslog": access_log,
        "timeout": 60, "graceful_timeout": 20, "max_requests": 0,
    }).run()
