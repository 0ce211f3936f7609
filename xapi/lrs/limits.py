"""Rate and size limits per LRS credential (Communication §3.2: 413 and 429).

Settings (Flask config, all optional):

- ``LRS_RATE_LIMIT``: requests one credential may make per window; 0 (the default) = no limit.
- ``LRS_RATE_WINDOW_SECONDS``: length of the window, default 60.
- ``LRS_MAX_REQUEST_BYTES``: largest request body (also Werkzeug's MAX_CONTENT_LENGTH).
- ``LRS_CLIENT_LIMITS``: per-credential overrides, a dict in the instance config file, e.g.
  ``{"<key>": {"rate": 100, "max_bytes": 1_000_000}}``; a conformance-test credential can be
  given ``{"rate": 0}`` to never be limited, as §3.2.s3.b16/b17 ask.

Counting uses fixed windows. With ``REDIS_URL`` set the counters live in Redis and are shared by
every worker process; otherwise each process counts alone (the limit then applies per worker).
"""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from flask import current_app, request

from xapi.lrs.auth import Principal
from xapi.lrs.http import PayloadTooLarge, TooManyRequests


@dataclass(frozen=True)
class Limits:
    rate: int
    window: int
    max_bytes: int | None


def limits_for(config: dict, principal: Principal) -> Limits:
    override = (config.get("LRS_CLIENT_LIMITS") or {}).get(principal.key, {})
    return Limits(
        rate=int(override.get("rate", config.get("LRS_RATE_LIMIT", 0) or 0)),
        window=max(1, int(config.get("LRS_RATE_WINDOW_SECONDS", 60) or 60)),
        max_bytes=override.get("max_bytes", config.get("LRS_MAX_REQUEST_BYTES")),
    )


class MemoryCounter:
    """Fixed-window request counts kept in this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, tuple[int, int]] = {}

    def hit(self, key: str, window: int) -> tuple[int, int]:
        """Count one request; returns (count in the current window, seconds until it ends)."""
        now = time.time()
        index = int(now // window)
        with self._lock:
            current_index, count = self._counts.get(key, (index, 0))
            count = count + 1 if current_index == index else 1
            self._counts[key] = (index, count)
            if len(self._counts) > 10_000:  # forget old windows of credentials no longer seen
                self._counts = {k: v for k, v in self._counts.items() if v[0] == index}
        return count, int((index + 1) * window - now) + 1


class RedisCounter:
    """Fixed-window request counts shared by every worker through Redis."""

    def __init__(self, url: str) -> None:
        import redis

        self._redis = redis.Redis.from_url(url)

    def hit(self, key: str, window: int) -> tuple[int, int]:
        now = time.time()
        index = int(now // window)
        name = f"lrs:rate:{key}:{index}"
        pipe = self._redis.pipeline()
        pipe.incr(name)
        pipe.expire(name, window + 1)
        count, _ = pipe.execute()
        return int(count), int((index + 1) * window - now) + 1


def counter() -> MemoryCounter | RedisCounter:
    """The counter of this application, created on first use."""
    state = current_app.extensions["xapi"]
    if "rate_counter" not in state:
        url = current_app.config.get("REDIS_URL")
        state["rate_counter"] = RedisCounter(url) if url else MemoryCounter()
    return state["rate_counter"]


def enforce(principal: Principal) -> None:
    """Refuse the current request with 413 or 429 when it breaks the credential's limits."""
    limits = limits_for(current_app.config, principal)
    if limits.max_bytes:
        size = request.content_length
        if size is None and request.method in ("PUT", "POST"):
            size = len(request.get_data(cache=True))
        if size is not None and size > int(limits.max_bytes):
            raise PayloadTooLarge(f"The request body ({size} bytes) is larger than this credential "
                                  f"may send ({limits.max_bytes} bytes)")
    if limits.rate > 0:
        count, retry_after = counter().hit(principal.key, limits.window)
        if count > limits.rate:
            raise TooManyRequests(
                f"Too many requests with this credential: at most {limits.rate} every "
                f"{limits.window} s; try again in {retry_after} s",
                {"Retry-After": str(retry_after)},
            )
