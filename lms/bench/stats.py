"""Small statistics for benchmark figures: percentiles of latencies and throughput."""
from __future__ import annotations

import math
from typing import Sequence


def percentile(values: Sequence[float], fraction: float) -> float:
    """The ``fraction`` (0..1) percentile with linear interpolation between ranks.

    The same definition as numpy's default, so figures compare with other tools.
    """
    if not values:
        return math.nan
    if not 0.0 <= fraction <= 1.0:
        raise ValueError("fraction must be between 0 and 1")
    ordered = sorted(values)
    position = (len(ordered) - 1) * fraction
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def latency_summary(seconds: Sequence[float]) -> dict:
    """p50, p95, p99, max and mean of request latencies, in milliseconds."""
    if not seconds:
        return {"count": 0, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None, "mean_ms": None}
    return {
        "count": len(seconds),
        "p50_ms": round(percentile(seconds, 0.50) * 1000, 3),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 3),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 3),
        "max_ms": round(max(seconds) * 1000, 3),
        "mean_ms": round(sum(seconds) / len(seconds) * 1000, 3),
    }


def rate(count: int, seconds: float) -> float:
    """Items per second, 0 when nothing was timed."""
    return round(count / seconds, 1) if seconds > 0 else 0.0
