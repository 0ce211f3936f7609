"""Background jobs: queued on Redis with rq when ``REDIS_URL`` is set, run inline otherwise.

A job is named by a "module:function" string and takes JSON-friendly arguments, so the
worker (``rq worker lms`` started with the same LMS_* environment, or ``run_worker()``) builds
its own application and runs the function inside an app context.
"""
from __future__ import annotations

import importlib
import logging
from typing import Any, Callable

from flask import Flask, current_app

QUEUE_NAME = "lms"
log = logging.getLogger(__name__)
_worker_app: Flask | None = None


def resolve(task: str) -> Callable[..., Any]:
    """The function named ``module:function``."""
    module_name, _sep, function_name = task.partition(":")
    function = getattr(importlib.import_module(module_name), function_name, None)
    if not callable(function):
        raise LookupError(f"no job function {task!r}")
    return function


def queue(redis_url: str):
    from redis import Redis
    from rq import Queue

    return Queue(QUEUE_NAME, connection=Redis.from_url(redis_url))


def enqueue(task: str, *args: Any) -> str:
    """Run ``task`` in the background (Redis) or now (no Redis); returns "queued" or "done"/"failed"."""
    resolve(task)  # fail at once on a typo, not later in the worker
    redis_url = current_app.config.get("REDIS_URL")
    if redis_url:
        queue(redis_url).enqueue("lms.jobs.run_task", task, *args, job_timeout=600)
        return "queued"
    try:
        resolve(task)(*args)
    except Exception:  # an inline job (an e-mail) must not undo the request that queued it
        log.exception("job %s failed", task)
        return "failed"
    return "done"


def run_task(task: str, *args: Any) -> Any:
    """Entry point of queued jobs in the worker: one application per worker process."""
    global _worker_app
    if _worker_app is None:
        from lms import create_app

        _worker_app = create_app()
    with _worker_app.app_context():
        return resolve(task)(*args)


def run_worker(redis_url: str, burst: bool = False) -> None:
    """Process queued jobs (``burst``: until the queue is empty)."""
    from rq import Worker

    jobs = queue(redis_url)
    Worker([jobs], connection=jobs.connection).work(burst=burst)
